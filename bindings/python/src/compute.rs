//! Simulation and exact gradients for one sample or a list of samples. A list runs in
//! parallel over its samples (rayon, the GIL released); results come back in sample order
//! and the first failing sample, in sample order, is the error raised, so neither depends
//! on the thread count.

use fpsnn::causal::SampleDerivatives;
use fpsnn::core::Parallelism;
use fpsnn::losses::{FirstSpikeCrossEntropy, Loss};
use fpsnn::sim::{InputSpikes, Network, SimOptions, SimTrace, simulate as sim};
use numpy::ndarray::{Array1, Array2};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

use crate::errors::{Failure, Kind};
use crate::network::PyNetwork;

/// One sample's input spikes from a sequence of per-channel sequences of times, checked
/// against the network (channel count, finite, `>= 0`, sorted).
pub(crate) fn input_arg(network: &Network, obj: &Bound<'_, PyAny>) -> PyResult<InputSpikes> {
    let channels: Vec<Vec<f64>> = obj.extract().map_err(|e| {
        PyTypeError::new_err(format!(
            "input spikes must be a sequence of channels, each a sequence of spike times (floats): {e}"
        ))
    })?;
    Ok(checked_input(network, channels)?)
}

/// `channels` as input spikes of `network`.
pub(crate) fn checked_input(
    network: &Network,
    channels: Vec<Vec<f64>>,
) -> Result<InputSpikes, Failure> {
    if channels.len() != network.inputs() {
        return Err(Failure::new(
            Kind::Input,
            format!(
                "input has {} channel(s), the network expects {}",
                channels.len(),
                network.inputs()
            ),
        ));
    }
    Ok(InputSpikes::try_new(channels)?)
}

/// A list of samples' input spikes; errors name the sample.
fn inputs_arg(network: &Network, obj: &Bound<'_, PyAny>) -> PyResult<Vec<InputSpikes>> {
    if obj.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyTypeError::new_err(
            "inputs must be a list of samples, not a string",
        ));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "inputs must be a list of samples (each a list of channels of spike times), got {}",
            obj.get_type()
                .name()
                .map_or_else(|_| "?".to_owned(), |n| n.to_string())
        ))
    })?;
    let mut out = Vec::new();
    for (n, item) in iter.enumerate() {
        let item = item?;
        let input = input_arg(network, &item).map_err(|e| {
            Python::attach(|py| {
                let message = format!("sample {n}: {}", e.value(py));
                match e.get_type(py).call1((message,)) {
                    Ok(value) => PyErr::from_value(value),
                    Err(other) => other,
                }
            })
        })?;
        out.push(input);
    }
    Ok(out)
}

/// The population `obj` names (a name or an index; `None`: the last one).
pub(crate) fn population_arg(network: &Network, obj: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
    let count = network.populations().len();
    if count == 0 {
        return Err(Failure::new(Kind::Input, "the network has no population").into());
    }
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(count - 1);
    };
    if let Ok(name) = obj.extract::<String>() {
        return network.population_index(&name).ok_or_else(|| {
            Failure::new(Kind::Input, format!("unknown population `{name}`")).into()
        });
    }
    let index: i64 = obj.extract().map_err(|_| {
        PyTypeError::new_err("population must be a population name (str) or index (int)")
    })?;
    usize::try_from(index)
        .ok()
        .filter(|&p| p < count)
        .ok_or_else(|| {
            Failure::new(
                Kind::Input,
                format!("population index {index} is out of range: the network has {count}"),
            )
            .into()
        })
}

/// Class labels, each in `0..classes`.
pub(crate) fn labels_arg(labels: Vec<i64>, classes: usize) -> Result<Vec<usize>, Failure> {
    labels
        .iter()
        .enumerate()
        .map(|(n, &label)| {
            usize::try_from(label)
                .ok()
                .filter(|&l| l < classes)
                .ok_or_else(|| {
                    Failure::new(
                        Kind::Input,
                        format!("label {label} of sample {n} is not a class in 0..{classes}"),
                    )
                })
        })
        .collect()
}

