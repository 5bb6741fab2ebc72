//! Output format, the embedded font, and the shared render path (draw into memory, then
//! write the file in one go so an unwritable path is a typed error).

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::PlotError;

/// DejaVu Sans, embedded so that text renders without fontconfig or freetype.
static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Figure file format, chosen from the extension (case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Bitmap, `.png`.
    Png,
    /// Vector, `.svg`.
    Svg,
}

impl Format {
    /// The format of `path` from its extension.
    ///
    /// # Errors
    /// [`PlotError::Format`] for any extension other than `png` or `svg`.
    pub fn from_path(path: &Path) -> Result<Self, PlotError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => Ok(Self::Png),
            Some("svg") => Ok(Self::Svg),
            _ => Err(PlotError::Format {
                path: path.to_owned(),
            }),
        }
    }
}

/// Registers the embedded font as the `sans-serif` family, once per process.
fn ensure_font() -> Result<(), PlotError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ]
        .into_iter()
        .all(|style| plotters::style::register_font("sans-serif", style, FONT).is_ok())
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

/// A figure that can draw itself on any backend.
pub(crate) trait Figure {
    /// Size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws on a white root area.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

/// Draws `figure` and writes it to `path` as PNG or SVG by extension.
pub(crate) fn render(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let format = Format::from_path(path)?;
    ensure_font()?;
    let (w, h) = figure.size();
    let bytes = match format {
        Format::Png => {
            let mut pixels = vec![0_u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
                root.fill(&WHITE)?;
                figure.draw(&root)?;
                root.present()?;
            }
            encode_png(&pixels, w, h)?
        }
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                root.fill(&WHITE)?;
                figure.draw(&root)?;
                root.present()?;
            }
            text.into_bytes()
        }
    };
    std::fs::write(path, bytes).map_err(|e| PlotError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn encode_png(pixels: &[u8], w: u32, h: u32) -> Result<Vec<u8>, PlotError> {
    let draw = |e: png::EncodingError| PlotError::Draw(format!("PNG encoding: {e}"));
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header().map_err(draw)?;
        writer.write_image_data(pixels).map_err(draw)?;
        writer.finish().map_err(draw)?;
    }
    Ok(out)
}

/// Colour-blind-safe categorical palette (Okabe-Ito, then Tableau), cycled.
pub(crate) fn color(k: usize) -> RGBColor {
    const PALETTE: [RGBColor; 10] = [
        RGBColor(0, 114, 178),
        RGBColor(230, 159, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(213, 94, 0),
        RGBColor(240, 228, 66),
        RGBColor(127, 127, 127),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
    ];
    PALETTE[k % PALETTE.len()]
}

/// Font size of axis descriptions.
pub(crate) const LABEL_FONT: u32 = 18;
/// Font size of tick labels.
pub(crate) const TICK_FONT: u32 = 15;
/// Font size of panel captions.
pub(crate) const CAPTION_FONT: u32 = 20;
/// Font size of figure titles.
pub(crate) const TITLE_FONT: u32 = 24;

/// `[lo, hi]` widened by `pad` of its width (and made non-empty).
pub(crate) fn padded(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let d = (hi - lo) * pad;
    (lo - d, hi + d)
}

/// Checks that every value is finite.
pub(crate) fn check_finite(
    what: &str,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), PlotError> {
    if values.into_iter().all(f64::is_finite) {
        Ok(())
    } else {
        Err(PlotError::Invalid(format!("{what} must be finite")))
    }
}

/// A legend symbol.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mark {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled dot.
    Dot(RGBColor),
    /// A short vertical tick.
    Tick(RGBColor),
    /// A filled square, pale.
    Patch(RGBColor),
    /// A cross.
    Cross(RGBColor),
}

/// Draws a one-line legend centred in `area` (a strip above the panels, so the legend
/// never hides data).
pub(crate) fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> Result<(), PlotError> {
    let style = TextStyle::from(("sans-serif", LABEL_FONT).into_font()).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    const SYMBOL: i32 = 26;
    const GAP: i32 = 28;
    let widths = entries
        .iter()
        .map(|(text, _)| Ok(area.estimate_text_size(text, &style)?.0 as i32))
        .collect::<Result<Vec<i32>, PlotError>>()?;
    let total: i32 = widths.iter().map(|w| w + SYMBOL + 6).sum::<i32>()
        + GAP * (entries.len() as i32 - 1).max(0);
    let (w, h) = area.dim_in_pixel();
    let mut x = ((w as i32 - total) / 2).max(4);
    let y = h as i32 / 2;
    for ((text, mark), width) in entries.iter().zip(widths) {
        let (a, b) = (x + 2, x + SYMBOL - 2);
        let c = (a + b) / 2;
        match *mark {
            Mark::Line(col) => {
                area.draw(&PathElement::new(vec![(a, y), (b, y)], col.stroke_width(3)))?
            }
            Mark::Dashed(col) => {
                area.draw(&PathElement::new(
                    vec![(a, y), (a + 8, y)],
                    col.stroke_width(3),
                ))?;
                area.draw(&PathElement::new(
                    vec![(b - 8, y), (b, y)],
                    col.stroke_width(3),
                ))?;
            }
            Mark::Dot(col) => area.draw(&Circle::new((c, y), 5, col.filled()))?,
            Mark::Tick(col) => {
                area.draw(&PathElement::new(
                    vec![(c, y - 8), (c, y + 8)],
                    col.stroke_width(3),
                ))?;
            }
            Mark::Patch(col) => {
                area.draw(&Rectangle::new(
                    [(a + 3, y - 8), (b - 3, y + 8)],
                    col.mix(0.45).filled(),
                ))?;
                area.draw(&Rectangle::new(
                    [(a + 3, y - 8), (b - 3, y + 8)],
                    col.stroke_width(2),
                ))?;
            }
            Mark::Cross(col) => area.draw(&Cross::new((c, y), 5, col.stroke_width(2)))?,
        }
        area.draw(&Text::new(text.clone(), (x + SYMBOL + 4, y), style.clone()))?;
        x += SYMBOL + 6 + width + GAP;
    }
    Ok(())
}
