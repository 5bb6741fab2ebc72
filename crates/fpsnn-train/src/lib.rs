//! Training of spiking networks with exact gradients: network construction and seeded
//! initialisation, optimisers (Adam, SGD with momentum) with serialisable state,
//! learning-rate schedules, minibatch gradients computed in parallel over samples and
//! reduced in a fixed order, a trainer with per-epoch metrics and observers, weight averaging
//! over the last epochs, and versioned checkpoints.
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
//! # Example
//! ```
//! use fpsnn_core::NeuronParams;
//! use fpsnn_losses::FirstSpikeCrossEntropy;
//! use fpsnn_train::{AdamConfig, FeedForwardSpec, Silent, TrainConfig, Trainer};
//! let spec = FeedForwardSpec {
//!     inputs: 2, hidden: vec![4], outputs: 2,
//!     neuron: NeuronParams::try_new(1.0, 0.99, 1.0)?,
//!     init: vec![(3.0, 1.0), (2.0, 0.1)], t_max: 8.0, max_spikes_per_neuron: 100,
//! };
//! let network = spec.build(0)?;
//! let loss = FirstSpikeCrossEntropy::try_new(0.1, 1.0, 0.2, 8.0)?;
//! let config = TrainConfig { batch_size: 4, seed: 0, schedule: Default::default(), gradient: Default::default() };
//! let mut trainer = Trainer::try_new(network, 1, loss, AdamConfig::with_lr(0.1).build()?, config)?;
//! let data = fpsnn_datasets::xor();
//! let before = trainer.evaluate(&data)?.loss;
//! trainer.fit(&data, None, None, 20, 1, &mut Silent)?;
//! assert!(trainer.evaluate(&data)?.loss < before);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod average;
mod checkpoint;
pub mod distributed;
mod gradient;
#[cfg(feature = "mpi")]
mod mpi;
mod optim;
mod params;
mod trainer;

pub use average::WeightAverage;
pub use checkpoint::{MAGIC, VERSION, write_atomically};
pub use gradient::{
    BatchOutcome, GradientMethod, GradientOptions, REDUCTION_CHUNK, SampleFailure, SampleOutcome,
    batch, batch_on, sample_gradient, training_sim_options,
};
#[cfg(feature = "mpi")]
pub use mpi::MpiCollective;
pub use optim::{Adam, AdamConfig, LrSchedule, Optimizer, OptimizerState, Sgd, SgdConfig};
pub use params::{FeedForwardSpec, flatten_weights, set_weights};
pub use trainer::{EpochRecord, EvalStats, Observer, Silent, TrainConfig, Trainer};

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
