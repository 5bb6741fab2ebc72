//! General line plots with optional logarithmic axes, and log-log slope fits (the scaling
//! study).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::PlotError;
use crate::render::{CAPTION_FONT, Figure, LABEL_FONT, TICK_FONT, color, padded, render};

/// One named curve of a [`LinePlot`].
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// `(x, y)` points, drawn in the given order.
    pub points: Vec<(f64, f64)>,
    /// Dashed line without markers (e.g. a fitted line); otherwise solid with markers.
    pub dashed: bool,
    /// Markers without a connecting line (a scatter of unrelated configurations).
    pub markers_only: bool,
    /// Palette index of the colour.
    pub color: usize,
}

impl Series {
    /// A solid series with markers in palette colour `color`.
    #[must_use]
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>, color: usize) -> Self {
        Self {
            name: name.into(),
            points,
            dashed: false,
            markers_only: false,
            color,
        }
    }

    /// The same series drawn dashed, without markers.
    #[must_use]
    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }

    /// The same series drawn as markers only.
    #[must_use]
    pub fn markers_only(mut self) -> Self {
        self.markers_only = true;
        self
    }
}

/// A line plot: one panel, any number of series, linear or logarithmic axes.
#[derive(Clone, Debug, PartialEq)]
pub struct LinePlot {
    /// Caption.
    pub title: String,
    /// Description of the x axis.
    pub x_label: String,
    /// Description of the y axis.
    pub y_label: String,
    /// Logarithmic x axis (points with `x <= 0` are dropped).
    pub log_x: bool,
    /// Logarithmic y axis (points with `y <= 0` are dropped).
    pub log_y: bool,
    /// The curves.
    pub series: Vec<Series>,
}

impl LinePlot {
    /// A plot with both axes logarithmic (a scaling study's cost against size).
    #[must_use]
    pub fn loglog(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        series: Vec<Series>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: true,
            log_y: true,
            series,
        }
    }
}

/// A measured series and its fitted power law, for a log-log plot: `measured` with its
/// points sorted by `x`, then, when [`fit_loglog`] finds a fit, a dashed line in the same
/// colour named `fit: slope S` from the smallest to the largest `x`. Returns the curves
/// and the slope (`NaN` without a fit).
///
/// # Examples
/// ```
/// use fpsnn_plots::{Series, with_power_law_fit};
/// let points = vec![(4.0, 32.0), (1.0, 1.0), (2.0, 4.0 * 2.0_f64.sqrt())];
/// let (curves, slope) = with_power_law_fit(Series::new("cost", points, 0));
/// assert!((slope - 2.5).abs() < 1e-12);
/// assert_eq!(curves.len(), 2);
/// assert_eq!(curves[0].points[0], (1.0, 1.0)); // sorted by x
/// assert!(curves[1].dashed && curves[1].name == "fit: slope 2.50");
/// ```
#[must_use]
pub fn with_power_law_fit(measured: Series) -> (Vec<Series>, f64) {
    let mut measured = measured;
    measured.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let Some((slope, intercept)) = fit_loglog(&measured.points) else {
        return (vec![measured], f64::NAN);
    };
    let lo = measured
        .points
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min);
    let hi = measured.points.iter().map(|p| p.0).fold(0.0, f64::max);
    let line = |x: f64| (x, (intercept + slope * x.ln()).exp());
    let fit = Series::new(
        format!("fit: slope {slope:.2}"),
        vec![line(lo), line(hi)],
        measured.color,
    )
    .dashed();
    (vec![measured, fit], slope)
}

/// Least-squares fit of `log y = slope log x + intercept` (natural logarithms) over the
/// points with `x > 0` and `y > 0`: returns `(slope, intercept)`, or `None` with fewer than
/// two such points or all `x` equal. A cost `y ~ x^slope` is a line of that slope on
/// log-log axes.
#[must_use]
pub fn fit_loglog(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0 && x.is_finite() && y.is_finite())
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let mx = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 1e-300 {
        return None;
    }
    let slope = sxy / sxx;
    Some((slope, my - slope * mx))
}

struct LineFigure<'a> {
    plot: &'a LinePlot,
    /// Drawable points per series, in axis space (`log10` where the axis is logarithmic).
    points: Vec<Vec<(f64, f64)>>,
    x: (f64, f64),
    y: (f64, f64),
}

