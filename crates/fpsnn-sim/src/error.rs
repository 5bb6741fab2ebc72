//! The simulator's error type.

use fpsnn_core::{CoreError, Time};
use fpsnn_kernels::KernelError;

/// Errors of network construction, input validation and simulation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A neuron parameter or spike train is invalid.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A kernel could not be built.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// Neuron parameters of one population are invalid.
    #[error("population `{population}`: {source}")]
    PopulationParams {
        /// Population name.
        population: String,
        /// What is wrong.
        source: CoreError,
    },
    /// A population's kernel does not fit its parameters, or cannot be read from a file.
    #[error("population `{population}`: {reason}")]
    KernelParams {
        /// Population name.
        population: String,
        /// What is wrong.
        reason: String,
    },
    /// Input channel `channel` is invalid.
    #[error("input channel {channel}: {source}")]
    InputTrain {
        /// Channel index.
        channel: usize,
        /// What is wrong.
        source: CoreError,
    },
    /// A projection names a population that does not exist.
    #[error("projection {projection}: unknown population `{name}`")]
    UnknownPopulation {
        /// Projection index in file order.
        projection: usize,
        /// The unknown name.
        name: String,
    },
    /// Two populations share a name, or a population is called `input`.
    #[error("population name `{name}` is used twice or reserved")]
    DuplicatePopulation {
        /// The name.
        name: String,
    },
    /// A population has no neuron.
    #[error("population `{name}` has size 0")]
    EmptyPopulation {
        /// The name.
        name: String,
    },
    /// A projection targets the input layer.
    #[error("projection {projection}: `to` may not be `input`")]
    ProjectionToInput {
        /// Projection index.
        projection: usize,
    },
    /// A weight matrix does not match the population sizes.
    #[error(
        "projection {projection}: weights are {rows}x{cols}, expected {expected_rows}x{expected_cols} (pre x post)"
    )]
    WeightShape {
        /// Projection index.
        projection: usize,
        /// Rows found.
        rows: usize,
        /// Columns found (of the first bad row for ragged input).
        cols: usize,
        /// Presynaptic size.
        expected_rows: usize,
        /// Postsynaptic size.
        expected_cols: usize,
    },
    /// A synapse of a sparse projection names a neuron outside its source or target.
    #[error(
        "projection {projection}: synapse {index} ({pre} -> {post}) is outside {pre_size} x {post_size} (pre x post)"
    )]
    SynapseOutOfRange {
        /// Projection index.
        projection: usize,
        /// Position of the synapse in the list.
        index: usize,
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
        /// Presynaptic size.
        pre_size: usize,
        /// Postsynaptic size.
        post_size: usize,
    },
    /// A projection in a network file gives both or neither of `weights` and `synapses`.
    #[error(
        "projection {projection}: give exactly one of `weights` (dense) and `synapses` (sparse)"
    )]
    WeightsOrSynapses {
        /// Projection index.
        projection: usize,
    },
    /// A dense-only operation was asked of a sparse projection.
    #[error("projection {projection} is sparse: it has a synapse list, not a weight matrix")]
    NotDense {
        /// Projection index.
        projection: usize,
    },
    /// A flat weight vector has the wrong length for a projection.
    #[error("projection {projection}: {got} weights given, it has {expected}")]
    WeightCount {
        /// Projection index.
        projection: usize,
        /// Length given.
        got: usize,
        /// Number of weights of the projection.
        expected: usize,
    },
    /// A weight is NaN or infinite.
    #[error("projection {projection}: weight [{pre}][{post}] = {value} is not finite")]
    NonFiniteWeight {
        /// Projection index.
        projection: usize,
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
        /// The value.
        value: f64,
    },
    /// A delay is negative or not finite.
    #[error("projection {projection}: delay {value} must be finite and >= 0")]
    InvalidDelay {
        /// Projection index.
        projection: usize,
        /// The value.
        value: f64,
    },
    /// `t_max` is not finite and positive.
    #[error("t_max = {value} must be finite and > 0")]
    InvalidHorizon {
        /// The value.
        value: f64,
    },
    /// A count does not fit the simulator's 32-bit neuron and channel indices.
    #[error("{what} = {value} exceeds the limit {max} (neuron indices are 32-bit)")]
    TooLarge {
        /// What is too large (`inputs`, or a population's size).
        what: String,
        /// The value.
        value: usize,
        /// The largest accepted value.
        max: usize,
    },
    /// The spike cap is zero.
    #[error("max_spikes_per_neuron must be >= 1")]
    InvalidSpikeCap,
    /// The input has the wrong number of channels.
    #[error("input has {got} channels, the network expects {expected}")]
    InputCount {
        /// Channels given.
        got: usize,
        /// Channels expected.
        expected: usize,
    },
    /// A neuron exceeded the spike cap (runaway activity).
    #[error("neuron {neuron} of `{population}` exceeded {cap} spikes by t = {time}")]
    SpikeCapExceeded {
        /// Population name.
        population: String,
        /// Neuron index.
        neuron: usize,
        /// The cap.
        cap: usize,
        /// Time of the spike that broke the cap.
        time: Time,
    },
    /// The layer sweep was requested on a network with recurrent projections.
    #[error("the layer sweep needs a feed-forward network; use the event queue")]
    NotFeedForward,
    /// A population index is out of range (simulation options).
    #[error("population index {index} out of range ({count} populations)")]
    PopulationIndex {
        /// The index.
        index: usize,
        /// Number of populations.
        count: usize,
    },
    /// The JSON text could not be parsed.
    #[error("invalid JSON: {message}")]
    Json {
        /// serde_json's message, with line and column.
        message: String,
    },
    /// A line of a JSON-lines input batch is invalid ([`input_lines`](crate::input_lines)).
    #[error("line {line}: {source}")]
    InputLine {
        /// 1-based line number in the text (blank lines count).
        line: usize,
        /// What is wrong with it.
        source: InputLineError,
    },
}

/// What is wrong with one line of a JSON-lines input batch ([`SimError::InputLine`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputLineError {
    /// The line is not JSON.
    #[error("{message}")]
    Json {
        /// serde_json's message; its position is a column within the line.
        message: String,
    },
    /// The line is JSON but not an object.
    #[error("expected a JSON object {{\"input_spikes\": [[t, ...], ...], \"label\": L}}")]
    NotObject,
    /// `"label"` is not a non-negative integer.
    #[error("\"label\" must be a non-negative integer, got {value}")]
    Label {
        /// The value given, as JSON.
        value: String,
    },
    /// `"input_spikes"` is missing or malformed, or the object has another field.
    #[error("{message} (a line holds \"input_spikes\" and an optional \"label\")")]
    Fields {
        /// serde_json's message.
        message: String,
    },
    /// Input channel `channel` is not a valid spike train.
    #[error("input channel {channel}: {source}")]
    Train {
        /// Channel index.
        channel: usize,
        /// What is wrong.
        source: CoreError,
    },
    /// The line has another number of channels than the network has inputs.
    #[error("input has {got} channels, the network expects {expected}")]
    Channels {
        /// Channels in the line.
        got: usize,
        /// The network's input channels.
        expected: usize,
    },
}

impl From<serde_json::Error> for SimError {
    fn from(err: serde_json::Error) -> Self {
        Self::Json {
            message: err.to_string(),
        }
    }
}
