//! The `Dataset` trait, the `Sample` it yields and the in-memory `SpikeDataset`.

use std::sync::Arc;

use fpsnn_core::{Time, validate_times};

use crate::error::check_time;
use crate::{DatasetError, Split, stratified_split};

/// One input pattern and its target: a spike train per input channel and, for
/// classification (the default `T = usize`), a class label.
///
/// Every [`Dataset`] yields samples whose trains are finite, non-negative and sorted, with
/// one train per input channel (a train may be empty: that channel does not spike) and,
/// for class labels, `label < num_classes`. [`Sample::validate`] checks this for a sample
/// built by hand.
///
/// Another target type `T` (target spike times `Vec<Vec<f64>>`, voltage samples, ...)
/// makes a dataset for a loss whose target it is ([`Sample::with_target`],
/// [`SpikeDataset::try_with_targets`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample<T = usize> {
    /// Spike times of each input channel, each sorted in non-decreasing order.
    pub input_spikes: Vec<Vec<Time>>,
    /// The class, in `0..num_classes`; for another target type, the sample's target.
    pub label: T,
}

impl<T> Sample<T> {
    /// A sample from its input trains and a target of any type (unchecked; see
    /// [`Sample::validate_inputs`]).
    #[must_use]
    pub fn with_target(input_spikes: Vec<Vec<Time>>, target: T) -> Self {
        Self {
            input_spikes,
            label: target,
        }
    }

    /// Total number of input spikes over all channels.
    #[must_use]
    pub fn num_spikes(&self) -> usize {
        self.input_spikes.iter().map(Vec::len).sum()
    }

    /// Checks the input trains against a dataset with `num_inputs` channels; `index` is the
    /// sample's position, reported in errors.
    ///
    /// # Errors
    /// [`DatasetError::ChannelCountMismatch`] or [`DatasetError::InvalidSpikeTrain`] (a
    /// NaN, infinite, negative or unsorted time).
    pub fn validate_inputs(&self, index: usize, num_inputs: usize) -> Result<(), DatasetError> {
        if self.input_spikes.len() != num_inputs {
            return Err(DatasetError::ChannelCountMismatch {
                sample: index,
                expected: num_inputs,
                found: self.input_spikes.len(),
            });
        }
        for (channel, train) in self.input_spikes.iter().enumerate() {
            validate_times(train).map_err(|source| DatasetError::InvalidSpikeTrain {
                sample: index,
                channel,
                source,
            })?;
        }
        Ok(())
    }
}

impl Sample {
    /// A sample from its input trains and label (unchecked; see [`Sample::validate`]).
    #[must_use]
    pub fn new(input_spikes: Vec<Vec<Time>>, label: usize) -> Self {
        Self {
            input_spikes,
            label,
        }
    }

    /// Checks the sample against a dataset with `num_inputs` channels and `num_classes`
    /// classes; `index` is the sample's position, reported in errors.
    ///
    /// # Errors
    /// [`DatasetError::ChannelCountMismatch`], [`DatasetError::LabelOutOfRange`] or
    /// [`DatasetError::InvalidSpikeTrain`] (a NaN, infinite, negative or unsorted time).
    pub fn validate(
        &self,
        index: usize,
        num_inputs: usize,
        num_classes: usize,
    ) -> Result<(), DatasetError> {
        if self.input_spikes.len() != num_inputs {
            return Err(DatasetError::ChannelCountMismatch {
                sample: index,
                expected: num_inputs,
                found: self.input_spikes.len(),
            });
        }
        if self.label >= num_classes {
            return Err(DatasetError::LabelOutOfRange {
                sample: index,
                label: self.label,
                num_classes,
            });
        }
        self.validate_inputs(index, num_inputs)
    }
}

/// A finite, indexable collection of labelled spike patterns.
///
/// The trait is object-safe (`&dyn Dataset` works) and `Send + Sync`, so rayon workers can
/// share one dataset. Implementations return samples by value, which lets large image sets
/// ([`ImageDataset`](crate::ImageDataset)) encode each image on demand instead of storing
/// every spike train.
///
/// Contract: for every `index < len()`, `get(index)` is `Some` and its sample satisfies
/// [`Sample::validate`] with this dataset's `num_inputs` and `num_classes`;
/// [`validate_dataset`] checks that. A dataset of other targets (`Dataset<T>`, `T` not
/// `usize`, for a loss whose target is `T`) has samples that satisfy
/// [`Sample::validate_inputs`], and no classes unless it says otherwise.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{Dataset, xor};
/// let data = xor();
/// let total: usize = (0..data.len()).map(|i| data.sample(i).num_spikes()).sum();
/// assert_eq!(total, 8);
/// let shared: &dyn Dataset = &data;
/// assert_eq!(shared.num_classes(), 2);
/// ```
pub trait Dataset<T = usize>: Send + Sync {
    /// Number of samples.
    fn len(&self) -> usize;

