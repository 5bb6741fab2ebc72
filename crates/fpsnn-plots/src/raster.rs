//! Spike raster of one sample through every layer.

use std::path::Path;

use fpsnn_core::Time;
use fpsnn_sim::{InputSpikes, Network, SimTrace};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::render::{CAPTION_FONT, Figure, LABEL_FONT, TICK_FONT, TITLE_FONT, color, render};

/// One horizontal band of the raster: a layer's spike trains.
struct Band<'a> {
    name: String,
    trains: Vec<&'a [Time]>,
}

struct RasterFigure<'a> {
    bands: Vec<Band<'a>>,
    t_end: Time,
    title: &'a str,
}

/// Panel heights in pixels: proportional to the rows, at least 110 px, 640 px in all (plus
/// the minimum share).
fn heights(rows: &[usize]) -> Vec<u32> {
    let total: usize = rows.iter().sum::<usize>().max(1);
    rows.iter()
        .map(|&r| (110.0 + 560.0 * r as f64 / total as f64).round() as u32)
        .collect()
}

impl Figure for RasterFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let rows: Vec<usize> = self.bands.iter().map(|b| b.trains.len()).collect();
        (1000, 50 + heights(&rows).iter().sum::<u32>())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled(self.title, ("sans-serif", TITLE_FONT))?;
        let rows: Vec<usize> = self.bands.iter().map(|b| b.trains.len()).collect();
        let hs = heights(&rows);
        // Output on top, input at the bottom.
        let mut breaks = Vec::new();
        let mut y = 0;
        for h in hs.iter().rev().take(hs.len() - 1) {
            y += *h as i32;
            breaks.push(y);
        }
        let areas = root.split_by_breakpoints::<i32, i32, _, _>([], breaks);
        let n = self.bands.len();
        for (k, (area, band)) in areas.iter().zip(self.bands.iter().rev()).enumerate() {
            let band_color = color(n - 1 - k);
            let count: usize = band.trains.iter().map(|t| t.len()).sum();
            let rows = band.trains.len().max(1);
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!("{}: {rows} neuron(s), {count} spike(s)", band.name),
                    ("sans-serif", CAPTION_FONT),
                )
                .margin(6)
                .margin_right(24)
                .x_label_area_size(if k + 1 == n { 44 } else { 26 })
                .y_label_area_size(64)
                .build_cartesian_2d(0.0..self.t_end, -0.5..(rows as f64 - 0.5))?;
            let mut mesh = chart.configure_mesh();
            mesh.y_desc("neuron")
                .axis_desc_style(("sans-serif", LABEL_FONT))
                .label_style(("sans-serif", TICK_FONT))
                .light_line_style(WHITE.mix(0.0))
                .y_labels(rows.clamp(2, 6))
                .y_label_formatter(&|v| {
                    if (v - v.round()).abs() < 1e-9 {
                        format!("{}", v.round())
                    } else {
                        String::new()
                    }
                });
            if k + 1 == n {
                mesh.x_desc("time t");
            }
            mesh.draw()?;
            // One tick per spike: 0.8 rows tall, but at least 6 px so dense layers stay visible.
            let plot_px = f64::from(area.dim_in_pixel().1).max(80.0) - 70.0;
            let half = (3.0 * rows as f64 / plot_px).max(0.4);
            chart.draw_series(band.trains.iter().enumerate().flat_map(|(i, train)| {
                train.iter().filter(|&&t| t <= self.t_end).map(move |&t| {
                    PathElement::new(
                        vec![(t, i as f64 - half), (t, i as f64 + half)],
                        band_color.stroke_width(2),
                    )
                })
            }))?;
        }
        Ok(())
    }
}

/// Draws the spike raster of one sample: one panel per layer (output on top, input
/// channels at the bottom), a tick per spike, over `[0, t_end]` of the trace (or up to the
/// last spike if the trace ended at infinity). Writes PNG or SVG by extension.
///
/// # Errors
/// [`PlotError::Invalid`] if the trace or input does not match the network;
/// [`PlotError::Format`], [`PlotError::Io`], [`PlotError::Draw`] from writing.
pub fn plot_raster(
    path: &Path,
    network: &Network,
    input: &InputSpikes,
    trace: &SimTrace,
    title: &str,
) -> Result<(), PlotError> {
    if input.len() != network.inputs() {
        return Err(PlotError::Invalid(format!(
            "{} input channels, the network has {}",
            input.len(),
            network.inputs()
        )));
    }
    if trace.populations.len() != network.populations().len()
        || trace
            .populations
            .iter()
            .zip(network.populations())
            .any(|(t, p)| t.spikes.len() != p.size())
    {
        return Err(PlotError::Invalid(
            "the trace does not match the network".to_owned(),
        ));
    }
    let mut bands = vec![Band {
        name: "input".to_owned(),
        trains: input.channels().iter().map(|c| c.times()).collect(),
    }];
    for (pop, record) in network.populations().iter().zip(&trace.populations) {
        bands.push(Band {
            name: pop.name().to_owned(),
            trains: record.spikes.iter().map(Vec::as_slice).collect(),
        });
    }
    let last = bands
        .iter()
        .flat_map(|b| b.trains.iter().flat_map(|t| t.iter().copied()))
        .fold(0.0_f64, f64::max);
    let t_end = if trace.t_end.is_finite() && trace.t_end > 0.0 {
        trace.t_end
    } else if last > 0.0 {
        last * 1.05
    } else {
        1.0
    };
    render(
        path,
        &RasterFigure {
            bands,
            t_end,
            title,
        },
    )
}
