//! Exact event-driven simulation of networks of current-based LIF neurons, with the compact
//! causal record that the gradient crates need.
//!
//! # Model
//! Each neuron follows the spike-response model stated in
//! [the crate docs of `fpsnn_kernels`](fpsnn_kernels#model), with its population's kernel
//! and threshold $\theta$: it fires whenever $V_i$ reaches $\theta$ from below (reset by
//! subtraction; the synaptic current is not reset). The presynaptic times $g$ of that sum
//! are the arrivals $(j, g)$ at the neuron's population: a spike of neuron $j$ at time $f$
//! arrives at $g = f + d$, with $d \ge 0$ the delay of its projection (0 without one), and
//! only arrivals with $g \lt t$ enter $V_i(t)$. Between events each neuron is advanced in
//! closed form and the next crossing is found exactly by
//! [`fpsnn_kernels::CrossingSearch::next_crossing`], so spike times are exact to rounding,
//! not to a time step.
//!
//! # Algorithms
//! - **Layer sweep** (feed-forward networks): populations in topological order; each
//!   population's incoming spikes are merged into one sorted arrival list, and all its
//!   neurons advance together: one propagator per interval between arrivals, applied to the
//!   state arrays of every neuron in a vectorised loop that also flags the neurons that may
//!   cross; only those run the exact crossing search. Chunks of neurons run in parallel with
//!   [`Parallelism::Rayon`](fpsnn_core::Parallelism), with identical results. With early
//!   stopping it runs in time windows and stops after the one in which the watched neurons
//!   fired.
//! - **Event queue** (any network, recurrent and self projections included): one global
//!   queue of arrivals and one predicted crossing per neuron; an arrival updates only the
//!   neurons it reaches, and their predictions.
//!
//! Both use the same tie rule (a crossing at the very time of an arrival happens before the
//! arrival is applied; equal-time arrivals apply in `(projection, pre, spike)` order) and the
//! same canonical crossing bracket, so on a feed-forward network with dense projections they
//! give bit-identical spike times (with sparse ones, equal to rounding: the queue advances a
//! neuron that an arrival misses in one step, the sweep in two).
//!
//! # Causal record
//! For each population the [`SimTrace`] keeps the sorted list of arrivals and, for each
//! spike, the number of arrivals applied before it ([`PopulationTrace::prefixes`]): with
//! exponential kernels nothing is forgotten, so a spike's presynaptic parents are exactly that
//! prefix, and its own parents are the neuron's earlier spikes. O(spikes) memory.
//!
//! ```
//! use fpsnn_sim::{simulate, InputSpikes, Network, SimOptions};
//! let net = Network::from_json(r#"{
//!   "neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 2,
//!   "populations": [{"name": "hidden", "size": 2}, {"name": "out", "size": 1}],
//!   "projections": [
//!     {"from": "input", "to": "hidden", "weights": [[3.0, 2.5], [3.0, 1.0]]},
//!     {"from": "hidden", "to": "out", "weights": [[4.0], [4.0]]}],
//!   "t_max": 20.0}"#)?;
//! let input = InputSpikes::try_new(vec![vec![0.0], vec![1.0]])?;
//! let trace = simulate(&net, &input, &SimOptions::default())?;
//! let out = &trace.populations[1];
//! assert!(!out.spikes[0].is_empty());
//! // The output spike's presynaptic parents: the hidden spikes that arrived before it.
//! let parents = &out.arrivals[..out.prefixes[0][0] as usize];
//! assert!(!parents.is_empty() && parents.iter().all(|a| a.time < out.spikes[0][0]));
//! # Ok::<(), fpsnn_sim::SimError>(())
//! ```

mod error;
mod input;
mod network;
mod simulate;
mod sweep;
mod trace;

pub use error::{InputLineError, SimError};
pub use input::{InputFile, InputLine, InputSpikes, input_lines, read_input_lines};
pub use network::{
    DEFAULT_MAX_SPIKES_PER_NEURON, KernelName, Network, NetworkFile, NeuronFile, Outgoing,
    Population, PopulationFile, PopulationSpec, Projection, ProjectionFile, ProjectionSpec, Source,
    Synapse, Weights,
};
pub use simulate::{Method, QUEUE_MAX_POPULATION, SimOptions, simulate};
pub use trace::{Arrival, PopulationTrace, SimTrace};

use fpsnn_core::Time;
use fpsnn_kernels::Kernel;

/// The membrane potential of neuron `i` of population `p` at time `t`, from the closed-form
/// sum over the trace's arrivals and the neuron's own spikes (the left limit `V(t-)`: events
/// at exactly `t` do not count). Independent of the simulator's state updates, so tests and
/// plots can check it.
///
/// # Panics
/// If `p` or `i` is out of range for the network or the trace.
#[must_use]
#[track_caller]
pub fn membrane_potential(network: &Network, trace: &SimTrace, p: usize, i: usize, t: Time) -> f64 {
    let pop = &network.populations()[p];
    let kernel = pop.kernel();
    let record = &trace.populations[p];
    let input: f64 = record
        .arrivals
        .iter()
        .take_while(|a| a.time < t)
        .map(|a| {
            network.projections()[a.projection as usize].weight(a.pre as usize, i)
                * kernel.psp(t - a.time)
        })
        .sum();
    let reset: f64 = record.spikes[i]
        .iter()
        .take_while(|&&m| m < t)
        .map(|&m| kernel.reset(t - m))
        .sum();
    input - pop.params().theta * reset
}

/// `dV/dt` of neuron `i` of population `p` just before `t` (closed form, as
/// [`membrane_potential`]).
///
/// # Panics
/// If `p` or `i` is out of range.
#[must_use]
#[track_caller]
pub fn membrane_slope(network: &Network, trace: &SimTrace, p: usize, i: usize, t: Time) -> f64 {
    let pop = &network.populations()[p];
    let kernel = pop.kernel();
    let record = &trace.populations[p];
    let input: f64 = record
        .arrivals
        .iter()
        .take_while(|a| a.time < t)
        .map(|a| {
            network.projections()[a.projection as usize].weight(a.pre as usize, i)
                * kernel.psp_derivative(t - a.time)
        })
        .sum();
    let reset: f64 = record.spikes[i]
        .iter()
        .take_while(|&&m| m < t)
        .map(|&m| kernel.reset_derivative(t - m))
        .sum();
    input - pop.params().theta * reset
}

#[cfg(test)]
mod autotraits {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<super::Network>();
        assert_send_sync::<super::SimTrace>();
        assert_send_sync::<super::InputSpikes>();
        assert_send_sync::<super::SimError>();
    }
}
