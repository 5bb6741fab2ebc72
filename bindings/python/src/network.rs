//! `fpsnn._fpsnn.Network`: a validated network, immutable from Python (the setters return
//! a new network).

use std::path::PathBuf;

use fpsnn::sim::{Network, Source};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{Failure, Kind, py_err};

/// A network in fpsnn's JSON format (`docs/formats.md`).
#[pyclass(name = "Network", module = "fpsnn._fpsnn", frozen, eq)]
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PyNetwork {
    pub(crate) inner: Network,
}

/// `r` as a projection index of `network`, or an `InvalidInputError`.
fn projection_index(network: &Network, r: i64) -> Result<usize, Failure> {
    usize::try_from(r)
        .ok()
        .filter(|&r| r < network.projections().len())
        .ok_or_else(|| {
            Failure::new(
                Kind::Input,
                format!(
                    "projection index {r} is out of range: the network has {} projection(s)",
                    network.projections().len()
                ),
            )
        })
}

fn source_name(network: &Network, source: Source) -> String {
    match source {
        Source::Input => "input".to_owned(),
        Source::Population(p) => network.populations()[p].name().to_owned(),
    }
}

#[pymethods]
impl PyNetwork {
    /// The network described by the JSON text `text`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Network::from_json(text)
            .map(|inner| Self { inner })
            .map_err(py_err)
    }

    /// The network described by `description`, a dict in the JSON format whose matrices may
    /// be numpy arrays (converted exactly).
    #[staticmethod]
    fn from_dict(py: Python<'_>, description: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text: String = py
            .import("fpsnn._convert")?
            .call_method1("to_json", (description,))?
            .extract()?;
        Self::from_json(&text)
    }

    /// A feed-forward chain `input -> names[0] -> names[1] -> ...` from one `(pre, post)`
    /// weight matrix per projection, every population with the neuron `alpha`, `beta`,
    /// `theta`; `names` default to `hidden0, ..., output`, `delays` to 0.
    #[staticmethod]
    #[pyo3(signature = (weights, alpha, beta, theta, t_max, names = None, delays = None, max_spikes_per_neuron = None))]
    #[allow(clippy::too_many_arguments)]
    fn from_weights(
        py: Python<'_>,
        weights: &Bound<'_, PyAny>,
        alpha: f64,
        beta: f64,
        theta: f64,
        t_max: f64,
        names: Option<Vec<String>>,
        delays: Option<Vec<f64>>,
        max_spikes_per_neuron: Option<i64>,
    ) -> PyResult<Self> {
        let description = py.import("fpsnn._convert")?.call_method1(
            "feed_forward",
            (
                weights,
                alpha,
                beta,
                theta,
                t_max,
                names,
                delays,
                max_spikes_per_neuron,
            ),
        )?;
        Self::from_dict(py, &description)
    }

    /// The description as a dict (the JSON format; matrices as nested lists).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .call_method1("loads", (self.inner.to_json(),))
    }

    /// The network in the JSON file at `path`.
    #[staticmethod]
    fn from_file(path: PathBuf) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::new(Kind::File, format!("{}: {e}", path.display())))?;
        Self::from_json(&text)
    }

    /// The JSON text (floats written exactly: reading it back gives the same bits).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Writes the JSON text to `path`.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        std::fs::write(&path, self.inner.to_json())
            .map_err(|e| Failure::new(Kind::File, format!("{}: {e}", path.display())).into())
    }

    /// Number of input channels.
    #[getter]
    fn inputs(&self) -> usize {
        self.inner.inputs()
    }

    /// Simulation horizon.
    #[getter]
    fn t_max(&self) -> f64 {
        self.inner.t_max()
    }

    /// Per-neuron spike cap.
    #[getter]
    fn max_spikes_per_neuron(&self) -> usize {
        self.inner.max_spikes_per_neuron()
    }

    /// Number of weights (the length of `flat_weights()`).
    #[getter]
    fn num_weights(&self) -> usize {
        self.inner.num_weights()
    }

    /// Whether the population graph is acyclic.
    #[getter]
    fn is_feed_forward(&self) -> bool {
        self.inner.is_feed_forward()
    }

    /// The populations in file order: dicts with `name`, `size`, `alpha`, `beta`, `theta`.
    #[getter]
    fn populations<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .populations()
            .iter()
            .map(|p| {
                let d = PyDict::new(py);
                d.set_item("name", p.name())?;
                d.set_item("size", p.size())?;
                d.set_item("alpha", p.params().alpha)?;
                d.set_item("beta", p.params().beta)?;
                d.set_item("theta", p.params().theta)?;
                Ok(d)
            })
            .collect()
    }

    /// The projections in file order: dicts with `from`, `to` (names), `delay`, `sparse`,
    /// `shape` (`(pre, post)`) and `num_weights`.
    #[getter]
    fn projections<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let net = &self.inner;
        net.projections()
            .iter()
            .map(|r| {
                let d = PyDict::new(py);
                d.set_item("from", source_name(net, r.from()))?;
                d.set_item("to", net.populations()[r.to()].name())?;
                d.set_item("delay", r.delay())?;
                d.set_item("sparse", r.is_sparse())?;
                d.set_item("shape", (r.pre_size(), r.post_size()))?;
                d.set_item("num_weights", r.num_weights())?;
                Ok(d)
            })
            .collect()
    }

    /// The weights of projection `r` as a `(pre, post)` matrix (`W[j, i]` from presynaptic
    /// `j` to postsynaptic `i`); for a sparse projection the summed weight of each pair, 0
    /// where there is no synapse.
    fn weights<'py>(&self, py: Python<'py>, r: i64) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let r = projection_index(&self.inner, r)?;
        let proj = &self.inner.projections()[r];
        let matrix = Array2::from_shape_fn((proj.pre_size(), proj.post_size()), |(j, i)| {
            proj.weight(j, i)
        });
        Ok(matrix.into_pyarray(py))
    }

    /// Every weight in parameter order (projection by projection in file order, a dense
    /// matrix row-major `[pre][post]`, a sparse one synapse by synapse).
    fn flat_weights<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        fpsnn::train::flatten_weights(&self.inner).into_pyarray(py)
    }

    /// A copy with every weight replaced by `values` (parameter order, as `flat_weights`):
    /// a one-dimensional float64 array, or any sequence of numbers.
    fn with_flat_weights(&self, values: &Bound<'_, PyAny>) -> PyResult<Self> {
        let values: Vec<f64> = match values.extract::<PyReadonlyArray1<'_, f64>>() {
            Ok(array) => array.as_array().to_vec(),
            Err(_) => values.extract().map_err(|e| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "weights must be a one-dimensional sequence of numbers: {e}"
                ))
            })?,
        };
        Ok(Self {
            inner: with_flat_weights(&self.inner, &values)?,
        })
    }

    /// A copy with the weights of dense projection `r` replaced by the `(pre, post)`
    /// matrix `weights`.
    fn with_weights(&self, r: i64, weights: PyReadonlyArray2<'_, f64>) -> PyResult<Self> {
        let r = projection_index(&self.inner, r)?;
        let view = weights.as_array();
        let (rows, cols) = view.dim();
        let matrix = nalgebra::DMatrix::from_fn(rows, cols, |j, i| view[(j, i)]);
        let mut inner = self.inner.clone();
        inner.set_weights(r, matrix).map_err(py_err)?;
        Ok(Self { inner })
    }

    fn __repr__(&self) -> String {
        let pops: Vec<String> = self
            .inner
            .populations()
            .iter()
            .map(|p| format!("{}:{}", p.name(), p.size()))
            .collect();
        format!(
            "Network(inputs={}, populations=[{}], projections={}, t_max={})",
            self.inner.inputs(),
            pops.join(", "),
            self.inner.projections().len(),
            self.inner.t_max()
        )
    }
}

/// `network` with its flat weight vector replaced, checked for length and finiteness.
pub(crate) fn with_flat_weights(network: &Network, values: &[f64]) -> Result<Network, Failure> {
    if values.len() != network.num_weights() {
        return Err(Failure::new(
            Kind::Input,
            format!(
                "expected {} weights, got {}",
                network.num_weights(),
                values.len()
            ),
        ));
    }
    let mut network = network.clone();
    fpsnn::train::set_weights(&mut network, values)?;
    Ok(network)
}
