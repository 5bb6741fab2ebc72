//! First-spike-time histograms per output neuron and class (the paper's Fig. 4).

use std::path::Path;

use fpsnn_core::Time;
use fpsnn_sim::SimTrace;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::render::{
    CAPTION_FONT, Figure, LABEL_FONT, Mark, TICK_FONT, TITLE_FONT, color, legend_row, render,
};

/// The output first-spike times of a set of samples with their classes: one row of
/// [`plot_first_spike_histograms`] (e.g. "at initialisation").
#[derive(Clone, Debug, PartialEq)]
pub struct FirstSpikeSet {
    /// Row title.
    pub title: String,
    /// Per sample, the first spike time of every output neuron (`None`: silent).
    pub first_spikes: Vec<Vec<Option<Time>>>,
    /// Per sample, its class.
    pub labels: Vec<usize>,
}

impl FirstSpikeSet {
    /// The first spikes of population `output` in each trace, with the samples' labels.
    ///
    /// # Errors
    /// [`PlotError::Invalid`] if the counts differ or `output` is out of range.
    pub fn from_traces(
        title: impl Into<String>,
        traces: &[SimTrace],
        output: usize,
        labels: &[usize],
    ) -> Result<Self, PlotError> {
        if traces.len() != labels.len() {
            return Err(PlotError::Invalid(format!(
                "{} traces but {} labels",
                traces.len(),
                labels.len()
            )));
        }
        let first_spikes = traces
            .iter()
            .map(|t| {
                t.populations
                    .get(output)
                    .map(fpsnn_sim::PopulationTrace::first_spikes)
                    .ok_or_else(|| {
                        PlotError::Invalid(format!("output population {output} out of range"))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            title: title.into(),
            first_spikes,
            labels: labels.to_vec(),
        })
    }
}

/// Settings of [`plot_first_spike_histograms`].
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramOptions {
    /// Number of bins over the time range.
    pub bins: usize,
    /// Time range of the bins; `None`: the range of all first spikes of all sets (padded by
    /// a bin). Spikes outside go into the first or last bin.
    pub range: Option<(Time, Time)>,
    /// Class names for the legend (`class k` where missing).
    pub class_names: Vec<String>,
    /// Figure title.
    pub title: String,
}

impl Default for HistogramOptions {
    fn default() -> Self {
        Self {
            bins: 40,
            range: None,
            class_names: Vec::new(),
            title: "First output spike times".to_owned(),
        }
    }
}

struct HistogramFigure<'a> {
    sets: &'a [FirstSpikeSet],
    range: (Time, Time),
    outputs: usize,
    classes: usize,
    options: &'a HistogramOptions,
}

impl HistogramFigure<'_> {
    /// Panels per row: at most 5 outputs side by side.
    fn columns(&self) -> usize {
        self.outputs.min(5)
    }

    /// Rows of panels per set.
    fn rows_per_set(&self) -> usize {
        self.outputs.div_ceil(self.columns())
    }

    fn class_name(&self, c: usize) -> String {
        self.options
            .class_names
            .get(c)
            .cloned()
            .unwrap_or_else(|| format!("class {c}"))
    }

    /// Counts `[class][bin]` of output `o` in `set`, and the silent count per class.
    fn counts(&self, set: &FirstSpikeSet, o: usize) -> (Vec<Vec<usize>>, Vec<usize>) {
        let bins = self.options.bins;
        let mut counts = vec![vec![0; bins]; self.classes];
        let mut silent = vec![0; self.classes];
        for (spikes, &label) in set.first_spikes.iter().zip(&set.labels) {
            match spikes[o] {
                Some(t) => {
                    let (lo, hi) = self.range;
                    let b = ((t - lo) / (hi - lo) * bins as f64).floor();
                    let b = if b.is_finite() && b > 0.0 {
                        (b as usize).min(bins - 1)
                    } else {
                        0
                    };
                    counts[label][b] += 1;
                }
                None => silent[label] += 1,
            }
        }
        (counts, silent)
    }
}

