//! Rust errors as the typed exceptions of `fpsnn.errors`, each with the Rust message.
//!
//! | kind | Python class | bases |
//! |---|---|---|
//! | network | `InvalidNetworkError` | `FpsnnError`, `ValueError` |
//! | input | `InvalidInputError` | `FpsnnError`, `ValueError` |
//! | config | `InvalidConfigError` | `FpsnnError`, `ValueError` |
//! | simulation | `SimulationError` | `FpsnnError`, `RuntimeError` |
//! | gradient | `GradientError` | `FpsnnError`, `ArithmeticError` |
//! | checkpoint | `CheckpointError` | `FpsnnError`, `ValueError` |
//! | file | `FileError` | `FpsnnError`, `OSError` |

use fpsnn::causal::CausalError;
use fpsnn::datasets::DatasetError;
use fpsnn::sim::SimError;
use fpsnn::train::TrainError;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

/// Which exception class an error becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Network,
    Input,
    Config,
    Simulation,
    Gradient,
    Checkpoint,
    File,
}

impl Kind {
    fn class_name(self) -> &'static str {
        match self {
            Self::Network => "InvalidNetworkError",
            Self::Input => "InvalidInputError",
            Self::Config => "InvalidConfigError",
            Self::Simulation => "SimulationError",
            Self::Gradient => "GradientError",
            Self::Checkpoint => "CheckpointError",
            Self::File => "FileError",
        }
    }
}

/// An error to raise once the GIL is held again: what parallel work returns.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: Kind,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The same failure with `prefix: ` before its message (`sample 3: ...`).
    pub(crate) fn context(self, prefix: impl std::fmt::Display) -> Self {
        Self {
            message: format!("{prefix}: {}", self.message),
            ..self
        }
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> Self {
        raise(failure.kind, failure.message)
    }
}

/// The exception of `kind` with `message`; a plain `ValueError` (`OSError` for files) if
/// the Python package `fpsnn` cannot be imported (the extension module used on its own).
pub(crate) fn raise(kind: Kind, message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::attach(|py| {
        let class = py
            .import("fpsnn.errors")
            .and_then(|module| module.getattr(kind.class_name()));
        match class.and_then(|class| class.call1((message.clone(),))) {
            Ok(value) => PyErr::from_value(value),
            Err(_) if kind == Kind::File => PyOSError::new_err(message),
            Err(_) => PyValueError::new_err(message),
        }
    })
}

impl From<SimError> for Failure {
    fn from(err: SimError) -> Self {
        let kind = match &err {
            SimError::InputTrain { .. } | SimError::InputCount { .. } => Kind::Input,
            SimError::SpikeCapExceeded { .. } => Kind::Simulation,
            _ => Kind::Network,
        };
        Self::new(kind, err.to_string())
    }
}

impl From<CausalError> for Failure {
    fn from(err: CausalError) -> Self {
        Self::new(Kind::Gradient, err.to_string())
    }
}

impl From<fpsnn::losses::LossError> for Failure {
    fn from(err: fpsnn::losses::LossError) -> Self {
        let kind = match &err {
            fpsnn::losses::LossError::InvalidParameter { .. } => Kind::Config,
            _ => Kind::Input,
        };
        Self::new(kind, err.to_string())
    }
}

impl From<DatasetError> for Failure {
    fn from(err: DatasetError) -> Self {
        let kind = match &err {
            DatasetError::Io { .. } => Kind::File,
            _ => Kind::Input,
        };
        Self::new(kind, err.to_string())
    }
}

impl From<TrainError> for Failure {
    fn from(err: TrainError) -> Self {
        match err {
            TrainError::Sim(err) => err.into(),
            TrainError::Causal(err) => err.into(),
            TrainError::Loss(err) => err.into(),
            TrainError::EmptyDataset | TrainError::SampleIndex { .. } => {
                Self::new(Kind::Input, err.to_string())
            }
            TrainError::Checkpoint { .. } => Self::new(Kind::Checkpoint, err.to_string()),
            TrainError::Io { .. } => Self::new(Kind::File, err.to_string()),
            _ => Self::new(Kind::Config, err.to_string()),
        }
    }
}

/// Converts any library error into the Python exception of its kind.
pub(crate) fn py_err(err: impl Into<Failure>) -> PyErr {
    err.into().into()
}
