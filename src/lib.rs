//! **fpsnn**: exact gradients for spiking neural networks.
//!
//! fpsnn simulates networks of current-based leaky integrate-and-fire neurons exactly, event
//! by event, records which spikes caused which, and differentiates every spike time with
//! respect to the weights, thresholds and input times by the implicit function theorem
//! (Lee, Haghighatshoar & Karbasi, 2023). Sorted by time the system is lower triangular,
//! solved forward in time (forward propagation, the paper's Algorithm 2) or transposed
//! (adjoint):
//!
//! ```text
//! V_i(t) = sum_j W_ji sum_{g in F_j, g < t} h(t - g) - theta sum_{m in F_i, m < t} e^{-beta (t - m)}
//! L dF/dp = -dPhi/dp,   L = dPhi/dF lower triangular,   dL/dp = (dL/dF) dF/dp + dL/dp|direct
//! ```
//!
//! # Crates
//! | module | crate | what |
//! |---|---|---|
//! | [`core`] | `fpsnn-core` | time, ids, neuron parameters, spike trains, parallelism |
//! | [`kernels`] | `fpsnn-kernels` | PSP/reset kernels, closed-form state, exact crossing |
//! | [`sim`] | `fpsnn-sim` | networks, JSON format, exact simulation, causal record |
//! | [`trisolve`] | `fpsnn-trisolve` | sparse lower-triangular solves |
//! | [`causal`] | `fpsnn-causal` | causal graph, IFT assembly, forward propagation, adjoint |
//! | [`losses`] | `fpsnn-losses` | losses over spike times and membrane potentials |
//! | [`datasets`] | `fpsnn-datasets` | XOR, Iris, Yin-Yang, digits, MNIST, encoders |
//! | [`train`] | `fpsnn-train` | initialisers, optimisers, trainer, checkpoints |
//!
//! # Example
//! ```
//! use fpsnn::prelude::*;
//! let net = Network::from_json(r#"{
//!   "neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 2,
//!   "populations": [{"name": "out", "size": 1}],
//!   "projections": [{"from": "input", "to": "out", "weights": [[3.0], [2.0]]}],
//!   "t_max": 10.0}"#)?;
//! let input = InputSpikes::try_new(vec![vec![0.0], vec![0.5]])?;
//! let trace = simulate(&net, &input, &SimOptions::default())?;
//! let graph = CausalGraph::try_new(&net, &input, &trace)?;
//! let system = assemble(&graph, &AssembleOptions::default())?;
//! let jacobian = forward_jacobian(&system, Parallelism::Sequential)?;
//! // df/dW for the first spike: a stronger input makes it earlier
//! assert!(jacobian.wrt_param(SpikeId(0), 0) < 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use fpsnn_causal as causal;
pub use fpsnn_core as core;
pub use fpsnn_datasets as datasets;
pub use fpsnn_kernels as kernels;
pub use fpsnn_losses as losses;
pub use fpsnn_sim as sim;
pub use fpsnn_train as train;
pub use fpsnn_trisolve as trisolve;

/// The names most programs need.
pub mod prelude {
    pub use fpsnn_causal::{
        AssembleOptions, CausalError, CausalGraph, Gradient, Jacobian, ParamLayout,
        adjoint_gradient, assemble, forward_jacobian, forward_jacobian_layered, spike_gradient,
    };
    pub use fpsnn_core::{NeuronParams, Parallelism, SpikeId, Time};
    pub use fpsnn_kernels::{CrossingSearch, ExpKernel, Kernel, NeuronKernel, NonLeakyKernel};
    pub use fpsnn_losses::{FirstSpikeCrossEntropy, Loss, LossOutput};
    pub use fpsnn_sim::{InputSpikes, Method, Network, SimError, SimOptions, SimTrace, simulate};
    pub use fpsnn_train::{AdamConfig, FeedForwardSpec, TrainConfig, Trainer};
}
