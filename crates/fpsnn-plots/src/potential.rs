//! Membrane potential traces from the exact closed form.

use std::path::Path;

use fpsnn_core::Time;
use fpsnn_kernels::{Kernel, State};
use fpsnn_sim::{Network, SimTrace, membrane_potential};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::render::{
    CAPTION_FONT, Figure, LABEL_FONT, Mark, TICK_FONT, TITLE_FONT, color, legend_row, padded,
    render,
};

/// Settings of [`plot_membrane_potential`].
#[derive(Clone, Debug, PartialEq)]
pub struct PotentialOptions {
    /// Evenly spaced grid points over `[0, t_end]` (events, peaks and spikes are added).
    pub samples: usize,
    /// End of the plotted interval; `None`: the trace's `t_end`.
    pub t_end: Option<Time>,
    /// Figure title.
    pub title: String,
    /// Populations that were simulated with `SimOptions::first_spike_only` (as a
    /// first-spike loss does): their neurons stopped at the first spike, so their curves
    /// end there.
    pub first_spike_only: Vec<usize>,
}

impl Default for PotentialOptions {
    fn default() -> Self {
        Self {
            samples: 1500,
            t_end: None,
            title: "Membrane potential".to_owned(),
            first_spike_only: Vec::new(),
        }
    }
}

fn check_neuron(
    network: &Network,
    trace: &SimTrace,
    population: usize,
    neuron: usize,
) -> Result<(), PlotError> {
    let pops = network.populations();
    if trace.populations.len() != pops.len() {
        return Err(PlotError::Invalid(format!(
            "the trace has {} populations, the network {}",
            trace.populations.len(),
            pops.len()
        )));
    }
    let Some(pop) = pops.get(population) else {
        return Err(PlotError::Invalid(format!(
            "population {population} out of range (the network has {})",
            pops.len()
        )));
    };
    if neuron >= pop.size() || trace.populations[population].spikes.len() != pop.size() {
        return Err(PlotError::Invalid(format!(
            "neuron {neuron} out of range for population `{}` of size {} (or the trace does not match the network)",
            pop.name(),
            pop.size()
        )));
    }
    Ok(())
}

/// The exact potential `V(t)` of neuron `neuron` of population `population` on `[0, t_end]`,
/// as `(t, V)` points sorted by time (a spike at `t_end` included): a grid of `samples` evenly spaced points, every input
/// arrival, every interior maximum between two events (the kernel's closed-form peak,
/// found by replaying the neuron's state), and at each emitted spike `f` two points,
/// `(f, V(f-)) = (f, theta)` and `(f, V(f-) - theta)`, so the reset is a vertical drop.
/// Values come from [`fpsnn_sim::membrane_potential`] (left limits), which sums the closed
/// form over the trace.
///
/// # Errors
/// [`PlotError::Invalid`] for a population or neuron out of range, a trace that does not
/// match the network, `t_end` not positive and finite, or fewer than 2 samples.
pub fn potential_curve(
    network: &Network,
    trace: &SimTrace,
    population: usize,
    neuron: usize,
    t_end: Time,
    samples: usize,
) -> Result<Vec<(Time, f64)>, PlotError> {
    check_neuron(network, trace, population, neuron)?;
    if !(t_end.is_finite() && t_end > 0.0) {
        return Err(PlotError::Invalid(format!(
            "t_end must be positive and finite, got {t_end}"
        )));
    }
    if samples < 2 {
        return Err(PlotError::Invalid("at least 2 samples".to_owned()));
    }
    let pop = &network.populations()[population];
    let kernel = pop.kernel();
    let theta = pop.params().theta;
    let record = &trace.populations[population];
    let own = &record.spikes[neuron];

    // (time, is an emitted spike)
    let mut times: Vec<(Time, bool)> = (0..samples)
        .map(|k| (t_end * k as f64 / (samples - 1) as f64, false))
        .collect();
    // Replay the neuron's (I, V) state through its events to find the maxima between
    // them; a crossing at the time of an arrival happens before the arrival.
    let mut state = State::default();
    let mut t = 0.0;
    let (mut a, mut s) = (0, 0);
    loop {
        let arrival = record.arrivals.get(a).filter(|x| x.time < t_end);
        let spike = own.get(s).copied().filter(|&f| f <= t_end);
        let next = match (arrival, spike) {
            (None, None) => t_end,
            (Some(x), None) => x.time,
            (None, Some(f)) => f,
            (Some(x), Some(f)) => x.time.min(f),
        };
        if next > t {
            if let Some(peak) = kernel.peak(state, next - t) {
                times.push((t + peak, false));
            }
            state = kernel.advance(state, next - t);
            t = next;
        }
        let take_spike = match (arrival, spike) {
            (None, None) => break,
            (Some(x), Some(f)) => f <= x.time,
            (None, Some(_)) => true,
            (Some(_), None) => false,
        };
        if let (true, Some(f)) = (take_spike, spike) {
            times.push((f, true));
            state.potential -= theta;
            s += 1;
        } else if let Some(x) = arrival {
            times.push((x.time, false));
            let w = network.projections()[x.projection as usize].weight(x.pre as usize, neuron);
            state.current += w;
            a += 1;
        }
    }
    // Equal times: grid points and arrivals (left limits) before the spike's drop.
    times.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let mut points = Vec::with_capacity(times.len() + own.len());
    for (t, is_spike) in times {
        let v = membrane_potential(network, trace, population, neuron, t);
        points.push((t, v));
        if is_spike {
            points.push((t, v - theta));
        }
    }
    Ok(points)
}

