//! Trains a 784-350-10 spiking network on Fashion-MNIST (the official split; or MNIST)
//! with exact gradients, and prints the validation and test accuracy.
//!
//! ```text
//! cargo run --release --example fashion -- [--data DIR] [--dataset fashion|mnist]
//!     [--seed S] [--runs N] [--threads T] [--epochs E] [--quiet] [--history FILE.csv]
//!     [--save CKPT] [--resume CKPT] [--plots DIR] [--limit N] [--validation N]
//!     [--validation-seed S] [--eval-every K] [--encoding on|on-off] [--encode-t T]
//!     [--batch B] [--lr LR] [--hidden H] [--t-max T] [--alpha A] [--beta B]
//!     [--init-hidden M] [--init-hidden-sd S] [--init-output M] [--init-output-sd S]
//!     [--tau0 A] [--tau1 B] [--gamma G] [--silent-penalty L] [--lr-decay F --lr-every N]
//! ```
//!
//! The defaults are `Setup::fashion_mnist` (chosen on the validation set, docs/results.md); every
//! option changes one field of it. The four IDX files (plain or `.gz`) are read from
//! `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`) or `--data DIR`;
//! `--dataset mnist --data DIR` reads MNIST's files instead (`Setup::mnist`).
//!
//! `--validation N` images (default 10000) are held out of the training file, stratified
//! by class (seed `--validation-seed`, default 0): settings are chosen on them, the test
//! file is only reported. `--limit N` trains on the first `N` images left (quick runs);
//! the validation and test sets stay whole.
//!
//! `--save` writes the checkpoint after the last epoch; `--resume` continues from one and
//! ends exactly as an uninterrupted run. Built with the cargo feature `mpi` and started
//! under `mpirun -np N`, the ranks share every minibatch (the same weights, bit for bit;
//! rank 0 prints and writes files; `docs/distributed.md`).
//!
//! `--plots DIR` writes the figures of the first run: `training_curves.png`,
//! `first_spike_histograms.png` (test set, before and after training), `raster.png` and
//! `membrane_potential.png` of the first test image, and `confusion_matrix.png` (test set).

mod common;
#[path = "common/figures.rs"]
mod figures;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use common::{Args, CliError, Progress};
use fpsnn::datasets::missing_mnist_files;
use fpsnn::prelude::*;
use fpsnn::train::DataSpec;

