//! Labelled tables of real features (before spike encoding).

use crate::{DatasetError, Sample, SpikeDataset, SpikeEncoder, Split, stratified_split};

/// A labelled table of finite real features, stored row-major.
///
/// Invariants (checked by [`FeatureTable::try_new`]): at least one row and one feature,
/// every value finite, every label below `num_classes`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureTable {
    values: Vec<f64>,
    num_features: usize,
    labels: Vec<usize>,
    num_classes: usize,
}

impl FeatureTable {
    /// Checked constructor from rows and labels.
    ///
    /// # Errors
    /// [`DatasetError::Empty`] without rows, [`DatasetError::NoInputs`] if the rows have no
    /// feature, [`DatasetError::FeatureCountMismatch`] if a row's length differs from the
    /// first row's, [`DatasetError::LengthMismatch`] if `labels.len()` differs from the row
    /// count, [`DatasetError::NonFiniteFeature`] and [`DatasetError::LabelOutOfRange`].
    pub fn try_new<R: AsRef<[f64]>>(
        rows: &[R],
        labels: Vec<usize>,
        num_classes: usize,
    ) -> Result<Self, DatasetError> {
        let num_features = rows.first().ok_or(DatasetError::Empty)?.as_ref().len();
        if num_features == 0 {
            return Err(DatasetError::NoInputs);
        }
        if labels.len() != rows.len() {
            return Err(DatasetError::LengthMismatch {
                what: "labels",
                expected: rows.len(),
                found: labels.len(),
            });
        }
        let mut values = Vec::with_capacity(rows.len() * num_features);
        for (sample, row) in rows.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != num_features {
                return Err(DatasetError::FeatureCountMismatch {
                    sample: Some(sample),
                    expected: num_features,
                    found: row.len(),
                });
            }
            if let Some((feature, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(DatasetError::NonFiniteFeature {
                    sample: Some(sample),
                    feature,
                    value,
                });
            }
            values.extend_from_slice(row);
        }
        if let Some((sample, &label)) = labels.iter().enumerate().find(|(_, l)| **l >= num_classes)
        {
            return Err(DatasetError::LabelOutOfRange {
                sample,
                label,
                num_classes,
            });
        }
        Ok(Self {
            values,
            num_features,
            labels,
            num_classes,
        })
    }

    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always `false`: a table has at least one row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of features per row.
    #[must_use]
    pub fn num_features(&self) -> usize {
        self.num_features
    }

    /// Number of classes.
    #[must_use]
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// The features of row `index`.
    ///
    /// # Panics
    /// If `index >= len()`.
    #[must_use]
    #[track_caller]
    pub fn row(&self, index: usize) -> &[f64] {
        assert!(
            index < self.len(),
            "row {index} out of range for a table of {} rows",
            self.len()
        );
        &self.values[index * self.num_features..(index + 1) * self.num_features]
    }

    /// All rows, in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[f64]> + '_ {
        self.values.chunks_exact(self.num_features)
    }

    /// The labels, in row order.
    #[must_use]
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Number of rows of each class.
    #[must_use]
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes];
        for &label in &self.labels {
            counts[label] += 1;
        }
        counts
    }

    /// The rows at `indices`, in that order.
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
        let mut values = Vec::with_capacity(indices.len() * self.num_features);
        for &index in indices {
            values.extend_from_slice(self.row(index));
        }
        Ok(Self {
            values,
            num_features: self.num_features,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            num_classes: self.num_classes,
        })
    }

    /// Seeded stratified train/test split by the rule of [`stratified_split`].
    ///
    /// # Errors
    /// As [`stratified_split`], and [`DatasetError::Empty`] if either part would be empty.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<Split<Self>, DatasetError> {
        stratified_split(&self.labels, self.num_classes, test_fraction, seed)?
            .try_map(|indices| self.select(&indices))
    }

    /// Encodes every row with `encoder`.
    ///
    /// # Errors
    /// The encoder's errors, with the row index filled in, and those of
    /// [`SpikeDataset::try_new`] if the encoder breaks its own contract.
    pub fn encode(&self, encoder: &dyn SpikeEncoder) -> Result<SpikeDataset, DatasetError> {
        let samples = self
            .rows()
            .zip(&self.labels)
            .enumerate()
            .map(|(index, (row, &label))| {
                let trains = encoder.encode(row).map_err(|e| e.in_sample(index))?;
                Ok(Sample::new(trains, label))
            })
            .collect::<Result<Vec<_>, DatasetError>>()?;
        SpikeDataset::try_new(
            samples,
            encoder.num_channels(self.num_features),
            self.num_classes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dataset, LatencyEncoder};

    #[test]
    fn try_new_validates_rows_and_labels() {
        assert!(matches!(
            FeatureTable::try_new::<[f64; 1]>(&[], vec![], 1),
            Err(DatasetError::Empty)
        ));
        assert!(matches!(
            FeatureTable::try_new(&[vec![0.0], vec![0.0, 1.0]], vec![0, 0], 1),
            Err(DatasetError::FeatureCountMismatch {
                sample: Some(1),
                ..
            })
        ));
        assert!(matches!(
            FeatureTable::try_new(&[[0.0], [f64::NAN]], vec![0, 0], 1),
            Err(DatasetError::NonFiniteFeature {
                sample: Some(1),
                feature: 0,
                ..
            })
        ));
        assert!(matches!(
            FeatureTable::try_new(&[[0.0]], vec![1], 1),
            Err(DatasetError::LabelOutOfRange { sample: 0, .. })
        ));
    }

    #[test]
    fn encode_attaches_the_row_index_to_errors() {
        let table = FeatureTable::try_new(&[[0.5], [2.0]], vec![0, 1], 2).unwrap();
        let encoder = LatencyEncoder::try_new(0.0, 1.0).unwrap();
        assert!(matches!(
            table.encode(&encoder),
            Err(DatasetError::FeatureOutOfRange {
                sample: Some(1),
                feature: 0,
                ..
            })
        ));
        let ok = FeatureTable::try_new(&[[0.5], [1.0]], vec![0, 1], 2).unwrap();
        let data = ok.encode(&encoder).unwrap();
        assert_eq!(data.sample(1), Sample::new(vec![vec![1.0]], 1));
    }
}
