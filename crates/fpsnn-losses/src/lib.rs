//! Loss functions over spike times for fpsnn, with hand-written gradients.
//!
//! A [`Loss`] reads the spike trains of one population (the output layer, or the inputs of
//! a non-spiking readout) for **one sample** and returns a [`LossOutput`]: the value, the
//! gradient with respect to every spike time ($\partial L / \partial f$, which the
//! causal-graph crate pushes back through the network with the implicit function theorem)
//! and the gradient with respect to the loss's own parameters (readout weights), if it has
//! any. The trainer
//! averages over a batch; nothing here divides by the batch size.
//!
//! # The seam: what a loss sees of a run
//!
//! A trainer calls [`Loss::evaluate_run`] with the spike trains of the population the loss
//! reads, a [`Potentials`] view of the same simulated run and the sample's target. The
//! loss may read membrane potentials through it (the threshold, a neuron's peak
//! $V_{\max}$); the view is lazy, so a loss that reads none costs nothing, and such a
//! loss implements only [`Loss::evaluate`] (the default `evaluate_run` calls it). The loss
//! returns, in one [`LossOutput`]:
//!
//! | field | derivative | what the trainer does with it |
//! |---|---|---|
//! | [`LossOutput::d_spikes`] | $\partial L / \partial f$ per spike time | pushes it through the network (implicit function theorem, `fpsnn-causal`) |
//! | [`LossOutput::d_potentials`] | $\partial L / \partial(\text{read})$ per potential read | turns it into $\partial L / \partial W$ of the neuron's input weights and $\partial L / \partial g$ of the spikes that reach it, then as above |
//! | [`LossOutput::d_params`] | $\partial L / \partial \phi$ per own parameter | updates $\phi$ ([`Loss::params`], [`Loss::set_params`]) with the weights, one optimiser over both |
//!
//! The target type is the loss's ([`Loss::Target`]): a class label, target times, voltage
//! samples; the trainer's datasets hold its owned form.
//!
//! Every gradient is written by hand and checked against central finite differences in
//! this crate's tests; the conformance suite `testing::check_loss` (feature `testing`)
//! runs the same checks on any implementation.
//!
//! # Losses
//!
//! | loss | target | reads | own parameters |
//! |---|---|---|---|
//! | [`FirstSpikeCrossEntropy`] | class label `usize` | first spike of each output | none |
//! | [`SpikeTimeMse`] | target times per neuron `[Vec<f64>]` | first `k` spikes of each neuron | none |
//! | [`ReadoutSampledMse`] | voltage samples `[VoltageTarget]` | all input spikes | readout weights |
//! | [`ReadoutIntegralLoss`] | constant voltage per output `[f64]` | all input spikes | readout weights |
//! | [`SilentLabel`] over a classification loss | class label `usize` | the inner loss's, and the peak potential of a silent label neuron | the inner loss's |
//!
//! ## First-spike cross-entropy (paper eq. 6)
//!
//! With $f_c$ the first spike of output $c$ (`t_max` if $c$ never fires), label $y$ and
//! $p = \operatorname{softmax}(-f / \tau_0)$, the per-sample value is the bracket of eq. (6):
//!
//! $$
//! \begin{aligned}
//! L &= -\log p_y + \gamma \bigl(e^{f_y / \tau_1} - 1\bigr), \cr
//! \frac{\partial L}{\partial f_c} &= \frac{\delta_{cy} - p_c}{\tau_0} +
//!     \delta_{cy} \frac{\gamma}{\tau_1} e^{f_y / \tau_1}
//! \end{aligned}
//! $$
//!
//! ($\delta_{cy}$ is 1 for $c = y$, else 0) for outputs that fired; silent outputs pass no
//! gradient. With $\gamma \gt 0$ the regulariser rewards an earlier true-label spike (DESIGN
//! section 3; the paper's code subtracts it instead, which is $\gamma \lt 0$ here).
//!
//! ## Spike-time MSE
//!
//! $$
//! L = \frac{1}{2} \sum_i \sum_{k \lt K_i} \bigl(f_{i,k} - \hat{f}_{i,k}\bigr)^2, \qquad
//!     \frac{\partial L}{\partial f_{i,k}} = f_{i,k} - \hat{f}_{i,k},
//! $$
//!
//! where $\hat{f}_{i,k}$ are the target times and $K_i$ their number for neuron $i$; a
//! missing spike counts as `t_max` and passes no gradient.
//!
//! ## Linear readout
//!
//! A [`LinearReadout`] is a non-spiking layer whose potentials are the input part of the
//! membrane potential of [the neuron model](fpsnn_kernels#model), without threshold or
//! reset, with the PSP kernel $h$ (`kernel.psp`, zero for $s \le 0$):
//!
//! $$
//! V_o(t) = \sum_j W_{jo} \sum_{g \in F_j} h(t - g), \qquad
//!     \frac{\partial V_o}{\partial g} = -W_{jo} h^{\prime}(t - g) \quad (g \in F_j), \qquad
//!     \frac{\partial V_o}{\partial W_{jo}} = \sum_{g \in F_j} h(t - g).
//! $$
//!
//! [`ReadoutSampledMse`] is $\frac{1}{2} \sum_s (V_{o_s}(t_s) - v_s)^2$ over the samples
//! $s$; [`ReadoutIntegralLoss`] is
//! $\sum_o \int_0^T \frac{1}{2} (V_o(t) - c_o)^2 \ dt$ by piecewise quadrature (see
//! [`Quadrature`]).
//!
//! # Example
//!
//! ```
//! use fpsnn_losses::{FirstSpikeCrossEntropy, Loss, predict_first_spike};
//!
//! // tau0 = 1, tau1 = 1, gamma = 0.1, silent outputs count as t_max = 10.
//! let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.1, 10.0)?;
//! // Three output neurons; neuron 2 never fired.
//! let spikes = vec![vec![1.0, 3.0], vec![2.0], vec![]];
//! let out = loss.evaluate(&spikes, &0)?;
//! assert!(out.value > 0.0);
//! assert_eq!(out.silent, 1);
//! // A later true-class spike raises the loss, a later wrong-class spike lowers it.
//! assert!(out.d_spikes[0][0] > 0.0);
//! assert!(out.d_spikes[1][0] < 0.0);
//! // ...only first spikes and firing neurons get a gradient.
//! assert_eq!(out.d_spikes[0][1], 0.0);
//! assert!(out.d_spikes[2].is_empty());
//! assert_eq!(predict_first_spike(&spikes), Some(0));
//! # Ok::<(), fpsnn_losses::LossError>(())
//! ```