    /// Number of input channels of every sample.
    fn num_inputs(&self) -> usize;

    /// Number of classes; every label is below it. A dataset whose targets are not class
    /// labels has none: the default is 0.
    fn num_classes(&self) -> usize {
        0
    }

    /// The sample at `index`, or `None` if `index >= len()`.
    fn get(&self, index: usize) -> Option<Sample<T>>;

    /// Whether the dataset has no sample.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sample at `index`.
    ///
    /// # Panics
    /// If `index >= len()`.
    #[track_caller]
    fn sample(&self, index: usize) -> Sample<T> {
        match self.get(index) {
            Some(sample) => sample,
            None => panic!(
                "sample index {index} out of range for a dataset of {} samples",
                self.len()
            ),
        }
    }
}

macro_rules! forward_dataset {
    ($($ptr:ty),*) => {$(
        impl<T, D: Dataset<T> + ?Sized> Dataset<T> for $ptr {
            fn len(&self) -> usize {
                (**self).len()
            }
            fn num_inputs(&self) -> usize {
                (**self).num_inputs()
            }
            fn num_classes(&self) -> usize {
                (**self).num_classes()
            }
            fn get(&self, index: usize) -> Option<Sample<T>> {
                (**self).get(index)
            }
            fn is_empty(&self) -> bool {
                (**self).is_empty()
            }
        }
    )*};
}

forward_dataset!(&D, Box<D>, Arc<D>);

/// Checks that a dataset keeps the [`Dataset`] contract: it is not empty, declares at least
/// one input, and every sample has the right channel count, a valid label and sorted,
/// finite, non-negative spike times.
///
/// Use it on a user-supplied dataset before training; the datasets of this crate pass it by
/// construction.
///
/// # Errors
/// [`DatasetError::Empty`], [`DatasetError::NoInputs`], [`DatasetError::MissingSample`] if
/// `get` yields `None` for an index below `len()`, or the first error of
/// [`Sample::validate`].
pub fn validate_dataset(dataset: &dyn Dataset) -> Result<(), DatasetError> {
    if dataset.is_empty() {
        return Err(DatasetError::Empty);
    }
    if dataset.num_inputs() == 0 {
        return Err(DatasetError::NoInputs);
    }
    for index in 0..dataset.len() {
        let sample = dataset.get(index).ok_or(DatasetError::MissingSample {
            index,
            len: dataset.len(),
        })?;
        sample.validate(index, dataset.num_inputs(), dataset.num_classes())?;
    }
    Ok(())
}

/// Counts the samples of each class: entry `c` is the number of samples with label `c`.
#[must_use]
pub fn class_counts(dataset: &dyn Dataset) -> Vec<usize> {
    let mut counts = vec![0; dataset.num_classes()];
    for index in 0..dataset.len() {
        if let Some(count) = dataset.get(index).and_then(|s| counts.get_mut(s.label)) {
            *count += 1;
        }
    }
    counts
}

/// A validated, in-memory list of samples.
///
/// Invariants (checked by [`SpikeDataset::try_new`]): at least one sample and one input
/// channel; every sample has `num_inputs` channels, a label below `num_classes`, and
/// finite, non-negative, sorted spike times.
///
/// `SpikeDataset<T>` with another target type `T` holds samples for a loss whose target
/// is `T` ([`SpikeDataset::try_with_targets`]); it has no classes.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeDataset<T = usize> {
    samples: Vec<Sample<T>>,
    num_inputs: usize,
    num_classes: usize,
}

