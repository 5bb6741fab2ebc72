//! Training through the library's presets: `Setup` (a preset whose fields Python reads and
//! changes), `Dataset` (spike-train samples with labels) and `Trainer` (fit, evaluate,
//! predict, checkpoints).

use std::path::PathBuf;

use fpsnn::datasets::{Dataset, Sample, SpikeDataset};
use fpsnn::losses::Loss;
use fpsnn::sim::Network;
use fpsnn::train::{
    DataSpec, EpochRecord, EvalStats, FitOptions, Observer, Optimizer, Setup, TrainError, Trainer,
};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::compute::labels_arg;
use crate::errors::{Failure, Kind, py_err};
use crate::network::PyNetwork;

/// The presets by name, in the order of `Setup::presets()`.
const PRESETS: [&str; 8] = [
    "xor_paper",
    "xor_tuned",
    "iris_paper",
    "iris_tuned",
    "yin_yang_paper",
    "yin_yang_best",
    "digits",
    "fashion_mnist",
];

fn preset(name: &str) -> Option<Setup> {
    Some(match name {
        "xor_paper" => Setup::xor_paper(),
        "xor_tuned" => Setup::xor_tuned(),
        "iris_paper" => Setup::iris_paper(),
        "iris_tuned" => Setup::iris_tuned(),
        "yin_yang_paper" => Setup::yin_yang_paper(),
        "yin_yang_best" => Setup::yin_yang_best(),
        "digits" => Setup::digits(),
        "fashion_mnist" => Setup::fashion_mnist(),
        _ => return None,
    })
}

/// A count (epochs, batch size, ...) from a Python int: negative is an `InvalidConfigError`.
fn count(name: &str, value: i64) -> Result<usize, Failure> {
    usize::try_from(value).map_err(|_| {
        Failure::new(
            Kind::Config,
            format!("`{name}` = {value} is invalid: must be >= 0"),
        )
    })
}

/// A float setting that must be finite.
fn finite(name: &str, value: f64) -> Result<f64, Failure> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Failure::new(
            Kind::Config,
            format!("`{name}` = {value} is invalid: must be finite"),
        ))
    }
}

/// A training set-up: one of the library's presets (`Setup("yin_yang_paper")`), every
/// field readable and settable before `trainer()`.
#[pyclass(name = "Setup", module = "fpsnn._fpsnn")]
#[derive(Clone, Debug)]
pub(crate) struct PySetup {
    inner: Setup,
    name: String,
}

#[pymethods]
impl PySetup {
    /// The preset `name` (see `Setup.presets()`).
    #[new]
    fn new(name: &str) -> PyResult<Self> {
        let inner = preset(name).ok_or_else(|| {
            Failure::new(
                Kind::Config,
                format!("unknown preset `{name}` (known: {})", PRESETS.join(", ")),
            )
        })?;
        Ok(Self {
            inner,
            name: name.to_owned(),
        })
    }

