//! **fpsnn-python**: the Python extension module `fpsnn._fpsnn` behind the `fpsnn` Python
//! package (`pip install ./bindings/python`, built by maturin; `docs/python.md`).
//!
//! It binds the stable surface of the Rust library and nothing more: networks in the JSON
//! format ([`fpsnn::sim::Network`]) with numpy weight matrices in and out; exact simulation;
//! the spike-time Jacobian by forward propagation and the loss gradient by the adjoint for a
//! list of samples, computed in parallel (rayon, with the GIL released) and returned as numpy
//! arrays in the flattening of `docs/formats.md`; first-spike times and their
//! vector-Jacobian product (the autograd bridge of `fpsnn.jax`); and training through the
//! [`Setup`](fpsnn::train::Setup) presets, [`Trainer`](fpsnn::train::Trainer) and its
//! checkpoints. The Python layer (`python/fpsnn/`) adds the conveniences written in Python:
//! networks from dicts and weight lists, datasets from numpy arrays, the JAX bridge and NIR.
//!
//! Every bad input is checked here or by the library and raised as a typed Python
//! exception (the classes of `fpsnn.errors`, subclasses of `ValueError`, `RuntimeError`,
//! `ArithmeticError` or `OSError`) carrying the Rust message; no input reaches a Rust
//! panic, so pyo3's `PanicException` is never the answer to bad input.

use pyo3::prelude::*;

mod compute;
mod errors;
mod network;
mod train;

/// The module `fpsnn._fpsnn`.
#[pymodule]
fn _fpsnn(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<network::PyNetwork>()?;
    m.add_class::<train::PySetup>()?;
    m.add_class::<train::PyDataset>()?;
    m.add_class::<train::PyTrainer>()?;
    m.add_function(wrap_pyfunction!(compute::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(compute::simulate_batch, m)?)?;
    m.add_function(wrap_pyfunction!(compute::jacobian, m)?)?;
    m.add_function(wrap_pyfunction!(compute::loss_gradient, m)?)?;
    m.add_function(wrap_pyfunction!(compute::first_spike_times, m)?)?;
    m.add_function(wrap_pyfunction!(compute::first_spike_vjp, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