use std::sync::Arc;

mod cross_entropy;
mod mse;
mod potentials;
mod quadrature;
mod readout;
mod silent_label;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use cross_entropy::{FirstSpikeCrossEntropy, FirstSpikeCrossEntropyConfig};
pub use mse::SpikeTimeMse;
pub use potentials::{NoPotentials, PotentialGradient, PotentialPeak, PotentialRead, Potentials};
pub use quadrature::Quadrature;
pub use readout::{LinearReadout, ReadoutIntegralLoss, ReadoutSampledMse, VoltageTarget};
pub use silent_label::SilentLabel;

/// Errors of the loss crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LossError {
    /// A loss hyper-parameter is out of its domain.
    #[error("loss parameter `{name}` is invalid: {value} ({requirement})")]
    InvalidParameter {
        /// Name of the parameter (`tau0`, `t_max`, ...).
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What the parameter must satisfy.
        requirement: &'static str,
    },
    /// A quadrature rule has an unusable number of nodes or intervals.
    #[error("quadrature `{rule}` cannot use {nodes} nodes: {requirement}")]
    InvalidQuadrature {
        /// The rule (`gauss-legendre` or `simpson`).
        rule: &'static str,
        /// The requested count.
        nodes: usize,
        /// What the count must satisfy.
        requirement: &'static str,
    },
    /// A class label is not the index of an output neuron.
    #[error("label {label} is out of range for {num_classes} output neurons")]
    LabelOutOfRange {
        /// The label.
        label: usize,
        /// Number of output neurons (classes).
        num_classes: usize,
    },
    /// Two sizes that must agree do not.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    ShapeMismatch {
        /// Which size (`spike trains`, `targets`, `readout weights`, ...).
        what: &'static str,
        /// The size the loss expects.
        expected: usize,
        /// The size it was given.
        found: usize,
    },
    /// A spike time is NaN or infinite.
    #[error("spike {index} of neuron {neuron} has non-finite time {time}")]
    InvalidSpikeTime {
        /// Neuron (spike train) index.
        neuron: usize,
        /// Position of the spike in its train.
        index: usize,
        /// The offending time.
        time: f64,
    },
    /// A spike train is not sorted in non-decreasing order.
    #[error(
        "spike {index} of neuron {neuron} at {time} comes before the previous spike at {previous}: spike trains must be sorted"
    )]
    UnsortedSpikes {
        /// Neuron (spike train) index.
        neuron: usize,
        /// Position of the first out-of-order spike.
        index: usize,
        /// Its time.
        time: f64,
        /// The time of the spike before it.
        previous: f64,
    },
    /// A target spike time is NaN or infinite.
    #[error("target {index} of neuron {neuron} has non-finite time {time}")]
    InvalidTargetTime {
        /// Neuron index.
        neuron: usize,
        /// Position of the target in the neuron's target list.
        index: usize,
        /// The offending time.
        time: f64,
    },
    /// A voltage sample has a non-finite time or value.
    #[error("voltage target {sample} is not finite: time {time}, value {value}")]
    InvalidVoltageTarget {
        /// Index of the sample.
        sample: usize,
        /// Its time.
        time: f64,
        /// Its target value.
        value: f64,
    },
    /// A voltage sample names an output the readout does not have.
    #[error("voltage target {sample} names output {output}, but the readout has {num_outputs}")]
    OutputOutOfRange {
        /// Index of the sample.
        sample: usize,
        /// The output it names.
        output: usize,
        /// Number of readout outputs.
        num_outputs: usize,
    },
    /// A per-output target value is NaN or infinite.
    #[error("target value {value} of output {output} is not finite")]
    InvalidOutputTarget {
        /// Output index.
        output: usize,
        /// The offending value.
        value: f64,
    },
    /// The loss read a membrane potential, but nothing simulated stands behind the reads
    /// ([`Loss::evaluate`] without potentials; use [`Loss::evaluate_run`]).
    #[error(
        "the loss reads membrane potentials, which a plain `evaluate` does not have: use `evaluate_run` with the simulation's potentials"
    )]
    PotentialsUnavailable,
    /// A potential read names a neuron the population does not have.
    #[error("neuron {neuron} is out of range for a population of {len}")]
    NeuronOutOfRange {
        /// The neuron.
        neuron: usize,
        /// Number of neurons.
        len: usize,
    },
    /// Parameters cannot be set through a shared reference to a loss (`&L`, `Arc<L>`).
    #[error(
        "the loss is shared (`&L` or `Arc<L>`): its {num_params} parameters cannot be set; give the loss by value or boxed"
    )]
    SharedParameters {
        /// Number of the loss's parameters.
        num_params: usize,
    },
    /// The loss or one of its gradients overflowed (or a readout weight is not finite).
    #[error("the loss produced a non-finite {what}")]
    NonFinite {
        /// Which quantity: `value`, `spike gradient` or `parameter gradient`.
        what: &'static str,
    },
}

