//! Confusion matrix of a classification: true class against predicted class.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::PlotError;
use crate::render::{CAPTION_FONT, Figure, LABEL_FONT, TICK_FONT, TITLE_FONT, render};

/// How often each true class was given each prediction: what
/// [`plot_confusion_matrix`] draws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// `counts[t][p]`: the samples of true class `t` predicted as class `p` (square).
    pub counts: Vec<Vec<usize>>,
    /// `no_prediction[t]`: the samples of true class `t` without a prediction (no output
    /// spike, or a tie the classifier does not resolve).
    pub no_prediction: Vec<usize>,
    /// Class names for the axes (`k` where missing).
    pub class_names: Vec<String>,
    /// Figure title.
    pub title: String,
}

impl ConfusionMatrix {
    /// Tallies the true `labels` against the `predictions` of the same samples, for
    /// `classes` classes; no class names, title `"Confusion matrix"` (both public fields).
    ///
    /// # Errors
    /// [`PlotError::Empty`] without samples; [`PlotError::Invalid`] if the lengths differ,
    /// a label or prediction is not below `classes`, or `classes` is 0 or above 1000.
    ///
    /// # Examples
    /// ```
    /// use fpsnn_plots::{ConfusionMatrix, plot_confusion_matrix};
    /// let mut matrix =
    ///     ConfusionMatrix::from_predictions(&[0, 0, 1, 2], &[Some(0), Some(1), Some(1), None], 3)?;
    /// assert_eq!(matrix.counts[0], [1, 1, 0]);
    /// assert_eq!(matrix.no_prediction, [0, 0, 1]);
    /// assert_eq!(matrix.accuracy(), 0.5);
    /// matrix.class_names = vec!["cat".into(), "dog".into(), "eel".into()];
    /// let dir = std::env::temp_dir().join(format!("fpsnn-confusion-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// plot_confusion_matrix(&dir.join("confusion.svg"), &matrix)?;
    /// assert!(std::fs::read_to_string(dir.join("confusion.svg"))?.contains("dog"));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_predictions(
        labels: &[usize],
        predictions: &[Option<usize>],
        classes: usize,
    ) -> Result<Self, PlotError> {
        if labels.is_empty() {
            return Err(PlotError::Empty("no samples".to_owned()));
        }
        if labels.len() != predictions.len() {
            return Err(PlotError::Invalid(format!(
                "{} labels but {} predictions",
                labels.len(),
                predictions.len()
            )));
        }
        check_classes(classes)?;
        let mut counts = vec![vec![0; classes]; classes];
        let mut no_prediction = vec![0; classes];
        for (&label, &prediction) in labels.iter().zip(predictions) {
            let out_of_range = |what: &str, c: usize| {
                PlotError::Invalid(format!("{what} {c} is not below {classes} classes"))
            };
            if label >= classes {
                return Err(out_of_range("label", label));
            }
            match prediction {
                Some(p) if p >= classes => return Err(out_of_range("prediction", p)),
                Some(p) => counts[label][p] += 1,
                None => no_prediction[label] += 1,
            }
        }
        Ok(Self {
            counts,
            no_prediction,
            class_names: Vec::new(),
            title: "Confusion matrix".to_owned(),
        })
    }

    /// Number of classes.
    #[must_use]
    pub fn classes(&self) -> usize {
        self.counts.len()
    }

    /// Number of samples.
    #[must_use]
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum::<usize>() + self.no_prediction.iter().sum::<usize>()
    }

    /// Samples predicted as their true class (the diagonal).
    #[must_use]
    pub fn correct(&self) -> usize {
        self.counts
            .iter()
            .enumerate()
            .map(|(t, row)| row.get(t).copied().unwrap_or(0))
            .sum()
    }

    /// `correct / total` (NaN without samples).
    #[must_use]
    pub fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.total() as f64
    }

    fn name(&self, c: usize) -> String {
        self.class_names
            .get(c)
            .cloned()
            .unwrap_or_else(|| c.to_string())
    }
}

fn check_classes(classes: usize) -> Result<(), PlotError> {
    if classes == 0 || classes > 1000 {
        return Err(PlotError::Invalid(format!(
            "{classes} classes: need 1 to 1000"
        )));
    }
    Ok(())
}

/// Cell colour for a fraction in `[0, 1]` of its row: white to dark blue (the "Blues"
/// ramp), or to dark grey for the no-prediction column.
fn shade(fraction: f64, grey: bool) -> RGBColor {
    let dark = if grey {
        (60.0, 60.0, 60.0)
    } else {
        (8.0, 48.0, 107.0)
    };
    let f = fraction.clamp(0.0, 1.0);
    let mix = |to: f64| (255.0 + (to - 255.0) * f).round() as u8;
    RGBColor(mix(dark.0), mix(dark.1), mix(dark.2))
}

struct ConfusionFigure<'a> {
    matrix: &'a ConfusionMatrix,
    /// Whether the no-prediction column is drawn (some sample has no prediction).
    none_column: bool,
    cell: i32,
    /// Width of the row-label area.
    label_width: i32,
}

/// Space above the grid (caption), below it (column names, axis name), and at the right
/// (per-class recall).
const TOP: i32 = 44;
const BOTTOM: i32 = 76;
const RIGHT: i32 = 90;

