//! Input spike trains, one per input channel.

use fpsnn_core::{SpikeTrain, Time};
use serde::{Deserialize, Serialize};

use crate::{InputLineError, Network, SimError};

/// Validated input spike trains (sorted, finite, non-negative times).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputSpikes {
    channels: Vec<SpikeTrain>,
}

/// The JSON input format: `{"input_spikes": [[t, ...] per channel]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputFile {
    /// One list of spike times per input channel.
    pub input_spikes: Vec<Vec<f64>>,
}

impl InputSpikes {
    /// Validates the trains. Unsorted trains are rejected, not sorted (a reordering
    /// upstream is usually a bug).
    ///
    /// # Errors
    /// [`SimError::InputTrain`] naming the channel and the bad spike.
    pub fn try_new(channels: Vec<Vec<Time>>) -> Result<Self, SimError> {
        let channels = channels
            .into_iter()
            .enumerate()
            .map(|(channel, times)| {
                SpikeTrain::try_new(times)
                    .map_err(|source| SimError::InputTrain { channel, source })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { channels })
    }

    /// Parses `{"input_spikes": [...]}`.
    ///
    /// # Errors
    /// [`SimError::Json`] or as [`InputSpikes::try_new`].
    pub fn from_json(text: &str) -> Result<Self, SimError> {
        let file: InputFile = serde_json::from_str(text)?;
        Self::try_new(file.input_spikes)
    }

    /// The trains.
    #[must_use]
    pub fn channels(&self) -> &[SpikeTrain] {
        &self.channels
    }

    /// Number of channels.
    #[must_use]
    pub fn len(&self) -> usize {
        self.channels.len()
    }

    /// Whether there is no channel.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
    }

    /// Total number of input spikes.
    #[must_use]
    pub fn num_spikes(&self) -> usize {
        self.channels.iter().map(SpikeTrain::len).sum()
    }

    /// The trains as plain times, one vector per channel: what [`InputSpikes::try_new`]
    /// takes (and a dataset's `Sample` holds).
    ///
    /// # Examples
    /// ```
    /// use fpsnn_sim::InputSpikes;
    /// let times = vec![vec![0.5, 1.0], vec![], vec![0.25]];
    /// let input = InputSpikes::try_new(times.clone())?;
    /// assert_eq!(input.to_times(), times);
    /// # Ok::<(), fpsnn_sim::SimError>(())
    /// ```
    #[must_use]
    pub fn to_times(&self) -> Vec<Vec<Time>> {
        self.channels.iter().map(|c| c.times().to_vec()).collect()
    }
}

/// One non-blank line of a JSON-lines input batch: `{"input_spikes": [...], "label"?: L}`.
#[derive(Clone, Debug, PartialEq)]
pub struct InputLine {
    /// 1-based line number in the text (blank lines count).
    pub line: usize,
    /// The line's input spikes, checked against the network.
    pub input: InputSpikes,
    /// The line's `"label"`, if it has one.
    pub label: Option<usize>,
}

/// Reads a JSON-lines input batch for `network`, lazily: one
/// `{"input_spikes": [[t, ...] per channel], "label": L}` object per line (`"label"`
/// optional, a non-negative integer), blank lines skipped. Each item is one line's input,
/// checked (its JSON, its spike trains, its channel count against `network.inputs()`), or
/// the error naming the line; a caller that checks more (labels against a loss) can stop at
/// the first bad line in file order. Format: `docs/formats.md`.
///
/// # Errors
/// Each item: [`SimError::InputLine`] with its 1-based line number and an
/// [`InputLineError`].
///
/// # Examples
///
/// ```
/// use fpsnn_sim::{InputLineError, Network, SimError, input_lines};
/// let net = Network::from_json(r#"{
///   "neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 2,
///   "populations": [{"name": "out", "size": 1}],
///   "projections": [{"from": "input", "to": "out", "weights": [[3.0], [2.0]]}],
///   "t_max": 10.0}"#)?;
/// let text = "{\"input_spikes\": [[0.0], [0.5]], \"label\": 1}\n\n{\"input_spikes\": [[0.0]]}\n";
/// let lines: Vec<_> = input_lines(text, &net).collect();
/// let first = lines[0].as_ref().unwrap();
/// assert_eq!((first.line, first.label, first.input.num_spikes()), (1, Some(1), 2));
/// assert_eq!(
///     lines[1],
///     Err(SimError::InputLine { line: 3, source: InputLineError::Channels { got: 1, expected: 2 } })
/// );
/// assert_eq!(lines[1].as_ref().unwrap_err().to_string(), "line 3: input has 1 channels, the network expects 2");
/// # Ok::<(), SimError>(())
/// ```
pub fn input_lines<'a>(
    text: &'a str,
    network: &'a Network,
) -> impl Iterator<Item = Result<InputLine, SimError>> + 'a {
    text.lines()
        .enumerate()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(index, text)| {
            let line = index + 1;
            parse_line(text, network.inputs())
                .map(|(input, label)| InputLine { line, input, label })
                .map_err(|source| SimError::InputLine { line, source })
        })
}

/// One line's input and label, checked against `inputs` channels.
fn parse_line(text: &str, inputs: usize) -> Result<(InputSpikes, Option<usize>), InputLineError> {
    // serde's position is within the line, always its line 1
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| InputLineError::Json {
            message: e.to_string().replace(" at line 1 column ", " at column "),
        })?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(InputLineError::NotObject);
    };
    let label = match object.remove("label") {
        None => None,
        Some(value) => Some(
            value
                .as_u64()
                .and_then(|l| usize::try_from(l).ok())
                .ok_or_else(|| InputLineError::Label {
                    value: value.to_string(),
                })?,
        ),
    };
    let file: InputFile =
        serde_json::from_value(serde_json::Value::Object(object)).map_err(|e| {
            InputLineError::Fields {
                message: e.to_string(),
            }
        })?;
    let input = InputSpikes::try_new(file.input_spikes).map_err(|e| match e {
        SimError::InputTrain { channel, source } => InputLineError::Train { channel, source },
        other => unreachable!("InputSpikes::try_new returned {other}"),
    })?;
    if input.len() != inputs {
        return Err(InputLineError::Channels {
            got: input.len(),
            expected: inputs,
        });
    }
    Ok((input, label))
}

/// All lines of a JSON-lines input batch ([`input_lines`]), or the first bad one.
///
/// # Errors
/// [`SimError::InputLine`] for the first bad line.
pub fn read_input_lines(text: &str, network: &Network) -> Result<Vec<InputLine>, SimError> {
    input_lines(text, network).collect()
}