    /// The preset names.
    #[staticmethod]
    fn presets() -> Vec<&'static str> {
        PRESETS.to_vec()
    }

    /// The preset this set-up started from.
    #[getter]
    fn preset(&self) -> &str {
        &self.name
    }

    /// Epochs to train.
    #[getter]
    fn get_epochs(&self) -> usize {
        self.inner.epochs
    }
    #[setter]
    fn set_epochs(&mut self, value: i64) -> PyResult<()> {
        self.inner.epochs = count("epochs", value)?;
        Ok(())
    }

    /// Evaluate the validation and test sets every this many epochs.
    #[getter]
    fn get_eval_every(&self) -> usize {
        self.inner.eval_every
    }
    #[setter]
    fn set_eval_every(&mut self, value: i64) -> PyResult<()> {
        self.inner.eval_every = count("eval_every", value)?;
        Ok(())
    }

    /// Seed of the initial weights and of the shuffling.
    #[getter]
    fn get_seed(&self) -> u64 {
        self.inner.config.seed
    }
    #[setter]
    fn set_seed(&mut self, value: i64) -> PyResult<()> {
        self.inner.config.seed = count("seed", value)? as u64;
        Ok(())
    }

    /// Samples per minibatch.
    #[getter]
    fn get_batch_size(&self) -> usize {
        self.inner.config.batch_size
    }
    #[setter]
    fn set_batch_size(&mut self, value: i64) -> PyResult<()> {
        self.inner.config.batch_size = count("batch_size", value)?;
        Ok(())
    }

    /// Adam's learning rate.
    #[getter]
    fn get_learning_rate(&self) -> f64 {
        self.inner.optimizer.lr
    }
    #[setter]
    fn set_learning_rate(&mut self, value: f64) -> PyResult<()> {
        self.inner.optimizer.lr = finite("learning_rate", value)?;
        Ok(())
    }

    /// Hidden layer sizes.
    #[getter]
    fn get_hidden(&self) -> Vec<usize> {
        self.inner.network.hidden.clone()
    }
    #[setter]
    fn set_hidden(&mut self, value: Vec<i64>) -> PyResult<()> {
        self.inner.network.hidden = value
            .into_iter()
            .map(|h| count("hidden", h))
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// Softmax temperature of the first-spike cross-entropy.
    #[getter]
    fn get_tau0(&self) -> f64 {
        self.inner.loss.tau0
    }
    #[setter]
    fn set_tau0(&mut self, value: f64) -> PyResult<()> {
        self.inner.loss.tau0 = finite("tau0", value)?;
        Ok(())
    }

    /// Time scale of the earliness regulariser.
    #[getter]
    fn get_tau1(&self) -> f64 {
        self.inner.loss.tau1
    }
    #[setter]
    fn set_tau1(&mut self, value: f64) -> PyResult<()> {
        self.inner.loss.tau1 = finite("tau1", value)?;
        Ok(())
    }

    /// Weight of the earliness regulariser.
    #[getter]
    fn get_gamma(&self) -> f64 {
        self.inner.loss.gamma
    }
    #[setter]
    fn set_gamma(&mut self, value: f64) -> PyResult<()> {
        self.inner.loss.gamma = finite("gamma", value)?;
        Ok(())
    }

    /// Simulation horizon (and the loss's silent time).
    #[getter]
    fn get_t_max(&self) -> f64 {
        self.inner.network.t_max
    }
    #[setter]
    fn set_t_max(&mut self, value: f64) -> PyResult<()> {
        self.inner.network.t_max = finite("t_max", value)?;
        Ok(())
    }

    /// Synaptic rate `alpha = 1/tau_syn`.
    #[getter]
    fn get_alpha(&self) -> f64 {
        self.inner.network.neuron.alpha
    }
    #[setter]
    fn set_alpha(&mut self, value: f64) -> PyResult<()> {
        self.inner.network.neuron.alpha = finite("alpha", value)?;
        Ok(())
    }

    /// Membrane rate `beta = 1/tau_mem`.
    #[getter]
    fn get_beta(&self) -> f64 {
        self.inner.network.neuron.beta
    }
    #[setter]
    fn set_beta(&mut self, value: f64) -> PyResult<()> {
        self.inner.network.neuron.beta = finite("beta", value)?;
        Ok(())
    }

    /// Threshold `theta`.
    #[getter]
    fn get_theta(&self) -> f64 {
        self.inner.network.neuron.theta
    }
    #[setter]
    fn set_theta(&mut self, value: f64) -> PyResult<()> {
        self.inner.network.neuron.theta = finite("theta", value)?;
        Ok(())
    }

    /// Initial weight distributions `(mean, sd)` per layer.
    #[getter]
    fn get_init(&self) -> Vec<(f64, f64)> {
        self.inner.network.init.clone()
    }
    #[setter]
    fn set_init(&mut self, value: Vec<(f64, f64)>) -> PyResult<()> {
        for &(mean, sd) in &value {
            finite("init mean", mean)?;
            finite("init sd", sd)?;
        }
        self.inner.network.init = value;
        Ok(())
    }

    /// Per-neuron spike cap.
    #[getter]
    fn get_max_spikes_per_neuron(&self) -> usize {
        self.inner.network.max_spikes_per_neuron
    }
    #[setter]
    fn set_max_spikes_per_neuron(&mut self, value: i64) -> PyResult<()> {
        self.inner.network.max_spikes_per_neuron = count("max_spikes_per_neuron", value)?;
        Ok(())
    }

    /// Average the weights from the end of this epoch on (`None`: no averaging).
    #[getter]
    fn get_average_from(&self) -> Option<usize> {
        self.inner.average_from
    }
    #[setter]
    fn set_average_from(&mut self, value: Option<i64>) -> PyResult<()> {
        self.inner.average_from = value.map(|v| count("average_from", v)).transpose()?;
        Ok(())
    }

    /// Input channels of the network.
    #[getter]
    fn inputs(&self) -> usize {
        self.inner.network.inputs
    }

    /// Output neurons (classes).
    #[getter]
    fn outputs(&self) -> usize {
        self.inner.network.outputs
    }

    /// The preset's data, loaded and encoded: `{"train", "validation" (or None), "test"}`.
    fn load_data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        if matches!(self.inner.data, DataSpec::Images(_)) {
            return Err(Failure::new(
                Kind::Config,
                "the image sets (fashion_mnist) are encoded on the fly and not loaded through the Python package; use the Rust example `fashion`",
            )
            .into());
        }
        let spec = self.inner.data.clone();
        let data = py.detach(|| spec.load()).map_err(py_err)?;
        let d = PyDict::new(py);
        d.set_item("train", PyDataset { inner: data.train })?;
        d.set_item(
            "validation",
            data.validation.map(|v| PyDataset { inner: v }),
        )?;
        d.set_item("test", PyDataset { inner: data.test })?;
        Ok(d)
    }

    /// A trainer at epoch 0 (weights drawn with `seed`).
    fn trainer(&self) -> PyResult<PyTrainer> {
        let trainer = self.inner.trainer().map_err(py_err)?;
        Ok(PyTrainer::wrap(trainer, &self.inner))
    }

    /// A trainer restored from the checkpoint at `path` (written by `Trainer.save` or the
    /// Rust examples' `--save`) with this set-up's loss, optimiser and configuration.
    fn resume(&self, path: PathBuf) -> PyResult<PyTrainer> {
        let trainer = self.inner.resume(&path).map_err(py_err)?;
        Ok(PyTrainer::wrap(trainer, &self.inner))
    }

    fn __repr__(&self) -> String {
        format!("Setup({:?}) = {:#?}", self.name, self.inner)
    }
}

