//! [`TrainerBuilder`]: a trainer from a network, a loss and an optimiser, with named
//! options for everything else.

use fpsnn_losses::Loss;
use fpsnn_sim::Network;

use crate::{
    GradientOptions, LrSchedule, Optimizer, TrainConfig, TrainError, TrainTarget, Trainer,
};

/// Builds a [`Trainer`]; made by [`Trainer::builder`].
///
/// The network, the loss and the optimiser are required (the constructor's arguments);
/// everything else has a default:
///
/// | option | default |
/// |---|---|
/// | [`output`](TrainerBuilder::output) | the network's last population |
/// | [`config`](TrainerBuilder::config) | [`TrainConfig::default`] |
/// | [`batch_size`](TrainerBuilder::batch_size), [`seed`](TrainerBuilder::seed), [`schedule`](TrainerBuilder::schedule), [`gradient`](TrainerBuilder::gradient) | the fields of that configuration |
///
/// [`build`](TrainerBuilder::build) checks what no single option can: the output index
/// names a population, the configuration is valid, and the loss counts a silent output at
/// the network's own horizon `t_max` ([`TrainError::HorizonMismatch`] otherwise; build
/// the loss from [`Network::t_max`] to make them agree by construction).
///
/// # Examples
/// ```
/// use fpsnn_losses::FirstSpikeCrossEntropy;
/// use fpsnn_train::{AdamConfig, FeedForwardSpec, TrainError, Trainer};
/// let network = FeedForwardSpec::latency_images(20).build(0)?; // t_max 4
/// let adam = AdamConfig::with_lr(1e-3).build()?;
/// // a loss that counts silence at t = 2 while the simulation runs to t = 4 is refused
/// let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, 2.0)?;
/// let err = Trainer::builder(network.clone(), loss, adam.clone()).build().unwrap_err();
/// assert!(matches!(err, TrainError::HorizonMismatch { .. }));
/// // built from the network's horizon, it agrees by construction
/// let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, network.t_max())?;
/// let trainer = Trainer::builder(network, loss, adam).batch_size(16).build()?;
/// assert_eq!(trainer.config().batch_size, 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct TrainerBuilder<L, O> {
    network: Network,
    loss: L,
    optimizer: O,
    output: Option<usize>,
    config: TrainConfig,
}

impl<L, O> TrainerBuilder<L, O>
where
    L: Loss<Target: ToOwned<Owned: TrainTarget>>,
    O: Optimizer,
{
    /// A builder with every option at its default (see [`Trainer::builder`]).
    pub fn new(network: Network, loss: L, optimizer: O) -> Self {
        Self {
            network,
            loss,
            optimizer,
            output: None,
            config: TrainConfig::default(),
        }
    }

    /// The population the loss reads (default: the last one).
    pub fn output(mut self, population: usize) -> Self {
        self.output = Some(population);
        self
    }

    /// The whole configuration at once (the setters below change one field of it).
    pub fn config(mut self, config: TrainConfig) -> Self {
        self.config = config;
        self
    }

    /// Samples per minibatch (default 32).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.config.batch_size = batch_size;
        self
    }

    /// Seed of the shuffling (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Learning-rate schedule (default constant).
    pub fn schedule(mut self, schedule: LrSchedule) -> Self {
        self.config.schedule = schedule;
        self
    }

    /// Gradient options (default [`GradientOptions::default`]).
    pub fn gradient(mut self, gradient: GradientOptions) -> Self {
        self.config.gradient = gradient;
        self
    }

    /// The trainer, at epoch 0.
    ///
    /// # Errors
    /// As [`Trainer::try_new`]: [`TrainError::InvalidConfig`] for an output index that is
    /// not a population or an invalid configuration, [`TrainError::HorizonMismatch`] for a
    /// loss whose silent time is not the network's `t_max`.
    pub fn build(self) -> Result<Trainer<L, O>, TrainError> {
        let output = self
            .output
            .unwrap_or_else(|| self.network.populations().len().saturating_sub(1));
        Trainer::try_new(self.network, output, self.loss, self.optimizer, self.config)
    }
}