/// A short label of a value: three significant digits, no trailing zeros.
fn short(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    if (1e-3..1e5).contains(&x.abs()) {
        let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        }
    } else {
        format!("{x:.0e}")
    }
}

/// Tick positions (in `log10` space) of a log axis over `[lo, hi]` (also `log10`): the
/// decades, with 2 and 5 (or every digit) in between when the range is short.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    let steps: &[f64] = if span > 3.5 {
        &[1.0]
    } else if span > 1.2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    };
    let mut ticks = Vec::new();
    let mut decade = lo.floor() as i32;
    while f64::from(decade) <= hi.ceil() && ticks.len() < 100 {
        for m in steps {
            let t = f64::from(decade) + m.log10();
            if t >= lo && t <= hi {
                ticks.push(t);
            }
        }
        decade += 1;
    }
    ticks
}

impl Figure for LineFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let plot = self.plot;
        let mut chart = ChartBuilder::on(root)
            .caption(&plot.title, ("sans-serif", CAPTION_FONT + 2))
            .margin(14)
            .margin_right(28)
            .x_label_area_size(48)
            .y_label_area_size(84)
            .build_cartesian_2d(self.x.0..self.x.1, self.y.0..self.y.1)?;
        {
            let blank = |_: &f64| String::new();
            let mut mesh = chart.configure_mesh();
            mesh.x_desc(&plot.x_label)
                .y_desc(&plot.y_label)
                .axis_desc_style(("sans-serif", LABEL_FONT))
                .label_style(("sans-serif", TICK_FONT))
                .light_line_style(BLACK.mix(0.05));
            // Log axes get their own ticks below: 1-2-5 per decade, in data units.
            if plot.log_x {
                mesh.disable_x_mesh()
                    .x_label_formatter(&blank)
                    .set_tick_mark_size(LabelAreaPosition::Bottom, 0);
            }
            if plot.log_y {
                mesh.disable_y_mesh()
                    .y_label_formatter(&blank)
                    .set_tick_mark_size(LabelAreaPosition::Left, 0);
            }
            mesh.draw()?;
        }
        let grid = BLACK.mix(0.15);
        let tick_style = TextStyle::from(("sans-serif", TICK_FONT).into_font());
        if plot.log_x {
            for t in log_ticks(self.x.0, self.x.1) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(t, self.y.0), (t, self.y.1)],
                    grid,
                )))?;
                let (px, py) = chart.backend_coord(&(t, self.y.0));
                root.draw(&Text::new(
                    short(10_f64.powf(t)),
                    (px, py + 8),
                    tick_style.pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        if plot.log_y {
            for t in log_ticks(self.y.0, self.y.1) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(self.x.0, t), (self.x.1, t)],
                    grid,
                )))?;
                let (px, py) = chart.backend_coord(&(self.x.0, t));
                root.draw(&Text::new(
                    short(10_f64.powf(t)),
                    (px - 8, py),
                    tick_style.pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
            }
        }
        for (series, points) in plot.series.iter().zip(&self.points) {
            let col = color(series.color);
            if series.dashed {
                // Dashes laid out in pixels (10 on, 6 off) along the polyline.
                let pixels: Vec<(i32, i32)> =
                    points.iter().map(|p| chart.backend_coord(p)).collect();
                for w in pixels.windows(2) {
                    let (x0, y0) = (f64::from(w[0].0), f64::from(w[0].1));
                    let (dx, dy) = (f64::from(w[1].0) - x0, f64::from(w[1].1) - y0);
                    let length = dx.hypot(dy);
                    let mut at = 0.0;
                    while at < length {
                        let end = (at + 10.0).min(length);
                        let point = |u: f64| {
                            (
                                (x0 + dx * u / length).round() as i32,
                                (y0 + dy * u / length).round() as i32,
                            )
                        };
                        root.draw(&PathElement::new(
                            vec![point(at), point(end)],
                            col.stroke_width(2),
                        ))?;
                        at += 16.0;
                    }
                }
                chart
                    .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
                    .label(&series.name)
                    .legend(move |(x, y)| {
                        EmptyElement::at((x, y))
                            + PathElement::new(vec![(0, 0), (7, 0)], col.stroke_width(2))
                            + PathElement::new(vec![(12, 0), (19, 0)], col.stroke_width(2))
                    });
            } else {
                let line = !series.markers_only;
                if line {
                    chart.draw_series(LineSeries::new(
                        points.iter().copied(),
                        col.stroke_width(2),
                    ))?;
                }
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p, 4, col.filled())))?
                    .label(&series.name)
                    .legend(move |(x, y)| {
                        let reach = if line { 9 } else { 0 };
                        EmptyElement::at((x + 9, y))
                            + PathElement::new(vec![(-reach, 0), (reach, 0)], col.stroke_width(2))
                            + Circle::new((0, 0), 4, col.filled())
                    });
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", TICK_FONT))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.5))
            .draw()?;
        Ok(())
    }
}