/// One panel: `(population, neuron)` and its curve.
type Panel = ((usize, usize), Vec<(Time, f64)>);

struct PotentialFigure<'a> {
    network: &'a Network,
    trace: &'a SimTrace,
    panels: Vec<Panel>,
    t_end: Time,
    title: &'a str,
    first_spike_only: &'a [usize],
}

impl Figure for PotentialFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 90 + 260 * self.panels.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled(self.title, ("sans-serif", TITLE_FONT))?;
        let (legend, root) = root.split_vertically(34);
        let exc_color = color(2);
        let inh_color = color(3);
        let threshold = RGBColor(200, 30, 30);
        let line = color(0);
        let spike_color = BLACK;
        let mut entries = vec![
            ("V(t), exact".to_owned(), Mark::Line(line)),
            ("threshold".to_owned(), Mark::Dashed(threshold)),
            (
                "input arrival, w > 0 (bottom)".to_owned(),
                Mark::Tick(exc_color),
            ),
        ];
        let any_inhibitory = self.panels.iter().any(|((p, i), _)| {
            self.trace.populations[*p].arrivals.iter().any(|a| {
                a.time < self.t_end
                    && self.network.projections()[a.projection as usize].weight(a.pre as usize, *i)
                        < 0.0
            })
        });
        if any_inhibitory {
            entries.push(("w < 0 (top)".to_owned(), Mark::Tick(inh_color)));
        }
        entries.push(("emitted spike".to_owned(), Mark::Dot(spike_color)));
        legend_row(&legend, &entries)?;
        let areas = root.split_evenly((self.panels.len(), 1));
        for (area, ((p, i), points)) in areas.iter().zip(&self.panels) {
            // A neuron stopped at its first spike: its curve (and the input it saw) ends there.
            let end = points.last().map_or(self.t_end, |q| q.0);
            let end = if end < self.t_end { end } else { self.t_end };
            let pop = &self.network.populations()[*p];
            let theta = pop.params().theta;
            let record = &self.trace.populations[*p];
            let spikes: Vec<Time> = record.spikes[*i]
                .iter()
                .copied()
                .filter(|&f| f <= end)
                .collect();
            let lo = points.iter().map(|x| x.1).fold(0.0_f64, f64::min);
            let hi = points.iter().map(|x| x.1).fold(theta, f64::max);
            let (y0, y1) = padded(lo, hi, 0.12);
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!(
                        "{} neuron {i}: {} spike(s){}, {} input arrival(s)",
                        pop.name(),
                        spikes.len(),
                        if self.first_spike_only.contains(p) {
                            " (stops at its first spike)"
                        } else {
                            ""
                        },
                        record.arrivals.iter().filter(|a| a.time < end).count()
                    ),
                    ("sans-serif", CAPTION_FONT),
                )
                .margin(8)
                .margin_right(24)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(0.0..self.t_end, y0..y1)?;
            chart
                .configure_mesh()
                .x_desc("time t")
                .y_desc("V(t)")
                .axis_desc_style(("sans-serif", LABEL_FONT))
                .label_style(("sans-serif", TICK_FONT))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            // Input arrivals: ticks rising from the bottom (excitatory) or hanging from the
            // top (inhibitory).
            let tick = 0.07 * (y1 - y0);
            let mut exc = Vec::new();
            let mut inh = Vec::new();
            for a in record.arrivals.iter().filter(|a| a.time < end) {
                let w =
                    self.network.projections()[a.projection as usize].weight(a.pre as usize, *i);
                if w > 0.0 {
                    exc.push(a.time);
                } else if w < 0.0 {
                    inh.push(a.time);
                }
            }
            chart.draw_series(exc.iter().map(|&t| {
                PathElement::new(vec![(t, y0), (t, y0 + tick)], exc_color.stroke_width(2))
            }))?;
            if !inh.is_empty() {
                chart.draw_series(inh.iter().map(|&t| {
                    PathElement::new(vec![(t, y1), (t, y1 - tick)], inh_color.stroke_width(2))
                }))?;
            }
            chart.draw_series(DashedLineSeries::new(
                vec![(0.0, theta), (self.t_end, theta)],
                8,
                6,
                threshold.stroke_width(2),
            ))?;
            // The curve in pieces between resets (a thick polyline folding back on itself
            // is drawn badly), each reset as a thin vertical drop.
            let mut pieces: Vec<&[(Time, f64)]> = Vec::new();
            let mut start = 0;
            for k in 1..points.len() {
                if points[k].0.total_cmp(&points[k - 1].0).is_eq() && points[k].1 < points[k - 1].1
                {
                    pieces.push(&points[start..k]);
                    start = k;
                }
            }
            pieces.push(&points[start..]);
            for piece in &pieces {
                chart.draw_series(LineSeries::new(piece.iter().copied(), line.stroke_width(2)))?;
            }
            chart.draw_series(pieces.windows(2).filter_map(|w| {
                let (top, bottom) = (w[0].last()?, w[1].first()?);
                Some(PathElement::new(vec![*top, *bottom], line.stroke_width(1)))
            }))?;
            chart.draw_series(
                spikes
                    .iter()
                    .map(|&f| Circle::new((f, theta), 5, spike_color.filled())),
            )?;
        }
        Ok(())
    }
}