impl ConfusionFigure<'_> {
    fn columns(&self) -> i32 {
        self.matrix.classes() as i32 + i32::from(self.none_column)
    }
}

impl Figure for ConfusionFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let k = self.matrix.classes() as i32;
        let width = 40 + self.label_width + self.cell * self.columns() + RIGHT;
        let height = 40 + TOP + self.cell * k + BOTTOM;
        (width.max(420) as u32, height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.matrix;
        let root = root.titled(&m.title, ("sans-serif", TITLE_FONT))?;
        let k = m.classes();
        let cell = self.cell;
        let (x0, y0) = (40 + self.label_width, TOP);
        let centred = |size: u32| {
            TextStyle::from(("sans-serif", size).into_font())
                .pos(Pos::new(HPos::Center, VPos::Center))
        };
        root.draw(&Text::new(
            format!(
                "{} samples, {:.2}% correct; rows: true class, shaded by the fraction of the row",
                m.total(),
                100.0 * m.accuracy()
            ),
            (x0 + cell * self.columns() / 2, TOP / 2),
            centred(CAPTION_FONT),
        ))?;
        let count_font = (cell as u32 / 4).clamp(9, TICK_FONT);
        for t in 0..k {
            let row_total = m.counts[t].iter().sum::<usize>() + m.no_prediction[t];
            let y = y0 + cell * t as i32;
            let values = m.counts[t]
                .iter()
                .map(|&c| (c, false))
                .chain(self.none_column.then_some((m.no_prediction[t], true)));
            for (p, (count, grey)) in values.enumerate() {
                let fraction = if row_total == 0 {
                    0.0
                } else {
                    count as f64 / row_total as f64
                };
                let x = x0 + cell * p as i32;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    shade(fraction, grey).filled(),
                ))?;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    RGBColor(200, 200, 200).stroke_width(1),
                ))?;
                if cell >= 28 {
                    let ink = if fraction > 0.5 { WHITE } else { BLACK };
                    root.draw(&Text::new(
                        count.to_string(),
                        (x + cell / 2, y + cell / 2),
                        centred(count_font).color(&ink),
                    ))?;
                }
            }
            let right = TextStyle::from(("sans-serif", TICK_FONT).into_font())
                .pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(m.name(t), (x0 - 8, y + cell / 2), right))?;
            let recall = if row_total == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}%", 100.0 * m.counts[t][t] as f64 / row_total as f64)
            };
            let left = TextStyle::from(("sans-serif", TICK_FONT).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(
                recall,
                (x0 + cell * self.columns() + 8, y + cell / 2),
                left,
            ))?;
        }
        let grid_bottom = y0 + cell * k as i32;
        for p in 0..self.columns() as usize {
            let name = if p < k { m.name(p) } else { "none".to_owned() };
            root.draw(&Text::new(
                name,
                (x0 + cell * p as i32 + cell / 2, grid_bottom + 14),
                centred(TICK_FONT),
            ))?;
        }
        root.draw(&Text::new(
            "predicted class (none: no output spike)",
            (x0 + cell * self.columns() / 2, grid_bottom + 48),
            centred(LABEL_FONT),
        ))?;
        root.draw(&Text::new(
            "recall",
            (x0 + cell * self.columns() + 8, y0 - 12),
            TextStyle::from(("sans-serif", TICK_FONT).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let vertical = TextStyle::from(
            ("sans-serif", LABEL_FONT)
                .into_font()
                .transform(FontTransform::Rotate270),
        )
        .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            "true class",
            (14, y0 + cell * k as i32 / 2),
            vertical,
        ))?;
        Ok(())
    }
}

/// Draws a confusion matrix: one row per true class and one column per predicted class
/// (plus a "none" column when some sample has no prediction), each cell with its count and
/// shaded by its fraction of the row, the per-class recall at the right, and the total
/// accuracy in the caption. Writes PNG or SVG by extension.
///
/// # Errors
/// [`PlotError::Empty`] without samples; [`PlotError::Invalid`] if `counts` is not square,
/// `no_prediction` has another length, or there are 0 or over 1000 classes;
/// [`PlotError::Format`], [`PlotError::Io`], [`PlotError::Draw`] from writing.
pub fn plot_confusion_matrix(path: &Path, matrix: &ConfusionMatrix) -> Result<(), PlotError> {
    let k = matrix.classes();
    check_classes(k)?;
    if matrix.counts.iter().any(|row| row.len() != k) || matrix.no_prediction.len() != k {
        return Err(PlotError::Invalid(format!(
            "a confusion matrix of {k} classes needs {k} rows of {k} counts and {k} \
             no-prediction counts"
        )));
    }
    if matrix.total() == 0 {
        return Err(PlotError::Empty("no samples".to_owned()));
    }
    let none_column = matrix.no_prediction.iter().any(|&n| n > 0);
    let columns = k as i32 + i32::from(none_column);
    let longest = (0..k)
        .map(|c| matrix.name(c).chars().count())
        .max()
        .unwrap_or(1) as i32;
    render(
        path,
        &ConfusionFigure {
            matrix,
            none_column,
            cell: (1000 / columns).clamp(12, 96),
            // about 9 px per character of the tick font
            label_width: (9 * longest).clamp(20, 240),
        },
    )
}