/// Draws a [`LinePlot`]. Logarithmic axes are drawn in `log10` space with 1-2-5 ticks
/// labelled in data units, so a power law is a straight line. Writes PNG or SVG by extension.
///
/// # Errors
/// [`PlotError::Empty`] if no series has a drawable point; [`PlotError::Invalid`] for
/// non-finite coordinates; [`PlotError::Format`], [`PlotError::Io`], [`PlotError::Draw`]
/// from writing.
pub fn plot_lines(path: &Path, plot: &LinePlot) -> Result<(), PlotError> {
    let tx = |x: f64| if plot.log_x { x.log10() } else { x };
    let ty = |y: f64| if plot.log_y { y.log10() } else { y };
    let mut points = Vec::with_capacity(plot.series.len());
    for s in &plot.series {
        if s.points
            .iter()
            .any(|p| !(p.0.is_finite() && p.1.is_finite()))
        {
            return Err(PlotError::Invalid(format!(
                "series `{}` has non-finite points",
                s.name
            )));
        }
        points.push(
            s.points
                .iter()
                .filter(|p| (!plot.log_x || p.0 > 0.0) && (!plot.log_y || p.1 > 0.0))
                .map(|p| (tx(p.0), ty(p.1)))
                .collect::<Vec<_>>(),
        );
    }
    let all: Vec<(f64, f64)> = points.iter().flatten().copied().collect();
    if all.is_empty() {
        return Err(PlotError::Empty(format!(
            "`{}`: no drawable points",
            plot.title
        )));
    }
    let bounds = |f: fn(&(f64, f64)) -> f64| {
        all.iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (x0, x1) = bounds(|p| p.0);
    let (y0, y1) = bounds(|p| p.1);
    render(
        path,
        &LineFigure {
            plot,
            points,
            x: padded(x0, x1, 0.04),
            y: padded(y0, y1, 0.08),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_law_fit_keeps_the_style_and_draws_the_fit_over_the_range() {
        let measured = Series::new("m", vec![(10.0, 300.0), (1.0, 3.0)], 4).markers_only();
        let (curves, slope) = with_power_law_fit(measured);
        assert!((slope - 2.0).abs() < 1e-12);
        assert!(curves[0].markers_only && curves[0].color == 4);
        assert_eq!(curves[0].points, vec![(1.0, 3.0), (10.0, 300.0)]);
        let fit = &curves[1];
        assert!(fit.dashed && fit.color == 4);
        assert_eq!((fit.points[0].0, fit.points[1].0), (1.0, 10.0));
        assert!((fit.points[1].1 - 300.0).abs() < 1e-9);
        // one point: no fit, the series alone
        let (curves, slope) = with_power_law_fit(Series::new("one", vec![(1.0, 1.0)], 0));
        assert!(slope.is_nan() && curves.len() == 1);
    }

    #[test]
    fn fit_recovers_a_power_law() {
        let points: Vec<(f64, f64)> = (1..6)
            .map(|k| {
                let x = f64::from(k) * 10.0;
                (x, 3.0 * x.powf(1.7))
            })
            .collect();
        let (slope, intercept) = fit_loglog(&points).expect("fit");
        assert!((slope - 1.7).abs() < 1e-12);
        assert!((intercept - 3.0_f64.ln()).abs() < 1e-10);
        assert!(fit_loglog(&points[..1]).is_none());
        assert!(fit_loglog(&[(1.0, 1.0), (1.0, 2.0)]).is_none());
    }

    #[test]
    fn log_ticks_and_labels() {
        assert_eq!(short(100.0), "100");
        assert_eq!(short(3.162), "3.16");
        assert_eq!(short(0.01), "0.01");
        assert_eq!(short(2e6), "2e6");
        let ticks: Vec<String> = log_ticks(0.5_f64.log10(), 30_f64.log10())
            .into_iter()
            .map(|t| short(10_f64.powf(t)))
            .collect();
        assert_eq!(ticks, ["0.5", "1", "2", "5", "10", "20"]);
    }
}
