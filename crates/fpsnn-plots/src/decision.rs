//! Decision map of a two-dimensional classification (the paper's Fig. 5 right).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::render::{
    CAPTION_FONT, Figure, LABEL_FONT, Mark, TICK_FONT, TITLE_FONT, check_finite, color, legend_row,
    padded, render,
};

/// Predicted classes over a regular grid of cells, row by row from the bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionGrid {
    /// `(x_min, x_max)` of the grid.
    pub x_range: (f64, f64),
    /// `(y_min, y_max)` of the grid.
    pub y_range: (f64, f64),
    /// Cells along x.
    pub nx: usize,
    /// Cells along y.
    pub ny: usize,
    /// `classes[iy * nx + ix]`: the prediction at the cell's centre; `None` leaves the cell
    /// blank (no output spike, or outside the domain).
    pub classes: Vec<Option<usize>>,
}

impl DecisionGrid {
    /// The centre of cell `(ix, iy)`.
    #[must_use]
    pub fn centre(&self, ix: usize, iy: usize) -> (f64, f64) {
        let dx = (self.x_range.1 - self.x_range.0) / self.nx.max(1) as f64;
        let dy = (self.y_range.1 - self.y_range.0) / self.ny.max(1) as f64;
        (
            self.x_range.0 + (ix as f64 + 0.5) * dx,
            self.y_range.0 + (iy as f64 + 0.5) * dy,
        )
    }
}

/// Test points with their true and predicted classes, and optionally the class regions.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionMap {
    /// Point coordinates.
    pub points: Vec<(f64, f64)>,
    /// True class of each point.
    pub labels: Vec<usize>,
    /// Predicted class of each point (`None`: no prediction).
    pub predictions: Vec<Option<usize>>,
    /// Class regions, drawn as a pale background under the predictions.
    pub grid: Option<DecisionGrid>,
    /// Class names for the legend (`class k` where missing).
    pub class_names: Vec<String>,
    /// Figure title.
    pub title: String,
}

/// Colour of points without a prediction.
const NO_PREDICTION: RGBColor = RGBColor(120, 120, 120);

struct MapFigure<'a> {
    map: &'a DecisionMap,
    x: (f64, f64),
    y: (f64, f64),
    classes: usize,
}

impl MapFigure<'_> {
    fn class_name(&self, c: usize) -> String {
        self.map
            .class_names
            .get(c)
            .cloned()
            .unwrap_or_else(|| format!("class {c}"))
    }
}

impl Figure for MapFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 690)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let map = self.map;
        let root = root.titled(&map.title, ("sans-serif", TITLE_FONT))?;
        let (legend, root) = root.split_vertically(34);
        let mut entries: Vec<(String, Mark)> = (0..self.classes)
            .map(|c| (self.class_name(c), Mark::Dot(color(c))))
            .collect();
        if map.grid.is_some() {
            entries.push((
                "predicted region (class colour)".to_owned(),
                Mark::Patch(NO_PREDICTION),
            ));
        }
        entries.push(("misclassified".to_owned(), Mark::Cross(BLACK)));
        if map.predictions.iter().any(Option::is_none) {
            entries.push(("no output spike".to_owned(), Mark::Dot(NO_PREDICTION)));
        }
        legend_row(&legend, &entries)?;
        let areas = root.split_evenly((1, 2));
        let wrong = map
            .labels
            .iter()
            .zip(&map.predictions)
            .filter(|(l, p)| Some(**l) != **p)
            .count();
        let accuracy = 100.0 * (map.points.len() - wrong) as f64 / map.points.len() as f64;
        let captions = [
            "true classes".to_owned(),
            format!(
                "predictions: {accuracy:.1}% correct, {wrong} wrong{}",
                if map.grid.is_some() { ", regions" } else { "" }
            ),
        ];
        for (panel, area) in areas.iter().enumerate() {
            let mut chart = ChartBuilder::on(area)
                .caption(&captions[panel], ("sans-serif", CAPTION_FONT))
                .margin(10)
                .x_label_area_size(44)
                .y_label_area_size(52)
                .build_cartesian_2d(self.x.0..self.x.1, self.y.0..self.y.1)?;
            chart
                .configure_mesh()
                .x_desc("x")
                .y_desc("y")
                .axis_desc_style(("sans-serif", LABEL_FONT))
                .label_style(("sans-serif", TICK_FONT))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            if panel == 1 {
                if let Some(grid) = &map.grid {
                    let dx = (grid.x_range.1 - grid.x_range.0) / grid.nx as f64;
                    let dy = (grid.y_range.1 - grid.y_range.0) / grid.ny as f64;
                    chart.draw_series(grid.classes.iter().enumerate().filter_map(|(k, c)| {
                        let c = (*c)?;
                        let (ix, iy) = (k % grid.nx, k / grid.nx);
                        let x0 = grid.x_range.0 + ix as f64 * dx;
                        let y0 = grid.y_range.0 + iy as f64 * dy;
                        Some(Rectangle::new(
                            [(x0, y0), (x0 + dx, y0 + dy)],
                            color(c).mix(0.25).filled(),
                        ))
                    }))?;
                }
            }
            for c in 0..self.classes {
                let col = color(c);
                let members = map.points.iter().enumerate().filter(|(k, _)| {
                    if panel == 0 {
                        map.labels[*k] == c
                    } else {
                        map.predictions[*k] == Some(c)
                    }
                });
                chart.draw_series(
                    members.map(|(_, &(x, y))| Circle::new((x, y), 3, col.filled())),
                )?;
            }
            if panel == 1 {
                let none: Vec<(f64, f64)> = map
                    .points
                    .iter()
                    .zip(&map.predictions)
                    .filter(|(_, p)| p.is_none())
                    .map(|(xy, _)| *xy)
                    .collect();
                chart.draw_series(
                    none.iter()
                        .map(|&xy| Circle::new(xy, 3, NO_PREDICTION.filled())),
                )?;
                chart.draw_series(
                    map.points
                        .iter()
                        .zip(map.labels.iter().zip(&map.predictions))
                        .filter(|(_, (l, p))| Some(**l) != **p)
                        .map(|(&xy, _)| Cross::new(xy, 5, BLACK.stroke_width(2))),
                )?;
            }
        }
        Ok(())
    }
}

