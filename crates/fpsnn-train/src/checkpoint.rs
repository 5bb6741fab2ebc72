//! Versioned checkpoints (serde + bincode 2), written atomically.
//!
//! Layout: `b"FPSNNCKP"`, format version (`u32` LE), payload length (`u64` LE), FNV-1a-64
//! checksum of the payload (`u64` LE), then the bincode payload: epoch, seed, output
//! population, the network as JSON (exact: floats round-trip), the optimiser state, the
//! history and the weight average (format version 2; version 1 had no average). A file
//! whose length, magic, version or checksum does not match is rejected before anything is
//! decoded, so a truncated, bit-flipped or foreign file is a typed error and never a huge
//! allocation.

use std::io::Write;
use std::path::Path;

use fpsnn_losses::Loss;
use fpsnn_sim::Network;
use serde::{Deserialize, Serialize};

use crate::{
    EpochRecord, Optimizer, OptimizerState, TrainConfig, TrainError, Trainer, WeightAverage,
};

/// Magic bytes at the start of every checkpoint.
pub const MAGIC: &[u8; 8] = b"FPSNNCKP";
/// The format version this build writes and reads.
pub const VERSION: u32 = 2;
const HEADER: usize = 8 + 4 + 8 + 8;
/// Largest payload accepted (bincode's allocation limit while decoding).
const LIMIT: usize = 1 << 30;

