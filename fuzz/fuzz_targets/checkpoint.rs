//! Checkpoint loading: never panics, never allocates without bound. The first byte picks
//! the mode: even = the bytes as they are; odd = the rest is a payload wrapped in a valid
//! header and checksum, so the decoder behind the integrity checks is exercised too. A
//! checkpoint that loads must save and load again to the same bytes.
#![no_main]

use fpsnn::losses::FirstSpikeCrossEntropy;
use fpsnn::train::{Adam, AdamConfig, MAGIC, TrainConfig, Trainer, VERSION};
use libfuzzer_sys::fuzz_target;

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn load(bytes: &[u8]) -> Option<Trainer<FirstSpikeCrossEntropy, Adam>> {
    let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, 4.0).unwrap();
    let optimizer = AdamConfig::with_lr(1e-3).build().unwrap();
    let config = TrainConfig {
        batch_size: 4,
        seed: 0,
        schedule: Default::default(),
        gradient: Default::default(),
    };
    Trainer::from_checkpoint_bytes(bytes, loss, optimizer, config).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let mut out = Vec::with_capacity(28 + rest.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(rest.len() as u64).to_le_bytes());
        out.extend_from_slice(&fnv1a(rest).to_le_bytes());
        out.extend_from_slice(rest);
        out
    };
    if let Some(trainer) = load(&bytes) {
        let saved = trainer
            .checkpoint_bytes()
            .expect("a loaded checkpoint saves");
        let again = load(&saved).expect("a saved checkpoint loads");
        assert_eq!(
            again.checkpoint_bytes().unwrap(),
            saved,
            "save is not stable"
        );
    }
});
