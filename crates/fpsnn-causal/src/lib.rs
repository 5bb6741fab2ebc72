//! The causal graph over one simulated sample and the exact gradients of its spike times,
//! by the implicit function theorem (IFT), after Lee, Haghighatshoar & Karbasi (2023).
//!
//! # The derivation
//! Spike `k` of neuron `i` at time `f_k` is defined by `V_i(f_k) = theta`:
//!
//! ```text
//! Phi_k = sum_{(j,g) arrived before f_k} W_ji h(f_k - g)
//!         - theta sum_{own m < k} h_n(f_k - f_m) - theta = 0,      h_n(s) = e^{-beta s}
//! ```
//!
//! Its parents are every presynaptic spike that arrived before `f_k` and every earlier
//! spike of the same neuron. With exponential kernels nothing is forgotten, so the parents
//! are a prefix of the population's sorted arrival list plus the neuron's own earlier
//! spikes: [`CausalGraph`] enumerates them from the simulator's compact record.
//!
//! Differentiating `Phi(F(p), p) = 0` with respect to a parameter `p` gives
//! `L dF/dp = -dPhi/dp` with `L = dPhi/dF`. Sorted by time, `L` is lower triangular: a spike
//! depends only on earlier spikes. Its diagonal is the slope at the crossing,
//!
//! ```text
//! D_k = dPhi_k/df_k = sum W_ji h'(f_k - g) + theta beta sum_m e^{-beta (f_k - f_m)} = V_i'(f_k-) > 0,
//! ```
//!
//! and its off-diagonal entries are `dPhi_k/df_q = -c_kq` with
//! `c_kq = W_ji h'(f_k - g)` for a presynaptic parent (`g = f_q + delay`) and
//! `c_km = theta beta e^{-beta (f_k - f_m)}` for an own earlier spike. The right-hand sides:
//!
//! ```text
//! dPhi_k/dW_ji    = sum_{g from j, g < f_k} h(f_k - g)
//! dPhi_k/dtheta_i = -(1 + sum_m e^{-beta (f_k - f_m)})
//! dPhi_k/dg       = -W_ji h'(f_k - g)        (input spike g: the gradient w.r.t. the data)
//! ```
//!
//! Leaving out the own-spike coupling gives wrong gradients as soon as a neuron fires twice
//! before the spike that the loss reads.
//!
//! # Two exact solvers of the same system
//! - **Forward propagation** ([`forward_jacobian`], [`forward_jacobian_layered`]; the paper's
//!   Algorithm 2): in time order,
//!   `df_k/dp = (-dPhi_k/dp + sum_q c_kq df_q/dp) / D_k`: the whole Jacobian `dF/dp`, online.
//! - **Adjoint** ([`adjoint_gradient`]): in reverse time order,
//!   `mu_k = (dL/df_k + sum_children c_ck mu_c) / D_k`, then
//!   `dL/dp = dL/dp|_direct - sum_k mu_k dPhi_k/dp`; cost `O(edges + parameters touched)`.
//!
//! The loss gradient is eq. (8): `dL/dp = (dL/dF)(dF/dp) + dL/dp|_direct`. Both solvers and
//! a central finite difference of the simulator agree (the workspace's most important test).
//!
//! A spike whose slope `D_k` vanishes (a grazing crossing) has no derivative:
//! [`assemble`] reports [`CausalError::Grazing`] instead of dividing by it.
//!
//! ```
//! use fpsnn_causal::{adjoint_gradient, assemble, forward_jacobian, spike_gradient, AssembleOptions, CausalGraph};
//! use fpsnn_core::Parallelism;
//! use fpsnn_sim::{simulate, InputSpikes, Network, SimOptions};
//! let net = Network::from_json(r#"{
//!   "neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 2,
//!   "populations": [{"name": "out", "size": 1}],
//!   "projections": [{"from": "input", "to": "out", "weights": [[3.0], [2.0]]}],
//!   "t_max": 10.0}"#)?;
//! let input = InputSpikes::try_new(vec![vec![0.0], vec![0.5]])?;
//! let trace = simulate(&net, &input, &SimOptions::default())?;
//! let graph = CausalGraph::try_new(&net, &input, &trace)?;
//! let system = assemble(&graph, &AssembleOptions::default())?;
//! // loss = first output spike time
//! let mut d_spikes = vec![vec![0.0; trace.populations[0].spikes[0].len()]];
//! d_spikes[0][0] = 1.0;
//! let g = spike_gradient(&graph, 0, &d_spikes);
//! let adjoint = adjoint_gradient(&system, &g)?;
//! let forward = forward_jacobian(&system, Parallelism::Sequential)?.gradient(&g);
//! // a stronger weight makes the neuron fire earlier
//! assert!(adjoint.params[0] < 0.0);
//! assert!((adjoint.params[0] - forward.params[0]).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod adjoint;
mod assemble;
mod graph;
mod solve;

pub use adjoint::{AdjointWorkspace, adjoint_accumulate};
pub use assemble::{AssembleOptions, Assembly, ParamLayout, SparseRows, assemble};
pub use graph::{CausalGraph, Parent, SpikeKey};
pub use solve::{
    Gradient, Jacobian, adjoint_gradient, forward_jacobian, forward_jacobian_layered, num_edges,
    spike_gradient,
};

use fpsnn_core::SpikeId;
use fpsnn_trisolve::SolveError;

/// Errors of the causal graph and the gradient drivers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CausalError {
    /// The trace does not belong to the network and input it was given with.
    #[error("the trace does not match the network and input")]
    TraceMismatch,
    /// A parent does not precede its child (a simulator bug).
    #[error("spike {spike:?} has a parent that does not precede it")]
    NotCausal {
        /// The child.
        spike: SpikeId,
    },
    /// A spike's slope at the crossing is not safely positive: its time is not
    /// differentiable (a grazing crossing).
    #[error(
        "spike {spike:?} (neuron {neuron} of population {population}) grazes the threshold: slope {slope:e}"
    )]
    Grazing {
        /// The spike.
        spike: SpikeId,
        /// Its population.
        population: usize,
        /// Its neuron.
        neuron: usize,
        /// `V'(f-)`.
        slope: f64,
    },
    /// The layered driver needs a feed-forward network.
    #[error("layer-wise forward propagation needs a feed-forward network")]
    NotFeedForward,
    /// The triangular solver failed.
    #[error(transparent)]
    Solve(#[from] SolveError),
}
