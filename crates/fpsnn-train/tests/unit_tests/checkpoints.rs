use fpsnn_train::{FitOptions, TrainError, Trainer};

use super::determinism::{setup, small_yin_yang, trainer};

fn load(bytes: &[u8]) -> Result<(), TrainError> {
    let setup = setup(0);
    Trainer::from_checkpoint_bytes(bytes, setup.loss()?, setup.optimizer.build()?, setup.config)
        .map(|_| ())
}

#[test]
fn every_truncation_and_bit_flip_is_a_typed_error() {
    let data = small_yin_yang(20);
    let mut t = trainer(2);
    t.fit(&data, FitOptions::new(1)).unwrap();
    let bytes = t.checkpoint_bytes().unwrap();
    assert!(load(&bytes).is_ok());
    for cut in 0..bytes.len() {
        assert!(
            matches!(load(&bytes[..cut]), Err(TrainError::Checkpoint { .. })),
            "cut at {cut}"
        );
    }
    // flip one bit in every byte in turn (header and payload)
    for i in (0..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x10;
        assert!(load(&bad).is_err(), "flip at {i}");
    }
    // another version
    let mut bad = bytes.clone();
    bad[8] = 1;
    assert!(
        matches!(load(&bad), Err(TrainError::Checkpoint { ref reason }) if reason.contains("version"))
    );
    // absurd length claim: rejected before any allocation
    let mut bad = bytes.clone();
    bad[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(load(&bad), Err(TrainError::Checkpoint { .. })));
}

#[test]
fn saving_replaces_a_file_only_with_a_complete_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ckpt.bin");
    std::fs::write(&path, b"previous").unwrap();
    // a directory as target: the save fails and the old file stays as it was
    let bad = dir.path().join("missing-dir").join("ckpt.bin");
    assert!(matches!(trainer(1).save(&bad), Err(TrainError::Io { .. })));
    assert_eq!(std::fs::read(&path).unwrap(), b"previous");
    trainer(1).save(&path).unwrap();
    assert!(load(&std::fs::read(&path).unwrap()).is_ok());
    assert!(!dir.path().join("ckpt.bin.tmp").exists());
}

#[test]
fn a_checkpoint_is_refused_by_a_loss_with_another_horizon() {
    let bytes = trainer(1).checkpoint_bytes().unwrap();
    let mut other = setup(0);
    other.network.t_max = 3.0;
    let err = Trainer::from_checkpoint_bytes(
        &bytes,
        other.loss().unwrap(),
        other.optimizer.build().unwrap(),
        other.config,
    )
    .unwrap_err();
    assert_eq!(
        err,
        TrainError::HorizonMismatch {
            loss: 3.0,
            network: 4.0
        }
    );
}
