//! The training loop: seeded shuffling, minibatch steps, per-epoch metrics, observers.

use std::time::Instant;

use fpsnn_datasets::{Dataset, Sample};
use fpsnn_losses::{Loss, LossError};
use fpsnn_sim::Network;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use crate::distributed::{Collective, SingleProcess};
use crate::gradient::{is_sample_failure, output_spikes, predict_sample};
use crate::{
    BatchOutcome, GradientOptions, LrSchedule, Optimizer, OptimizerState, SampleFailure,
    TrainError, TrainTarget, TrainerBuilder, WeightAverage, batch_on, flatten_weights, set_weights,
};

/// The target type of the samples a trainer with loss `L` trains on: the owned form of
/// [`Loss::Target`] (`usize` for a class label, `Vec<Vec<f64>>` for
/// [`SpikeTimeMse`](fpsnn_losses::SpikeTimeMse)'s `[Vec<f64>]`).
pub type TargetOf<L> = <<L as Loss>::Target as ToOwned>::Owned;

/// Settings of a training run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainConfig {
    /// Samples per minibatch, >= 1.
    pub batch_size: usize,
    /// Seed of the shuffling (epoch `e` shuffles with `seed_from_u64(seed + e)` mixed, so a
    /// resumed run shuffles exactly as an uninterrupted one).
    pub seed: u64,
    /// Learning-rate schedule over epochs.
    pub schedule: LrSchedule,
    /// Gradient options.
    pub gradient: GradientOptions,
}

impl Default for TrainConfig {
    /// Minibatches of 32 samples, seed 0, a constant learning rate and the default
    /// [`GradientOptions`] (adjoint, failing samples skipped).
    fn default() -> Self {
        Self {
            batch_size: 32,
            seed: 0,
            schedule: LrSchedule::Constant,
            gradient: GradientOptions::default(),
        }
    }
}

impl TrainConfig {
    /// Checks the values a plain struct cannot: a staircase factor in `(0, 1]` and a
    /// finite non-negative grazing tolerance.
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] naming the value.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |name, value, requirement| {
            Err(TrainError::InvalidConfig {
                name,
                value,
                requirement,
            })
        };
        if let LrSchedule::Step { factor, .. } = self.schedule {
            if !(factor > 0.0 && factor <= 1.0) {
                return bad("schedule factor", factor, "in (0, 1]");
            }
        }
        let tolerance = self.gradient.assemble.grazing_tolerance;
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return bad("grazing_tolerance", tolerance, "finite and >= 0");
        }
        Ok(())
    }
}

/// Metrics of a dataset evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalStats {
    /// Mean loss over the samples that could be simulated.
    pub loss: f64,
    /// Fraction classified correctly (skipped samples count as wrong); NaN for targets
    /// that are not class labels ([`TrainTarget::CLASSIFIES`]).
    pub accuracy: f64,
    /// Fraction of output neurons that stayed silent.
    pub silent_fraction: f64,
    /// Samples that failed (grazing or spike cap).
    pub skipped: usize,
}

/// One row of the training history.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Learning rate used.
    pub lr: f64,
    /// Mean training loss over the epoch's minibatches (measured before each update).
    pub train_loss: f64,
    /// Training accuracy over the epoch's minibatches (measured before each update); NaN
    /// for targets that are not class labels.
    pub train_accuracy: f64,
    /// Silent output fraction over the epoch.
    pub silent_fraction: f64,
    /// Samples skipped during the epoch.
    pub skipped: usize,
    /// Validation accuracy after the epoch, if a validation set was given.
    pub validation_accuracy: Option<f64>,
    /// Test accuracy after the epoch, if a test set was given.
    pub test_accuracy: Option<f64>,
    /// Wall time of the epoch in seconds (training and evaluation).
    pub seconds: f64,
}

impl EpochRecord {
    /// The CSV header matching [`EpochRecord::csv_row`].
    pub const CSV_HEADER: &'static str = "epoch,lr,train_loss,train_accuracy,silent_fraction,skipped,validation_accuracy,test_accuracy,seconds";

    /// One CSV row (empty fields for missing accuracies).
    #[must_use]
    pub fn csv_row(&self) -> String {
        let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
        format!(
            "{},{},{},{},{},{},{},{},{}",
            self.epoch,
            self.lr,
            self.train_loss,
            self.train_accuracy,
            self.silent_fraction,
            self.skipped,
            opt(self.validation_accuracy),
            opt(self.test_accuracy),
            self.seconds
        )
    }
}