/// Per-sample loss value and its gradients.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LossOutput {
    /// The loss of this one sample.
    pub value: f64,
    /// `dL/d(spike time)`, same shape as the `spikes` argument: `[neuron][spike index]`.
    pub d_spikes: Vec<Vec<f64>>,
    /// `dL/d(own parameters of the loss)`, e.g. readout weights, in the layout of
    /// [`LinearReadout::weights`]; empty if the loss has none.
    pub d_params: Vec<f64>,
    /// Number of output neurons that never fired (they count as `t_max` and pass no
    /// gradient). For [`SpikeTimeMse`], which can read several spikes per neuron, it is the
    /// number of missing spikes, each counted at `t_max`. Always 0 for readout losses.
    pub silent: usize,
    /// `dL/d(membrane potential read)`, one entry per quantity the loss read through
    /// [`Potentials`] in [`Loss::evaluate_run`]; empty for a loss that reads none.
    pub d_potentials: Vec<PotentialGradient>,
}

impl LossOutput {
    /// A zero output shaped like `spikes`, with `num_params` zero parameter gradients.
    #[must_use]
    pub fn zeros_like(spikes: &[Vec<f64>], num_params: usize) -> Self {
        Self {
            value: 0.0,
            d_spikes: spikes.iter().map(|train| vec![0.0; train.len()]).collect(),
            d_params: vec![0.0; num_params],
            silent: 0,
            d_potentials: Vec::new(),
        }
    }

