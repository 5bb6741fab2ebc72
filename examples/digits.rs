//! The 8x8 handwritten digits (UCI, 1797 images) with a 64-hidden-10 spiking network:
//! pixel `p` spikes at `t = T (1 - p/16)` (a blank pixel does not spike), first-spike
//! cross-entropy, Adam; prints the test accuracy on the stratified 20 % test split.
//!
//! ```text
//! cargo run --release --example digits -- [--hidden 100] [--epochs 40] [--batch 32]
//!     [--lr 2e-3] [--seed S] [--threads T] [--quiet] [--plots DIR] [--encode-t 2]
//!     [--t-max 8] [--tau0 0.5] [--gamma 0.01] [--silent-penalty 1] [--init-hidden 0.5]
//!     [--init-output 1] [--bias B]
//! ```
//!
//! `--plots DIR` writes the training curves, first-spike histograms (test split, at
//! initialisation and after training), raster and membrane potentials.

mod common;
#[path = "common/figures.rs"]
mod figures;

use std::process::ExitCode;

use common::{Args, Progress};
use fpsnn::datasets::{Dataset, DigitsConfig, SpikeDataset, digits};
use fpsnn::losses::FirstSpikeCrossEntropy;
use fpsnn::prelude::*;
use fpsnn::train::{Adam, GradientOptions};

fn main() -> ExitCode {
    common::run(real_main)
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse(
        &["quiet"],
        &[
            "hidden",
            "epochs",
            "batch",
            "lr",
            "seed",
            "threads",
            "t-max",
            "silent-penalty",
            "tau0",
            "init-hidden",
            "init-output",
            "bias",
            "encode-t",
            "plots",
            "gamma",
        ],
    )?;
    let hidden: usize = args.parse_or("hidden", 100)?;
    let epochs: usize = args.parse_or("epochs", 40)?;
    let batch: usize = args.parse_or("batch", 32)?;
    let lr: f64 = args.parse_or("lr", 2e-3)?;
    let seed: u64 = args.parse_or("seed", 0)?;
    let t_max: f64 = args.parse_or("t-max", 8.0)?;
    let tau0: f64 = args.parse_or("tau0", 0.5)?;
    let silent_penalty: f64 = args.parse_or("silent-penalty", 1.0)?;
    let init_hidden: f64 = args.parse_or("init-hidden", 0.5)?;
    let init_output: f64 = args.parse_or("init-output", 1.0)?;
    // A reference spike on an extra input channel at this time (negative: none).
    let bias: f64 = args.parse_or("bias", -1.0)?;
    let encode_t: f64 = args.parse_or("encode-t", 2.0)?;
    let gamma: f64 = args.parse_or("gamma", 0.01)?;
    common::set_threads(args.parse_or("threads", 0)?)?;
    let data = digits(&DigitsConfig {
        t_max: encode_t,
        ..DigitsConfig::default()
    })?;
    let (mut train, mut test) = (
        SpikeDataset::try_from_dataset(&data.train)?,
        SpikeDataset::try_from_dataset(&data.test)?,
    );
    if bias >= 0.0 {
        train = train.with_bias_channel(bias)?;
        test = test.with_bias_channel(bias)?;
    }
    let spec = FeedForwardSpec {
        inputs: train.num_inputs(),
        hidden: vec![hidden],
        outputs: 10,
        neuron: NeuronParams::try_new(1.0, 0.5, 1.0)?,
        // ~30 active pixels per image: mean input 0.1 per pixel
        init: vec![(init_hidden, 0.3), (init_output, 0.3)],
        t_max,
        max_spikes_per_neuron: 200,
    };
    let loss = FirstSpikeCrossEntropy::try_new(tau0, 4.0, gamma, t_max)?;
    let optimizer: Adam = AdamConfig::with_lr(lr).build()?;
    let config = TrainConfig {
        batch_size: batch,
        seed,
        schedule: Default::default(),
        gradient: GradientOptions {
            silent_label_penalty: silent_penalty,
            ..GradientOptions::default()
        },
    };
    let mut trainer = Trainer::try_new(spec.build(seed)?, 1, loss, optimizer, config)?;
    let plots = args.get("plots").map(figures::prepare).transpose()?;
    let initial = match &plots {
        Some(_) => Some(figures::first_spikes(
            "at initialisation",
            trainer.network(),
            trainer.output(),
            &test,
        )?),
        None => None,
    };
    let mut progress = Progress::new(args.flag("quiet"), epochs);
    trainer.fit(&train, None, Some(&test), epochs, 5, &mut progress)?;
    let test_stats = trainer.evaluate(&test)?;
    let train_stats = trainer.evaluate(&train)?;
    println!(
        "digits: train {:.2}%  test {:.2}%  ({} hidden, {epochs} epochs)",
        100.0 * train_stats.accuracy,
        100.0 * test_stats.accuracy,
        hidden
    );
    if let (Some(dir), Some(initial)) = (&plots, initial) {
        trainer.write_history_csv(&dir.join("history.csv"))?;
        let (net, out) = (trainer.network(), trainer.output());
        let names = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
        figures::after_training(dir, "Digits", net, out, &test, initial, &names, 0)?;
        println!("figures written to {}", dir.display());
    }
    Ok(())
}