/// Runs `f` on every sample in parallel without the GIL; the first failure in sample order
/// is the error.
fn par_samples<T: Send>(
    py: Python<'_>,
    count: usize,
    f: impl Fn(usize) -> Result<T, Failure> + Sync + Send,
) -> PyResult<Vec<T>> {
    let results: Vec<Result<T, Failure>> = py.detach(|| {
        (0..count)
            .into_par_iter()
            .map(|n| f(n).map_err(|e| e.context(format_args!("sample {n}"))))
            .collect()
    });
    results
        .into_iter()
        .collect::<Result<Vec<T>, Failure>>()
        .map_err(PyErr::from)
}

fn run(network: &Network, input: &InputSpikes) -> Result<SimTrace, Failure> {
    Ok(sim(network, input, &SimOptions::default())?)
}

/// `{population name: [spike times of each neuron as a 1-D array]}`.
fn spikes_dict<'py>(
    py: Python<'py>,
    network: &Network,
    trace: &SimTrace,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (pop, record) in network.populations().iter().zip(&trace.populations) {
        let neurons: Vec<Bound<'py, PyArray1<f64>>> = record
            .spikes
            .iter()
            .map(|s| s.clone().into_pyarray(py))
            .collect();
        d.set_item(pop.name(), neurons)?;
    }
    Ok(d)
}

/// Simulates `network` on one sample exactly: `{population name: [spike times of each
/// neuron]}`.
#[pyfunction]
pub(crate) fn simulate<'py>(
    py: Python<'py>,
    network: &PyNetwork,
    input_spikes: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let net = &network.inner;
    let input = input_arg(net, input_spikes)?;
    let trace = py.detach(|| run(net, &input))?;
    spikes_dict(py, net, &trace)
}

/// [`simulate`] for a list of samples, in parallel: one dict per sample.
#[pyfunction]
pub(crate) fn simulate_batch<'py>(
    py: Python<'py>,
    network: &PyNetwork,
    inputs: &Bound<'py, PyAny>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let net = &network.inner;
    let inputs = inputs_arg(net, inputs)?;
    let traces = par_samples(py, inputs.len(), |n| run(net, &inputs[n]))?;
    traces.iter().map(|t| spikes_dict(py, net, t)).collect()
}

/// One sample's spike-time Jacobian, rows in (population, neuron, spike) order.
struct JacobianRows {
    trace: SimTrace,
    index: Array2<i64>,
    times: Array1<f64>,
    weights: Array2<f64>,
    thresholds: Array2<f64>,
    inputs: Array2<f64>,
}

fn jacobian_one(network: &Network, input: &InputSpikes) -> Result<JacobianRows, Failure> {
    let trace = run(network, input)?;
    let sample = SampleDerivatives::try_new(network, input, &trace)?;
    let jac = sample.jacobian(Parallelism::Sequential)?;
    let layout = &sample.assembly().layout;
    let (num_weights, pops, num_inputs) = (
        layout.num_weights(),
        network.populations().len(),
        sample.graph().num_input_spikes(),
    );
    let ids = sample.spike_order();
    let rows = ids.len();
    let index = Array2::from_shape_fn((rows, 3), |(k, c)| ids[k].0[c] as i64);
    let times = Array1::from_shape_fn(rows, |k| sample.graph().time(ids[k].1));
    let weights = Array2::from_shape_fn((rows, num_weights), |(k, j)| jac.wrt_param(ids[k].1, j));
    let thresholds = Array2::from_shape_fn((rows, pops), |(k, p)| {
        jac.wrt_param(ids[k].1, layout.threshold_index(p))
    });
    let inputs = Array2::from_shape_fn((rows, num_inputs), |(k, g)| jac.wrt_input(ids[k].1, g));
    drop(sample);
    Ok(JacobianRows {
        trace,
        index,
        times,
        weights,
        thresholds,
        inputs,
    })
}