/// Receives progress; every hook defaults to doing nothing.
pub trait Observer {
    /// After each minibatch: samples done in this epoch, of `total`.
    fn on_batch(&mut self, _done: usize, _total: usize) {}
    /// After each epoch.
    fn on_epoch(&mut self, _record: &EpochRecord) {}
}

/// An observer that does nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {}

/// The named options of [`Trainer::fit`]: how far to train, what to evaluate after the
/// epochs, and who hears about progress.
///
/// Build it with [`FitOptions::new`] and the chained setters, or as a struct literal with
/// `..FitOptions::default()` (which trains no epoch). `T` is the datasets' target type
/// ([`TargetOf`] the trainer's loss; class labels by default).
///
/// # Examples
/// ```
/// # use fpsnn_train::{FitOptions, Silent};
/// let data = fpsnn_datasets::xor();
/// let mut observer = Silent;
/// let options = FitOptions::new(300).eval_every(10).test(&data).observer(&mut observer);
/// assert_eq!((options.epochs, options.eval_every), (300, 10));
/// assert!(options.validation.is_none() && options.test.is_some());
/// ```
pub struct FitOptions<'a, T = usize> {
    /// Train until this many epochs are complete, counting the epochs already done (a
    /// trainer resumed at epoch 40 with `epochs: 100` trains 60 more).
    pub epochs: usize,
    /// Evaluate `validation` and `test` after every `eval_every`-th epoch and after the
    /// last; 0 counts as 1 (every epoch).
    pub eval_every: usize,
    /// Validation set, evaluated into [`EpochRecord::validation_accuracy`].
    pub validation: Option<&'a dyn Dataset<T>>,
    /// Test set, evaluated into [`EpochRecord::test_accuracy`].
    pub test: Option<&'a dyn Dataset<T>>,
    /// Receives progress; `None` is [`Silent`].
    pub observer: Option<&'a mut dyn Observer>,
}

impl<T> Default for FitOptions<'_, T> {
    fn default() -> Self {
        Self {
            epochs: 0,
            eval_every: 0,
            validation: None,
            test: None,
            observer: None,
        }
    }
}

impl<'a, T> FitOptions<'a, T> {
    /// Train until `epochs` epochs are complete, evaluating after every epoch, with no
    /// validation or test set and no observer.
    #[must_use]
    pub fn new(epochs: usize) -> Self {
        Self {
            epochs,
            eval_every: 1,
            ..Self::default()
        }
    }

    /// Evaluates after every `every`-th epoch (and after the last).
    #[must_use]
    pub fn eval_every(mut self, every: usize) -> Self {
        self.eval_every = every;
        self
    }

    /// Evaluates `data` as the validation set.
    #[must_use]
    pub fn validation(mut self, data: &'a dyn Dataset<T>) -> Self {
        self.validation = Some(data);
        self
    }

    /// Evaluates `data` as the test set.
    #[must_use]
    pub fn test(mut self, data: &'a dyn Dataset<T>) -> Self {
        self.test = Some(data);
        self
    }

    /// Reports progress to `observer`.
    #[must_use]
    pub fn observer(mut self, observer: &'a mut dyn Observer) -> Self {
        self.observer = Some(observer);
        self
    }
}

impl<T> std::fmt::Debug for FitOptions<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = |data: Option<&dyn Dataset<T>>| data.map(|d| d.len());
        f.debug_struct("FitOptions")
            .field("epochs", &self.epochs)
            .field("eval_every", &self.eval_every)
            .field("validation_len", &len(self.validation))
            .field("test_len", &len(self.test))
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

