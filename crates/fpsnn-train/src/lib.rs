//! Training of spiking networks with exact gradients: network construction and seeded
//! initialisation, optimisers (Adam, SGD with momentum) with serialisable state,
//! learning-rate schedules, minibatch gradients computed in parallel over samples and
//! reduced in a fixed order, a trainer with per-epoch metrics, observers and prediction,
//! weight averaging over the last epochs, versioned checkpoints, and the paper's set-ups as
//! values ([`Setup`]).
//!
//! # What is minimised
//! For a minibatch `B` the trainer minimises the mean per-sample loss (eq. 6 of the paper
//! for the first-spike cross-entropy)
//!
//! ```text
//! L_B = (1/|B|) sum_{n in B} l(F_n(W), y_n),     dL_B/dW = (1/|B|) sum_n (dl/dF_n) (dF_n/dW)
//! ```
//!
//! where each sample's `dF_n/dW` is exact (implicit function theorem, `fpsnn-causal`). Samples
//! run in parallel with rayon; their gradients are summed in sample order, so the same seed
//! gives bit-identical weights with any number of threads.
//!
//! # Any loss, any target
//! The trainer is generic over the loss (the seam is described in `fpsnn_losses`): each
//! sample's loss sees the output population's spike trains and, through
//! `fpsnn_losses::Potentials`, its membrane potentials (what the silent-label term
//! `fpsnn_losses::SilentLabel` reads); what it read comes back as derivatives that
//! the gradient code turns into exact weight gradients. A loss with parameters of its own
//! (a linear readout's weights) is trained with the network: the trained vector is the
//! flat weights followed by `Loss::params`, one optimiser state over both, saved in
//! checkpoints. Samples carry targets of the loss's type, [`TargetOf<L>`] (class labels
//! `usize` by default, target spike times `Vec<Vec<f64>>`, voltage samples); accuracy and
//! prediction are for class labels ([`TrainTarget`]).
//!
//! # The API in one place
//! | step | names |
//! |---|---|
//! | a set-up to start from | [`Setup`] presets (`yin_yang_paper`, `xor_tuned`, `fashion_mnist`, ...), [`DataSpec`] ([`ImageDataSpec`] for IDX image sets, encoded on the fly), [`CrossEntropySpec`], [`SetupData`] |
//! | network | [`FeedForwardSpec`] (or any `fpsnn_sim::Network`) |
//! | trainer | [`Trainer::builder`] -> [`TrainerBuilder`] (output population defaults to the last, the loss's horizon must be the network's), [`TrainConfig`] (with `Default`) |
//! | training | [`Trainer::fit`] with [`FitOptions`] (epochs, evaluation interval, validation and test sets, [`Observer`]) |
//! | other losses | any `fpsnn_losses::Loss` with [`Trainer::builder`]; data `fpsnn_datasets::SpikeDataset<TargetOf<L>>`; [`Trainer::output_spikes`], [`Trainer::loss`] (trained loss parameters) |
//! | results | [`Trainer::evaluate`], [`Trainer::predict`], [`Trainer::predict_batch`], [`Trainer::history`], checkpoints ([`Trainer::save`], [`Trainer::resume`]) |
//!
//! # Example
//! XOR from the network up (the preset [`Setup::xor_paper`] holds the same values):
//! ```
//! use fpsnn_core::NeuronParams;
//! use fpsnn_losses::FirstSpikeCrossEntropy;
//! use fpsnn_train::{AdamConfig, FeedForwardSpec, FitOptions, Trainer};
//! let spec = FeedForwardSpec {
//!     inputs: 2, hidden: vec![4], outputs: 2,
//!     neuron: NeuronParams::try_new(1.0, 0.99, 1.0)?,
//!     init: vec![(3.0, 1.0), (2.0, 0.1)], t_max: 8.0, max_spikes_per_neuron: 100,
//! };
//! let network = spec.build(0)?;
//! let loss = FirstSpikeCrossEntropy::try_new(0.1, 1.0, 0.2, network.t_max())?;
//! let mut trainer = Trainer::builder(network, loss, AdamConfig::with_lr(0.1).build()?)
//!     .batch_size(4)
//!     .build()?;
//! let data = fpsnn_datasets::xor();
//! let before = trainer.evaluate(&data)?.loss;
//! trainer.fit(&data, FitOptions::new(20))?;
//! assert!(trainer.evaluate(&data)?.loss < before);
//! assert_eq!(trainer.predict_batch(&data)?.len(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod average;
mod builder;
mod checkpoint;
pub mod distributed;
mod gradient;
#[cfg(feature = "mpi")]
mod mpi;
mod optim;
mod params;
mod report;
mod setup;
mod target;
mod trainer;

