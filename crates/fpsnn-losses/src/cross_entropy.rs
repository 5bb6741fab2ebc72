//! First-spike cross-entropy with the earliness regulariser (paper eq. 6).

use crate::{Loss, LossError, LossOutput, check_positive, validate_spikes};

/// Hyper-parameters of [`FirstSpikeCrossEntropy`]; [`FirstSpikeCrossEntropyConfig::build`]
/// validates them.
///
/// The paper's set-ups (DESIGN section 4): XOR $\tau_0 = 0.1$, $\tau_1 = 1$, $\gamma = 0.2$;
/// Iris $\tau_0 = 1$, $\tau_1 = 1$, $\gamma = 0.1$; Yin-Yang $\tau_0 = 0.2$, $\tau_1 = 1$,
/// $\gamma = 0.005$.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FirstSpikeCrossEntropyConfig {
    /// Softmax temperature $\tau_0 \gt 0$: the logits are $-f_c / \tau_0$.
    pub tau0: f64,
    /// Time scale $\tau_1 \gt 0$ of the regulariser $\gamma (e^{f_y / \tau_1} - 1)$.
    pub tau1: f64,
    /// Regulariser weight $\gamma$ (finite, any sign). $\gamma \gt 0$ rewards an earlier
    /// true-label spike (DESIGN section 3); $\gamma \lt 0$ reproduces the paper's code, which
    /// subtracts the term; $\gamma = 0$ is plain cross-entropy.
    pub gamma: f64,
    /// Time at which a silent output is taken to fire (> 0, finite).
    pub t_max: f64,
}

impl FirstSpikeCrossEntropyConfig {
    /// Validates the hyper-parameters and builds the loss.
    ///
    /// # Errors
    /// [`LossError::InvalidParameter`] if `tau0`, `tau1` or `t_max` is not finite and
    /// strictly positive, or `gamma` is not finite.
    pub fn build(&self) -> Result<FirstSpikeCrossEntropy, LossError> {
        check_positive("tau0", self.tau0)?;
        check_positive("tau1", self.tau1)?;
        check_positive("t_max", self.t_max)?;
        if !self.gamma.is_finite() {
            return Err(LossError::InvalidParameter {
                name: "gamma",
                value: self.gamma,
                requirement: "must be finite",
            });
        }
        Ok(FirstSpikeCrossEntropy { config: *self })
    }
}

/// First-spike cross-entropy with regulariser, per sample (the bracket of paper eq. 6).
///
/// With $f_c$ the first spike of output $c$ (`t_max` if $c$ never fires), label $y$,
/// $z_c = -f_c / \tau_0$ and $p = \operatorname{softmax}(z)$:
///
/// $$
/// \begin{aligned}
/// L &= -\log p_y + \gamma \bigl(e^{f_y / \tau_1} - 1\bigr), \cr
/// \frac{\partial L}{\partial f_c} &= \frac{\delta_{cy} - p_c}{\tau_0} +
///     \delta_{cy} \frac{\gamma}{\tau_1} e^{f_y / \tau_1} & &(c \text{ fired}), \cr
/// \frac{\partial L}{\partial f_c} &= 0 & &(c \text{ silent}),
/// \end{aligned}
/// $$
///
/// with $\delta_{cy}$ = 1 for $c = y$, else 0.
///
/// - Only the first spike of a neuron enters; later spikes get a zero gradient, so
///   [`Loss::first_spike_only`] is `true`.
/// - A silent output counts as firing at `t_max` in the value (in the softmax, and in the
///   regulariser if it is the true class) and passes no gradient; it is counted in
///   [`LossOutput::silent`]. A spike later than `t_max` is used as it is, not clipped.
/// - The log-softmax subtracts the largest logit first, so it is stable for any spike
///   times; the regulariser uses `exp_m1`. A regulariser that overflows
///   ($f_y / \tau_1 \gt 709$ or so) is reported as [`LossError::NonFinite`].
/// - The batch loss of eq. (6) is the mean of this value over the batch (the $1/N$ factor
///   is the trainer's job).
///
/// Target: the class label, an output-neuron index.
///
/// # Examples
/// ```
/// use fpsnn_losses::{FirstSpikeCrossEntropy, Loss};
/// let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, 5.0)?;
/// // Equal first spikes: p = (1/2, 1/2), L = ln 2.
/// let out = loss.evaluate(&[vec![1.0], vec![1.0, 2.0]], &1)?;
/// assert!((out.value - 2f64.ln()).abs() < 1e-15);
/// assert!((out.d_spikes[1][0] - 0.5).abs() < 1e-15);
/// # Ok::<(), fpsnn_losses::LossError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FirstSpikeCrossEntropy {
    config: FirstSpikeCrossEntropyConfig,
}

