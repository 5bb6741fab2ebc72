//! Datasets and spike encoders for fpsnn: labelled input spike patterns for the paper's
//! set-ups (XOR, Iris, Yin-Yang) plus the 8x8 digits and MNIST.
//!
//! A [`Dataset`] is an indexable collection of [`Sample`]s; a sample holds one sorted spike
//! train per input channel and a class label. [`SpikeDataset`] is the validated in-memory
//! implementation; [`ImageDataset`] encodes images on demand. Real-valued data become spikes
//! through a [`SpikeEncoder`]; every encoder here is a time-to-first-spike (latency) code,
//! at most one spike per channel:
//!
//! | encoder | spike time of a feature | used for |
//! |---|---|---|
//! | [`LatencyEncoder`] | $t = t_{\mathrm{early}} + (t_{\mathrm{late}} - t_{\mathrm{early}}) v$, $v \in [0, 1]$, optional bias spike | Yin-Yang: $t = 0.15 + 1.85 v$, bias at 0.9 |
//! | [`MinMaxEncoder`] | $t = T \bigl(1 - \frac{x - x^{\min}}{x^{\max} - x^{\min}}\bigr)$, clamped to $[0, T]$ | Iris: $T = 16$, $x^{\min}$, $x^{\max}$ over the training part |
//! | [`IntensityEncoder`] | $t = T (1 - p / p_{\max})$ for $p \gt 0$, no spike for $p = 0$ | digits ($p_{\max} = 16$, default $T = 4$), MNIST ($p_{\max} = 255$) |
//!
//! XOR uses two fixed times: bit 0 spikes at $t = 0$, bit 1 at $t = 2$.
//!
//! # Datasets
//!
//! | function | samples | inputs | classes | source |
//! |---|---|---|---|---|
//! | [`xor`] | 4 | 2 | 2 | the truth table |
//! | [`iris`] | 120 / 30 | 4 | 3 | Fisher (1936), UCI; public domain; embedded |
//! | [`yin_yang`] | 5000 / 1000 / 1000 | 5 | 3 | Kriener, Göltz, Petrovici (2022); regenerated |
//! | [`digits`] | 1438 / 359 | 64 | 10 | Alpaydin, Kaynak (1998), UCI; CC BY 4.0; embedded |
//! | [`load_mnist`] | 60000 / 10000 | 784 | 10 | IDX files you supply: MNIST or Fashion-MNIST ([`IdxCollection`]) |
//!
//! The embedded Iris and digits files are the scikit-learn copies of the UCI data;
//! `data/PROVENANCE.md` records where they come from.
//!
//! # Decisions
//!
//! - **Empty datasets are errors.** [`SpikeDataset::try_new`], [`FeatureTable::try_new`],
//!   [`ImageSet::try_new`] and the splits return [`DatasetError::Empty`] rather than an
//!   empty dataset, since anything built from them is trained or evaluated on.
//!   [`Dataset::is_empty`] still exists for other implementations, and [`validate_dataset`]
//!   checks the whole [`Dataset`] contract of a user-supplied dataset.
//! - **One concrete sample type.** [`Dataset`] returns a [`Sample`] by value (not an
//!   associated type), so the trait stays object-safe and every training loop can consume
//!   every dataset; [`Dataset::sample`] panics on an out-of-range index, [`Dataset::get`]
//!   returns `None`.
//! - **Stratified splits** ([`stratified_split`]): one `StdRng::seed_from_u64(seed)`; for
//!   each class in increasing order, shuffle that class's row indices and put the first
//!   `round(n_c * test_fraction)` into the test part; both parts are then sorted back into
//!   file order. Defaults: test fraction `0.2`, seed `0` (Iris 40/10 per class, 120/30;
//!   digits 1438/359). [`FeatureTable::split`], [`ImageSet::split`] and
//!   [`SpikeDataset::split`] apply the rule to whole datasets (the last one also holds out
//!   a validation set from a training set).
//! - **Iris normalisation** uses the per-feature minimum and maximum of the training part
//!   only; test values outside that range are clamped, so spike times stay in `[0, T]`.
//! - **Digits and MNIST** use [`IntensityEncoder`]: a blank pixel does not spike, so the
//!   input spike count follows the ink. The default `T = 4` for digits is this crate's
//!   choice (the paper has no digits set-up).
//! - **Yin-Yang is regenerated**, not embedded: [`YinYangPoints::generate`] replays numpy's
//!   legacy `RandomState(seed)` stream (MT19937 `init_genrand`, `genrand_res53` doubles,
//!   masked-rejection `randint(3)`) through the reference generator of
//!   `lkriener/yin_yang_data_set`, and reproduces the official train (seed 42), validation
//!   (seed 41) and test (seed 40) sets bit for bit; a golden test compares every value.
//!   The encoder is a parameter; [`LatencyEncoder::yin_yang`] gives the paper's defaults.
//!   Class labels follow the reference code and CSV files: the disjunction the code calls
//!   `is_yin` gives class 1 (see [`yin_yang_class`]); the workspace's
//!   `data/yinyang/README.md` states that mapping the other way round.
//! - **MNIST is not embedded.** [`load_mnist`] reads the four IDX files (optionally
//!   `.gz`) from a directory; every size is checked against the file before allocating.
//!   Fashion-MNIST has the same files; Debian's `dataset-fashion-mnist` installs them in
//!   [`FASHION_MNIST_DIR`]. The images stay bytes ([`ImageDataset`] encodes a sample when
//!   it is asked for): as stored spike trains the 70000 images would take over 1 GiB.
//!
//! # Example
//!
//! ```
//! use fpsnn_datasets::{Dataset, LatencyEncoder, YinYangSplit, xor, yin_yang};
//!
//! let data = xor();
//! assert_eq!(data.len(), 4);
//! assert_eq!(data.sample(3).input_spikes, vec![vec![2.0], vec![2.0]]);
//! assert_eq!(data.sample(3).label, 0);
//!
//! let train = yin_yang(YinYangSplit::Train, &LatencyEncoder::yin_yang())?;
//! assert_eq!((train.len(), train.num_inputs(), train.num_classes()), (5000, 5, 3));
//! // x = 0.6803075385877797 (the first official training point) spikes at 0.15 + 1.85 x.
//! let x = 0.680_307_538_587_779_7;
//! assert_eq!(train.sample(0).input_spikes[0], vec![0.15 + 1.85 * x]);
//! # Ok::<(), fpsnn_datasets::DatasetError>(())
//! ```

mod csv;
mod dataset;
mod digits;
mod encoding;
mod error;
mod image;
mod iris;
mod mnist;
mod split;
mod synthetic;
mod table;
mod xor;
mod yin_yang;

pub use dataset::{Dataset, Sample, SpikeDataset, class_counts, validate_dataset};
pub use digits::{DigitsConfig, digits, digits_images};
pub use encoding::{IntensityEncoder, LatencyEncoder, MinMaxEncoder, SpikeEncoder};
pub use error::DatasetError;
pub use image::{ImageDataset, ImageSet};
pub use iris::{IRIS_CLASS_NAMES, IrisConfig, IrisSplit, iris, iris_table};
pub use mnist::{
    FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_DIR, IdxCollection, MNIST_FILES, load_idx_image_set,
    load_mnist, missing_mnist_files, write_idx_image_set,
};
pub use split::{Split, stratified_split};
pub use synthetic::{image_like, uniform_trains};
pub use table::FeatureTable;
pub use xor::{xor, xor_with_times};
pub use yin_yang::{
    YIN_YANG_CLASS_NAMES, YinYangPoint, YinYangPoints, YinYangSplit, yin_yang, yin_yang_class,
};