    /// Returns `self` if the value and every gradient are finite.
    fn into_finite(self) -> Result<Self, LossError> {
        if !self.value.is_finite() {
            return Err(LossError::NonFinite { what: "value" });
        }
        if !self.d_spikes.iter().flatten().all(|x| x.is_finite()) {
            return Err(LossError::NonFinite {
                what: "spike gradient",
            });
        }
        if !self.d_params.iter().all(|x| x.is_finite()) {
            return Err(LossError::NonFinite {
                what: "parameter gradient",
            });
        }
        if !self.d_potentials.iter().all(|d| d.derivative.is_finite()) {
            return Err(LossError::NonFinite {
                what: "potential gradient",
            });
        }
        Ok(self)
    }
}

/// A loss over the spike trains of one population, for one sample.
///
/// Contract for implementations:
/// - `spikes[i]` is the sorted spike train of neuron `i`; implementations reject NaN,
///   infinite and unsorted times with a [`LossError`] rather than panicking (finite times
///   of any sign are accepted);
/// - the returned [`LossOutput::d_spikes`] has exactly the shape of `spikes`, and
///   [`LossOutput::d_params`] has [`Loss::num_params`] entries;
/// - if [`Loss::first_spike_only`] is true, every spike but the first of each neuron gets a
///   zero gradient and does not change the value;
/// - a loss that reads membrane potentials does so in [`Loss::evaluate_run`] and reports
///   one [`LossOutput::d_potentials`] entry per quantity read (see [`Potentials`]);
/// - a loss with parameters of its own ([`Loss::num_params`] > 0) exposes them through
///   [`Loss::params`] and [`Loss::set_params`], in the layout of
///   [`LossOutput::d_params`], so a trainer can update them with the network's weights.
///
/// The trait is object safe (`dyn Loss<Target = usize>`), and `&L`, `Box<L>` and `Arc<L>`
/// are losses when `L` is (the shared `&L` and `Arc<L>` cannot set parameters).
///
/// # The seam between a loss and a trainer
/// A trainer simulates a sample, then calls [`Loss::evaluate_run`] with the output
/// population's spike trains, a [`Potentials`] view of the same run and the sample's
/// target. The loss returns its value and $\partial L / \partial f$ (spike times),
/// $\partial L / \partial V$ (potentials it read) and $\partial L / \partial \phi$ (its
/// own parameters $\phi$); the trainer turns the first two into weight gradients through
/// the network (implicit function theorem) and updates weights and $\phi$ together.
pub trait Loss: Send + Sync {
    /// What one sample's target looks like (a label, target times, voltage samples).
    type Target: ?Sized;

    /// Value and gradients of the loss for one sample, from its spike times alone.
    ///
    /// `spikes`: spike trains of the population the loss reads (`[neuron][spike]`, sorted
    /// times).
    ///
    /// # Errors
    /// A [`LossError`] if the spikes or the target do not fit the loss (wrong shape,
    /// non-finite or unsorted times, label out of range) or the result overflows;
    /// [`LossError::PotentialsUnavailable`] from a loss that needs a potential here.
    fn evaluate(&self, spikes: &[Vec<f64>], target: &Self::Target)
    -> Result<LossOutput, LossError>;

