//! The 8x8 handwritten digits (UCI optical recognition data), embedded.

use std::io::Read;

use flate2::read::GzDecoder;
use fpsnn_core::Time;

use crate::csv::lines;
use crate::{DatasetError, ImageDataset, ImageSet, IntensityEncoder, Split};

/// `data/digits.csv.gz`; provenance in `data/PROVENANCE.md`.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../data/digits.csv.gz");
const FILE: &str = "digits.csv.gz";

/// Side length of a digit image.
const SIDE: usize = 8;
/// Largest pixel intensity of the digits data.
const MAX_INTENSITY: u8 = 16;

/// How [`digits`] splits and encodes the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DigitsConfig {
    /// Fraction of each class held out for testing (default `0.2`: 1438 train / 359 test).
    pub test_fraction: f64,
    /// Seed of the stratified split (default `0`).
    pub seed: u64,
    /// Latest spike time `T` of the pixel encoding (default `4.0`).
    pub t_max: Time,
    /// Give every pixel an "off" channel too (128 inputs; see
    /// [`IntensityEncoder::with_off_channels`](crate::IntensityEncoder::with_off_channels));
    /// default `false`.
    pub off_channels: bool,
}

impl Default for DigitsConfig {
    fn default() -> Self {
        Self {
            test_fraction: 0.2,
            seed: 0,
            t_max: 4.0,
            off_channels: false,
        }
    }
}

/// All 1797 digit images (8x8 pixels with intensities `0..=16`, labels `0..=9`), in file
/// order.
///
/// # Errors
/// [`DatasetError::Io`] or [`DatasetError::Parse`] if the embedded file is corrupt (it is
/// not; the check guards against a broken build).
pub fn digits_images() -> Result<ImageSet, DatasetError> {
    let mut text = String::new();
    GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_string(&mut text)
        .map_err(|source| DatasetError::Io {
            path: FILE.into(),
            source,
        })?;
    let num_pixels = SIDE * SIDE;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for line in lines(FILE, &text) {
        let fields = line.fields(num_pixels + 1)?;
        for (field, text) in fields.iter().enumerate() {
            let value: u8 = line.parse(field, text)?;
            if field < num_pixels {
                pixels.push(value);
            } else {
                labels.push(value);
            }
        }
    }
    ImageSet::try_new(SIDE, SIDE, MAX_INTENSITY, 10, pixels, labels)
}

/// The digits as a spike classification task: 64 input channels (one per pixel,
/// row-major), 10 classes, a seeded stratified split by the rule of
/// [`stratified_split`](crate::stratified_split) (1438 / 359 with the default config), and
/// the [`IntensityEncoder`] latency code: pixel $p$ spikes once at
/// $t = T (1 - p / 16)$ if $p \gt 0$, and never if $p = 0$; with `off_channels`, 64 more
/// channels where pixel $p$ spikes at $t = T p / 16$ if $p \lt 16$.
///
/// # Errors
/// [`DatasetError::InvalidParameter`] for a bad `test_fraction` or `t_max`,
/// [`DatasetError::Empty`] if a part would be empty.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{Dataset, DigitsConfig, digits};
/// let split = digits(&DigitsConfig::default())?;
/// assert_eq!(split.train.len() + split.test.len(), 1797);
/// assert_eq!(split.train.num_inputs(), 64);
/// // The top-left pixel is blank in every image, so it never spikes.
/// assert!(split.train.sample(0).input_spikes[0].is_empty());
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
pub fn digits(config: &DigitsConfig) -> Result<Split<ImageDataset>, DatasetError> {
    digits_images()?
        .split(config.test_fraction, config.seed)?
        .try_map(|images| {
            let encoder = IntensityEncoder::try_new(config.t_max, f64::from(MAX_INTENSITY))?;
            images.into_dataset_with(if config.off_channels {
                encoder.with_off_channels()
            } else {
                encoder
            })
        })
}
