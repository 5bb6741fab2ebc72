//! Input spike trains, one per input channel.

use fpsnn_core::{SpikeTrain, Time};
use serde::{Deserialize, Serialize};

use crate::SimError;

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
}
