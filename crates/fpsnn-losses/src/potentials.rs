//! What a loss may read of a simulation beyond spike times: membrane potentials.

use crate::LossError;

/// The membrane potentials of the population a loss reads, for one simulated sample.
///
/// The trainer hands one to [`Loss::evaluate_run`](crate::Loss::evaluate_run) (in
/// `fpsnn-train`, backed by the simulation record); a loss reads what it needs and reports
/// $\partial L / \partial(\text{what it read})$ in [`LossOutput::d_potentials`](crate::LossOutput::d_potentials),
/// which the trainer turns into weight and spike-time gradients exactly as it does
/// $\partial L / \partial f$. Reads are computed on demand, so a loss that reads nothing
/// costs nothing.
///
/// [`NoPotentials`] is the one a plain [`Loss::evaluate`](crate::Loss::evaluate) call
/// stands for: every read is [`LossError::PotentialsUnavailable`].
pub trait Potentials {
    /// The firing threshold $\vartheta$ of the population's neurons.
    ///
    /// # Errors
    /// [`LossError::PotentialsUnavailable`] if there is no simulation behind the reads.
    fn threshold(&self) -> Result<f64, LossError>;

    /// The highest membrane potential of neuron `neuron` over the simulated window
    /// $[0, t_{\text{end}}]$, and when it is reached ([`PotentialPeak`]).
    ///
    /// # Errors
    /// [`LossError::PotentialsUnavailable`] if there is no simulation behind the reads;
    /// [`LossError::NeuronOutOfRange`] for a neuron the population does not have.
    fn peak(&self, neuron: usize) -> Result<PotentialPeak, LossError>;
}

/// The highest membrane potential of one neuron over the simulated window.
///
/// For a neuron that never fired it is the maximum of
/// $V(t) = \sum_j W_j \sum_{g \in F_j} h(t - g)$ over $[0, t_{\text{end}}]$ (between two
/// arrivals $V$ has at most one interior maximum, found in closed form; a maximum can also
/// sit on an arrival or at $t_{\text{end}}$). For a neuron that fired it is the threshold,
/// reached at its first spike, and it does not depend on the weights (a read of it passes
/// no gradient).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PotentialPeak {
    /// When the maximum is reached (the first one, if several are equal).
    pub time: f64,
    /// The maximum.
    pub value: f64,
    /// Whether the neuron fired (the peak is then the threshold).
    pub fired: bool,
}

/// One quantity a loss read through [`Potentials`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PotentialRead {
    /// [`Potentials::peak`] of the neuron: $V_{\max}$. Its derivative in the parameters is
    /// $\partial V / \partial p$ at the peak time (envelope theorem: $V^{\prime} = 0$ at an
    /// interior maximum), plus the move of the peak time when the peak sits on an arrival.
    Peak,
}

/// $\partial L / \partial(\text{a read potential})$: one entry of
/// [`LossOutput::d_potentials`](crate::LossOutput::d_potentials).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PotentialGradient {
    /// The neuron (index in the population the loss reads).
    pub neuron: usize,
    /// What was read of it.
    pub read: PotentialRead,
    /// $\partial L / \partial(\text{that quantity})$.
    pub derivative: f64,
}

/// No simulation behind the reads: every read is [`LossError::PotentialsUnavailable`].
/// What [`Loss::evaluate`](crate::Loss::evaluate) stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoPotentials;

impl Potentials for NoPotentials {
    fn threshold(&self) -> Result<f64, LossError> {
        Err(LossError::PotentialsUnavailable)
    }

    fn peak(&self, _neuron: usize) -> Result<PotentialPeak, LossError> {
        Err(LossError::PotentialsUnavailable)
    }
}
