//! Training curves from the trainer's history CSV.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::render::{
    CAPTION_FONT, Figure, LABEL_FONT, TICK_FONT, TITLE_FONT, color, padded, render,
};

/// One epoch of a training history (the columns [`plot_training_curves`] reads).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryRow {
    /// Epoch number.
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f64,
    /// Training accuracy in `[0, 1]`.
    pub train_accuracy: f64,
    /// Validation accuracy, on the epochs where it was evaluated.
    pub validation_accuracy: Option<f64>,
    /// Test accuracy, on the epochs where it was evaluated.
    pub test_accuracy: Option<f64>,
}

/// Parses a history CSV as `fpsnn_train::Trainer::write_history_csv` writes it: a header
/// naming the columns (any order; `epoch`, `train_loss` and `train_accuracy` required,
/// `validation_accuracy` and `test_accuracy` optional, others ignored) and one row per
/// epoch, empty fields for accuracies that were not evaluated.
///
/// # Errors
/// [`PlotError::Csv`] for a missing header or column, a short row or an unparsable
/// number; [`PlotError::Empty`] without rows.
pub fn parse_history_csv(text: &str) -> Result<Vec<HistoryRow>, PlotError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(PlotError::Empty("the history CSV is empty".to_owned()));
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let column = |name: &str| names.iter().position(|n| *n == name);
    let required = |name: &str| {
        column(name).ok_or_else(|| PlotError::Csv {
            line: 1,
            message: format!("no `{name}` column"),
        })
    };
    let (epoch, loss, train) = (
        required("epoch")?,
        required("train_loss")?,
        required("train_accuracy")?,
    );
    let (validation, test) = (column("validation_accuracy"), column("test_accuracy"));
    let mut rows = Vec::new();
    for (k, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let csv = |message: String| PlotError::Csv {
            line: k + 1,
            message,
        };
        if fields.len() != names.len() {
            return Err(csv(format!(
                "{} fields, the header has {}",
                fields.len(),
                names.len()
            )));
        }
        let number = |c: usize| -> Result<f64, PlotError> {
            fields[c]
                .parse::<f64>()
                .map_err(|_| csv(format!("`{}` is not a number", fields[c])))
        };
        let optional = |c: Option<usize>| -> Result<Option<f64>, PlotError> {
            match c {
                Some(c) if !fields[c].is_empty() => number(c).map(Some),
                _ => Ok(None),
            }
        };
        rows.push(HistoryRow {
            epoch: fields[epoch]
                .parse()
                .map_err(|_| csv(format!("epoch `{}` is not an integer", fields[epoch])))?,
            train_loss: number(loss)?,
            train_accuracy: number(train)?,
            validation_accuracy: optional(validation)?,
            test_accuracy: optional(test)?,
        });
    }
    if rows.is_empty() {
        return Err(PlotError::Empty("the history CSV has no rows".to_owned()));
    }
    Ok(rows)
}

/// Reads and parses a history CSV file ([`parse_history_csv`]).
///
/// # Errors
/// [`PlotError::Io`] if the file cannot be read; as [`parse_history_csv`].
pub fn read_history_csv(path: &Path) -> Result<Vec<HistoryRow>, PlotError> {
    let text = std::fs::read_to_string(path).map_err(|e| PlotError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    parse_history_csv(&text)
}

/// Epoch tick labels: integers only.
fn epoch_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        String::new()
    }
}

struct CurvesFigure<'a> {
    rows: &'a [HistoryRow],
    title: &'a str,
}

impl Figure for CurvesFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let root = root.titled(self.title, ("sans-serif", TITLE_FONT))?;
        let areas = root.split_evenly((1, 2));
        let first = self.rows.iter().map(|r| r.epoch).min().unwrap_or(0) as f64;
        let last = self.rows.iter().map(|r| r.epoch).max().unwrap_or(1) as f64;
        let x = if last > first {
            (first, last)
        } else {
            (first - 0.5, last + 0.5)
        };

        // Loss.
        let losses: Vec<(f64, f64)> = self
            .rows
            .iter()
            .map(|r| (r.epoch as f64, r.train_loss))
            .filter(|p| p.1.is_finite())
            .collect();
        let lo = losses.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = losses.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let (y0, y1) = if hi >= lo {
            padded(lo, hi, 0.08)
        } else {
            (0.0, 1.0)
        };
        let mut chart = ChartBuilder::on(&areas[0])
            .caption("training loss", ("sans-serif", CAPTION_FONT))
            .margin(10)
            .margin_right(26)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x.0..x.1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&epoch_label)
            .y_desc("loss")
            .axis_desc_style(("sans-serif", LABEL_FONT))
            .label_style(("sans-serif", TICK_FONT))
            .light_line_style(BLACK.mix(0.05))
            .draw()?;
        let col = color(0);
        chart
            .draw_series(LineSeries::new(losses, col.stroke_width(2)))?
            .label("train loss (mean over the epoch)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", TICK_FONT))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.5))
            .draw()?;

        // Accuracies, in percent.
        type Pick = fn(&HistoryRow) -> Option<f64>;
        let curves: [(&str, Pick); 3] = [
            ("train", |r| Some(r.train_accuracy)),
            ("validation", |r| r.validation_accuracy),
            ("test", |r| r.test_accuracy),
        ];
        let all: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|r| curves.iter().filter_map(move |(_, f)| f(r)))
            .map(|a| 100.0 * a)
            .filter(|a| a.is_finite())
            .collect();
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (y0, y1) = if hi >= lo {
            padded(lo, hi, 0.08)
        } else {
            (0.0, 100.0)
        };
        let mut chart = ChartBuilder::on(&areas[1])
            .caption("accuracy", ("sans-serif", CAPTION_FONT))
            .margin(10)
            .margin_right(26)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x.0..x.1, y0.max(0.0)..y1.min(100.5))?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&epoch_label)
            .y_desc("accuracy (%)")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .axis_desc_style(("sans-serif", LABEL_FONT))
            .label_style(("sans-serif", TICK_FONT))
            .light_line_style(BLACK.mix(0.05))
            .draw()?;
        for (k, (name, pick)) in curves.iter().enumerate() {
            let points: Vec<(f64, f64)> = self
                .rows
                .iter()
                .filter_map(|r| pick(r).map(|a| (r.epoch as f64, 100.0 * a)))
                .filter(|p| p.1.is_finite())
                .collect();
            if points.is_empty() {
                continue;
            }
            let col = color(k);
            chart
                .draw_series(LineSeries::new(points.iter().copied(), col.stroke_width(2)))?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2))
                });
            if k > 0 {
                chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, col.filled())))?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", TICK_FONT))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.5))
            .draw()?;
        Ok(())
    }
}

/// Draws training curves: the training loss per epoch (left) and the train, validation
/// and test accuracy in percent (right; validation and test only where evaluated). Writes
/// PNG or SVG by extension.
///
/// # Errors
/// [`PlotError::Empty`] without rows (non-finite values, e.g. the loss of an epoch whose
/// samples were all skipped, are left out); [`PlotError::Format`], [`PlotError::Io`], [`PlotError::Draw`] from writing.
pub fn plot_training_curves(
    path: &Path,
    rows: &[HistoryRow],
    title: &str,
) -> Result<(), PlotError> {
    if rows.is_empty() {
        return Err(PlotError::Empty("no epochs".to_owned()));
    }
    render(path, &CurvesFigure { rows, title })
}