/// The exact spike-time Jacobian by forward propagation for every sample of `inputs`, in
/// parallel. One dict per sample: `spikes` (as [`simulate`]), `index` (`K x 3` int64: the
/// population, neuron and spike number of each row, rows in that order), `times` (`K`),
/// `weights` (`K x P`: `df/dW` in the weight flattening of `docs/formats.md`),
/// `thresholds` (`K x populations`) and `inputs` (`K x G`: `df/dg` for every input spike,
/// channel by channel).
#[pyfunction]
pub(crate) fn jacobian<'py>(
    py: Python<'py>,
    network: &PyNetwork,
    inputs: &Bound<'py, PyAny>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let net = &network.inner;
    let inputs = inputs_arg(net, inputs)?;
    let results = par_samples(py, inputs.len(), |n| jacobian_one(net, &inputs[n]))?;
    results
        .into_iter()
        .map(|r| {
            let d = PyDict::new(py);
            d.set_item("spikes", spikes_dict(py, net, &r.trace)?)?;
            d.set_item("index", r.index.into_pyarray(py))?;
            d.set_item("times", r.times.into_pyarray(py))?;
            d.set_item("weights", r.weights.into_pyarray(py))?;
            d.set_item("thresholds", r.thresholds.into_pyarray(py))?;
            d.set_item("inputs", r.inputs.into_pyarray(py))?;
            Ok(d)
        })
        .collect()
}

/// One sample's loss and adjoint gradient.
struct LossRow {
    loss: f64,
    silent: usize,
    params: Vec<f64>,
    inputs: Vec<f64>,
}

fn loss_one(
    network: &Network,
    input: &InputSpikes,
    population: usize,
    loss: &FirstSpikeCrossEntropy,
    label: usize,
) -> Result<LossRow, Failure> {
    let trace = run(network, input)?;
    let out = loss.evaluate(&trace.populations[population].spikes, &label)?;
    let gradient = SampleDerivatives::try_new(network, input, &trace)?.loss_gradient(
        population,
        &out.d_spikes,
        None,
    )?;
    Ok(LossRow {
        loss: out.value,
        silent: out.silent,
        params: gradient.params,
        inputs: gradient.inputs,
    })
}

/// The first-spike cross-entropy of each sample (`tau0`, `tau1`, `gamma`; silent outputs
/// count at the network's `t_max`) and its exact gradient by the adjoint, in parallel over
/// the samples. Returns a dict: `loss` (`N`), `silent` (`N`, silent outputs), `weights`
/// (`N x P`, the weight flattening), `thresholds` (`N x populations`) and `inputs` (a list
/// of `N` arrays, `dL/dg` per input spike, channel by channel).
#[pyfunction]
#[pyo3(signature = (network, inputs, labels, tau0 = 0.2, tau1 = 1.0, gamma = 0.005, population = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn loss_gradient<'py>(
    py: Python<'py>,
    network: &PyNetwork,
    inputs: &Bound<'py, PyAny>,
    labels: Vec<i64>,
    tau0: f64,
    tau1: f64,
    gamma: f64,
    population: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let net = &network.inner;
    let population = population_arg(net, population)?;
    let inputs = inputs_arg(net, inputs)?;
    if labels.len() != inputs.len() {
        return Err(Failure::new(
            Kind::Input,
            format!("{} label(s) for {} sample(s)", labels.len(), inputs.len()),
        )
        .into());
    }
    let labels = labels_arg(labels, net.populations()[population].size())?;
    let loss = FirstSpikeCrossEntropy::try_new(tau0, tau1, gamma, net.t_max())
        .map_err(|e| Failure::new(Kind::Config, e.to_string()))?;
    let rows = par_samples(py, inputs.len(), |n| {
        loss_one(net, &inputs[n], population, &loss, labels[n])
    })?;
    let num_weights = net.num_weights();
    let pops = net.populations().len();
    let weights = Array2::from_shape_fn((rows.len(), num_weights), |(n, j)| rows[n].params[j]);
    let thresholds =
        Array2::from_shape_fn((rows.len(), pops), |(n, p)| rows[n].params[num_weights + p]);
    let d = PyDict::new(py);
    d.set_item(
        "loss",
        rows.iter()
            .map(|r| r.loss)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    d.set_item(
        "silent",
        rows.iter()
            .map(|r| r.silent as i64)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    d.set_item("weights", weights.into_pyarray(py))?;
    d.set_item("thresholds", thresholds.into_pyarray(py))?;
    let input_grads: Vec<Bound<'py, PyArray1<f64>>> = rows
        .into_iter()
        .map(|r| r.inputs.into_pyarray(py))
        .collect();
    d.set_item("inputs", input_grads)?;
    Ok(d)
}

/// First spike times and whether each neuron fired, both `N x neurons`.
type TimesAndFired<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<bool>>);