#[derive(Serialize, Deserialize)]
struct Payload {
    epoch: u64,
    seed: u64,
    output: u64,
    network_json: String,
    optimizer: OptimizerState,
    history: Vec<EpochRecord>,
    average: Option<WeightAverage>,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so an existing file is replaced only by a complete new one.
///
/// # Errors
/// [`TrainError::Io`].
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    let io = |source: std::io::Error| TrainError::Io {
        path: path.display().to_string(),
        message: source.to_string(),
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

impl<L: Loss<Target = usize>, O: Optimizer> Trainer<L, O> {
    /// The checkpoint bytes of the current state.
    ///
    /// # Errors
    /// [`TrainError::Checkpoint`] if encoding fails.
    pub fn checkpoint_bytes(&self) -> Result<Vec<u8>, TrainError> {
        let payload = Payload {
            epoch: self.epoch as u64,
            seed: self.config.seed,
            output: self.output as u64,
            network_json: self.network.to_json(),
            optimizer: self.state.clone(),
            history: self.history.clone(),
            average: self.average.clone(),
        };
        frame(&payload)
    }

    /// Saves a checkpoint atomically (temporary file, then rename); on rank 0 only
    /// ([`Trainer::set_collective`]). A checkpoint holds nothing of the ranks: it resumes
    /// with any number of them.
    ///
    /// # Errors
    /// [`TrainError::Io`] or [`TrainError::Checkpoint`].
    pub fn save(&self, path: &Path) -> Result<(), TrainError> {
        if self.collective.rank() != 0 {
            return Ok(());
        }
        write_atomically(path, &self.checkpoint_bytes()?)
    }

    /// Restores a trainer from checkpoint bytes; the loss, optimiser and configuration are
    /// supplied again, the seed is taken from the checkpoint.
    ///
    /// # Errors
    /// [`TrainError::Checkpoint`] naming what is wrong with the bytes, or an error of the
    /// stored network.
    pub fn from_checkpoint_bytes(
        bytes: &[u8],
        loss: L,
        optimizer: O,
        mut config: TrainConfig,
    ) -> Result<Self, TrainError> {
        let bad = |reason: String| TrainError::Checkpoint { reason };
        if bytes.len() < HEADER {
            return Err(bad(format!("truncated header ({} bytes)", bytes.len())));
        }
        if &bytes[..8] != MAGIC {
            return Err(bad("not an fpsnn checkpoint (bad magic)".into()));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(bad(format!(
                "format version {version}, this build reads {VERSION}"
            )));
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let checksum = u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes"));
        let body = &bytes[HEADER..];
        if len != body.len() as u64 || body.len() > LIMIT {
            return Err(bad(format!(
                "payload claims {len} bytes, file holds {}",
                body.len()
            )));
        }
        if fnv1a(body) != checksum {
            return Err(bad("checksum mismatch (corrupted file)".into()));
        }
        let config_limited = bincode::config::standard().with_limit::<LIMIT>();
        let (payload, used): (Payload, usize) =
            bincode::serde::decode_from_slice(body, config_limited)
                .map_err(|e| bad(format!("decode: {e}")))?;
        if used != body.len() {
            return Err(bad("trailing bytes after the payload".into()));
        }
        let network = Network::from_json(&payload.network_json)?;
        config.seed = payload.seed;
        let output = usize::try_from(payload.output).map_err(|_| bad("output index".into()))?;
        let mut trainer = Self::try_new(network, output, loss, optimizer, config)?;
        // the optimiser state must fit this optimiser and network
        let probe = trainer.optimizer.init_state(trainer.network.num_weights());
        if std::mem::discriminant(&probe) != std::mem::discriminant(&payload.optimizer)
            || state_len(&probe) != state_len(&payload.optimizer)
        {
            return Err(bad(
                "optimiser state does not match the optimiser or network".into(),
            ));
        }
        trainer.state = payload.optimizer;
        trainer.epoch = usize::try_from(payload.epoch).map_err(|_| bad("epoch".into()))?;
        trainer.history = payload.history;
        if let Some(average) = &payload.average {
            if !average.is_consistent(trainer.network.num_weights()) {
                return Err(bad(
                    "weight average does not match the network (or is not finite)".into(),
                ));
            }
        }
        trainer.average = payload.average;
        Ok(trainer)
    }

    /// Loads a checkpoint file; see [`Trainer::from_checkpoint_bytes`].
    ///
    /// # Errors
    /// [`TrainError::Io`], [`TrainError::Checkpoint`].
    pub fn resume(
        path: &Path,
        loss: L,
        optimizer: O,
        config: TrainConfig,
    ) -> Result<Self, TrainError> {
        let bytes = std::fs::read(path).map_err(|e| TrainError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_checkpoint_bytes(&bytes, loss, optimizer, config)
    }
}

/// The header and the bincode body of `payload`.
fn frame(payload: &Payload) -> Result<Vec<u8>, TrainError> {
    let body =
        bincode::serde::encode_to_vec(payload, bincode::config::standard()).map_err(|e| {
            TrainError::Checkpoint {
                reason: format!("encode: {e}"),
            }
        })?;
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

fn state_len(state: &OptimizerState) -> (usize, usize) {
    match state {
        OptimizerState::Adam { m, v, .. } => (m.len(), v.len()),
        OptimizerState::Sgd { velocity } => (velocity.len(), 0),
    }
}

#[cfg(test)]
mod tests {
    use fpsnn_core::NeuronParams;
    use fpsnn_losses::FirstSpikeCrossEntropy;

    use super::*;
    use crate::{AdamConfig, FeedForwardSpec};

    fn trainer() -> Trainer<FirstSpikeCrossEntropy, crate::Adam> {
        let spec = FeedForwardSpec {
            inputs: 2,
            hidden: vec![3],
            outputs: 2,
            neuron: NeuronParams::try_new(1.0, 0.9, 1.0).unwrap(),
            init: vec![(2.0, 1.0), (2.0, 0.1)],
            t_max: 8.0,
            max_spikes_per_neuron: 50,
        };
        let config = TrainConfig {
            batch_size: 4,
            seed: 0,
            schedule: crate::LrSchedule::Constant,
            gradient: crate::GradientOptions::default(),
        };
        let loss = FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.0, 8.0).unwrap();
        let adam = AdamConfig::default().build().unwrap();
        Trainer::try_new(spec.build(0).unwrap(), 1, loss, adam, config).unwrap()
    }

    fn with_average(average: WeightAverage) -> Vec<u8> {
        let bytes = trainer().checkpoint_bytes().unwrap();
        let config = bincode::config::standard();
        let (mut payload, _): (Payload, usize) =
            bincode::serde::decode_from_slice(&bytes[HEADER..], config).unwrap();
        payload.average = Some(average);
        frame(&payload).unwrap()
    }

    fn load(bytes: &[u8]) -> Result<(), TrainError> {
        let t = trainer();
        Trainer::from_checkpoint_bytes(bytes, t.loss, t.optimizer, t.config).map(|_| ())
    }

    #[test]
    fn a_weight_average_that_does_not_fit_the_network_is_rejected() {
        let n = trainer().network().num_weights();
        let mut fits = WeightAverage::try_new(3, n).unwrap();
        fits.record(3, &vec![0.5; n]).unwrap();
        assert!(load(&with_average(fits.clone())).is_ok());
        let mut infinite = WeightAverage::try_new(3, n).unwrap();
        infinite.record(3, &vec![f64::MAX; n]).unwrap();
        infinite.record(4, &vec![f64::MAX; n]).unwrap();
        for bad in [WeightAverage::try_new(1, n + 1).unwrap(), infinite] {
            let err = load(&with_average(bad)).unwrap_err();
            assert!(
                matches!(&err, TrainError::Checkpoint { reason } if reason.contains("weight average")),
                "{err}"
            );
        }
    }
}