/// A labelled dataset of spike-train samples.
#[pyclass(name = "Dataset", module = "fpsnn._fpsnn", frozen)]
#[derive(Clone, Debug)]
pub(crate) struct PyDataset {
    pub(crate) inner: SpikeDataset,
}

#[pymethods]
impl PyDataset {
    /// `inputs[n][c]`: the spike times of channel `c` in sample `n` (or an `(N, channels)`
    /// array of single spike times, NaN for no spike); `labels[n]` its class.
    /// `num_inputs` defaults to the first sample's channel count, `num_classes` to the
    /// largest label plus one.
    #[new]
    #[pyo3(signature = (inputs, labels, num_inputs = None, num_classes = None))]
    fn new(
        inputs: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        num_inputs: Option<i64>,
        num_classes: Option<i64>,
    ) -> PyResult<Self> {
        let py = inputs.py();
        let numpy_array = py.import("numpy")?.getattr("ndarray")?;
        let dense;
        let inputs = if inputs.is_instance(&numpy_array)?
            && inputs.getattr("ndim")?.extract::<usize>()? == 2
        {
            dense = py
                .import("fpsnn._convert")?
                .call_method1("dense_samples", (inputs,))?;
            &dense
        } else {
            inputs
        };
        let inputs: Vec<Vec<Vec<f64>>> = inputs.extract().map_err(|e| {
            PyTypeError::new_err(format!(
                "inputs must be a list of samples, each a list of channels of spike times: {e}"
            ))
        })?;
        let labels: Vec<i64> = labels
            .extract()
            .map_err(|e| PyTypeError::new_err(format!("labels must be a sequence of ints: {e}")))?;
        if labels.len() != inputs.len() {
            return Err(Failure::new(
                Kind::Input,
                format!("{} label(s) for {} sample(s)", labels.len(), inputs.len()),
            )
            .into());
        }
        let num_inputs = match num_inputs {
            Some(n) => count("num_inputs", n)?,
            None => inputs.first().map_or(0, Vec::len),
        };
        let num_classes = match num_classes {
            Some(n) => count("num_classes", n)?,
            None => labels
                .iter()
                .max()
                .map_or(0, |&m| usize::try_from(m).map_or(0, |m| m + 1)),
        };
        let labels = labels_arg(labels, num_classes)?;
        let samples = inputs
            .into_iter()
            .zip(labels)
            .map(|(spikes, label)| Sample::new(spikes, label))
            .collect();
        let inner = SpikeDataset::try_new(samples, num_inputs, num_classes).map_err(py_err)?;
        Ok(Self { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Input channels.
    #[getter]
    fn num_inputs(&self) -> usize {
        self.inner.num_inputs()
    }

    /// Classes.
    #[getter]
    fn num_classes(&self) -> usize {
        self.inner.num_classes()
    }

    /// The labels (int64).
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        self.inner
            .samples()
            .iter()
            .map(|s| s.label as i64)
            .collect::<Vec<_>>()
            .into_pyarray(py)
    }

    /// The samples' spike trains, `inputs[n][c]` a list of floats.
    #[getter]
    fn inputs(&self) -> Vec<Vec<Vec<f64>>> {
        self.inner
            .samples()
            .iter()
            .map(|s| s.input_spikes.clone())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Dataset(samples={}, num_inputs={}, num_classes={})",
            self.inner.len(),
            self.inner.num_inputs(),
            self.inner.num_classes()
        )
    }
}

/// A progress bar over the samples of an epoch (drawn only on a terminal).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    epoch: usize,
    epochs: usize,
}

