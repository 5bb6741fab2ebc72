//! Trains a 5-hidden-3 spiking network on the Yin-Yang data set (the official split,
//! regenerated bit for bit) with exact gradients, and prints the test accuracy.
//!
//! ```text
//! cargo run --release --example yinyang -- [--preset paper|best] [--seed S] [--epochs E]
//!     [--runs N] [--threads T] [--quiet] [--history FILE.csv] [--save CKPT] [--resume CKPT]
//!     [--batch B] [--lr LR] [--hidden H] [--eval-every K] [--t-max T] [--gamma G]
//!     [--tau0 A] [--tau1 B] [--silent-penalty L] [--lr-decay F --lr-every N]
//!     [--alpha A] [--beta B] [--init-hidden M] [--init-hidden-sd S]
//!     [--init-output M] [--init-output-sd S] [--average-from E] [--plots DIR]
//! ```
//!
//! `--preset paper` (default) is the seed paper's set-up (`Setup::yin_yang_paper`, DESIGN
//! section 4); `--preset best` the best set-up found on the validation split
//! (`Setup::yin_yang_best`, docs/results.md). Every other option changes one field of the
//! preset.
//!
//! `--average-from E` reports the mean of the weights at the ends of epochs `E` to the last
//! (weight averaging; off by default in both presets; an `E` after the last epoch is an
//! error). `--save` stores the last weights and the running average, so a resumed run with
//! the same `--average-from` ends exactly as an uninterrupted one; resuming without
//! `--average-from` drops the average.
//!
//! Built with the cargo feature `mpi` and started under `mpirun -np N`, every minibatch is
//! shared by the `N` ranks (the same weights, bit for bit; rank 0 prints and writes files;
//! `docs/distributed.md`).
//!
//! `--plots DIR` writes the figures of the first run into `DIR` (created if missing):
//! `training_curves.png` (from `history.csv`), `first_spike_histograms.png` (test set, at
//! initialisation and after training), `decision_map.png`, and `raster.png` and
//! `membrane_potential.png` of one test sample.

mod common;
#[path = "common/figures.rs"]
mod figures;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use common::{Args, CliError, Progress};
use fpsnn::prelude::*;

fn main() -> ExitCode {
    common::run(real_main)
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse_words(
        "quiet",
        "preset seed epochs runs threads history save resume average-from batch lr \
         hidden eval-every t-max gamma tau0 tau1 silent-penalty lr-decay lr-every \
         alpha beta init-hidden init-hidden-sd init-output init-output-sd plots",
    )?;
    let mut setup = match args.get("preset").unwrap_or("paper") {
        "paper" => Setup::yin_yang_paper(),
        "best" => Setup::yin_yang_best(),
        other => return Err(CliError(format!("unknown preset `{other}` (paper, best)")).into()),
    };
    common::apply_options(&args, &mut setup)?;
    setup.config.schedule = common::lr_schedule(&args, setup.config.schedule, 1)?;
    setup.eval_every = args.parse_or("eval-every", setup.eval_every)?;
    let common::Runs {
        seed,
        runs,
        ranks,
        root,
        quiet,
    } = common::Runs::parse(&args, 1)?;
    let plots = args.get("plots").map(figures::prepare).transpose()?;
    let average_from = common::average_from(&args, 0, setup.epochs)?;
    setup.average_from = (average_from > 0).then_some(average_from);

    let data = setup.data.load()?;
    let mut accuracies = Vec::with_capacity(runs);
    for run in 0..runs {
        let run_seed = seed + run as u64;
        let start = Instant::now();
        let setup = setup.clone().with_seed(run_seed);
        let mut trainer = match args.get("resume") {
            Some(path) => setup.resume(Path::new(path))?,
            None => setup.trainer()?,
        };
        trainer.set_collective(ranks.clone());
        match setup.average_from {
            Some(from) => trainer.average_weights_from(from)?,
            // a resumed checkpoint's average is dropped: this run reports its last weights
            None => {
                trainer.clear_weight_average();
            }
        }
        let initial = match &plots {
            Some(_) if run == 0 => Some(figures::first_spikes(
                &match trainer.epoch() {
                    0 => "at initialisation".to_owned(),
                    e => format!("at epoch {e} (resumed)"),
                },
                trainer.network(),
                trainer.output(),
                &data.test,
            )?),
            _ => None,
        };
        let mut progress = Progress::new(quiet, setup.epochs);
        trainer.fit(
            &data.train,
            setup.fit_options(&data).observer(&mut progress),
        )?;
        // the checkpoint holds the last weights and the running average, so that a resumed
        // run continues where this one stopped; it is written after the history, as before
        let checkpoint = match args.get("save") {
            Some(path) if root => Some((path, trainer.checkpoint_bytes()?)),
            _ => None,
        };
        trainer.apply_weight_average()?;
        let stats = trainer.evaluate(&data.test)?;
        let validation = match &data.validation {
            Some(v) => trainer.evaluate(v)?.accuracy,
            None => f64::NAN,
        };
        if !root {
            continue;
        }
        println!(
            "run {run} (seed {run_seed}): test accuracy {:.2}%  validation {:.2}%  epochs {}  wall {:.1}s",
            100.0 * stats.accuracy,
            100.0 * validation,
            trainer.epoch(),
            start.elapsed().as_secs_f64()
        );
        if let Some(path) = args.get("history") {
            let path = if runs > 1 {
                format!("{path}.{run}")
            } else {
                path.to_owned()
            };
            trainer.write_history_csv(Path::new(&path))?;
        }
        if let Some((path, bytes)) = &checkpoint {
            fpsnn::train::write_atomically(Path::new(path), bytes)?;
        }
        if let (Some(dir), Some(initial)) = (&plots, initial) {
            trainer.write_history_csv(&dir.join("history.csv"))?;
            let (net, out) = (trainer.network(), trainer.output());
            let names = fpsnn::datasets::YIN_YANG_CLASS_NAMES;
            figures::after_training(dir, "Yin-Yang", net, out, &data.test, initial, &names, 0)?;
            figures::yin_yang_map(dir, &trainer, 100)?;
            println!("figures written to {}", dir.display());
        }
        accuracies.push(100.0 * stats.accuracy);
    }
    if root {
        let (mean, sd) = common::mean_sd(&accuracies);
        println!("test accuracy over {runs} run(s): {mean:.2} ± {sd:.2} %");
    }
    Ok(())
}