pub use average::WeightAverage;
pub use builder::TrainerBuilder;
pub use checkpoint::{MAGIC, VERSION, write_atomically};
pub use gradient::{
    BatchOutcome, GradientMethod, GradientOptions, REDUCTION_CHUNK, SampleFailure, SampleOutcome,
    batch, batch_on, sample_gradient, training_sim_options,
};
#[cfg(feature = "mpi")]
pub use mpi::MpiCollective;
pub use optim::{Adam, AdamConfig, LrSchedule, Optimizer, OptimizerState, Sgd, SgdConfig};
pub use params::{FeedForwardSpec, flatten_weights, set_weights};
pub use report::{BatchGradientReport, ReportError, ReportLoss, ReportOptions, SampleReport};
pub use setup::{CrossEntropySpec, DataSpec, ImageDataSpec, Setup, SetupData, SetupLoss};
pub use target::TrainTarget;
pub use trainer::{
    EpochRecord, EvalStats, FitOptions, Observer, Silent, TargetOf, TrainConfig, Trainer,
};

use fpsnn_causal::CausalError;
use fpsnn_losses::LossError;
use fpsnn_sim::SimError;

/// Errors of training.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// Simulation failed (or a weight became non-finite).
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The gradient does not exist or could not be computed.
    #[error(transparent)]
    Causal(#[from] CausalError),
    /// The loss rejected its input.
    #[error(transparent)]
    Loss(#[from] LossError),
    /// A configuration value is invalid.
    #[error("`{name}` = {value} is invalid: must be {requirement}")]
    InvalidConfig {
        /// Name.
        name: &'static str,
        /// Value.
        value: f64,
        /// What it must be.
        requirement: &'static str,
    },
    /// The loss counts a silent output at another time than the network's horizon.
    #[error(
        "the loss counts a silent output at t = {loss} but the network simulates to t_max = {network}; build the loss from the network's t_max"
    )]
    HorizonMismatch {
        /// The loss's silent time ([`Loss::silent_time`](fpsnn_losses::Loss::silent_time)).
        loss: f64,
        /// The network's `t_max`.
        network: f64,
    },
    /// A set-up's network does not fit its data.
    #[error("the network has {network} {what} but the data {data}")]
    SetupMismatch {
        /// What differs (`input channels`, `outputs (classes)`).
        what: &'static str,
        /// The network's count.
        network: usize,
        /// The data's count.
        data: usize,
    },
    /// The optimiser state does not belong to the optimiser or has the wrong length.
    #[error("optimiser state does not match the optimiser or the parameter count")]
    OptimizerState,
    /// A flat parameter vector has the wrong length.
    #[error("expected {expected} parameters, got {got}")]
    ParamCount {
        /// Expected.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// A dataset has no sample.
    #[error("the dataset is empty")]
    EmptyDataset,
    /// A dataset returned no sample at an index below its length.
    #[error("the dataset has no sample {index}")]
    SampleIndex {
        /// Index.
        index: usize,
    },
    /// A checkpoint is invalid.
    #[error("invalid checkpoint: {reason}")]
    Checkpoint {
        /// What is wrong.
        reason: String,
    },
    /// A data-parallel run failed: on another rank (`rank`, with its message), or in the
    /// transport between ranks (`rank` `None`).
    #[error("{}{message}", rank.map_or(String::new(), |r| format!("rank {r}: ")))]
    Distributed {
        /// The rank that failed, if it was another one.
        rank: Option<usize>,
        /// What happened.
        message: String,
    },
    /// File I/O failed.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS message.
        message: String,
    },
}