/// Draws a decision map: left, the points coloured by their true class; right, the same
/// points coloured by the prediction (grey: no prediction), misclassified points crossed,
/// over the class regions of `map.grid` if given. Writes PNG or SVG by extension.
///
/// # Errors
/// [`PlotError::Empty`] without points; [`PlotError::Invalid`] for labels or predictions
/// of another count than the points, non-finite coordinates, or a grid whose cell count
/// is not `nx * ny` or whose range is empty; [`PlotError::Format`], [`PlotError::Io`],
/// [`PlotError::Draw`] from writing.
pub fn plot_decision_map(path: &Path, map: &DecisionMap) -> Result<(), PlotError> {
    let n = map.points.len();
    if n == 0 {
        return Err(PlotError::Empty("no points".to_owned()));
    }
    if map.labels.len() != n || map.predictions.len() != n {
        return Err(PlotError::Invalid(format!(
            "{n} points, {} labels, {} predictions",
            map.labels.len(),
            map.predictions.len()
        )));
    }
    check_finite(
        "point coordinates",
        map.points.iter().flat_map(|p| [p.0, p.1]),
    )?;
    let mut x = (f64::INFINITY, f64::NEG_INFINITY);
    let mut y = x;
    for &(px, py) in &map.points {
        x = (x.0.min(px), x.1.max(px));
        y = (y.0.min(py), y.1.max(py));
    }
    if let Some(grid) = &map.grid {
        check_finite(
            "grid ranges",
            [
                grid.x_range.0,
                grid.x_range.1,
                grid.y_range.0,
                grid.y_range.1,
            ],
        )?;
        if grid.nx == 0
            || grid.ny == 0
            || grid.classes.len() != grid.nx * grid.ny
            || grid.x_range.1 <= grid.x_range.0
            || grid.y_range.1 <= grid.y_range.0
        {
            return Err(PlotError::Invalid(
                "the grid needs nx * ny cells over a non-empty range".to_owned(),
            ));
        }
        x = (x.0.min(grid.x_range.0), x.1.max(grid.x_range.1));
        y = (y.0.min(grid.y_range.0), y.1.max(grid.y_range.1));
    }
    let classes = map
        .labels
        .iter()
        .copied()
        .chain(map.predictions.iter().flatten().copied())
        .max()
        .unwrap_or(0)
        + 1;
    if classes > 1000 {
        return Err(PlotError::Invalid(format!("{classes} classes is too many")));
    }
    render(
        path,
        &MapFigure {
            map,
            x: padded(x.0, x.1, 0.02),
            y: padded(y.0, y.1, 0.02),
            classes,
        },
    )
}
