//! **fpsnn**: exact gradients for spiking neural networks.
//!
//! fpsnn simulates networks of current-based leaky integrate-and-fire neurons exactly, event
//! by event, records which spikes caused which, and differentiates every spike time with
//! respect to the weights, thresholds and input times by the implicit function theorem
//! (Lee, Haghighatshoar & Karbasi, 2023). The neuron model, the potential $V_i(t)$ with its
//! PSP and reset kernels, is stated once, in [`kernels`](fpsnn_kernels#model). A spike
//! time $f_k$ is where $\Phi_k = V_i(f_k) - \theta = 0$; sorted by time, the system
//! $A \frac{\partial F}{\partial p} = -\frac{\partial \Phi}{\partial p}$ with
//! $A = \frac{\partial \Phi}{\partial F}$ is lower triangular
//! ([`causal`]), solved forward in time (forward propagation, the paper's
//! Algorithm 2) or transposed (adjoint) for
//! $\frac{d\mathcal{L}}{dp} = \frac{\partial \mathcal{L}}{\partial F} \frac{\partial F}{\partial p} + \frac{\partial \mathcal{L}}{\partial p}$.
//!
//! New here? [`tutorial`] goes from `cargo add` to a trained model, a custom loss and a
//! custom kernel.
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
//! | [`train`] | `fpsnn-train` | the paper's set-ups ([`train::Setup`]), initialisers, optimisers, trainer ([`train::Trainer::builder`], [`train::FitOptions`], prediction), checkpoints |
//!
//! Every crate's error converts into [`Error`] with `?`; [`prelude`] holds the names most
//! programs need.
//!
//! # Training: the paper's Yin-Yang run
//! The whole program that trains the paper's 5-150-3 network on Yin-Yang (DESIGN section
//! 4; the `yinyang` example with its defaults: 95.7 ± 1.6 % test accuracy over seeds 0-9,
//! `docs/results.md`) is a preset, the
//! data, a trainer and a fit. Every value of the set-up is a public field to change
//! before training ([`train::Setup`]); the trainer can also be put together from the
//! parts with [`train::Trainer::builder`] and [`train::FitOptions`].
//!
//! ```
//! use fpsnn::prelude::*;
//!
//! fn main() -> Result<(), fpsnn::Error> {
//!     // 5-150-3, alpha 0.999, beta 1; Adam 5e-4, batch 150, 300 epochs, seed 0
//!     let setup = Setup::yin_yang_paper();
//! #   // (as a doc test: one epoch, so that it runs in seconds without optimisation)
//! #   let setup = Setup { epochs: 1, ..setup };
//!     // the official train, validation and test sets, latency-coded
//!     let data = setup.data.load()?;
//!     // weights drawn with the set-up's seed; the loss counts silence at the network's t_max
//!     let mut trainer = setup.trainer()?;
//!     // 300 epochs, the validation and test sets evaluated every 10
//!     trainer.fit(&data.train, setup.fit_options(&data))?;
//!     let test = trainer.evaluate(&data.test)?;
//!     println!("test accuracy {:.2} %", 100.0 * test.accuracy);
//!     // a prediction is the output neuron that fires first
//!     let sample = &data.test.samples()[0];
//!     println!("label {}, predicted {:?}", sample.label, trainer.predict(sample)?);
//!     Ok(())
//! }
//! ```
//!
//! # Simulation and gradients
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

/// Any error of the workspace's crates: what a program's `main` returns
/// (`fn main() -> Result<(), fpsnn::Error>`), every crate's error converting into it with
/// `?`. Each variant displays the crate's own message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Vocabulary ([`core::CoreError`]: thread counts, neuron parameters).
    #[error(transparent)]
    Core(#[from] fpsnn_core::CoreError),
    /// Kernels ([`kernels::KernelError`]).
    #[error(transparent)]
    Kernel(#[from] fpsnn_kernels::KernelError),
    /// Networks and simulation ([`sim::SimError`]).
    #[error(transparent)]
    Sim(#[from] fpsnn_sim::SimError),
    /// Triangular solves ([`trisolve::SolveError`]).
    #[error(transparent)]
    Solve(#[from] fpsnn_trisolve::SolveError),
    /// Causal graphs and gradients ([`causal::CausalError`]).
    #[error(transparent)]
    Causal(#[from] fpsnn_causal::CausalError),
    /// Losses ([`losses::LossError`]).
    #[error(transparent)]
    Loss(#[from] fpsnn_losses::LossError),
    /// Datasets and encoders ([`datasets::DatasetError`]).
    #[error(transparent)]
    Dataset(#[from] fpsnn_datasets::DatasetError),
    /// Training, checkpoints and set-ups ([`train::TrainError`]).
    #[error(transparent)]
    Train(#[from] fpsnn_train::TrainError),
    /// I/O of the program itself (reading a network file, writing results).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

// Compile-time check: the error crosses threads (rayon workers, `Box<dyn Error + Send + Sync>`).
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Error>();
};

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[doc = include_str!("../docs/tutorial.md")]
pub mod tutorial {}

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
        SampleDerivatives, adjoint_gradient, assemble, forward_jacobian, forward_jacobian_layered,
        spike_gradient,
    };
    pub use fpsnn_core::{NeuronParams, Parallelism, SpikeId, Time};
    pub use fpsnn_datasets::{Dataset, Sample, SpikeDataset};
    pub use fpsnn_kernels::{CrossingSearch, ExpKernel, Kernel, NeuronKernel, NonLeakyKernel};
    pub use fpsnn_losses::{
        FirstSpikeCrossEntropy, Loss, LossOutput, Potentials, SilentLabel, SpikeTimeMse,
    };
    pub use fpsnn_sim::{InputSpikes, Method, Network, SimError, SimOptions, SimTrace, simulate};
    pub use fpsnn_train::{
        AdamConfig, FeedForwardSpec, FitOptions, Setup, TrainConfig, Trainer, TrainerBuilder,
    };

    pub use crate::Error;
}
