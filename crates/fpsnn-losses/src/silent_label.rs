//! The silent-label term: a wrapper that gives a silent label output a gradient.

use crate::{
    Loss, LossError, LossOutput, PotentialGradient, PotentialRead, Potentials, validate_spikes,
};

/// A classification loss plus the silent-label term: when the label's output neuron never
/// fires, the sample's loss gains
///
/// $$
/// \lambda \bigl(\vartheta - V_{\max}\bigr), \qquad
///     \frac{\partial}{\partial V_{\max}} = -\lambda,
/// $$
///
/// $V_{\max}$ the neuron's highest membrane potential over the simulated window
/// ([`Potentials::peak`]) and $\vartheta$ its threshold. Without it a silent label passes
/// no gradient at all (the inner loss counts it at `t_max`), and training can drift into
/// silence. The term's gradient is exact: at the maximum $V^{\prime} = 0$, so
/// $\partial V_{\max} / \partial p = \partial V / \partial p$ at the fixed peak time
/// (envelope theorem), which reaches the output weights and, through the adjoint, every
/// upstream spike; the trainer does that part from [`LossOutput::d_potentials`].
///
/// Weight $\lambda = 0$ is the inner loss, bit for bit (no potential is read). The term is
/// added only when the label neuron has no spike, so it never changes a sample whose label
/// fired. Everything else (spike gradient, first-spike promise, horizon, parameters) is the
/// inner loss's.
///
/// [`Loss::evaluate`] has no potentials to read: it is the inner loss for a sample whose
/// label fired (or $\lambda = 0$), and [`LossError::PotentialsUnavailable`] otherwise; use
/// [`Loss::evaluate_run`].
///
/// # Examples
/// ```
/// use fpsnn_losses::{
///     FirstSpikeCrossEntropy, Loss, PotentialPeak, PotentialRead, Potentials, LossError,
///     SilentLabel,
/// };
/// // A stand-in for a simulation: neuron 1 peaked at 0.25 at t = 1.
/// struct Fixed;
/// impl Potentials for Fixed {
///     fn threshold(&self) -> Result<f64, LossError> { Ok(1.0) }
///     fn peak(&self, _neuron: usize) -> Result<PotentialPeak, LossError> {
///         Ok(PotentialPeak { time: 1.0, value: 0.25, fired: false })
///     }
/// }
/// let inner = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, 4.0)?;
/// let loss = SilentLabel::try_new(inner, 2.0)?;
/// let spikes = [vec![0.5], vec![]];
/// let out = loss.evaluate_run(&spikes, &Fixed, &1)?;
/// let plain = inner.evaluate(&spikes, &1)?;
/// assert_eq!(out.value, plain.value + 2.0 * (1.0 - 0.25));
/// assert_eq!(out.d_potentials[0].read, PotentialRead::Peak);
/// assert_eq!(out.d_potentials[0].derivative, -2.0);
/// // the label fired: the inner loss alone, no potential read
/// assert_eq!(loss.evaluate(&spikes, &0)?, inner.evaluate(&spikes, &0)?);
/// # Ok::<(), LossError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SilentLabel<L> {
    inner: L,
    weight: f64,
}

impl<L> SilentLabel<L> {
    /// `inner` plus the silent-label term with weight `weight` ($\lambda \ge 0$).
    ///
    /// # Errors
    /// [`LossError::InvalidParameter`] unless `weight` is finite and `>= 0`.
    pub fn try_new(inner: L, weight: f64) -> Result<Self, LossError> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(LossError::InvalidParameter {
                name: "silent_label_weight",
                value: weight,
                requirement: "must be finite and >= 0",
            });
        }
        Ok(Self { inner, weight })
    }

    /// The wrapped loss.
    #[must_use]
    pub fn inner(&self) -> &L {
        &self.inner
    }

    /// The wrapped loss, mutably.
    pub fn inner_mut(&mut self) -> &mut L {
        &mut self.inner
    }

    /// The weight $\lambda$ of the term.
    #[must_use]
    pub fn weight(&self) -> f64 {
        self.weight
    }
}

