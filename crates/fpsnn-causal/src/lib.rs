//! The causal graph over one simulated sample and the exact gradients of its spike times,
//! by the implicit function theorem (IFT), after Lee, Haghighatshoar & Karbasi (2023).
//!
//! # The derivation
//! Spike $k$ of neuron $i$ at time $f_k$ is defined by $V_i(f_k) = \theta$, with $V_i$ the
//! membrane potential of the neuron model stated in
//! [the crate docs of `fpsnn_kernels`](fpsnn_kernels#model) (PSP kernel $h$, reset kernel
//! $h_n$):
//!
//! $$
//! \Phi_k = \sum_{(j, g):\ g \lt f_k} W_{ji} h(f_k - g) -
//!     \theta \sum_{m \lt k} h_n(f_k - f_m) - \theta = 0,
//! $$
//!
//! where $(j, g)$ runs over the arrivals at neuron $i$ (presynaptic neuron $j$, arrival time
//! $g$) and $m$ over the neuron's own earlier spikes ($h_n(s) = e^{-\beta s}$ for
//! [`ExpKernel`](fpsnn_kernels::ExpKernel)).
//!
//! Its parents are every presynaptic spike that arrived before $f_k$ and every earlier
//! spike of the same neuron. With exponential kernels nothing is forgotten, so the parents
//! are a prefix of the population's sorted arrival list plus the neuron's own earlier
//! spikes: [`CausalGraph`] enumerates them from the simulator's compact record.
//!
//! Differentiating $\Phi(F(p), p) = 0$ with respect to a parameter $p$ gives
//! $L \frac{dF}{dp} = -\frac{\partial \Phi}{\partial p}$ with
//! $L = \frac{\partial \Phi}{\partial F}$. Sorted by time, $L$ is lower triangular: a spike
//! depends only on earlier spikes. Its diagonal is the slope at the crossing,
//!
//! $$
//! D_k = \frac{\partial \Phi_k}{\partial f_k} = \sum_{(j, g)} W_{ji} h^{\prime}(f_k - g) -
//!     \theta \sum_{m \lt k} h_n^{\prime}(f_k - f_m) = V_i^{\prime}(f_k^-) \gt 0,
//! $$
//!
//! where $-h_n^{\prime}(s) = \beta e^{-\beta s}$ for [`ExpKernel`](fpsnn_kernels::ExpKernel),
//! and its off-diagonal entries are $\partial \Phi_k / \partial f_q = -c_{kq}$ with
//! $c_{kq} = W_{ji} h^{\prime}(f_k - g)$ for a presynaptic parent $q$ (arriving at
//! $g = f_q + d$, $d$ the delay) and $c_{km} = -\theta h_n^{\prime}(f_k - f_m)$ for an own
//! earlier spike $m$. The right-hand sides:
//!
//! $$
//! \begin{aligned}
//! \frac{\partial \Phi_k}{\partial W_{ji}} &= \sum_{g \text{ from } j,\ g \lt f_k} h(f_k - g), \cr
//! \frac{\partial \Phi_k}{\partial \theta_i} &= -\Bigl(1 + \sum_{m \lt k} h_n(f_k - f_m)\Bigr), \cr
//! \frac{\partial \Phi_k}{\partial g} &= -W_{ji} h^{\prime}(f_k - g)
//!     \qquad \text{(input spike } g \text{: the gradient with respect to the data).}
//! \end{aligned}
//! $$
//!
//! Leaving out the own-spike coupling gives wrong gradients as soon as a neuron fires twice
//! before the spike that the loss reads.
//!
//! # Two exact solvers of the same system
//! With $\mathcal{L}$ the loss (to tell it from the matrix $L$):
//! - **Forward propagation** ([`forward_jacobian`], [`forward_jacobian_layered`]; the paper's
//!   Algorithm 2): in time order,
//!   $\frac{df_k}{dp} = \frac{1}{D_k} \bigl(-\frac{\partial \Phi_k}{\partial p} +
//!   \sum_q c_{kq} \frac{df_q}{dp}\bigr)$: the whole Jacobian $dF/dp$, online.
//! - **Adjoint** ([`adjoint_gradient`]): in reverse time order,
//!   $\mu_k = \frac{1}{D_k} \bigl(\frac{\partial \mathcal{L}}{\partial f_k} +
//!   \sum_{c} c_{ck} \mu_c\bigr)$ over the children $c$ of $k$, then
//!   $\frac{d\mathcal{L}}{dp} = \frac{\partial \mathcal{L}}{\partial p}\big|_{\mathrm{direct}} -
//!   \sum_k \mu_k \frac{\partial \Phi_k}{\partial p}$; cost
//!   $O(\text{edges} + \text{parameters touched})$.
//!
//! The loss gradient is eq. (8):
//!
//! $$
//! \frac{d\mathcal{L}}{dp} = \frac{\partial \mathcal{L}}{\partial F} \frac{dF}{dp} +
//!     \frac{\partial \mathcal{L}}{\partial p}\Big|_{\mathrm{direct}}.
//! $$
//!
//! Both solvers and a central finite difference of the simulator agree (the workspace's most
//! important test).
//!
//! A spike whose slope $D_k$ vanishes (a grazing crossing) has no derivative:
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
mod sample;
mod solve;

pub use adjoint::{AdjointWorkspace, adjoint_accumulate};
pub use assemble::{AssembleOptions, Assembly, ParamLayout, SparseRows, assemble};
pub use graph::{CausalGraph, Parent, SpikeKey};
pub use sample::SampleDerivatives;
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