impl Observer for Progress {
    fn on_batch(&mut self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(format!("epoch {}/{}", self.epoch, self.epochs));
        }
    }
}

fn record_dict<'py>(py: Python<'py>, r: &EpochRecord) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("epoch", r.epoch)?;
    d.set_item("lr", r.lr)?;
    d.set_item("train_loss", r.train_loss)?;
    d.set_item("train_accuracy", r.train_accuracy)?;
    d.set_item("silent_fraction", r.silent_fraction)?;
    d.set_item("skipped", r.skipped)?;
    d.set_item("validation_accuracy", r.validation_accuracy)?;
    d.set_item("test_accuracy", r.test_accuracy)?;
    d.set_item("seconds", r.seconds)?;
    Ok(d)
}

/// What the Python trainer calls: the classification methods of the library's
/// [`Trainer`], whatever loss and optimiser a preset builds it with (the type
/// [`Setup::trainer`] returns is not named here, so the binding follows the library's).
trait Classifier: Send + Sync {
    fn fit_until(
        &mut self,
        train: &SpikeDataset,
        options: FitOptions<'_>,
    ) -> Result<(), TrainError>;
    fn evaluate(&self, data: &SpikeDataset) -> Result<EvalStats, TrainError>;
    fn predict(&self, sample: &Sample) -> Result<Option<usize>, TrainError>;
    fn predict_batch(&self, data: &SpikeDataset) -> Result<Vec<Option<usize>>, TrainError>;
    fn save(&self, path: &std::path::Path) -> Result<(), TrainError>;
    fn network(&self) -> &Network;
    fn epoch(&self) -> usize;
    fn history(&self) -> &[EpochRecord];
}

impl<L, O> Classifier for Trainer<L, O>
where
    L: Loss<Target = usize> + Send + Sync,
    O: Optimizer + Send + Sync,
{
    fn fit_until(
        &mut self,
        train: &SpikeDataset,
        options: FitOptions<'_>,
    ) -> Result<(), TrainError> {
        self.fit(train, options)
    }
    fn evaluate(&self, data: &SpikeDataset) -> Result<EvalStats, TrainError> {
        Trainer::evaluate(self, data)
    }
    fn predict(&self, sample: &Sample) -> Result<Option<usize>, TrainError> {
        Trainer::predict(self, sample)
    }
    fn predict_batch(&self, data: &SpikeDataset) -> Result<Vec<Option<usize>>, TrainError> {
        Trainer::predict_batch(self, data)
    }
    fn save(&self, path: &std::path::Path) -> Result<(), TrainError> {
        Trainer::save(self, path)
    }
    fn network(&self) -> &Network {
        Trainer::network(self)
    }
    fn epoch(&self) -> usize {
        Trainer::epoch(self)
    }
    fn history(&self) -> &[EpochRecord] {
        Trainer::history(self)
    }
}

/// A trainer made by `Setup.trainer()` or `Setup.resume(path)`.
#[pyclass(name = "Trainer", module = "fpsnn._fpsnn")]
pub(crate) struct PyTrainer {
    inner: Box<dyn Classifier>,
    epochs: usize,
    eval_every: usize,
}

impl PyTrainer {
    fn wrap(inner: impl Classifier + 'static, setup: &Setup) -> Self {
        Self {
            inner: Box::new(inner),
            epochs: setup.epochs,
            eval_every: setup.eval_every,
        }
    }
}