/// The first spike time of every neuron of `population` for every sample, in parallel:
/// `(times, fired)`, both `N x neurons`; a neuron that does not fire has time `t_max` and
/// `fired` false (the convention of the library's losses, which pass it no gradient).
#[pyfunction]
#[pyo3(signature = (network, inputs, population = None))]
pub(crate) fn first_spike_times<'py>(
    py: Python<'py>,
    network: &PyNetwork,
    inputs: &Bound<'py, PyAny>,
    population: Option<&Bound<'py, PyAny>>,
) -> PyResult<TimesAndFired<'py>> {
    let net = &network.inner;
    let population = population_arg(net, population)?;
    let inputs = inputs_arg(net, inputs)?;
    let firsts = par_samples(py, inputs.len(), |n| {
        let trace = run(net, &inputs[n])?;
        Ok(trace.populations[population]
            .spikes
            .iter()
            .map(|s| s.first().copied())
            .collect::<Vec<Option<f64>>>())
    })?;
    let neurons = net.populations()[population].size();
    let t_max = net.t_max();
    let times = Array2::from_shape_fn((firsts.len(), neurons), |(n, i)| {
        firsts[n][i].unwrap_or(t_max)
    });
    let fired = Array2::from_shape_fn((firsts.len(), neurons), |(n, i)| firsts[n][i].is_some());
    Ok((times.into_pyarray(py), fired.into_pyarray(py)))
}

/// The vector-Jacobian product of [`first_spike_times`] with respect to the weights: for a
/// cotangent `c` (`N x neurons`), `sum_n sum_i c[n, i] d(first spike of i in sample n)/dW`
/// (a silent neuron contributes nothing), by the adjoint, summed in sample order. Returns
/// the `P` weights' gradient in the weight flattening.
#[pyfunction]
#[pyo3(signature = (network, inputs, cotangent, population = None))]
pub(crate) fn first_spike_vjp<'py>(
    py: Python<'py>,
    network: &PyNetwork,
    inputs: &Bound<'py, PyAny>,
    cotangent: PyReadonlyArray2<'py, f64>,
    population: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let net = &network.inner;
    let population = population_arg(net, population)?;
    let inputs = inputs_arg(net, inputs)?;
    let cotangent = cotangent.as_array().to_owned();
    let neurons = net.populations()[population].size();
    if cotangent.dim() != (inputs.len(), neurons) {
        return Err(Failure::new(
            Kind::Input,
            format!(
                "cotangent has shape {:?}, expected ({}, {neurons})",
                cotangent.dim(),
                inputs.len()
            ),
        )
        .into());
    }
    if let Some(bad) = cotangent.iter().find(|c| !c.is_finite()) {
        return Err(Failure::new(
            Kind::Input,
            format!("cotangent holds {bad}; every entry must be finite"),
        )
        .into());
    }
    let grads = par_samples(py, inputs.len(), |n| {
        let input = &inputs[n];
        let trace = run(net, input)?;
        let d_spikes: Vec<Vec<f64>> = trace.populations[population]
            .spikes
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut row = vec![0.0; s.len()];
                if let Some(first) = row.first_mut() {
                    *first = cotangent[(n, i)];
                }
                row
            })
            .collect();
        let mut params = SampleDerivatives::try_new(net, input, &trace)?
            .loss_gradient(population, &d_spikes, None)?
            .params;
        params.truncate(net.num_weights());
        Ok(params)
    })?;
    let mut sum = vec![0.0; net.num_weights()];
    for g in &grads {
        for (s, v) in sum.iter_mut().zip(g) {
            *s += v;
        }
    }
    Ok(sum.into_pyarray(py))
}