impl<T: Clone + Send + Sync> SpikeDataset<T> {
    /// A dataset of samples with targets of any type (target spike times, voltage
    /// samples, ...), checked like [`SpikeDataset::try_new`] except for labels; it has no
    /// classes ([`Dataset::num_classes`] is 0).
    ///
    /// # Errors
    /// [`DatasetError::Empty`], [`DatasetError::NoInputs`], or the first error of
    /// [`Sample::validate_inputs`].
    ///
    /// # Examples
    /// ```
    /// use fpsnn_datasets::{Dataset, Sample, SpikeDataset};
    /// // one output neuron that should fire at t = 1.5
    /// let sample = Sample::with_target(vec![vec![0.5]], vec![vec![1.5]]);
    /// let data = SpikeDataset::try_with_targets(vec![sample], 1)?;
    /// assert_eq!(data.sample(0).label, vec![vec![1.5]]);
    /// assert_eq!(data.num_classes(), 0);
    /// # Ok::<(), fpsnn_datasets::DatasetError>(())
    /// ```
    pub fn try_with_targets(
        samples: Vec<Sample<T>>,
        num_inputs: usize,
    ) -> Result<Self, DatasetError> {
        if samples.is_empty() {
            return Err(DatasetError::Empty);
        }
        if num_inputs == 0 {
            return Err(DatasetError::NoInputs);
        }
        for (index, sample) in samples.iter().enumerate() {
            sample.validate_inputs(index, num_inputs)?;
        }
        Ok(Self {
            samples,
            num_inputs,
            num_classes: 0,
        })
    }

    /// The samples.
    #[must_use]
    pub fn samples(&self) -> &[Sample<T>] {
        &self.samples
    }

    /// The samples, by value.
    #[must_use]
    pub fn into_samples(self) -> Vec<Sample<T>> {
        self.samples
    }
}

impl SpikeDataset {
    /// Checked constructor.
    ///
    /// # Errors
    /// [`DatasetError::Empty`] if `samples` is empty (a dataset is always something to train
    /// or evaluate on), [`DatasetError::NoInputs`] if `num_inputs == 0`, otherwise the first
    /// error of [`Sample::validate`].
    ///
    /// # Examples
    /// ```
    /// use fpsnn_datasets::{Dataset, DatasetError, Sample, SpikeDataset};
    /// let data = SpikeDataset::try_new(vec![Sample::new(vec![vec![0.5], vec![]], 1)], 2, 2)?;
    /// assert_eq!(data.sample(0).label, 1);
    /// let unsorted = Sample::new(vec![vec![1.0, 0.5], vec![]], 0);
    /// assert!(matches!(
    ///     SpikeDataset::try_new(vec![unsorted], 2, 2),
    ///     Err(DatasetError::InvalidSpikeTrain { sample: 0, channel: 0, .. })
    /// ));
    /// # Ok::<(), DatasetError>(())
    /// ```
    pub fn try_new(
        samples: Vec<Sample>,
        num_inputs: usize,
        num_classes: usize,
    ) -> Result<Self, DatasetError> {
        let dataset = Self {
            samples,
            num_inputs,
            num_classes,
        };
        validate_dataset(&dataset)?;
        Ok(dataset)
    }

