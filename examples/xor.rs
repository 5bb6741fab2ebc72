//! XOR with a 2-4-2 spiking network, full-batch Adam, from many random initialisations
//! (the paper's section 5 set-up): reports the mean and maximum number of steps until all
//! four patterns are classified (the label's output fires strictly first) and how many
//! initialisations never get there within the cap.
//!
//! ```text
//! cargo run --release --example xor -- [--inits 1000] [--cap 1000] [--seed S] [--threads T] [--quiet]
//!     [--preset tuned|paper] [--t-max 8] [--lr LR] [--tau0 T0] [--tau1 T1] [--gamma G]
//!     [--silent-penalty L] [--plots DIR]
//! ```
//!
//! `--preset tuned` (default) is `Setup::xor_tuned`, `--preset paper` `Setup::xor_paper`;
//! the other options change one field of the preset (`--epochs` is the step cap).
//!
//! `--plots DIR` also trains initialisation `--seed` for 60 full-batch steps and writes its
//! training curves, first-spike histograms, raster and membrane potentials into `DIR`.

mod common;
#[path = "common/figures.rs"]
mod figures;

use std::process::ExitCode;
use std::time::Instant;

use common::{Args, CliError};
use fpsnn::prelude::*;
use fpsnn::train::Silent;
use rayon::prelude::*;

fn main() -> ExitCode {
    common::run(real_main)
}

/// Whether every pattern's label output fires strictly before the other output (stricter
/// than the trainer's accuracy, which breaks a tie towards the lower index).
fn all_correct(network: &Network, data: &dyn Dataset) -> Result<bool, SimError> {
    for i in 0..data.len() {
        let sample = data.sample(i);
        let input = InputSpikes::try_new(sample.input_spikes)?;
        let trace = simulate(
            network,
            &input,
            &SimOptions::default().with_first_spike_only(1),
        )?;
        let first = trace.populations[1].first_spikes();
        let label = first[sample.label];
        let other = first[1 - sample.label];
        let ok = match (label, other) {
            (Some(a), Some(b)) => a < b,
            (Some(_), None) => true,
            _ => false,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Full-batch steps until convergence from initialisation `seed`, or `None` past `cap`.
fn steps_to_converge(setup: &Setup, seed: u64, cap: usize) -> Result<Option<usize>, fpsnn::Error> {
    let data = setup.data.load()?.train;
    let mut trainer = setup.clone().with_seed(seed).trainer()?;
    for step in 0..=cap {
        if all_correct(trainer.network(), &data)? {
            return Ok(Some(step));
        }
        if step < cap {
            trainer.train_epoch(&data, &mut Silent)?;
        }
    }
    Ok(None)
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse_words(
        "quiet",
        "inits cap seed threads epochs t-max lr tau0 tau1 gamma preset silent-penalty \
         plots",
    )?;
    let mut setup = match args.get("preset").unwrap_or("tuned") {
        "paper" => Setup::xor_paper(),
        "tuned" => Setup::xor_tuned(),
        other => return Err(CliError(format!("unknown preset `{other}` (paper, tuned)")).into()),
    };
    // `--epochs` is the step cap; `--cap` overrides it
    common::apply_options(&args, &mut setup)?;
    let inits: usize = args.parse_or("inits", 1000)?;
    let cap: usize = args.parse_or("cap", setup.epochs)?;
    let seed: u64 = args.parse_or("seed", 0)?;
    common::set_threads(args.parse_or("threads", 0)?)?;
    if inits == 0 {
        return Err(CliError("--inits must be >= 1".into()).into());
    }
    let start = Instant::now();
    let results: Vec<Option<usize>> = (0..inits as u64)
        .into_par_iter()
        .map(|i| steps_to_converge(&setup, seed + i, cap))
        .collect::<Result<_, _>>()?;
    let converged: Vec<usize> = results.iter().flatten().copied().collect();
    let failed = inits - converged.len();
    let steps: Vec<f64> = converged.iter().map(|&s| s as f64).collect();
    let (mean, sd) = if steps.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        common::mean_sd(&steps)
    };
    let max = converged.iter().max().copied().unwrap_or(0);
    if !args.flag("quiet") {
        eprintln!(
            "{inits} initialisations in {:.1}s",
            start.elapsed().as_secs_f64()
        );
    }
    println!(
        "xor: {}/{inits} initialisations converged within {cap} steps; steps mean {mean:.2} (sd {sd:.2}), max {max}; never converged: {failed}",
        converged.len()
    );
    if let Some(dir) = args.get("plots") {
        let dir = figures::prepare(dir)?;
        let data = setup.data.load()?.test;
        let mut trainer = setup.clone().with_seed(seed).trainer()?;
        let (net, out) = (trainer.network(), trainer.output());
        let initial = figures::first_spikes("at initialisation", net, out, &data)?;
        trainer.fit(&data, FitOptions::new(60).test(&data))?;
        trainer.write_history_csv(&dir.join("history.csv"))?;
        let (net, out) = (trainer.network(), trainer.output());
        let title = format!("XOR, initialisation {seed}");
        figures::after_training(&dir, &title, net, out, &data, initial, &["0", "1"], 3)?;
        println!("figures written to {}", dir.display());
    }
    Ok(())
}