impl Figure for HistogramFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (
            (360 * self.columns() as u32).max(720),
            84 + 300 * (self.sets.len() * self.rows_per_set()) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled(&self.options.title, ("sans-serif", TITLE_FONT))?;
        let (legend, root) = root.split_vertically(34);
        // ten classes of "samples of <name>" overflow one legend row: names alone then
        let entries: Vec<(String, Mark)> = (0..self.classes)
            .map(|c| {
                let name = self.class_name(c);
                let text = if self.classes <= 5 {
                    format!("samples of {name}")
                } else {
                    name
                };
                (text, Mark::Patch(color(c)))
            })
            .collect();
        legend_row(&legend, &entries)?;
        let (columns, rows) = (self.columns(), self.rows_per_set());
        let areas = root.split_evenly((self.sets.len() * rows, columns));
        let (lo, hi) = self.range;
        let width = (hi - lo) / self.options.bins as f64;
        for (r, set) in self.sets.iter().enumerate() {
            for o in 0..self.outputs {
                let area = &areas[(r * rows + o / columns) * columns + o % columns];
                let (counts, silent) = self.counts(set, o);
                let top = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
                let silent_total: usize = silent.iter().sum();
                let mut chart = ChartBuilder::on(area)
                    .caption(
                        format!("{}: output {o} (silent {silent_total})", set.title),
                        ("sans-serif", CAPTION_FONT),
                    )
                    .margin(8)
                    .margin_right(20)
                    .x_label_area_size(42)
                    .y_label_area_size(56)
                    .build_cartesian_2d(lo..hi, 0.0..(top as f64 * 1.1))?;
                chart
                    .configure_mesh()
                    .x_desc("first spike time")
                    .y_desc("samples")
                    .axis_desc_style(("sans-serif", LABEL_FONT))
                    .label_style(("sans-serif", TICK_FONT))
                    .light_line_style(WHITE.mix(0.0))
                    .x_labels(5)
                    .y_labels(5)
                    .y_label_formatter(&|v| {
                        if (v - v.round()).abs() < 1e-9 {
                            format!("{}", v.round())
                        } else {
                            String::new()
                        }
                    })
                    .draw()?;
                for (c, row) in counts.iter().enumerate() {
                    let col = color(c);
                    let bars =
                        row.iter()
                            .enumerate()
                            .filter(|(_, n)| **n > 0)
                            .map(move |(b, &n)| {
                                let x0 = lo + b as f64 * width;
                                Rectangle::new(
                                    [(x0, 0.0), (x0 + width, n as f64)],
                                    col.mix(0.35).filled(),
                                )
                            });
                    chart.draw_series(bars)?;
                    // Outline of the class's histogram as a step line.
                    let mut step = vec![(lo, 0.0)];
                    for (b, &n) in row.iter().enumerate() {
                        let x0 = lo + b as f64 * width;
                        step.push((x0, n as f64));
                        step.push((x0 + width, n as f64));
                    }
                    step.push((hi, 0.0));
                    chart.draw_series(LineSeries::new(step, col.stroke_width(2)))?;
                }
            }
        }
        Ok(())
    }
}

/// Draws first-spike-time histograms: one row per set (e.g. at initialisation and after
/// training; wrapped after 5 outputs), one panel per output neuron, one coloured histogram
/// per class of the samples (the paper's Fig. 4: after training the true class's output
/// fires first). Silent outputs are counted in each panel's caption. Writes PNG or SVG by
/// extension.
///
/// # Errors
/// [`PlotError::Empty`] without sets or samples; [`PlotError::Invalid`] for labels and
/// samples of different counts, samples with different numbers of outputs, `bins == 0`,
/// an empty or non-finite range, or non-finite spike times; [`PlotError::Format`],
/// [`PlotError::Io`], [`PlotError::Draw`] from writing.
pub fn plot_first_spike_histograms(
    path: &Path,
    sets: &[FirstSpikeSet],
    options: &HistogramOptions,
) -> Result<(), PlotError> {
    if sets.is_empty() || sets.iter().any(|s| s.first_spikes.is_empty()) {
        return Err(PlotError::Empty("no samples".to_owned()));
    }
    if options.bins == 0 {
        return Err(PlotError::Invalid("bins must be >= 1".to_owned()));
    }
    if let Some((lo, hi)) = options.range {
        if !(lo.is_finite() && hi.is_finite() && hi > lo) {
            return Err(PlotError::Invalid(format!("empty time range [{lo}, {hi}]")));
        }
    }
    let outputs = sets[0].first_spikes[0].len();
    if outputs == 0 {
        return Err(PlotError::Empty("no output neurons".to_owned()));
    }
    for set in sets {
        if set.labels.len() != set.first_spikes.len() {
            return Err(PlotError::Invalid(format!(
                "`{}`: {} samples but {} labels",
                set.title,
                set.first_spikes.len(),
                set.labels.len()
            )));
        }
        if set.first_spikes.iter().any(|s| s.len() != outputs) {
            return Err(PlotError::Invalid(format!(
                "`{}`: every sample needs {outputs} outputs",
                set.title
            )));
        }
        if set
            .first_spikes
            .iter()
            .flatten()
            .flatten()
            .any(|t| !t.is_finite())
        {
            return Err(PlotError::Invalid(format!(
                "`{}`: spike times must be finite",
                set.title
            )));
        }
    }
    let classes = sets
        .iter()
        .flat_map(|s| s.labels.iter().copied())
        .max()
        .unwrap_or(0)
        + 1;
    if classes > 1000 {
        return Err(PlotError::Invalid(format!("{classes} classes is too many")));
    }
    let range = options.range.unwrap_or_else(|| {
        let (lo, hi) = sets
            .iter()
            .flat_map(|s| s.first_spikes.iter().flatten().flatten().copied())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
                (lo.min(t), hi.max(t))
            });
        if hi > lo {
            let pad = (hi - lo) / options.bins as f64;
            (lo - pad, hi + pad)
        } else if hi.is_finite() {
            (lo - 0.5, hi + 0.5)
        } else {
            (0.0, 1.0)
        }
    });
    render(
        path,
        &HistogramFigure {
            sets,
            range,
            outputs,
            classes,
            options,
        },
    )
}