    /// Value and gradients of the loss for one simulated sample, reading membrane
    /// potentials of the same population from `potentials` where the loss needs them.
    /// Default: [`Loss::evaluate`] (the loss reads no potential).
    ///
    /// # Errors
    /// As [`Loss::evaluate`], and any error of a [`Potentials`] read.
    fn evaluate_run(
        &self,
        spikes: &[Vec<f64>],
        potentials: &dyn Potentials,
        target: &Self::Target,
    ) -> Result<LossOutput, LossError> {
        let _ = potentials;
        self.evaluate(spikes, target)
    }

    /// Whether the loss reads only each neuron's first spike (the simulator may then stop
    /// those neurons after their first spike). Default `false`.
    fn first_spike_only(&self) -> bool {
        false
    }

    /// Number of the loss's own parameters (readout weights). Default 0.
    fn num_params(&self) -> usize {
        0
    }

    /// The loss's own parameters, [`Loss::num_params`] of them, in the layout of
    /// [`LossOutput::d_params`]. Default: none.
    fn params(&self) -> &[f64] {
        &[]
    }

    /// Replaces the loss's own parameters (for an optimiser step). Default: accepts only
    /// an empty slice (a loss without parameters).
    ///
    /// # Errors
    /// [`LossError::ShapeMismatch`] for a length other than [`Loss::num_params`];
    /// [`LossError::InvalidParameter`] for a value the loss rejects (a non-finite weight);
    /// [`LossError::SharedParameters`] for a shared loss. On error the parameters are
    /// unchanged.
    fn set_params(&mut self, params: &[f64]) -> Result<(), LossError> {
        check_param_count(self.num_params(), params)
    }

    /// The time at which the loss counts a silent output (or a missing spike), if it has
    /// one: the horizon `t_max` it assumes the simulation ran to. A trainer checks it
    /// against the network's `t_max`, since a loss that counts silence at another time
    /// than the simulation stops is a silent bug. Default `None` (no such time).
    fn silent_time(&self) -> Option<f64> {
        None
    }
}

/// `Ok` if `params` has `expected` entries, else [`LossError::ShapeMismatch`].
fn check_param_count(expected: usize, params: &[f64]) -> Result<(), LossError> {
    if params.len() == expected {
        Ok(())
    } else {
        Err(LossError::ShapeMismatch {
            what: "loss parameters",
            expected,
            found: params.len(),
        })
    }
}

/// The methods every pointer forwards; `set_params` differs (shared pointers cannot).
macro_rules! forward_loss {
    () => {
        type Target = L::Target;
        fn evaluate(
            &self,
            spikes: &[Vec<f64>],
            target: &Self::Target,
        ) -> Result<LossOutput, LossError> {
            (**self).evaluate(spikes, target)
        }
        fn evaluate_run(
            &self,
            spikes: &[Vec<f64>],
            potentials: &dyn Potentials,
            target: &Self::Target,
        ) -> Result<LossOutput, LossError> {
            (**self).evaluate_run(spikes, potentials, target)
        }
        fn first_spike_only(&self) -> bool {
            (**self).first_spike_only()
        }
        fn num_params(&self) -> usize {
            (**self).num_params()
        }
        fn params(&self) -> &[f64] {
            (**self).params()
        }
        fn silent_time(&self) -> Option<f64> {
            (**self).silent_time()
        }
    };
}

/// `set_params` of a shared pointer: only the empty update of a loss without parameters.
fn shared_set_params(num_params: usize, params: &[f64]) -> Result<(), LossError> {
    check_param_count(num_params, params)?;
    if num_params == 0 {
        Ok(())
    } else {
        Err(LossError::SharedParameters { num_params })
    }
}

impl<L: Loss + ?Sized> Loss for &L {
    forward_loss!();
    fn set_params(&mut self, params: &[f64]) -> Result<(), LossError> {
        shared_set_params(self.num_params(), params)
    }
}

impl<L: Loss + ?Sized> Loss for Box<L> {
    forward_loss!();
    fn set_params(&mut self, params: &[f64]) -> Result<(), LossError> {
        (**self).set_params(params)
    }
}

impl<L: Loss + ?Sized> Loss for Arc<L> {
    forward_loss!();
    fn set_params(&mut self, params: &[f64]) -> Result<(), LossError> {
        shared_set_params(self.num_params(), params)
    }
}