    /// Copies every sample of another dataset into memory, validating them.
    ///
    /// # Errors
    /// As [`SpikeDataset::try_new`].
    pub fn try_from_dataset(dataset: &dyn Dataset) -> Result<Self, DatasetError> {
        let samples = (0..dataset.len())
            .map(|index| {
                dataset.get(index).ok_or(DatasetError::MissingSample {
                    index,
                    len: dataset.len(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::try_new(samples, dataset.num_inputs(), dataset.num_classes())
    }

    /// Builds a dataset this crate has already validated by construction.
    pub(crate) fn from_parts_unchecked(
        samples: Vec<Sample>,
        num_inputs: usize,
        num_classes: usize,
    ) -> Self {
        let dataset = Self {
            samples,
            num_inputs,
            num_classes,
        };
        debug_assert!(validate_dataset(&dataset).is_ok());
        dataset
    }

    /// The samples at `indices`, in that order.
    ///
    /// # Errors
    /// [`DatasetError::Empty`] if `indices` is empty.
    ///
    /// # Panics
    /// If an index is `>= len()`.
    #[track_caller]
    pub fn select(&self, indices: &[usize]) -> Result<Self, DatasetError> {
        if indices.is_empty() {
            return Err(DatasetError::Empty);
        }
        let samples = indices.iter().map(|&i| self.samples[i].clone()).collect();
        Ok(Self::from_parts_unchecked(
            samples,
            self.num_inputs,
            self.num_classes,
        ))
    }

    /// Seeded stratified train/test split by the rule of
    /// [`stratified_split`](crate::stratified_split): each class keeps its share in both
    /// parts, and both list their samples in this dataset's order. Holding out a
    /// validation set from a training set is `train.split(fraction, seed)`, the held-out
    /// part being `test`.
    ///
    /// # Errors
    /// As [`stratified_split`](crate::stratified_split), and [`DatasetError::Empty`] if
    /// either part would be empty.
    ///
    /// # Examples
    /// ```
    /// use fpsnn_datasets::{Dataset, IrisConfig, class_counts, iris};
    /// let train = iris(&IrisConfig::default())?.train; // 40 per class
    /// let parts = train.split(0.2, 1)?;
    /// assert_eq!(class_counts(&parts.test), vec![8, 8, 8]);
    /// assert_eq!(parts.train.len(), 96);
    /// # Ok::<(), fpsnn_datasets::DatasetError>(())
    /// ```
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<Split<Self>, DatasetError> {
        let labels: Vec<usize> = self.samples.iter().map(|s| s.label).collect();
        stratified_split(&labels, self.num_classes, test_fraction, seed)?
            .try_map(|indices| self.select(&indices))
    }

    /// The same data with one more input channel, appended last, that spikes once at `time`
    /// in every sample: a reference ("bias") spike. Without one, a feed-forward network
    /// cannot tell a pattern from the same pattern shifted in time, and min/max latency
    /// codes of similar flowers differ mostly by such a shift.
    ///
    /// # Errors
    /// [`DatasetError::InvalidParameter`] unless `time` is finite and `>= 0`.
    ///
    /// # Examples
    /// ```
    /// use fpsnn_datasets::{Dataset, Sample, SpikeDataset};
    /// let data = SpikeDataset::try_new(vec![Sample::new(vec![vec![0.5]], 0)], 1, 2)?;
    /// let data = data.with_bias_channel(0.0)?;
    /// assert_eq!(data.num_inputs(), 2);
    /// assert_eq!(data.sample(0).input_spikes, vec![vec![0.5], vec![0.0]]);
    /// # Ok::<(), fpsnn_datasets::DatasetError>(())
    /// ```
    pub fn with_bias_channel(mut self, time: Time) -> Result<Self, DatasetError> {
        check_time("bias", time)?;
        for sample in &mut self.samples {
            sample.input_spikes.push(vec![time]);
        }
        self.num_inputs += 1;
        Ok(self)
    }
}

impl<T: Clone + Send + Sync> Dataset<T> for SpikeDataset<T> {
    fn len(&self) -> usize {
        self.samples.len()
    }

    fn num_inputs(&self) -> usize {
        self.num_inputs
    }

    fn num_classes(&self) -> usize {
        self.num_classes
    }

    fn get(&self, index: usize) -> Option<Sample<T>> {
        self.samples.get(index).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(label: usize) -> Sample {
        Sample::new(vec![vec![0.0, 1.0]], label)
    }

    #[test]
    fn try_new_rejects_each_broken_invariant() {
        assert!(matches!(
            SpikeDataset::try_new(vec![], 1, 1),
            Err(DatasetError::Empty)
        ));
        assert!(matches!(
            SpikeDataset::try_new(vec![Sample::new(vec![], 0)], 0, 1),
            Err(DatasetError::NoInputs)
        ));
        assert!(matches!(
            SpikeDataset::try_new(vec![one(0), one(3)], 1, 3),
            Err(DatasetError::LabelOutOfRange {
                sample: 1,
                label: 3,
                num_classes: 3
            })
        ));
        assert!(matches!(
            SpikeDataset::try_new(vec![one(0)], 2, 1),
            Err(DatasetError::ChannelCountMismatch {
                sample: 0,
                expected: 2,
                found: 1
            })
        ));
        let bad = Sample::new(vec![vec![f64::NAN]], 0);
        assert!(matches!(
            SpikeDataset::try_new(vec![one(0), bad], 1, 1),
            Err(DatasetError::InvalidSpikeTrain {
                sample: 1,
                channel: 0,
                ..
            })
        ));
    }

    #[test]
    fn pointers_forward_to_the_dataset() {
        let data = SpikeDataset::try_new(vec![one(0), one(1)], 1, 2).unwrap();
        let arc: Arc<dyn Dataset> = Arc::new(data.clone());
        let boxed: Box<dyn Dataset> = Box::new(data.clone());
        for d in [&arc as &dyn Dataset, &boxed, &&data] {
            assert_eq!(d.len(), 2);
            assert_eq!(d.num_inputs(), 1);
            assert_eq!(d.num_classes(), 2);
            assert_eq!(d.sample(1).label, 1);
            assert!(d.get(2).is_none());
            assert!(!d.is_empty());
        }
        assert_eq!(class_counts(&arc), vec![1, 1]);
    }

    #[test]
    #[should_panic(expected = "sample index 5 out of range")]
    fn sample_panics_past_the_end() {
        let data = SpikeDataset::try_new(vec![one(0)], 1, 1).unwrap();
        let _ = data.sample(5);
    }
}