/// Trains the weights of a network, and the loss's own parameters if it has any, with an
/// exact-gradient loss over the output population's spikes (and membrane potentials, where
/// the loss reads them).
///
/// The trainer is generic over the loss `L`; its samples carry targets of type
/// [`TargetOf<L>`] (class labels `usize` for [`FirstSpikeCrossEntropy`], target times
/// `Vec<Vec<f64>>` for [`SpikeTimeMse`], ...). The trained parameter vector is the
/// network's weights in flat order followed by [`Loss::params`]: the optimiser updates
/// both, checkpoints save both. Classification-only methods ([`Trainer::predict`],
/// [`Trainer::predict_batch`]) exist for `usize` targets.
///
/// [`FirstSpikeCrossEntropy`]: fpsnn_losses::FirstSpikeCrossEntropy
/// [`SpikeTimeMse`]: fpsnn_losses::SpikeTimeMse
#[derive(Debug)]
pub struct Trainer<L, O> {
    pub(crate) network: Network,
    pub(crate) output: usize,
    pub(crate) loss: L,
    pub(crate) optimizer: O,
    pub(crate) state: OptimizerState,
    pub(crate) config: TrainConfig,
    pub(crate) epoch: usize,
    pub(crate) history: Vec<EpochRecord>,
    pub(crate) average: Option<WeightAverage>,
    pub(crate) collective: Arc<dyn Collective>,
}

