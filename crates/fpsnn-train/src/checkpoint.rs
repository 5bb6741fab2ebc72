//! Versioned checkpoints (serde + bincode 2), written atomically.
//!
//! Layout: `b"FPSNNCKP"`, format version (`u32` LE), payload length (`u64` LE), FNV-1a-64
//! checksum of the payload (`u64` LE), then the bincode payload: epoch, seed, output
//! population, the network as JSON (exact: floats round-trip), the optimiser state, the
//! history, the weight average and the loss's own parameters (format version 3; version 2
//! had no loss parameters and is still read, for losses without any; version 1 had no
//! average). A file
//! whose length, magic, version or checksum does not match is rejected before anything is
//! decoded, so a truncated, bit-flipped or foreign file is a typed error and never a huge
//! allocation.

use std::io::Write;
use std::path::Path;

use fpsnn_losses::Loss;
use fpsnn_sim::Network;
use serde::{Deserialize, Serialize};

use crate::{
    EpochRecord, Optimizer, OptimizerState, TrainConfig, TrainError, TrainTarget, Trainer,
    WeightAverage,
};

/// Magic bytes at the start of every checkpoint.
pub const MAGIC: &[u8; 8] = b"FPSNNCKP";
/// The format version this build writes and reads.
pub const VERSION: u32 = 3;
/// The previous format version, still read: a version-3 payload without the loss
/// parameters.
const VERSION_2: u32 = 2;
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
    loss_params: Vec<f64>,
}

/// The payload of format version 2.
#[derive(Serialize, Deserialize)]
struct PayloadV2 {
    epoch: u64,
    seed: u64,
    output: u64,
    network_json: String,
    optimizer: OptimizerState,
    history: Vec<EpochRecord>,
    average: Option<WeightAverage>,
}

impl From<PayloadV2> for Payload {
    fn from(v2: PayloadV2) -> Self {
        Self {
            epoch: v2.epoch,
            seed: v2.seed,
            output: v2.output,
            network_json: v2.network_json,
            optimizer: v2.optimizer,
            history: v2.history,
            average: v2.average,
            loss_params: Vec::new(),
        }
    }
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

impl<L, O> Trainer<L, O>
where
    L: Loss<Target: ToOwned<Owned: TrainTarget>>,
    O: Optimizer,
{
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
            loss_params: self.loss.params().to_vec(),
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
    /// supplied again, the seed is taken from the checkpoint, and so are the loss's own
    /// parameters (they replace those of `loss`).
    ///
    /// # Errors
    /// [`TrainError::Checkpoint`] naming what is wrong with the bytes (among them a format
    /// version other than 2 or 3, and loss parameters that do not fit `loss`: a version-2
    /// file has none), or an error of the stored network.
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
        if version != VERSION && version != VERSION_2 {
            return Err(bad(format!(
                "format version {version}, this build reads {VERSION_2} and {VERSION}"
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
        let decoded = if version == VERSION_2 {
            bincode::serde::decode_from_slice::<PayloadV2, _>(body, config_limited)
                .map(|(payload, used)| (Payload::from(payload), used))
        } else {
            bincode::serde::decode_from_slice::<Payload, _>(body, config_limited)
        };
        let (payload, used) =
            decoded.map_err(|e| bad(format!("decode (format version {version}): {e}")))?;
        if used != body.len() {
            return Err(bad(format!(
                "trailing bytes after the payload (format version {version})"
            )));
        }
        let network = Network::from_json(&payload.network_json)?;
        config.seed = payload.seed;
        let output = usize::try_from(payload.output).map_err(|_| bad("output index".into()))?;
        let mut trainer = Self::try_new(network, output, loss, optimizer, config)?;
        // the optimiser state must fit this optimiser and network
        if payload.loss_params.len() != trainer.loss.num_params() {
            return Err(bad(format!(
                "the checkpoint holds {} loss parameters (format version {version}), the loss has {}",
                payload.loss_params.len(),
                trainer.loss.num_params()
            )));
        }
        trainer
            .loss
            .set_params(&payload.loss_params)
            .map_err(|e| bad(format!("loss parameters: {e}")))?;
        let probe = trainer
            .optimizer
            .init_state(trainer.network.num_weights() + trainer.loss.num_params());
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
    Ok(frame_body(&body, VERSION))
}

/// The header of format `version` and `body`.
fn frame_body(body: &[u8], version: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a(body).to_le_bytes());
    out.extend_from_slice(body);
    out
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

    /// The bytes of `trainer` in format version 2 (no loss parameters).
    fn version_2(trainer: &Trainer<FirstSpikeCrossEntropy, crate::Adam>) -> Vec<u8> {
        let payload = PayloadV2 {
            epoch: 3,
            seed: trainer.config.seed,
            output: trainer.output as u64,
            network_json: trainer.network.to_json(),
            optimizer: trainer.state.clone(),
            history: Vec::new(),
            average: None,
        };
        let body = bincode::serde::encode_to_vec(&payload, bincode::config::standard()).unwrap();
        frame_body(&body, VERSION_2)
    }

    #[test]
    fn a_version_2_checkpoint_is_read_for_a_loss_without_parameters() {
        let t = trainer();
        let bytes = version_2(&t);
        let weights = crate::flatten_weights(&t.network);
        let resumed =
            Trainer::from_checkpoint_bytes(&bytes, t.loss, t.optimizer.clone(), t.config).unwrap();
        assert_eq!(resumed.epoch(), 3);
        let bits = |w: &[f64]| w.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&crate::flatten_weights(resumed.network())),
            bits(&weights)
        );
        // a loss with parameters finds none in a version-2 file
        let kernel = fpsnn_kernels::ExpKernel::try_new(1.0, 0.9).unwrap();
        let readout = fpsnn_losses::LinearReadout::try_new(kernel, 2, 1, vec![0.1, 0.2]).unwrap();
        let loss = fpsnn_losses::ReadoutSampledMse::new(readout);
        let err = Trainer::from_checkpoint_bytes(&bytes, loss, t.optimizer, t.config).unwrap_err();
        assert!(
            matches!(&err, TrainError::Checkpoint { reason }
                if reason.contains("2 loss parameters") || reason.contains("format version 2")),
            "{err}"
        );
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
