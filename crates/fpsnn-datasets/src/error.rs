//! The crate's error type.

use std::path::PathBuf;

use fpsnn_core::CoreError;

/// Everything that can go wrong while building, loading or encoding a dataset.
///
/// Feature-level variants carry `sample: Option<usize>`: `None` when a single feature vector
/// was encoded on its own ([`SpikeEncoder::encode`](crate::SpikeEncoder::encode)), `Some(i)`
/// when row `i` of a table was being encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// A dataset with no sample was given where one is required (a dataset to train or
    /// evaluate on, or the train or test part of a split).
    #[error("the dataset has no sample")]
    Empty,
    /// A [`Dataset`](crate::Dataset) implementation returned no sample for an index below
    /// its length.
    #[error("the dataset reports {len} samples but has none at index {index}")]
    MissingSample {
        /// The index asked for.
        index: usize,
        /// The length the dataset reports.
        len: usize,
    },
    /// A dataset was declared with zero input channels or zero features.
    #[error("a dataset needs at least one input channel")]
    NoInputs,
    /// A label is not smaller than the number of classes.
    #[error("sample {sample} has label {label}, but there are only {num_classes} classes")]
    LabelOutOfRange {
        /// Index of the sample.
        sample: usize,
        /// Its label.
        label: usize,
        /// The number of classes of the dataset.
        num_classes: usize,
    },
    /// A sample has a different number of input channels than the dataset declares.
    #[error("sample {sample} has {found} input channels, expected {expected}")]
    ChannelCountMismatch {
        /// Index of the sample.
        sample: usize,
        /// The dataset's number of inputs.
        expected: usize,
        /// The sample's number of channels.
        found: usize,
    },
    /// An input spike train is not finite, non-negative and sorted.
    #[error("sample {sample}, input channel {channel}: {source}")]
    InvalidSpikeTrain {
        /// Index of the sample.
        sample: usize,
        /// Index of the input channel.
        channel: usize,
        /// What is wrong with the train.
        #[source]
        source: CoreError,
    },
    /// A configuration value (an encoding time, a split fraction) is out of its domain.
    #[error("parameter `{name}` = {value} is invalid: expected {expected}")]
    InvalidParameter {
        /// Name of the parameter.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// The domain the value must lie in, in words.
        expected: &'static str,
    },
    /// A feature value is NaN or infinite.
    #[error("feature {feature} of sample {sample:?} is not finite: {value}")]
    NonFiniteFeature {
        /// Index of the row, if a table was being encoded.
        sample: Option<usize>,
        /// Index of the feature.
        feature: usize,
        /// The offending value.
        value: f64,
    },
    /// A feature value lies outside the range an encoder accepts.
    #[error("feature {feature} of sample {sample:?} is {value}, outside [{min}, {max}]")]
    FeatureOutOfRange {
        /// Index of the row, if a table was being encoded.
        sample: Option<usize>,
        /// Index of the feature.
        feature: usize,
        /// The offending value.
        value: f64,
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// A feature vector has the wrong length.
    #[error("sample {sample:?} has {found} features, expected {expected}")]
    FeatureCountMismatch {
        /// Index of the row, if a table was being encoded.
        sample: Option<usize>,
        /// The expected number of features.
        expected: usize,
        /// The number found.
        found: usize,
    },
    /// Two parallel buffers disagree in length (labels vs rows, pixels vs images).
    #[error("{what}: expected {expected} entries, found {found}")]
    LengthMismatch {
        /// What was counted (`"labels"`, `"pixels"`).
        what: &'static str,
        /// The length implied by the other buffer.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A feature takes a single value on the data a min/max encoder is fitted to, so it
    /// cannot be normalised.
    #[error("feature {feature} is constant ({value}) and cannot be min/max normalised")]
    ConstantFeature {
        /// Index of the feature.
        feature: usize,
        /// Its only value.
        value: f64,
    },
    /// A line of an embedded CSV file could not be parsed.
    #[error("{file}, line {line}, field {field}: cannot parse {text:?}")]
    Parse {
        /// Name of the embedded file.
        file: &'static str,
        /// 1-based line number.
        line: usize,
        /// 0-based field index on that line.
        field: usize,
        /// The offending text (the whole line when the field count is wrong).
        text: String,
    },
    /// Reading a file failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An IDX file does not start with the expected magic number.
    #[error("{}: bad IDX magic number {found:#010x}, expected {expected:#010x}", path.display())]
    IdxBadMagic {
        /// The file.
        path: PathBuf,
        /// The magic number for this kind of file (`0x0803` images, `0x0801` labels).
        expected: u32,
        /// The first four bytes of the file, big-endian.
        found: u32,
    },
    /// An IDX header declares dimensions that are zero or whose product overflows.
    #[error("{}: invalid IDX dimensions {dims:?}", path.display())]
    IdxBadDimensions {
        /// The file.
        path: PathBuf,
        /// The dimensions from the header.
        dims: Vec<u32>,
    },
    /// An IDX file is shorter or longer than its header declares.
    #[error("{}: IDX payload should be {expected} bytes, found {found}", path.display())]
    IdxLengthMismatch {
        /// The file.
        path: PathBuf,
        /// Payload length implied by the header (bytes after the header).
        expected: u64,
        /// Payload bytes found. For gzip files reading stops one byte past `expected`,
        /// so a too-long file reports `expected + 1`.
        found: u64,
    },
    /// An image file and its label file hold different numbers of items.
    #[error("{} has {labels} labels but its image file has {images} images", labels_path.display())]
    IdxCountMismatch {
        /// The label file.
        labels_path: PathBuf,
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },
    /// Two image sets that must agree (MNIST train and test) have different image sizes.
    #[error("image size {found_rows}x{found_cols} differs from {expected_rows}x{expected_cols}")]
    ImageShapeMismatch {
        /// Rows of the first set.
        expected_rows: usize,
        /// Columns of the first set.
        expected_cols: usize,
        /// Rows of the second set.
        found_rows: usize,
        /// Columns of the second set.
        found_cols: usize,
    },
    /// Data that is only ever encoded on the fly (an IDX image set) was asked for as stored
    /// spike trains, which would not fit in memory (70000 MNIST images would take over
    /// 1 GiB).
    #[error("{what} is encoded on the fly, never stored as spike trains; load it with {load_with}")]
    EncodedOnTheFly {
        /// The data.
        what: &'static str,
        /// The function that loads it.
        load_with: &'static str,
    },
    /// A pixel exceeds the image set's maximum intensity.
    #[error("image {image}, pixel {pixel} is {value}, above the maximum {max}")]
    PixelOutOfRange {
        /// Index of the image.
        image: usize,
        /// Index of the pixel (row-major).
        pixel: usize,
        /// The offending value.
        value: u8,
        /// The largest allowed intensity.
        max: u8,
    },
}

impl DatasetError {
    /// Attaches a row index to a feature-level error that has none.
    pub(crate) fn in_sample(self, index: usize) -> Self {
        match self {
            Self::NonFiniteFeature {
                sample: None,
                feature,
                value,
            } => Self::NonFiniteFeature {
                sample: Some(index),
                feature,
                value,
            },
            Self::FeatureOutOfRange {
                sample: None,
                feature,
                value,
                min,
                max,
            } => Self::FeatureOutOfRange {
                sample: Some(index),
                feature,
                value,
                min,
                max,
            },
            Self::FeatureCountMismatch {
                sample: None,
                expected,
                found,
            } => Self::FeatureCountMismatch {
                sample: Some(index),
                expected,
                found,
            },
            other => other,
        }
    }
}

/// Checks that `value` is finite and `>= 0`.
pub(crate) fn check_time(name: &'static str, value: f64) -> Result<f64, DatasetError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(DatasetError::InvalidParameter {
            name,
            value,
            expected: "a finite time >= 0",
        })
    }
}

/// Checks that `value` is finite and `> 0`.
pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<f64, DatasetError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(DatasetError::InvalidParameter {
            name,
            value,
            expected: "a finite value > 0",
        })
    }
}
