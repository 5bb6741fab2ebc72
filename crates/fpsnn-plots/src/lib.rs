//! Figures of spiking-network runs, drawn with [`plotters`] and written as PNG or SVG
//! (chosen by the file extension) without any system library: text is rasterised with
//! `ab_glyph` from an embedded DejaVu Sans font (`fonts/LICENSE-DejaVu.txt`), PNGs are
//! encoded with the pure-Rust `png` crate.
//!
//! | function | figure |
//! |---|---|
//! | [`plot_membrane_potential`] | `V(t)` of chosen neurons with the threshold, input arrivals and emitted spikes (the paper's Fig. 2/3 right) |
//! | [`plot_raster`] | spike raster of one sample through every layer, input included |
//! | [`plot_first_spike_histograms`] | first-spike times per output neuron and class, e.g. at initialisation and after training (Fig. 4) |
//! | [`plot_decision_map`] | 2-D classification: true classes, predictions, class regions over a grid (Fig. 5 right) |
//! | [`plot_confusion_matrix`] | true against predicted class, counts and per-class recall ([`ConfusionMatrix`]) |
//! | [`plot_training_curves`] | loss and train/validation/test accuracy per epoch, from the trainer's history CSV |
//! | [`plot_lines`] | general line plot with optional log axes (the scaling study) |
//!
//! # Exact potentials
//! [`potential_curve`] evaluates the closed-form `V(t)` of
//! [`fpsnn_sim::membrane_potential`] on a dense grid *and* at every event, every interior
//! maximum between events (the kernel's closed-form peak) and both sides of every emitted
//! spike, so no peak, threshold crossing or reset is lost between grid points.
//!
//! # Errors
//! Every function returns [`PlotError`]: empty or inconsistent data, an unknown file
//! extension, a file that cannot be written, a drawing failure. Nothing panics on user
//! input.
//!
//! # Example
//! ```
//! use fpsnn_plots::{HistoryRow, plot_training_curves};
//! let rows = vec![
//!     HistoryRow { epoch: 1, train_loss: 1.0, train_accuracy: 0.5, validation_accuracy: Some(0.5), test_accuracy: None },
//!     HistoryRow { epoch: 2, train_loss: 0.6, train_accuracy: 0.8, validation_accuracy: Some(0.75), test_accuracy: Some(0.7) },
//! ];
//! let dir = std::env::temp_dir().join(format!("fpsnn-plots-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! plot_training_curves(&dir.join("curves.svg"), &rows, "XOR")?;
//! assert!(std::fs::read_to_string(dir.join("curves.svg"))?.contains("<svg"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod confusion;
mod curves;
mod decision;
mod histogram;
mod lines;
mod potential;
mod raster;
mod render;

pub use confusion::{ConfusionMatrix, plot_confusion_matrix};
pub use curves::{HistoryRow, parse_history_csv, plot_training_curves, read_history_csv};
pub use decision::{DecisionGrid, DecisionMap, plot_decision_map};
pub use histogram::{FirstSpikeSet, HistogramOptions, plot_first_spike_histograms};
pub use lines::{LinePlot, Series, fit_loglog, plot_lines, with_power_law_fit};
pub use potential::{PotentialOptions, plot_membrane_potential, potential_curve};
pub use raster::plot_raster;
pub use render::Format;

use std::path::PathBuf;

/// Errors of the plotting functions.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlotError {
    /// Nothing to draw.
    #[error("nothing to plot: {0}")]
    Empty(String),
    /// Data of inconsistent shape or out of range.
    #[error("invalid plot input: {0}")]
    Invalid(String),
    /// The file extension is neither `.png` nor `.svg`.
    #[error("{path}: unknown figure format (use .png or .svg)")]
    Format {
        /// The path given.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// A malformed history CSV.
    #[error("history CSV line {line}: {message}")]
    Csv {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The embedded font could not be registered.
    #[error("the embedded font could not be loaded")]
    Font,
    /// The drawing backend or the PNG encoder failed.
    #[error("drawing failed: {0}")]
    Draw(String),
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for PlotError
{
    fn from(err: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        Self::Draw(err.to_string())
    }
}

#[cfg(test)]
mod autotraits {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<super::PlotError>();
        assert_send_sync::<super::DecisionMap>();
        assert_send_sync::<super::LinePlot>();
        assert_send_sync::<super::ConfusionMatrix>();
    }
}
