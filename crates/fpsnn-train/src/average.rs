//! Weight averaging over epochs (stochastic weight averaging, Izmailov et al., 2018, with
//! the optimiser's own learning rate): the uniform mean
//!
//! ```text
//! W_avg = (1 / (E - s + 1)) sum_{e = s}^{E} W_e
//! ```
//!
//! of the weights `W_e` at the end of epochs `s, s + 1, ..., E`. Late in training the
//! weights wander around a minimum with the minibatch noise; their mean sits nearer its
//! centre than any one of them. The sum is accumulated in epoch order, so the mean is as
//! reproducible as the weights themselves.

use serde::{Deserialize, Serialize};

use crate::TrainError;

/// The running sum of the end-of-epoch weights from epoch `from` on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightAverage {
    from: u64,
    sum: Vec<f64>,
    count: u64,
}

impl WeightAverage {
    /// An empty average of `num_weights` weights that takes the weights at the end of
    /// epoch `from` (counted from 1) and every later one.
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] for `from = 0` (epoch 0 is the initialisation, which
    /// is not a training result).
    pub fn try_new(from: usize, num_weights: usize) -> Result<Self, TrainError> {
        if from == 0 {
            return Err(TrainError::InvalidConfig {
                name: "average from epoch",
                value: 0.0,
                requirement: ">= 1",
            });
        }
        Ok(Self {
            from: from as u64,
            sum: vec![0.0; num_weights],
            count: 0,
        })
    }

    /// The first epoch whose weights enter the mean.
    #[must_use]
    pub fn from_epoch(&self) -> usize {
        usize::try_from(self.from).unwrap_or(usize::MAX)
    }

    /// How many epochs' weights the mean holds.
    #[must_use]
    pub fn count(&self) -> usize {
        usize::try_from(self.count).unwrap_or(usize::MAX)
    }

    /// The number of weights averaged.
    #[must_use]
    pub fn num_weights(&self) -> usize {
        self.sum.len()
    }

    /// Adds the weights at the end of `epoch` if `epoch >= from`; returns whether they
    /// were added.
    ///
    /// # Errors
    /// [`TrainError::ParamCount`] if `weights` has the wrong length (nothing is added).
    pub fn record(&mut self, epoch: usize, weights: &[f64]) -> Result<bool, TrainError> {
        if weights.len() != self.sum.len() {
            return Err(TrainError::ParamCount {
                expected: self.sum.len(),
                got: weights.len(),
            });
        }
        if (epoch as u64) < self.from {
            return Ok(false);
        }
        for (s, w) in self.sum.iter_mut().zip(weights) {
            *s += w;
        }
        self.count += 1;
        Ok(true)
    }

    /// The mean weights, or `None` before the first recorded epoch.
    #[must_use]
    pub fn mean(&self) -> Option<Vec<f64>> {
        (self.count > 0).then(|| {
            let n = self.count as f64;
            self.sum.iter().map(|s| s / n).collect()
        })
    }

    /// Whether a deserialised average is consistent: `from >= 1`, the right length, and a
    /// finite sum.
    pub(crate) fn is_consistent(&self, num_weights: usize) -> bool {
        self.from >= 1
            && self.sum.len() == num_weights
            && self.sum.iter().all(|s| s.is_finite())
            && (self.count > 0 || self.sum.iter().all(|&s| s == 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_of_the_recorded_epochs_only() {
        let mut avg = WeightAverage::try_new(2, 2).unwrap();
        assert_eq!(avg.mean(), None);
        assert!(!avg.record(1, &[100.0, -100.0]).unwrap());
        assert_eq!(avg.mean(), None);
        assert!(avg.record(2, &[1.0, 2.0]).unwrap());
        assert!(avg.record(3, &[3.0, -4.0]).unwrap());
        assert_eq!(avg.count(), 2);
        assert_eq!(avg.mean(), Some(vec![2.0, -1.0]));
        assert_eq!(avg.from_epoch(), 2);
        assert_eq!(avg.num_weights(), 2);
    }

    #[test]
    fn wrong_length_and_epoch_zero_are_errors() {
        assert!(matches!(
            WeightAverage::try_new(0, 3),
            Err(TrainError::InvalidConfig { .. })
        ));
        let mut avg = WeightAverage::try_new(1, 3).unwrap();
        assert_eq!(
            avg.record(1, &[1.0, 2.0]),
            Err(TrainError::ParamCount {
                expected: 3,
                got: 2
            })
        );
        assert_eq!(avg.count(), 0);
        assert!(avg.is_consistent(3));
        assert!(!avg.is_consistent(2));
    }
}
