//! The trainer's rows of the bad-input matrix (`docs/robustness.md`): datasets and samples
//! fed to the trainer, training configuration, weights set through the trainer's helpers, and
//! damaged, foreign or missing checkpoints, each a typed error naming the problem.

use std::path::Path;

use fpsnn_datasets::{Dataset, Sample};
use fpsnn_losses::{FirstSpikeCrossEntropy, LossError};
use fpsnn_sim::SimError;
use fpsnn_testkit::{Matrix, NET};
use fpsnn_train::{
    Adam, AdamConfig, FeedForwardSpec, FitOptions, GradientOptions, LrSchedule, Setup, SgdConfig,
    TrainConfig, TrainError, Trainer, sample_gradient, set_weights,
};

use super::fixtures::{
    config, first_yin_yang, loss, small_checkpoint, small_setup, small_spec, small_trainer,
};

fn load(bytes: &[u8]) -> Result<Trainer<FirstSpikeCrossEntropy, Adam>, TrainError> {
    Trainer::from_checkpoint_bytes(
        bytes,
        loss(),
        AdamConfig::with_lr(5e-3).build().unwrap(),
        config(8),
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Recomputes the checkpoint header's length and checksum after the payload was edited.
fn reframe(bytes: &mut [u8]) {
    let len = (bytes.len() - 28) as u64;
    bytes[12..20].copy_from_slice(&len.to_le_bytes());
    let sum = fnv1a(&bytes[28..]);
    bytes[20..28].copy_from_slice(&sum.to_le_bytes());
}

/// A dataset that does not validate what it yields (a user's own `Dataset`).
struct Raw {
    samples: Vec<Sample>,
    inputs: usize,
    classes: usize,
}

impl Dataset for Raw {
    fn len(&self) -> usize {
        self.samples.len()
    }
    fn num_inputs(&self) -> usize {
        self.inputs
    }
    fn num_classes(&self) -> usize {
        self.classes
    }
    fn get(&self, index: usize) -> Option<Sample> {
        self.samples.get(index).cloned()
    }
}

/// `Trainer::try_new` of a fresh [`small_spec`] network (seed 0) with Adam at `1e-3`.
fn try_trainer(
    output: usize,
    config: TrainConfig,
) -> Result<Trainer<FirstSpikeCrossEntropy, Adam>, TrainError> {
    Trainer::try_new(
        small_spec().build(0).unwrap(),
        output,
        loss(),
        AdamConfig::with_lr(1e-3).build().unwrap(),
        config,
    )
}

#[test]
fn bad_input_matrix() {
    let mut m = Matrix::default();
    let ff = small_spec().build(0).unwrap();
    m.api(
        "labels out of range",
        "sample_gradient",
        sample_gradient(
            &ff,
            1,
            &loss(),
            &Sample::new(vec![vec![0.5]; 5], 7),
            &GradientOptions::default(),
            true,
        ),
        |e| matches!(e, TrainError::Loss(LossError::LabelOutOfRange { .. })),
        "label 7",
    );
    let raw_bad_label = Raw {
        samples: vec![Sample::new(vec![vec![0.5]; 5], 9)],
        inputs: 5,
        classes: 3,
    };
    m.api(
        "labels out of range",
        "training on an unvalidated dataset",
        small_trainer().fit(&raw_bad_label, FitOptions::new(1)),
        |e| matches!(e, TrainError::Loss(LossError::LabelOutOfRange { .. })),
        "label 9",
    );

    // --- datasets fed to the trainer
    let empty = Raw {
        samples: vec![],
        inputs: 5,
        classes: 3,
    };
    m.api(
        "empty datasets",
        "Trainer::fit",
        small_trainer().fit(&empty, FitOptions::new(1)),
        |e| matches!(e, TrainError::EmptyDataset),
        "empty",
    );
    m.api(
        "empty datasets",
        "Trainer::evaluate",
        small_trainer().evaluate(&empty),
        |e| matches!(e, TrainError::EmptyDataset),
        "empty",
    );
    m.api(
        "empty datasets",
        "empty validation set",
        small_trainer().fit(&first_yin_yang(4), FitOptions::new(1).validation(&empty)),
        |e| matches!(e, TrainError::EmptyDataset),
        "empty",
    );
    m.api(
        "bad samples",
        "unsorted spike in an unvalidated sample",
        sample_gradient(
            &ff,
            1,
            &loss(),
            &Sample::new(vec![vec![1.0, 0.0], vec![], vec![], vec![], vec![]], 0),
            &GradientOptions::default(),
            true,
        ),
        |e| matches!(e, TrainError::Sim(SimError::InputTrain { .. })),
        "sorted",
    );

    // --- training configuration
    m.api(
        "bad training configuration",
        "batch size 0",
        try_trainer(1, config(0)),
        |e| {
            matches!(
                e,
                TrainError::InvalidConfig {
                    name: "batch_size",
                    ..
                }
            )
        },
        "batch_size",
    );
    m.api(
        "bad training configuration",
        "loss horizon is not the network's t_max",
        Trainer::builder(
            small_spec().build(0).unwrap(),
            FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, 2.0).unwrap(),
            AdamConfig::with_lr(1e-3).build().unwrap(),
        )
        .build(),
        |e| matches!(e, TrainError::HorizonMismatch { .. }),
        "t_max",
    );
    m.api(
        "bad training configuration",
        "set-up network does not fit its data",
        Setup {
            network: FeedForwardSpec {
                inputs: 4,
                ..small_spec()
            },
            ..small_setup()
        }
        .trainer(),
        |e| {
            matches!(
                e,
                TrainError::SetupMismatch {
                    network: 4,
                    data: 5,
                    ..
                }
            )
        },
        "input channels",
    );
    m.api(
        "bad samples",
        "prediction for an input with a missing channel",
        small_trainer().predict(&Sample::new(vec![vec![0.5]; 4], 0)),
        |e| matches!(e, TrainError::Sim(_)),
        "channel",
    );
    m.api(
        "bad training configuration",
        "output index",
        try_trainer(2, config(1)),
        |e| matches!(e, TrainError::InvalidConfig { name: "output", .. }),
        "output",
    );
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        m.api(
            "bad training configuration",
            format!("Adam lr {lr}"),
            AdamConfig::with_lr(lr).build(),
            |e| matches!(e, TrainError::InvalidConfig { name: "lr", .. }),
            "lr",
        );
    }
    m.api(
        "bad training configuration",
        "SGD lr NaN",
        SgdConfig {
            lr: f64::NAN,
            momentum: 0.9,
        }
        .build(),
        |e| matches!(e, TrainError::InvalidConfig { .. }),
        "lr",
    );
    for (case, schedule) in [
        (
            "staircase factor NaN",
            LrSchedule::Step {
                factor: f64::NAN,
                every: 1,
            },
        ),
        (
            "staircase factor 0",
            LrSchedule::Step {
                factor: 0.0,
                every: 1,
            },
        ),
        (
            "staircase factor 2",
            LrSchedule::Step {
                factor: 2.0,
                every: 1,
            },
        ),
    ] {
        m.api(
            "bad training configuration",
            case,
            try_trainer(
                1,
                TrainConfig {
                    schedule,
                    ..config(1)
                },
            ),
            |e| matches!(e, TrainError::InvalidConfig { .. }),
            "factor",
        );
    }
    // the silent-label term is a loss (`SilentLabel`): its weight is checked with the loss
    let mut silent_nan = small_setup();
    silent_nan.loss.silent_label = f64::NAN;
    m.api(
        "bad training configuration",
        "silent penalty NaN",
        silent_nan.trainer(),
        |e| matches!(e, TrainError::Loss(LossError::InvalidParameter { .. })),
        "silent",
    );
    for (case, tolerance) in [
        ("grazing tolerance NaN", f64::NAN),
        ("grazing tolerance < 0", -1.0),
    ] {
        let mut gradient = GradientOptions::default();
        gradient.assemble.grazing_tolerance = tolerance;
        m.api(
            "bad training configuration",
            case,
            try_trainer(
                1,
                TrainConfig {
                    gradient,
                    ..config(1)
                },
            ),
            |e| matches!(e, TrainError::InvalidConfig { .. }),
            "grazing",
        );
    }
    let mut spec = small_spec();
    spec.hidden = vec![0];
    m.api(
        "bad training configuration",
        "hidden layer of size 0",
        spec.build(0),
        |e| matches!(e, TrainError::Sim(SimError::EmptyPopulation { .. })),
        "size 0",
    );
    let mut spec = small_spec();
    spec.init.pop();
    m.api(
        "bad training configuration",
        "one init per layer",
        spec.build(0),
        |e| matches!(e, TrainError::InvalidConfig { name: "init", .. }),
        "init",
    );
    let mut spec = small_spec();
    spec.t_max = 0.0;
    m.api(
        "t_max <= 0 or non-finite",
        "FeedForwardSpec t_max = 0",
        spec.build(0),
        |e| matches!(e, TrainError::Sim(SimError::InvalidHorizon { .. })),
        "t_max",
    );
    let mut spec = small_spec();
    spec.init[0].1 = f64::NAN;
    m.api(
        "NaN/inf weights",
        "initialiser sd NaN",
        spec.build(0),
        |e| {
            matches!(
                e,
                TrainError::InvalidConfig { .. }
                    | TrainError::Sim(SimError::NonFiniteWeight { .. })
            )
        },
        "",
    );
    let mut net = small_spec().build(0).unwrap();
    m.api(
        "NaN/inf weights",
        "set_weights with a NaN",
        set_weights(&mut net, &[f64::NAN; 24]),
        |e| matches!(e, TrainError::Sim(SimError::NonFiniteWeight { .. })),
        "not finite",
    );
    m.api(
        "weights of the wrong shape",
        "flat parameter count",
        set_weights(&mut net, &[1.0; 7]),
        |e| {
            matches!(
                e,
                TrainError::ParamCount {
                    expected: 24,
                    got: 7
                }
            )
        },
        "expected 24",
    );

    // --- checkpoints
    let bytes = small_checkpoint();
    assert!(load(&bytes).is_ok(), "the fixture checkpoint loads");
    let is_ckpt = |e: &TrainError| matches!(e, TrainError::Checkpoint { .. });
    for cut in 0..bytes.len() {
        m.api(
            "checkpoint truncated at every byte",
            format!("cut {cut} of {}", bytes.len()),
            load(&bytes[..cut]),
            is_ckpt,
            "checkpoint",
        );
    }
    for bit in 0..bytes.len() * 8 {
        let mut bad = bytes.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let needle = match bit / 8 {
            0..8 => "magic",
            8..12 => "version",
            12..20 => "payload claims",
            _ => "checksum",
        };
        m.api(
            "checkpoint with one bit flipped (every bit)",
            format!("bit {bit}"),
            load(&bad),
            is_ckpt,
            needle,
        );
    }
    for version in [0u32, 1, 4, u32::MAX] {
        let mut bad = bytes.clone();
        bad[8..12].copy_from_slice(&version.to_le_bytes());
        m.api(
            "checkpoint of another format version",
            format!("version {version}"),
            load(&bad),
            is_ckpt,
            &format!("format version {version}"),
        );
    }
    let body = (bytes.len() - 28) as u64;
    for claim in [u64::MAX, 1 << 40, body + 1, body - 1, 0] {
        let mut bad = bytes.clone();
        bad[12..20].copy_from_slice(&claim.to_le_bytes());
        m.api(
            "checkpoint claiming an absurd length",
            format!("claims {claim}"),
            load(&bad),
            is_ckpt,
            "payload claims",
        );
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 16]);
    m.api(
        "checkpoint claiming an absurd length",
        "16 bytes appended",
        load(&longer),
        is_ckpt,
        "payload claims",
    );
    let mut garbage = bytes.clone();
    for b in &mut garbage[28..] {
        *b = 0xff;
    }
    reframe(&mut garbage);
    m.api(
        "checkpoint with valid framing, bad payload",
        "payload all 0xff",
        load(&garbage),
        is_ckpt,
        "decode",
    );
    let mut trailing = bytes.clone();
    trailing.push(0);
    reframe(&mut trailing);
    m.api(
        "checkpoint with valid framing, bad payload",
        "one trailing byte",
        load(&trailing),
        is_ckpt,
        "trailing",
    );
    let mut short = bytes[..bytes.len() - 1].to_vec();
    reframe(&mut short);
    m.api(
        "checkpoint with valid framing, bad payload",
        "payload cut by one byte",
        load(&short),
        is_ckpt,
        "decode",
    );
    let needle = b"\"t_max\": 4.0";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the payload holds the network JSON");
    let mut bad_net = bytes.clone();
    bad_net[at..at + needle.len()].copy_from_slice(b"\"t_max\": 0.0");
    reframe(&mut bad_net);
    m.api(
        "checkpoint with valid framing, bad payload",
        "stored network has t_max = 0",
        load(&bad_net),
        |e| matches!(e, TrainError::Sim(SimError::InvalidHorizon { .. })),
        "t_max",
    );
    m.api(
        "checkpoint for another optimiser",
        "Adam state into SGD",
        Trainer::from_checkpoint_bytes(
            &bytes,
            loss(),
            SgdConfig {
                lr: 0.1,
                momentum: 0.0,
            }
            .build()
            .unwrap(),
            config(8),
        ),
        is_ckpt,
        "optimiser",
    );
    m.api(
        "checkpoint files",
        "missing file",
        Trainer::resume(
            Path::new("/nonexistent/ckpt.bin"),
            loss(),
            AdamConfig::with_lr(5e-3).build().unwrap(),
            config(8),
        ),
        |e| matches!(e, TrainError::Io { .. }),
        "/nonexistent/ckpt.bin",
    );
    m.api(
        "checkpoint files",
        "a foreign file",
        load(NET.as_bytes()),
        is_ckpt,
        "magic",
    );

    // a failed save leaves the previous checkpoint as it was
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ckpt.bin");
    std::fs::write(&target, b"previous").unwrap();
    std::fs::create_dir(dir.path().join("ckpt.bin.tmp")).unwrap();
    m.api(
        "checkpoint files",
        "save while the temp path is blocked",
        small_trainer().save(&target),
        |e| matches!(e, TrainError::Io { .. }),
        "ckpt.bin",
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"previous");

    m.finish("fpsnn-train");
}