impl<L: Loss<Target = usize>> Loss for SilentLabel<L> {
    type Target = usize;

    fn evaluate(&self, spikes: &[Vec<f64>], label: &usize) -> Result<LossOutput, LossError> {
        self.evaluate_run(spikes, &crate::NoPotentials, label)
    }

    fn evaluate_run(
        &self,
        spikes: &[Vec<f64>],
        potentials: &dyn Potentials,
        label: &usize,
    ) -> Result<LossOutput, LossError> {
        let mut out = self.inner.evaluate_run(spikes, potentials, label)?;
        let silent = spikes.get(*label).is_some_and(Vec::is_empty);
        if silent && self.weight > 0.0 {
            validate_spikes(spikes)?;
            let peak = potentials.peak(*label)?;
            let theta = potentials.threshold()?;
            out.value += self.weight * (theta - peak.value);
            out.d_potentials.push(PotentialGradient {
                neuron: *label,
                read: PotentialRead::Peak,
                derivative: -self.weight,
            });
            return out.into_finite();
        }
        Ok(out)
    }

    fn first_spike_only(&self) -> bool {
        self.inner.first_spike_only()
    }

    fn num_params(&self) -> usize {
        self.inner.num_params()
    }

    fn params(&self) -> &[f64] {
        self.inner.params()
    }

    fn set_params(&mut self, params: &[f64]) -> Result<(), LossError> {
        self.inner.set_params(params)
    }

    fn silent_time(&self) -> Option<f64> {
        self.inner.silent_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FirstSpikeCrossEntropy, NoPotentials, PotentialPeak};

    /// A peak that is a variable, for a finite difference in it.
    struct Peak(f64);

    impl Potentials for Peak {
        fn threshold(&self) -> Result<f64, LossError> {
            Ok(1.0)
        }
        fn peak(&self, _neuron: usize) -> Result<PotentialPeak, LossError> {
            Ok(PotentialPeak {
                time: 0.5,
                value: self.0,
                fired: false,
            })
        }
    }

    fn loss(weight: f64) -> SilentLabel<FirstSpikeCrossEntropy> {
        SilentLabel::try_new(
            FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.1, 3.0).unwrap(),
            weight,
        )
        .unwrap()
    }

    #[test]
    fn peak_derivative_matches_central_difference() {
        let spikes = [vec![1.0], vec![], vec![0.7]];
        let loss = loss(0.7);
        let out = loss.evaluate_run(&spikes, &Peak(0.4), &1).unwrap();
        let [d] = out.d_potentials[..] else {
            panic!("one read: {:?}", out.d_potentials)
        };
        assert_eq!((d.neuron, d.read), (1, PotentialRead::Peak));
        let numeric = crate::testing::central_difference(0.4, |v| {
            loss.evaluate_run(&spikes, &Peak(v), &1).unwrap().value
        });
        assert!(crate::testing::fd_agrees(d.derivative, numeric, out.value));
        crate::testing::check_loss_with(&loss, &spikes, &Peak(0.4), &1);
    }

    #[test]
    fn zero_weight_and_fired_labels_are_the_inner_loss() {
        let spikes = [vec![1.0], vec![], vec![0.7]];
        let inner = *loss(0.0).inner();
        for (weight, label) in [(0.0, 1), (2.0, 0), (2.0, 2)] {
            let out = loss(weight).evaluate(&spikes, &label).unwrap();
            assert_eq!(out, inner.evaluate(&spikes, &label).unwrap());
        }
        assert_eq!(
            loss(2.0).evaluate(&spikes, &1),
            Err(LossError::PotentialsUnavailable)
        );
        assert_eq!(
            loss(2.0).evaluate_run(&spikes, &NoPotentials, &5),
            Err(LossError::LabelOutOfRange {
                label: 5,
                num_classes: 3
            })
        );
    }

    #[test]
    fn rejects_a_negative_or_non_finite_weight() {
        let inner = *loss(0.0).inner();
        for weight in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(SilentLabel::try_new(inner, weight).is_err());
        }
    }
}
