//! Mean-squared error between spike times and target times.

use crate::{Loss, LossError, LossOutput, check_positive, validate_spikes};

/// Squared error between the first spikes of each neuron and its target times.
///
/// Target: one list of target times per neuron (`target[i]` for neuron $i$; the outer
/// lengths must agree). Neuron $i$ with $K_i$ = `target[i].len()` targets is compared on
/// its first $K_i$ spikes, the $k$-th spike $f_{i,k}$ with the $k$-th target
/// $\hat{f}_{i,k}$:
///
/// $$
/// L = \frac{1}{2} \sum_i \sum_{k \lt K_i} \bigl(f_{i,k} - \hat{f}_{i,k}\bigr)^2, \qquad
///     \frac{\partial L}{\partial f_{i,k}} = f_{i,k} - \hat{f}_{i,k}
///     \quad (k \lt K_i \text{ and the spike exists}).
/// $$
///
/// - The factor $\frac{1}{2}$ makes the gradient the plain residual. The value is a sum,
///   not a mean, over neurons and targets (the trainer averages over the batch).
/// - A missing spike (neuron $i$ fired fewer than $K_i$ times) is counted at `t_max`:
///   it adds $\frac{1}{2} (t_{\max} - \hat{f}_{i,k})^2$ to the value, passes no gradient (there is no
///   spike time to move) and adds 1 to [`LossOutput::silent`], which therefore counts
///   missing spikes, not neurons.
/// - Spikes after the $K_i$-th are ignored (zero gradient). A neuron with no target
///   contributes nothing.
/// - Target times need only be finite; pairing is by position, so give them sorted.
/// - [`Loss::first_spike_only`] is `false`: whether only first spikes matter depends on
///   the targets, which the loss does not know in advance.
///
/// # Examples
/// ```
/// use fpsnn_losses::{Loss, SpikeTimeMse};
/// let loss = SpikeTimeMse::try_new(10.0)?;
/// let spikes = vec![vec![1.0, 2.5], vec![]];
/// let target = vec![vec![1.5], vec![4.0]];
/// let out = loss.evaluate(&spikes, &target)?;
/// // 1/2 (1 - 1.5)^2 + 1/2 (10 - 4)^2, the second term from the missing spike at t_max.
/// assert!((out.value - (0.125 + 18.0)).abs() < 1e-12);
/// assert_eq!(out.d_spikes, vec![vec![-0.5, 0.0], vec![]]);
/// assert_eq!(out.silent, 1);
/// # Ok::<(), fpsnn_losses::LossError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpikeTimeMse {
    t_max: f64,
}

impl SpikeTimeMse {
    /// A loss whose missing spikes count as firing at `t_max`.
    ///
    /// # Errors
    /// [`LossError::InvalidParameter`] if `t_max` is not finite and strictly positive.
    pub fn try_new(t_max: f64) -> Result<Self, LossError> {
        check_positive("t_max", t_max)?;
        Ok(Self { t_max })
    }

    /// Time at which a missing spike is counted.
    #[must_use]
    pub fn t_max(&self) -> f64 {
        self.t_max
    }
}

impl Loss for SpikeTimeMse {
    type Target = [Vec<f64>];

    fn evaluate(&self, spikes: &[Vec<f64>], target: &[Vec<f64>]) -> Result<LossOutput, LossError> {
        if target.len() != spikes.len() {
            return Err(LossError::ShapeMismatch {
                what: "target trains (one per neuron)",
                expected: spikes.len(),
                found: target.len(),
            });
        }
        validate_spikes(spikes)?;
        for (neuron, times) in target.iter().enumerate() {
            if let Some((index, &time)) = times.iter().enumerate().find(|(_, t)| !t.is_finite()) {
                return Err(LossError::InvalidTargetTime {
                    neuron,
                    index,
                    time,
                });
            }
        }
        let mut out = LossOutput::zeros_like(spikes, 0);
        for (neuron, (train, times)) in spikes.iter().zip(target).enumerate() {
            for (k, &want) in times.iter().enumerate() {
                match train.get(k) {
                    Some(&f) => {
                        let residual = f - want;
                        out.value += 0.5 * residual * residual;
                        out.d_spikes[neuron][k] = residual;
                    }
                    None => {
                        let residual = self.t_max - want;
                        out.value += 0.5 * residual * residual;
                        out.silent += 1;
                    }
                }
            }
        }
        out.into_finite()
    }

    fn silent_time(&self) -> Option<f64> {
        Some(self.t_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_t_max() {
        assert!(SpikeTimeMse::try_new(0.0).is_err());
        assert!(SpikeTimeMse::try_new(f64::NAN).is_err());
    }

    #[test]
    fn conformance() {
        let loss = SpikeTimeMse::try_new(5.0).unwrap();
        let spikes = [vec![0.5, 1.0, 3.0], vec![2.0], vec![]];
        let target = [vec![0.7, 1.2], vec![1.0, 2.0], vec![3.0]];
        crate::testing::check_loss(&loss, &spikes, &target[..]);
    }
}