impl FirstSpikeCrossEntropy {
    /// Checked constructor; see [`FirstSpikeCrossEntropyConfig`] for the meaning of the
    /// arguments.
    ///
    /// # Errors
    /// As [`FirstSpikeCrossEntropyConfig::build`].
    pub fn try_new(tau0: f64, tau1: f64, gamma: f64, t_max: f64) -> Result<Self, LossError> {
        FirstSpikeCrossEntropyConfig {
            tau0,
            tau1,
            gamma,
            t_max,
        }
        .build()
    }

    /// The validated hyper-parameters.
    #[must_use]
    pub fn config(&self) -> &FirstSpikeCrossEntropyConfig {
        &self.config
    }
}

impl Loss for FirstSpikeCrossEntropy {
    type Target = usize;

    fn evaluate(&self, spikes: &[Vec<f64>], label: &usize) -> Result<LossOutput, LossError> {
        let label = *label;
        let num_classes = spikes.len();
        if label >= num_classes {
            return Err(LossError::LabelOutOfRange { label, num_classes });
        }
        validate_spikes(spikes)?;
        let FirstSpikeCrossEntropyConfig {
            tau0,
            tau1,
            gamma,
            t_max,
        } = self.config;

        let first: Vec<Option<f64>> = spikes.iter().map(|train| train.first().copied()).collect();
        let logits: Vec<f64> = first.iter().map(|f| -f.unwrap_or(t_max) / tau0).collect();
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // log-sum-exp with the maximum factored out: every exponent is <= 0.
        let sum: f64 = logits.iter().map(|z| (z - max).exp()).sum();
        let log_norm = max + sum.ln();

        let f_label = first[label].unwrap_or(t_max);
        let mut out = LossOutput::zeros_like(spikes, 0);
        // Skip the regulariser when gamma = 0, so that a huge f_y cannot give 0 * inf.
        let regularised = gamma != 0.0;
        out.value = log_norm - logits[label];
        if regularised {
            out.value += gamma * (f_label / tau1).exp_m1();
        }
        for (class, f) in first.iter().enumerate() {
            if f.is_none() {
                out.silent += 1;
                continue;
            }
            let p = (logits[class] - log_norm).exp();
            let mut grad = -p / tau0;
            if class == label {
                grad += 1.0 / tau0;
                if regularised {
                    grad += gamma / tau1 * (f_label / tau1).exp();
                }
            }
            out.d_spikes[class][0] = grad;
        }
        out.into_finite()
    }

    fn first_spike_only(&self) -> bool {
        true
    }

    fn silent_time(&self) -> Option<f64> {
        Some(self.config.t_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_hyper_parameters() {
        assert!(FirstSpikeCrossEntropy::try_new(0.0, 1.0, 0.0, 1.0).is_err());
        assert!(FirstSpikeCrossEntropy::try_new(1.0, -1.0, 0.0, 1.0).is_err());
        assert!(FirstSpikeCrossEntropy::try_new(1.0, 1.0, f64::NAN, 1.0).is_err());
        assert!(FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, f64::INFINITY).is_err());
        assert!(FirstSpikeCrossEntropy::try_new(1.0, 1.0, -0.3, 1.0).is_ok());
    }

    #[test]
    fn stable_for_huge_spike_time_gaps() {
        // exp(-1e4) underflows; the max-shifted log-softmax still gives L ~ 0 and the
        // loser's softmax weight 0.
        let loss = FirstSpikeCrossEntropy::try_new(1e-2, 1.0, 0.0, 1e3).unwrap();
        let out = loss.evaluate(&[vec![0.0], vec![100.0]], &0).unwrap();
        assert!(out.value.abs() < 1e-300);
        let out = loss.evaluate(&[vec![0.0], vec![100.0]], &1).unwrap();
        assert!((out.value - 1e4).abs() < 1e-9);
    }

    #[test]
    fn conformance() {
        let loss = FirstSpikeCrossEntropy::try_new(0.5, 2.0, 0.2, 4.0).unwrap();
        crate::testing::check_loss(&loss, &[vec![0.3, 1.0], vec![], vec![0.9]], &0);
        crate::testing::check_loss(&loss, &[vec![0.3, 1.0], vec![1.2], vec![0.9]], &2);
    }
}
