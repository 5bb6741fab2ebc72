//! One sample's derivatives: the causal graph and its assembly built once, then the
//! spike-time Jacobian and any loss's gradient from them.

use fpsnn_core::{Parallelism, SpikeId};
use fpsnn_sim::{InputSpikes, Network, SimTrace};

use crate::{
    AssembleOptions, Assembly, CausalError, CausalGraph, Gradient, Jacobian, adjoint_gradient,
    assemble, forward_jacobian, spike_gradient,
};

/// The derivative pipeline of one simulated sample, loss-agnostic: the
/// [`CausalGraph`] of the trace and its [`Assembly`], from which
/// [`jacobian`](Self::jacobian) gives every spike time's derivatives and
/// [`loss_gradient`](Self::loss_gradient) turns a loss's $\partial \mathcal{L} / \partial f$
/// (per spike of one population, as a loss's `evaluate` in `fpsnn-losses` returns it) into
/// $d\mathcal{L}/dp$ and $d\mathcal{L}/dg$, by the chain rule through a Jacobian already
/// computed or else by the adjoint.
///
/// It is exactly [`CausalGraph::try_new`], [`assemble`], [`forward_jacobian`],
/// [`spike_gradient`] and [`adjoint_gradient`] in sequence (same bits).
///
/// # Examples
///
/// ```
/// use fpsnn_causal::SampleDerivatives;
/// use fpsnn_core::Parallelism;
/// use fpsnn_sim::{simulate, InputSpikes, Network, SimOptions};
/// let net = Network::from_json(r#"{
///   "neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 2,
///   "populations": [{"name": "out", "size": 1}],
///   "projections": [{"from": "input", "to": "out", "weights": [[3.0], [2.0]]}],
///   "t_max": 10.0}"#)?;
/// let input = InputSpikes::try_new(vec![vec![0.0], vec![0.5]])?;
/// let trace = simulate(&net, &input, &SimOptions::default())?;
/// let sample = SampleDerivatives::try_new(&net, &input, &trace)?;
/// // rows of the Jacobian in (population, neuron, spike) order
/// let order = sample.spike_order();
/// assert_eq!(order[0].0, [0, 0, 0]);
/// let jacobian = sample.jacobian(Parallelism::Sequential)?;
/// let first = jacobian.wrt_param(order[0].1, 0);
/// // loss = the first output spike time: dL/df = 1 for that spike
/// let mut d_spikes = vec![vec![0.0; trace.populations[0].spikes[0].len()]];
/// d_spikes[0][0] = 1.0;
/// let adjoint = sample.loss_gradient(0, &d_spikes, None)?;
/// let forward = sample.loss_gradient(0, &d_spikes, Some(&jacobian))?;
/// // a stronger weight makes the neuron fire earlier
/// assert!(adjoint.params[0] < 0.0);
/// assert!((adjoint.params[0] - first).abs() < 1e-12);
/// assert!((forward.params[0] - first).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SampleDerivatives<'a> {
    graph: CausalGraph<'a>,
    assembly: Assembly,
}

impl<'a> SampleDerivatives<'a> {
    /// Builds the graph of `trace` (the simulation of `network` on `input`) and assembles
    /// it with the default [`AssembleOptions`].
    ///
    /// # Errors
    /// As [`CausalGraph::try_new`] and [`assemble`] (a grazing crossing:
    /// [`CausalError::Grazing`]).
    pub fn try_new(
        network: &'a Network,
        input: &InputSpikes,
        trace: &'a SimTrace,
    ) -> Result<Self, CausalError> {
        Self::with_options(network, input, trace, &AssembleOptions::default())
    }

    /// As [`try_new`](Self::try_new) with explicit assembly options.
    ///
    /// # Errors
    /// As [`try_new`](Self::try_new).
    pub fn with_options(
        network: &'a Network,
        input: &InputSpikes,
        trace: &'a SimTrace,
        options: &AssembleOptions,
    ) -> Result<Self, CausalError> {
        let graph = CausalGraph::try_new(network, input, trace)?;
        let assembly = assemble(&graph, options)?;
        Ok(Self { graph, assembly })
    }

    /// The causal graph.
    #[must_use]
    pub fn graph(&self) -> &CausalGraph<'a> {
        &self.graph
    }

    /// The assembled system.
    #[must_use]
    pub fn assembly(&self) -> &Assembly {
        &self.assembly
    }

    /// Number of weights `P` (the first `P` parameters; the thresholds follow).
    #[must_use]
    pub fn num_weights(&self) -> usize {
        self.assembly.layout.num_weights()
    }

    /// Every spike as `([population, neuron, spike], id)`, in (population, neuron, spike)
    /// order: the order in which a user reads the trace, where the graph's own ids are in
    /// time order. `id` indexes the rows of [`jacobian`](Self::jacobian).
    #[must_use]
    pub fn spike_order(&self) -> Vec<([usize; 3], SpikeId)> {
        let mut order = Vec::with_capacity(self.graph.len());
        for (p, record) in self.graph.trace().populations.iter().enumerate() {
            for (i, spikes) in record.spikes.iter().enumerate() {
                for m in 0..spikes.len() {
                    order.push(([p, i, m], self.graph.spike_id(p, i, m)));
                }
            }
        }
        order
    }

    /// The Jacobian of every spike time with respect to the parameters and the input
    /// times, by [`forward_jacobian`] (the same bits for any `parallelism`).
    ///
    /// # Errors
    /// As [`forward_jacobian`].
    pub fn jacobian(&self, parallelism: Parallelism) -> Result<Jacobian, CausalError> {
        forward_jacobian(&self.assembly, parallelism)
    }

    /// The gradient of a loss that reads the spikes of `population`, given its
    /// $\partial \mathcal{L} / \partial f$ as `d_spikes[neuron][spike]`: the chain rule
    /// through `jacobian` when given ([`Jacobian::gradient`]), else the adjoint
    /// ([`adjoint_gradient`]).
    ///
    /// # Errors
    /// As [`adjoint_gradient`] (never with a Jacobian).
    ///
    /// # Panics
    /// If `d_spikes` does not have the shape of the population's spikes, or `jacobian` has
    /// another number of rows than the sample has spikes.
    #[track_caller]
    pub fn loss_gradient(
        &self,
        population: usize,
        d_spikes: &[Vec<f64>],
        jacobian: Option<&Jacobian>,
    ) -> Result<Gradient, CausalError> {
        let d_loss = spike_gradient(&self.graph, population, d_spikes);
        match jacobian {
            Some(jacobian) => Ok(jacobian.gradient(&d_loss)),
            None => adjoint_gradient(&self.assembly, &d_loss),
        }
    }
}