/// Draws the exact membrane potential of each `(population, neuron)` in `neurons`, one
/// panel per neuron: `V(t)` from [`potential_curve`], the threshold (dashed), input
/// arrivals as ticks (rising from the bottom for positive weights, hanging from the top for
/// negative ones) and emitted spikes as dots on the threshold. Writes PNG or SVG by the
/// extension of `path`.
///
/// # Errors
/// [`PlotError::Empty`] without neurons; as [`potential_curve`]; [`PlotError::Format`],
/// [`PlotError::Io`], [`PlotError::Draw`] from writing.
pub fn plot_membrane_potential(
    path: &Path,
    network: &Network,
    trace: &SimTrace,
    neurons: &[(usize, usize)],
    options: &PotentialOptions,
) -> Result<(), PlotError> {
    if neurons.is_empty() {
        return Err(PlotError::Empty("no neurons chosen".to_owned()));
    }
    let t_end = options.t_end.unwrap_or(trace.t_end);
    let panels = neurons
        .iter()
        .map(|&(p, i)| {
            check_neuron(network, trace, p, i)?;
            let stop = options
                .first_spike_only
                .contains(&p)
                .then(|| trace.populations[p].spikes[i].first().copied())
                .flatten()
                .filter(|&f| f < t_end && f > 0.0);
            let samples = match stop {
                // The same grid density over the shorter interval.
                Some(f) => ((options.samples as f64 * f / t_end).ceil() as usize).max(2),
                None => options.samples,
            };
            let curve = potential_curve(network, trace, p, i, stop.unwrap_or(t_end), samples)?;
            Ok(((p, i), curve))
        })
        .collect::<Result<Vec<_>, PlotError>>()?;
    render(
        path,
        &PotentialFigure {
            network,
            trace,
            panels,
            t_end,
            title: &options.title,
            first_spike_only: &options.first_spike_only,
        },
    )
}