fn main() -> ExitCode {
    common::run(real_main)
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse_words(
        "quiet",
        "data dataset seed runs threads epochs history save resume plots limit validation \
         validation-seed eval-every encoding encode-t batch lr hidden t-max alpha beta \
         init-hidden init-hidden-sd init-output init-output-sd tau0 tau1 gamma \
         silent-penalty lr-decay lr-every",
    )?;
    let mut setup = match args.get("dataset").unwrap_or("fashion") {
        "fashion" => Setup::fashion_mnist(),
        "mnist" => Setup::mnist(args.get("data").ok_or_else(|| {
            CliError("--dataset mnist needs --data DIR (the directory of MNIST's IDX files)".into())
        })?),
        other => {
            return Err(CliError(format!("unknown --dataset `{other}` (fashion, mnist)")).into());
        }
    };
    common::apply_options(&args, &mut setup)?;
    setup.config.schedule = common::lr_schedule(&args, setup.config.schedule, 1)?;
    setup.eval_every = args.parse_or("eval-every", setup.eval_every)?;
    let DataSpec::Images(spec) = &mut setup.data else {
        unreachable!("the image presets hold an image spec")
    };
    if let Some(dir) = args.get("data") {
        spec.dir = dir.into();
    }
    if args.get("limit").is_some() {
        spec.train_limit = Some(args.parse_or("limit", 0)?);
    }
    spec.validation = args.parse_or("validation", spec.validation)?;
    spec.validation_seed = args.parse_or("validation-seed", spec.validation_seed)?;
    spec.t_max = args.parse_or("encode-t", spec.t_max)?;
    spec.off_channels = match args.get("encoding").unwrap_or("on") {
        "on" => false,
        "on-off" => true,
        other => return Err(CliError(format!("unknown --encoding `{other}` (on, on-off)")).into()),
    };
    let spec = spec.clone();
    setup.network.inputs = spec.num_inputs();
    let common::Runs {
        seed,
        runs,
        ranks,
        root,
        quiet,
    } = common::Runs::parse(&args, 1)?;
    let plots = args.get("plots").map(figures::prepare).transpose()?;
    let missing = missing_mnist_files(&spec.dir);
    if !missing.is_empty() {
        let (name, dir) = (spec.collection.name(), spec.dir.display());
        return Err(CliError(format!(
            "{name} is not in {dir} (missing {}, plain or .gz): {}; --data DIR reads another copy",
            missing.join(", "),
            spec.collection.source()
        ))
        .into());
    }

    let data = spec.load()?;
    let names = spec.collection.class_names();
    let (mut tests, mut validations) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let run_seed = seed + run as u64;
        let start = Instant::now();
        let setup = setup.clone().with_seed(run_seed);
        let mut trainer = match args.get("resume") {
            Some(path) => setup.resume(Path::new(path))?,
            None => setup.trainer()?,
        };
        trainer.set_collective(ranks.clone());
        let (net, out) = (trainer.network(), trainer.output());
        // the figures simulate the model that is trained: hidden neurons fire at most once
        let sim = if setup.config.gradient.hidden_first_spike_only {
            figures::first_spike_options(net)
        } else {
            figures::options(out)
        };
        let initial = match &plots {
            Some(_) if run == 0 => Some(figures::first_spikes_with(
                &match trainer.epoch() {
                    0 => "at initialisation".to_owned(),
                    e => format!("at epoch {e} (resumed)"),
                },
                net,
                out,
                &data.test,
                &sim,
            )?),
            _ => None,
        };
        let mut progress = Progress::new(quiet, setup.epochs);
        trainer.fit(
            &data.train,
            setup.fit_options(&data).observer(&mut progress),
        )?;
        // the accuracies of the last epoch's evaluation, or evaluated now (a resumed run
        // with nothing left to train)
        let last = trainer
            .history()
            .last()
            .filter(|r| r.epoch == trainer.epoch());
        let test = match last.and_then(|r| r.test_accuracy) {
            Some(accuracy) => accuracy,
            None => trainer.evaluate(&data.test)?.accuracy,
        };
        let validation = match (&data.validation, last.and_then(|r| r.validation_accuracy)) {
            (Some(_), Some(accuracy)) => accuracy,
            (Some(v), None) => trainer.evaluate(v)?.accuracy,
            (None, _) => f64::NAN,
        };
        if !root {
            continue;
        }
        println!(
            "run {run} (seed {run_seed}): test accuracy {:.2}%  validation {:.2}%  epochs {}  train images {}  wall {:.1}s",
            100.0 * test,
            100.0 * validation,
            trainer.epoch(),
            data.train.len(),
            start.elapsed().as_secs_f64()
        );
        if let Some(path) = args.get("history") {
            let path = match runs {
                1 => path.to_owned(),
                _ => format!("{path}.{run}"),
            };
            trainer.write_history_csv(Path::new(&path))?;
        }
        if let Some(path) = args.get("save") {
            trainer.save(Path::new(path))?;
        }
        if let (Some(dir), Some(initial)) = (&plots, initial) {
            trainer.write_history_csv(&dir.join("history.csv"))?;
            let (net, out, title) = (trainer.network(), trainer.output(), spec.collection.name());
            figures::after_training_with(
                dir, title, net, out, &sim, &data.test, initial, &names, 0,
            )?;
            let caption = format!("{title} test set, {} epochs", trainer.epoch());
            figures::confusion_matrix(dir, &caption, &trainer, &data.test, &names)?;
            println!("figures written to {}", dir.display());
        }
        tests.push(100.0 * test);
        validations.push(100.0 * validation);
    }
    if root {
        let ((test, test_sd), (val, val_sd)) =
            (common::mean_sd(&tests), common::mean_sd(&validations));
        println!("validation accuracy over {runs} run(s): {val:.2} ± {val_sd:.2} %");
        println!("test accuracy over {runs} run(s): {test:.2} ± {test_sd:.2} %");
    }
    Ok(())
}