/// The class whose neuron fires first: the index of the neuron with the earliest first
/// spike (`spikes[c][0]`).
///
/// Ties go to the lowest index. Returns `None` if every neuron is silent (or `spikes` is
/// empty). A NaN first spike counts as silent.
///
/// # Examples
/// ```
/// use fpsnn_losses::predict_first_spike;
/// assert_eq!(predict_first_spike(&[vec![2.0], vec![1.5, 1.7], vec![1.5]]), Some(1));
/// assert_eq!(predict_first_spike(&[vec![], vec![]]), None);
/// ```
#[must_use]
pub fn predict_first_spike(spikes: &[Vec<f64>]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (class, train) in spikes.iter().enumerate() {
        let Some(&first) = train.first() else {
            continue;
        };
        if first.is_nan() {
            continue;
        }
        match best {
            Some((_, time)) if first >= time => {}
            _ => best = Some((class, first)),
        }
    }
    best.map(|(class, _)| class)
}

/// Checks that every spike time is finite and every train sorted.
fn validate_spikes(spikes: &[Vec<f64>]) -> Result<(), LossError> {
    for (neuron, train) in spikes.iter().enumerate() {
        let mut previous = f64::NEG_INFINITY;
        for (index, &time) in train.iter().enumerate() {
            if !time.is_finite() {
                return Err(LossError::InvalidSpikeTime {
                    neuron,
                    index,
                    time,
                });
            }
            if time < previous {
                return Err(LossError::UnsortedSpikes {
                    neuron,
                    index,
                    time,
                    previous,
                });
            }
            previous = time;
        }
    }
    Ok(())
}

/// `Err(InvalidParameter)` unless `value` is finite and strictly positive.
fn check_positive(name: &'static str, value: f64) -> Result<(), LossError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(LossError::InvalidParameter {
            name,
            value,
            requirement: "must be finite and > 0",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_rejects_nan_and_unsorted() {
        assert!(validate_spikes(&[vec![0.0, 0.0, 1.0], vec![]]).is_ok());
        assert!(validate_spikes(&[vec![-1.0, 2.0]]).is_ok());
        assert!(matches!(
            validate_spikes(&[vec![], vec![1.0, f64::NAN]]),
            Err(LossError::InvalidSpikeTime {
                neuron: 1,
                index: 1,
                ..
            })
        ));
        assert!(matches!(
            validate_spikes(&[vec![f64::INFINITY]]),
            Err(LossError::InvalidSpikeTime { .. })
        ));
        assert!(matches!(
            validate_spikes(&[vec![2.0, 1.0]]),
            Err(LossError::UnsortedSpikes {
                neuron: 0,
                index: 1,
                ..
            })
        ));
    }

    #[test]
    fn non_finite_output_is_an_error() {
        let mut out = LossOutput::zeros_like(&[vec![1.0]], 1);
        assert!(out.clone().into_finite().is_ok());
        out.d_params[0] = f64::NAN;
        assert!(matches!(
            out.clone().into_finite(),
            Err(LossError::NonFinite {
                what: "parameter gradient"
            })
        ));
        out.value = f64::INFINITY;
        assert!(matches!(
            out.into_finite(),
            Err(LossError::NonFinite { what: "value" })
        ));
    }

    #[test]
    fn predict_skips_nan_and_breaks_ties_low() {
        assert_eq!(predict_first_spike(&[vec![f64::NAN], vec![3.0]]), Some(1));
        assert_eq!(predict_first_spike(&[vec![1.0], vec![1.0]]), Some(0));
        assert_eq!(predict_first_spike(&[]), None);
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LossError>();
        assert_send_sync::<LossOutput>();
        assert_send_sync::<FirstSpikeCrossEntropy>();
        assert_send_sync::<SpikeTimeMse>();
        assert_send_sync::<LinearReadout>();
        assert_send_sync::<ReadoutSampledMse>();
        assert_send_sync::<ReadoutIntegralLoss>();
        assert_send_sync::<Box<dyn Loss<Target = usize>>>();
    }
}