impl<L, O> Trainer<L, O>
where
    L: Loss<Target: ToOwned<Owned: TrainTarget>>,
    O: Optimizer,
{
    /// A builder of a trainer for `network` with `loss` and `optimizer`: the documented way
    /// to make one. The output population defaults to the network's last, the
    /// configuration to [`TrainConfig::default`]; see [`TrainerBuilder`].
    ///
    /// # Examples
    /// ```
    /// use fpsnn_losses::FirstSpikeCrossEntropy;
    /// use fpsnn_train::{AdamConfig, FeedForwardSpec, Trainer};
    /// let network = FeedForwardSpec::latency_images(20).build(0)?;
    /// let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, network.t_max())?;
    /// let trainer = Trainer::builder(network, loss, AdamConfig::with_lr(1e-3).build()?)
    ///     .batch_size(64)
    ///     .seed(7)
    ///     .build()?;
    /// assert_eq!(trainer.output(), 1); // the last population
    /// assert_eq!(trainer.config().batch_size, 64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(network: Network, loss: L, optimizer: O) -> TrainerBuilder<L, O> {
        TrainerBuilder::new(network, loss, optimizer)
    }

    /// A trainer at epoch 0. `output` is the population the loss reads.
    /// [`Trainer::builder`] names the options and defaults the output to the last
    /// population.
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] for a zero batch size, an output index out of range or
    /// a value [`TrainConfig::validate`] rejects; [`TrainError::HorizonMismatch`] if the
    /// loss counts a silent output at another time than the network's `t_max`;
    /// [`TrainError::Loss`] if the loss's parameters cannot be set (a shared loss with
    /// parameters, [`LossError::SharedParameters`]).
    pub fn try_new(
        network: Network,
        output: usize,
        mut loss: L,
        optimizer: O,
        config: TrainConfig,
    ) -> Result<Self, TrainError> {
        if config.batch_size == 0 {
            return Err(TrainError::InvalidConfig {
                name: "batch_size",
                value: 0.0,
                requirement: ">= 1",
            });
        }
        if output >= network.populations().len() {
            return Err(TrainError::InvalidConfig {
                name: "output",
                value: output as f64,
                requirement: "a population index",
            });
        }
        config.validate()?;
        if let Some(silent) = loss.silent_time() {
            if silent.total_cmp(&network.t_max()) != std::cmp::Ordering::Equal {
                return Err(TrainError::HorizonMismatch {
                    loss: silent,
                    network: network.t_max(),
                });
            }
        }
        // the loss's parameters are trained with the weights: they must be settable (a
        // shared `&L` or `Arc<L>` with parameters is refused here, not after an epoch)
        let loss_params = loss.params().to_vec();
        if loss_params.len() != loss.num_params() {
            return Err(LossError::ShapeMismatch {
                what: "loss parameters (num_params)",
                expected: loss.num_params(),
                found: loss_params.len(),
            }
            .into());
        }
        loss.set_params(&loss_params)?;
        let state = optimizer.init_state(network.num_weights() + loss.num_params());
        Ok(Self {
            network,
            output,
            loss,
            optimizer,
            state,
            config,
            epoch: 0,
            history: Vec::new(),
            average: None,
            collective: Arc::new(SingleProcess),
        })
    }

    /// Shares every minibatch (and evaluation) with the other ranks of `collective`
    /// ([`distributed`](crate::distributed)): each rank computes its share, all apply the
    /// same step, and the weights stay bit-identical to a single-process run for any number
    /// of ranks. Every rank must train the same way (network, data, configuration, seed).
    /// Only rank 0 writes checkpoints and histories ([`Trainer::save`],
    /// [`Trainer::write_history_csv`] do nothing on the others).
    pub fn set_collective(&mut self, collective: Arc<dyn Collective>) {
        self.collective = collective;
    }

    /// The processes this trainer shares its work with ([`SingleProcess`] by default).
    #[must_use]
    pub fn collective(&self) -> &dyn Collective {
        &*self.collective
    }

    /// The network with its current weights.
    #[must_use]
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Epochs completed.
    #[must_use]
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Averages the weights at the end of epoch `from` and every later epoch (see
    /// [`WeightAverage`]); [`Trainer::apply_weight_average`] loads the mean into the
    /// network. The per-epoch metrics of [`Trainer::fit`] stay those of the current weights.
    ///
    /// A trainer resumed from a checkpoint keeps the average it saved when `from` is the
    /// same, so a resumed run averages exactly as an uninterrupted one; otherwise the
    /// average starts afresh.
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] for `from = 0`, or for `from` at or before the epochs
    /// already completed (their weights are gone) unless a matching average is kept.
    pub fn average_weights_from(&mut self, from: usize) -> Result<(), TrainError> {
        if self
            .average
            .as_ref()
            .is_some_and(|a| a.from_epoch() == from)
        {
            return Ok(());
        }
        if from != 0 && from <= self.epoch {
            return Err(TrainError::InvalidConfig {
                name: "average from epoch",
                value: from as f64,
                requirement: "after the epochs already completed",
            });
        }
        self.average = Some(WeightAverage::try_new(from, self.network.num_weights())?);
        Ok(())
    }

    /// The weight average, if [`Trainer::average_weights_from`] started one.
    #[must_use]
    pub fn weight_average(&self) -> Option<&WeightAverage> {
        self.average.as_ref()
    }

    /// Stops averaging and returns the average so far (for a trainer resumed from a
    /// checkpoint that holds one, when the new run should report its last weights).
    pub fn clear_weight_average(&mut self) -> Option<WeightAverage> {
        self.average.take()
    }

    /// Loads the averaged weights into the network and returns how many epochs they
    /// average; 0 (and the network unchanged) when no epoch has been averaged yet. The
    /// average itself is kept: training may go on from the mean, and later epochs keep
    /// adding to it.
    ///
    /// # Errors
    /// [`TrainError::Sim`] if a mean weight is not finite (the network is unchanged).
    pub fn apply_weight_average(&mut self) -> Result<usize, TrainError> {
        let Some(average) = &self.average else {
            return Ok(0);
        };
        let Some(mean) = average.mean() else {
            return Ok(0);
        };
        let mut network = self.network.clone();
        set_weights(&mut network, &mean)?;
        self.network = network;
        Ok(average.count())
    }

    /// The history so far.
    #[must_use]
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// The optimiser state.
    #[must_use]
    pub fn optimizer_state(&self) -> &OptimizerState {
        &self.state
    }

    /// The loss, with its current parameters (trained readout weights, if it has any).
    #[must_use]
    pub fn loss(&self) -> &L {
        &self.loss
    }

    /// The output population index.
    #[must_use]
    pub fn output(&self) -> usize {
        self.output
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Evaluates the current network on `data` (parallel over samples).
    ///
    /// # Errors
    /// [`TrainError::EmptyDataset`], or a sample error that is not a skippable failure.
    pub fn evaluate(&self, data: &dyn Dataset<TargetOf<L>>) -> Result<EvalStats, TrainError> {
        if data.is_empty() {
            return Err(TrainError::EmptyDataset);
        }
        let indices: Vec<usize> = (0..data.len()).collect();
        let out = batch_on(
            &*self.collective,
            &self.network,
            self.output,
            &self.loss,
            data,
            &indices,
            &self.config.gradient,
            false,
        )?;
        Ok(stats::<TargetOf<L>>(&out, data.len(), self.outputs()))
    }

    fn outputs(&self) -> usize {
        self.network.populations()[self.output].size()
    }

    /// One epoch over `train` in a seeded random order.
    ///
    /// # Errors
    /// [`TrainError::EmptyDataset`], a non-skippable sample error, or a non-finite update.
    pub fn train_epoch(
        &mut self,
        train: &dyn Dataset<TargetOf<L>>,
        observer: &mut dyn Observer,
    ) -> Result<EpochRecord, TrainError> {
        if train.is_empty() {
            return Err(TrainError::EmptyDataset);
        }
        let start = Instant::now();
        let mut order: Vec<usize> = (0..train.len()).collect();
        order.shuffle(&mut epoch_rng(self.config.seed, self.epoch));
        let lr = self
            .config
            .schedule
            .rate(self.optimizer.learning_rate(), self.epoch);
        // the weights, then the loss's own parameters
        let num_weights = self.network.num_weights();
        let mut params = flatten_weights(&self.network);
        params.extend_from_slice(self.loss.params());
        let mut sums = BatchOutcome::default();
        let mut done = 0;
        for chunk in order.chunks(self.config.batch_size) {
            let out = batch_on(
                &*self.collective,
                &self.network,
                self.output,
                &self.loss,
                train,
                chunk,
                &self.config.gradient,
                true,
            )?;
            if let Some(grads) = out.mean_gradient() {
                let state = std::mem::replace(
                    &mut self.state,
                    OptimizerState::Sgd {
                        velocity: Vec::new(),
                    },
                );
                self.state = self.optimizer.step(&mut params, &grads, state, lr)?;
                set_weights(&mut self.network, &params[..num_weights])?;
                self.loss.set_params(&params[num_weights..])?;
            }
            sums.loss_sum += out.loss_sum;
            sums.correct += out.correct;
            sums.silent += out.silent;
            sums.count += out.count;
            sums.skipped += out.skipped;
            done += chunk.len();
            observer.on_batch(done, order.len());
        }
        self.epoch += 1;
        if let Some(average) = &mut self.average {
            average.record(self.epoch, &params[..num_weights])?;
        }
        let s = stats::<TargetOf<L>>(&sums, train.len(), self.outputs());
        Ok(EpochRecord {
            epoch: self.epoch,
            lr,
            train_loss: s.loss,
            train_accuracy: s.accuracy,
            silent_fraction: s.silent_fraction,
            skipped: s.skipped,
            validation_accuracy: None,
            test_accuracy: None,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// Trains on `train` until `options.epochs` epochs are complete (continuing from the
    /// current epoch), evaluating the validation and test sets of `options` after every
    /// `eval_every`-th epoch and the last, and appending to the history.
    ///
    /// # Errors
    /// As [`Trainer::train_epoch`] and [`Trainer::evaluate`].
    ///
    /// # Examples
    /// ```
    /// # use fpsnn_losses::FirstSpikeCrossEntropy;
    /// # use fpsnn_train::{AdamConfig, FeedForwardSpec, FitOptions, Trainer};
    /// # let spec = FeedForwardSpec {
    /// #     inputs: 2, hidden: vec![4], outputs: 2,
    /// #     neuron: fpsnn_core::NeuronParams::try_new(1.0, 0.99, 1.0)?,
    /// #     init: vec![(3.0, 1.0), (2.0, 0.1)], t_max: 8.0, max_spikes_per_neuron: 100,
    /// # };
    /// # let loss = FirstSpikeCrossEntropy::try_new(0.1, 1.0, 0.2, 8.0)?;
    /// # let mut trainer = Trainer::builder(spec.build(0)?, loss, AdamConfig::with_lr(0.1).build()?)
    /// #     .batch_size(4)
    /// #     .build()?;
    /// let data = fpsnn_datasets::xor();
    /// trainer.fit(&data, FitOptions::new(5).eval_every(5).test(&data))?;
    /// assert_eq!(trainer.epoch(), 5);
    /// assert!(trainer.history()[4].test_accuracy.is_some());
    /// assert!(trainer.history()[3].test_accuracy.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit(
        &mut self,
        train: &dyn Dataset<TargetOf<L>>,
        options: FitOptions<'_, TargetOf<L>>,
    ) -> Result<(), TrainError> {
        let FitOptions {
            epochs,
            eval_every,
            validation,
            test,
            observer,
        } = options;
        let mut silent = Silent;
        let observer = match observer {
            Some(observer) => observer,
            None => &mut silent,
        };
        while self.epoch < epochs {
            let start = Instant::now();
            let mut record = self.train_epoch(train, observer)?;
            let evaluate = self.epoch == epochs || self.epoch % eval_every.max(1) == 0;
            if evaluate {
                if let Some(v) = validation {
                    record.validation_accuracy = Some(self.evaluate(v)?.accuracy);
                }
                if let Some(t) = test {
                    record.test_accuracy = Some(self.evaluate(t)?.accuracy);
                }
            }
            record.seconds = start.elapsed().as_secs_f64();
            observer.on_epoch(&record);
            self.history.push(record);
        }
        Ok(())
    }

    /// The output population's spike trains for one input, simulated with the options
    /// training uses ([`training_sim_options`](crate::training_sim_options)): what the
    /// loss reads (for a spike-time target, the times to compare with it).
    ///
    /// # Errors
    /// [`TrainError::Sim`] for an input that does not fit the network (channel count,
    /// unsorted or non-finite times) or a run past the spike cap.
    pub fn output_spikes(&self, input_spikes: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, TrainError> {
        output_spikes(
            &self.network,
            self.output,
            &self.loss,
            input_spikes,
            &self.config.gradient,
        )
    }

    /// Writes the history as CSV to `path` (through a temporary file and a rename); on rank
    /// 0 only ([`Trainer::set_collective`]).
    ///
    /// # Errors
    /// [`TrainError::Io`].
    pub fn write_history_csv(&self, path: &std::path::Path) -> Result<(), TrainError> {
        if self.collective.rank() != 0 {
            return Ok(());
        }
        let mut text = String::from(EpochRecord::CSV_HEADER);
        text.push('\n');
        for r in &self.history {
            text.push_str(&r.csv_row());
            text.push('\n');
        }
        crate::checkpoint::write_atomically(path, text.as_bytes())
    }
}

impl<L: Loss<Target = usize>, O: Optimizer> Trainer<L, O> {
    /// The class the network predicts for `sample` (its label is not read): the output
    /// neuron that fires first, ties to the lowest index
    /// ([`predict_first_spike`](fpsnn_losses::predict_first_spike), the rule training and
    /// [`Trainer::evaluate`] count accuracy with), simulated with the options training
    /// uses ([`training_sim_options`](crate::training_sim_options)). `None` if no output
    /// fires.
    ///
    /// # Errors
    /// [`TrainError::Sim`] for an input that does not fit the network (channel count,
    /// unsorted or non-finite times) or a run past the spike cap.
    pub fn predict(&self, sample: &Sample) -> Result<Option<usize>, TrainError> {
        predict_sample(
            &self.network,
            self.output,
            &self.loss,
            &sample.input_spikes,
            &self.config.gradient,
        )
    }

    /// [`Trainer::predict`] for every sample of `data`, in order (parallel over samples).
    /// A sample the trainer would skip ([`SampleFailure::Skip`](crate::SampleFailure) and a
    /// run past the spike cap) predicts `None`, so the fraction of predictions equal to
    /// the labels is [`Trainer::evaluate`]'s accuracy.
    ///
    /// # Errors
    /// The first error in sample order that the trainer would not skip.
    pub fn predict_batch(&self, data: &dyn Dataset) -> Result<Vec<Option<usize>>, TrainError> {
        let results: Vec<Result<Option<usize>, TrainError>> = (0..data.len())
            .into_par_iter()
            .map(|index| {
                let sample = data.get(index).ok_or(TrainError::SampleIndex { index })?;
                match self.predict(&sample) {
                    Err(err)
                        if self.config.gradient.on_failure == SampleFailure::Skip
                            && is_sample_failure(&err) =>
                    {
                        Ok(None)
                    }
                    other => other,
                }
            })
            .collect();
        // in sample order, so the error reported does not depend on the thread count
        results.into_iter().collect()
    }
}

/// The shuffling RNG of epoch `epoch`: a pure function of the seed and the epoch.
fn epoch_rng(seed: u64, epoch: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn stats<T: TrainTarget>(out: &BatchOutcome, total: usize, outputs: usize) -> EvalStats {
    EvalStats {
        loss: if out.count > 0 {
            out.loss_sum / out.count as f64
        } else {
            f64::NAN
        },
        accuracy: if T::CLASSIFIES {
            out.correct as f64 / total.max(1) as f64
        } else {
            f64::NAN
        },
        silent_fraction: out.silent as f64 / (out.count * outputs).max(1) as f64,
        skipped: out.skipped,
    }
}
