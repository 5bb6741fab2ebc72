//! Fisher's Iris data, embedded.

use fpsnn_core::Time;

use crate::csv::lines;
use crate::{DatasetError, FeatureTable, MinMaxEncoder, SpikeDataset};

/// `data/iris.csv`; provenance in `data/PROVENANCE.md`.
const IRIS_CSV: &str = include_str!("../data/iris.csv");
const FILE: &str = "iris.csv";

/// Names of the Iris classes, indexed by label.
pub const IRIS_CLASS_NAMES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// How [`iris`] splits and encodes the data. The default is the paper's set-up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IrisConfig {
    /// Fraction of each class held out for testing (default `0.2`: 40/10 per class).
    pub test_fraction: f64,
    /// Seed of the stratified split (default `0`).
    pub seed: u64,
    /// Latest spike time `T` of the min/max encoding (default `16.0`).
    pub t_max: Time,
}

impl Default for IrisConfig {
    fn default() -> Self {
        Self {
            test_fraction: 0.2,
            seed: 0,
            t_max: 16.0,
        }
    }
}

/// The encoded Iris split and the encoder fitted on its training part.
#[derive(Clone, Debug, PartialEq)]
pub struct IrisSplit {
    /// Training samples (120 with the default config).
    pub train: SpikeDataset,
    /// Test samples (30 with the default config).
    pub test: SpikeDataset,
    /// The min/max encoder, fitted on the training features; use it for new flowers.
    pub encoder: MinMaxEncoder,
}

/// The 150 raw Iris rows: 4 features (sepal length, sepal width, petal length, petal width,
/// in cm) and labels 0/1/2 ([`IRIS_CLASS_NAMES`]), in file order.
///
/// # Errors
/// [`DatasetError::Parse`] if the embedded file is malformed (it is not; the check guards
/// against a corrupted build).
pub fn iris_table() -> Result<FeatureTable, DatasetError> {
    let mut lines = lines(FILE, IRIS_CSV);
    let header = lines.next().ok_or(DatasetError::Empty)?;
    // Header: `rows,features,class names...`.
    let header_fields = header.fields(2 + IRIS_CLASS_NAMES.len())?;
    let num_rows: usize = header.parse(0, header_fields[0])?;
    let num_features: usize = header.parse(1, header_fields[1])?;
    let mut rows = Vec::with_capacity(num_rows.min(IRIS_CSV.len()));
    let mut labels = Vec::with_capacity(rows.capacity());
    for line in lines {
        let fields = line.fields(num_features + 1)?;
        let row = fields[..num_features]
            .iter()
            .enumerate()
            .map(|(field, text)| line.parse::<f64>(field, text))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(row);
        labels.push(line.parse::<usize>(num_features, fields[num_features])?);
    }
    if rows.len() != num_rows {
        return Err(DatasetError::LengthMismatch {
            what: "iris.csv rows",
            expected: num_rows,
            found: rows.len(),
        });
    }
    FeatureTable::try_new(&rows, labels, IRIS_CLASS_NAMES.len())
}

/// Iris as the paper uses it: 4 input channels, 3 classes, a seeded stratified split
/// (the rule of [`stratified_split`](crate::stratified_split); 120 train / 30 test by
/// default, 40/10 per class), and the min/max encoding
/// $t = T \bigl(1 - \frac{x - x^{\min}}{x^{\max} - x^{\min}}\bigr)$ with $x^{\min}$, $x^{\max}$
/// per feature over the **training** part (test values outside that range are clamped to
/// $[0, T]$, see [`MinMaxEncoder`]).
///
/// # Errors
/// [`DatasetError::InvalidParameter`] for a bad `test_fraction` or `t_max`,
/// [`DatasetError::Empty`] if a part would be empty.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{Dataset, IrisConfig, class_counts, iris};
/// let split = iris(&IrisConfig::default())?;
/// assert_eq!((split.train.len(), split.test.len()), (120, 30));
/// assert_eq!(class_counts(&split.test), vec![10, 10, 10]);
/// assert_eq!(split.train.num_inputs(), 4);
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
pub fn iris(config: &IrisConfig) -> Result<IrisSplit, DatasetError> {
    let split = iris_table()?.split(config.test_fraction, config.seed)?;
    let train_rows: Vec<&[f64]> = split.train.rows().collect();
    let encoder = MinMaxEncoder::fit(&train_rows, config.t_max)?;
    Ok(IrisSplit {
        train: split.train.encode(&encoder)?,
        test: split.test.encode(&encoder)?,
        encoder,
    })
}