#[pymethods]
impl PyTrainer {
    /// Trains on `train` until `epochs` epochs are complete (default: the set-up's),
    /// evaluating `validation` and `test` after every `eval_every`-th epoch and the last.
    /// `progress` draws a bar on a terminal; `callback(record)` is called after every
    /// epoch with the epoch's record (a dict; an exception it raises stops training). Ctrl-C
    /// stops training after the current epoch. Returns the new epochs' records. The result
    /// is the library's `Trainer::fit`, bit for bit.
    #[pyo3(signature = (train, epochs = None, validation = None, test = None, eval_every = None, progress = true, callback = None))]
    #[allow(clippy::too_many_arguments)]
    fn fit<'py>(
        &mut self,
        py: Python<'py>,
        train: &PyDataset,
        epochs: Option<i64>,
        validation: Option<PyRef<'py, PyDataset>>,
        test: Option<PyRef<'py, PyDataset>>,
        eval_every: Option<i64>,
        progress: bool,
        callback: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let epochs = match epochs {
            Some(e) => count("epochs", e)?,
            None => self.epochs,
        };
        let eval_every = match eval_every {
            Some(e) => count("eval_every", e)?.max(1),
            None => self.eval_every.max(1),
        };
        let validation = validation.as_ref().map(|v| v.inner.clone());
        let test = test.as_ref().map(|t| t.inner.clone());
        let train = &train.inner;
        let mut records = Vec::new();
        let bar = progress.then(|| {
            let bar = indicatif::ProgressBar::new(train.len() as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        });
        // One epoch per call of the library's `fit` (the same epochs and evaluations as one
        // call, since an epoch's shuffling is a pure function of seed and epoch), so that
        // the callback and Ctrl-C run between epochs with the GIL held.
        while self.inner.epoch() < epochs {
            let next = self.inner.epoch() + 1;
            let evaluate = next == epochs || next % eval_every == 0;
            let mut observer = Progress {
                bar: bar.clone(),
                epoch: next,
                epochs,
            };
            let trainer = &mut self.inner;
            let result = py.detach(|| {
                let mut options = FitOptions::new(next).observer(&mut observer);
                if evaluate {
                    if let Some(v) = &validation {
                        options = options.validation(v);
                    }
                    if let Some(t) = &test {
                        options = options.test(t);
                    }
                }
                trainer.fit_until(train, options)
            });
            result.map_err(py_err)?;
            let record = self.inner.history().last().copied();
            if let Some(record) = record {
                let d = record_dict(py, &record)?;
                if let Some(callback) = &callback {
                    callback.call1((d.clone(),))?;
                }
                records.push(d);
            }
            py.check_signals()?;
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(records)
    }

    /// Loss, accuracy, silent fraction and skipped samples on `data` (a dict).
    fn evaluate<'py>(&self, py: Python<'py>, data: &PyDataset) -> PyResult<Bound<'py, PyDict>> {
        let trainer = &self.inner;
        let stats = py
            .detach(|| trainer.evaluate(&data.inner))
            .map_err(py_err)?;
        let d = PyDict::new(py);
        d.set_item("loss", stats.loss)?;
        d.set_item("accuracy", stats.accuracy)?;
        d.set_item("silent_fraction", stats.silent_fraction)?;
        d.set_item("skipped", stats.skipped)?;
        Ok(d)
    }

    /// The class predicted for one sample's input spikes (the output neuron that fires
    /// first), or None if no output fires.
    fn predict(&self, py: Python<'_>, input_spikes: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        let input = crate::compute::input_arg(self.inner.network(), input_spikes)?;
        let sample = Sample::new(input.to_times(), 0);
        let trainer = &self.inner;
        py.detach(|| trainer.predict(&sample)).map_err(py_err)
    }

    /// The predicted class of every sample of `data` (int64; -1 where no output fires or
    /// the sample is skipped).
    fn predict_batch<'py>(
        &self,
        py: Python<'py>,
        data: &PyDataset,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        if data.inner.num_inputs() != self.inner.network().inputs() {
            return Err(Failure::new(
                Kind::Input,
                format!(
                    "the dataset has {} input channel(s), the network expects {}",
                    data.inner.num_inputs(),
                    self.inner.network().inputs()
                ),
            )
            .into());
        }
        let trainer = &self.inner;
        let predicted = py
            .detach(|| trainer.predict_batch(&data.inner))
            .map_err(py_err)?;
        Ok(predicted
            .into_iter()
            .map(|p| p.map_or(-1, |c| c as i64))
            .collect::<Vec<_>>()
            .into_pyarray(py))
    }

    /// Writes a checkpoint (the Rust format of `docs/formats.md`) to `path`.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.inner.save(&path).map_err(py_err)
    }

    /// The network with its current weights.
    #[getter]
    fn network(&self) -> PyNetwork {
        PyNetwork {
            inner: self.inner.network().clone(),
        }
    }

    /// Epochs completed.
    #[getter]
    fn epoch(&self) -> usize {
        self.inner.epoch()
    }

    /// The records of every epoch so far (dicts).
    #[getter]
    fn history<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .history()
            .iter()
            .map(|r| record_dict(py, r))
            .collect()
    }
}
