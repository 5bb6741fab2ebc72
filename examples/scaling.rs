//! Scaling studies: how the cost of exact simulation and of exact gradients grows, with
//! CSV tables and log-log plots.
//!
//! ```text
//! cargo run --release --example scaling -- [--out DIR] [--quick] [--threads N] [--seed S]
//! ```
//!
//! 1. **Simulation** (one sample, one thread) versus neurons per layer (5-H-3) and versus
//!    input spikes per sample (20 channels, m spikes each, 20-100-3).
//! 2. **Per-sample gradient**, forward propagation (the paper's Algorithm 2, layer by
//!    layer, the whole Jacobian `dF/dW` then the chain rule) versus the adjoint, both from
//!    the simulated trace (causal graph, assembly, loss, solve), one thread, versus hidden
//!    size, depth and number of spikes `|F|`. The paper bounds forward propagation by
//!    `O(|F|^2 |W|)` and the adjoint by `O(edges)`; the cost per unit of each bound is
//!    printed and plotted.
//! 3. **Threads**: one epoch of Yin-Yang training (paper set-up, 5-150-3, batch 150) with
//!    1..N threads (the fastest of 5 epochs each), speed-up `T1/Tn` and efficiency
//!    `T1/(n Tn)`.
//!
//! Every time is the fastest of repeated runs (other processes share the cores). Fitted
//! slopes are least squares on log-log axes (`cost ~ x^slope`). Writes
//! `simulation.csv`, `gradients.csv`, `threads.csv` and a PNG per study into `--out`
//! (default `scaling`). `--quick` runs tiny sizes in a few seconds (the smoke test);
//! `--threads N` sets the largest thread count (default: the available cores; at most 4 x
//! the available cores, the rule of `fpsnn::core::check_threads`). The default
//! run takes about two minutes on two cores.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{Args, CliError};
use fpsnn::causal::num_edges;
use fpsnn::datasets::{Dataset, LatencyEncoder, SpikeEncoder, uniform_trains};
use fpsnn::prelude::*;
use fpsnn::train::Silent;
use fpsnn_plots::{LinePlot, Series, fit_loglog, plot_lines, with_power_law_fit};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The horizon of every network here (the paper's Yin-Yang set-up stops at 2).
const T_MAX: Time = 4.0;

/// The paper's Yin-Yang set-up (`Setup::yin_yang_paper`) simulated to [`T_MAX`].
fn yin_yang_setup() -> Setup {
    let mut setup = Setup::yin_yang_paper();
    setup.network.t_max = T_MAX;
    setup
}

/// Sizes of one run.
struct Plan {
    sim_hidden: Vec<usize>,
    sim_per_channel: Vec<usize>,
    sim_samples: usize,
    grad_hidden: Vec<usize>,
    grad_depth: Vec<usize>,
    depth_width: usize,
    grad_per_channel: Vec<usize>,
    spikes_width: usize,
    grad_samples: usize,
    epoch_samples: Option<usize>,
    min_seconds: f64,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Self {
                sim_hidden: vec![10, 20, 40],
                sim_per_channel: vec![1, 2, 4],
                sim_samples: 4,
                grad_hidden: vec![10, 20, 40],
                grad_depth: vec![1, 2, 3],
                depth_width: 16,
                grad_per_channel: vec![1, 2, 4],
                spikes_width: 16,
                grad_samples: 2,
                epoch_samples: Some(150),
                min_seconds: 0.0,
            }
        } else {
            Self {
                sim_hidden: vec![25, 50, 100, 200, 400, 800, 1600],
                sim_per_channel: vec![1, 2, 4, 8, 16, 32, 64],
                sim_samples: 32,
                grad_hidden: vec![25, 50, 100, 200, 400],
                grad_depth: vec![1, 2, 3, 4],
                depth_width: 40,
                grad_per_channel: vec![1, 2, 4, 8],
                spikes_width: 100,
                grad_samples: 4,
                epoch_samples: None,
                min_seconds: 0.25,
            }
        }
    }
}

/// A `inputs - hidden[0] - ... - 3` feed-forward network with the paper's Yin-Yang neuron
/// ([`yin_yang_setup`], weights seeded from `rng`): first layer weights `first` (mean, sd),
/// deeper layers scaled so that every hidden layer keeps a few spikes per neuron (the
/// paper's first-layer drive, 5 inputs of mean weight 1.5, spread over `pre` neurons that
/// fire about four times), output as the paper's; at most 1000 spikes per neuron.
fn network(
    rng: &mut StdRng,
    inputs: usize,
    hidden: &[usize],
    first: (f64, f64),
) -> Result<Network> {
    let paper = yin_yang_setup().network;
    let mut init = Vec::with_capacity(hidden.len() + 1);
    init.push(first);
    for &pre in &hidden[..hidden.len() - 1] {
        let mean = 5.0 * paper.init[0].0 / (4.0 * pre as f64);
        init.push((mean, 2.0 * mean));
    }
    init.push(paper.init[1]);
    let spec = FeedForwardSpec {
        inputs,
        hidden: hidden.to_vec(),
        init,
        max_spikes_per_neuron: 1000,
        ..paper
    };
    Ok(spec.build(rng.random())?)
}

/// The first layer's weights (mean, sd) of the paper's Yin-Yang set-up, N(1.5, 0.8).
fn paper_first_layer() -> (f64, f64) {
    yin_yang_setup().network.init[0]
}

/// Yin-Yang-like inputs: `(x, y, 1 - x, 1 - y)` for a point uniform in the unit square,
/// in the paper's encoding (`LatencyEncoder::yin_yang`: `0.15 + 1.85 v`, bias spike at 0.9).
fn yin_yang_inputs(rng: &mut StdRng, count: usize) -> Result<Vec<InputSpikes>> {
    let encoder = LatencyEncoder::yin_yang();
    (0..count)
        .map(|_| {
            let (x, y): (f64, f64) = (rng.random(), rng.random());
            let trains = encoder.encode(&[x, y, 1.0 - x, 1.0 - y])?;
            Ok(InputSpikes::try_new(trains)?)
        })
        .collect()
}

/// `channels` channels with `m` spikes each, uniform in `[0, 2)`.
fn dense_inputs(
    rng: &mut StdRng,
    count: usize,
    channels: usize,
    m: usize,
) -> Result<Vec<InputSpikes>> {
    (0..count)
        .map(|_| {
            Ok(InputSpikes::try_new(uniform_trains(
                rng, channels, m, 2.0,
            )?)?)
        })
        .collect()
}

/// First-layer weights for `m` input spikes per channel on 20 channels: the drive grows
/// like `sqrt(m)`, so the number of spikes grows with the input without running away.
fn dense_weights(m: usize) -> (f64, f64) {
    let s = (m as f64).sqrt();
    (0.4 / s, 0.6 / s)
}

/// Fastest wall time of `f` in seconds over at least 3 timed runs and `min_seconds` in
/// all, after one warm-up run (a first run over 0.1 s is timed instead). Other processes
/// share the cores: the fastest run is the least disturbed one.
fn measure<T>(min_seconds: f64, mut f: impl FnMut() -> Result<T>) -> Result<f64> {
    let t = Instant::now();
    std::hint::black_box(f()?);
    let first = t.elapsed().as_secs_f64();
    let mut best = if first > 0.1 { first } else { f64::INFINITY };
    let mut runs = usize::from(first > 0.1);
    let start = Instant::now();
    while runs < 3 || (start.elapsed().as_secs_f64() < min_seconds && runs < 1000) {
        let t = Instant::now();
        std::hint::black_box(f()?);
        best = best.min(t.elapsed().as_secs_f64());
        runs += 1;
    }
    Ok(best)
}

fn options(net: &Network) -> SimOptions {
    SimOptions::default().with_first_spike_only(net.populations().len() - 1)
}

/// One row of the simulation study.
struct SimRow {
    study: &'static str,
    hidden: usize,
    input_spikes: f64,
    spikes: f64,
    seconds: f64,
}

/// Mean seconds per sample of simulating `inputs` (one thread), and mean spikes.
fn time_simulation(net: &Network, inputs: &[InputSpikes], min_seconds: f64) -> Result<(f64, f64)> {
    let options = options(net);
    let mut spikes = 0;
    for input in inputs {
        spikes += simulate(net, input, &options)?.num_spikes();
    }
    let total = measure(min_seconds, || {
        inputs
            .iter()
            .map(|input| simulate(net, input, &options))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(Into::into)
    })?;
    let n = inputs.len() as f64;
    Ok((total / n, spikes as f64 / n))
}

/// One row of the gradient study (means over the samples).
struct GradRow {
    study: &'static str,
    hidden: usize,
    depth: usize,
    input_spikes: f64,
    spikes: f64,
    params: f64,
    edges: f64,
    fp: f64,
    adjoint: f64,
    max_rel_diff: f64,
}

impl GradRow {
    /// `|F|^2 |W|`, the paper's bound for forward propagation.
    fn fp_bound(&self) -> f64 {
        self.spikes * self.spikes * self.params
    }
}

/// Per-sample gradient cost of both drivers on `net` over `inputs`.
fn time_gradients(
    study: &'static str,
    net: &Network,
    hidden: &[usize],
    inputs: &[InputSpikes],
    min_seconds: f64,
) -> Result<GradRow> {
    let started = Instant::now();
    let out = net.populations().len() - 1;
    let loss = yin_yang_setup().loss()?;
    let params = ParamLayout::new(net).len() as f64;
    let mut row = GradRow {
        study,
        hidden: hidden[0],
        depth: hidden.len(),
        input_spikes: 0.0,
        spikes: 0.0,
        params,
        edges: 0.0,
        fp: 0.0,
        adjoint: 0.0,
        max_rel_diff: 0.0,
    };
    let mut used = 0;
    for (k, input) in inputs.iter().enumerate() {
        let trace = simulate(net, input, &options(net))?;
        let label = k % 3;
        let gradient = |forward: bool| -> Result<Gradient> {
            let sample = SampleDerivatives::try_new(net, input, &trace)?;
            let output = loss.evaluate(&trace.populations[out].spikes, &label)?;
            let jacobian = if forward {
                let (graph, system) = (sample.graph(), sample.assembly());
                Some(forward_jacobian_layered(
                    graph,
                    system,
                    Parallelism::Sequential,
                )?)
            } else {
                None
            };
            Ok(sample.loss_gradient(out, &output.d_spikes, jacobian.as_ref())?)
        };
        // A grazing spike has no gradient: skip the sample.
        let (Ok(fp), Ok(adjoint)) = (gradient(true), gradient(false)) else {
            continue;
        };
        let scale = adjoint
            .params
            .iter()
            .fold(1e-300_f64, |m, x| m.max(x.abs()));
        let diff = fp
            .params
            .iter()
            .zip(&adjoint.params)
            .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
        row.max_rel_diff = row.max_rel_diff.max(diff / scale);
        let graph = CausalGraph::try_new(net, input, &trace)?;
        row.input_spikes += input.num_spikes() as f64;
        row.spikes += graph.len() as f64;
        row.edges += num_edges(&graph) as f64;
        row.fp += measure(min_seconds / inputs.len() as f64, || gradient(true))?;
        row.adjoint += measure(min_seconds / inputs.len() as f64, || gradient(false))?;
        used += 1;
    }
    if used == 0 {
        return Err(CliError(format!("{study}: every sample had a grazing spike")).into());
    }
    let n = f64::from(used);
    row.input_spikes /= n;
    row.spikes /= n;
    row.edges /= n;
    row.fp /= n;
    row.adjoint /= n;
    eprintln!(
        "  gradient {study}: hidden {hidden:?}, |F| {:.0}: {:.1} s",
        row.spikes,
        started.elapsed().as_secs_f64()
    );
    Ok(row)
}

/// One row of the thread study.
struct ThreadRow {
    threads: usize,
    seconds: f64,
}

/// Seconds of one Yin-Yang training epoch (paper set-up) with `threads` threads.
fn time_epoch(threads: usize, samples: Option<usize>, seed: u64, min_seconds: f64) -> Result<f64> {
    let setup = yin_yang_setup().with_seed(seed);
    let train = setup.data.load()?.train;
    let train = match samples {
        Some(n) => train.select(&(0..n.min(train.len())).collect::<Vec<_>>())?,
        None => train,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    // The fastest of 5 epochs: on a shared machine the minimum is the least disturbed.
    let mut best = f64::INFINITY;
    for _ in 0..if min_seconds > 0.0 { 5 } else { 1 } {
        let t = Instant::now();
        let mut trainer = setup.trainer()?;
        pool.install(|| trainer.train_epoch(&train, &mut Silent))?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| CliError(format!("{}: {e}", path.display())).into())
}

/// The fitted log-log slope of `points` (sorted by x first, as [`with_fit`] fits them).
fn slope(points: Vec<(f64, f64)>) -> f64 {
    with_power_law_fit(Series::new("", points, 0)).1
}

/// Appends a measured series and its fitted power law to `series`; returns the slope.
fn with_fit(series: &mut Vec<Series>, measured: Series) -> f64 {
    let (curves, slope) = with_power_law_fit(measured);
    series.extend(curves);
    slope
}

fn main() -> std::process::ExitCode {
    common::run(real_main)
}

#[allow(clippy::too_many_lines)]
fn real_main() -> Result<()> {
    let args = Args::parse(&["quick"], &["out", "threads", "seed"])?;
    let quick = args.flag("quick");
    let out = PathBuf::from(args.get("out").unwrap_or("scaling"));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let max_threads: usize = args.parse_or("threads", cores)?;
    let seed: u64 = args.parse_or("seed", 0)?;
    if max_threads == 0 {
        return Err(CliError("--threads must be >= 1".into()).into());
    }
    common::check_threads(max_threads)?;
    std::fs::create_dir_all(&out).map_err(|e| CliError(format!("--out {}: {e}", out.display())))?;
    let plan = Plan::new(quick);
    let started = Instant::now();
    println!(
        "# scaling study ({}), {cores} core(s) available",
        if quick { "quick" } else { "full" }
    );

    // 1. Simulation.
    let mut rng = StdRng::seed_from_u64(seed);
    let mut sim = Vec::new();
    let inputs = yin_yang_inputs(&mut rng, plan.sim_samples)?;
    for &h in &plan.sim_hidden {
        let net = network(&mut rng, 5, &[h], paper_first_layer())?;
        let (seconds, spikes) = time_simulation(&net, &inputs, plan.min_seconds)?;
        sim.push(SimRow {
            study: "neurons",
            hidden: h,
            input_spikes: 5.0,
            spikes,
            seconds,
        });
    }
    for &m in &plan.sim_per_channel {
        let net = network(&mut rng, 20, &[100], dense_weights(m))?;
        let inputs = dense_inputs(&mut rng, plan.sim_samples, 20, m)?;
        let (seconds, spikes) = time_simulation(&net, &inputs, plan.min_seconds)?;
        sim.push(SimRow {
            study: "input_spikes",
            hidden: 100,
            input_spikes: (20 * m) as f64,
            spikes,
            seconds,
        });
    }
    let mut csv = String::from("study,hidden,input_spikes,spikes,seconds_per_sample\n");
    for r in &sim {
        csv += &format!(
            "{},{},{},{},{:e}\n",
            r.study, r.hidden, r.input_spikes, r.spikes, r.seconds
        );
    }
    write(&out.join("simulation.csv"), &csv)?;
    println!("\n## simulation, one sample, one thread");
    println!(
        "{:>13} {:>7} {:>12} {:>10} {:>12} {:>14}",
        "study", "hidden", "input spikes", "spikes", "us/sample", "ns/spike"
    );
    for r in &sim {
        println!(
            "{:>13} {:>7} {:>12} {:>10.1} {:>12.1} {:>14.1}",
            r.study,
            r.hidden,
            r.input_spikes,
            r.spikes,
            1e6 * r.seconds,
            1e9 * r.seconds / r.spikes
        );
    }
    let pick = |study: &str, x: fn(&SimRow) -> f64| -> Vec<(f64, f64)> {
        sim.iter()
            .filter(|r| r.study == study)
            .map(|r| (x(r), r.seconds))
            .collect()
    };
    let mut series = Vec::new();
    let s_neurons = with_fit(
        &mut series,
        Series::new(
            "5-H-3, time per sample",
            pick("neurons", |r| r.hidden as f64),
            0,
        ),
    );
    let s_neurons_spikes = slope(pick("neurons", |r| r.spikes));
    plot_lines(
        &out.join("simulation_vs_neurons.png"),
        &LinePlot::loglog(
            "Exact simulation vs neurons per layer",
            "hidden neurons H",
            "seconds per sample",
            series,
        ),
    )?;
    let mut series = Vec::new();
    let s_inputs = with_fit(
        &mut series,
        Series::new(
            "20-100-3, time per sample",
            pick("input_spikes", |r| r.input_spikes),
            1,
        ),
    );
    plot_lines(
        &out.join("simulation_vs_input_spikes.png"),
        &LinePlot::loglog(
            "Exact simulation vs input spikes per sample",
            "input spikes per sample",
            "seconds per sample",
            series,
        ),
    )?;
    let s_inputs_spikes = slope(pick("input_spikes", |r| r.spikes));
    println!(
        "fitted slopes: time ~ H^{s_neurons:.2}, ~ |F|^{s_neurons_spikes:.2} (vs neurons); \
         time ~ inputs^{s_inputs:.2}, ~ |F|^{s_inputs_spikes:.2} (vs input spikes)"
    );

    // 2. Gradients.
    let mut grads = Vec::new();
    let inputs = yin_yang_inputs(&mut rng, plan.grad_samples)?;
    for &h in &plan.grad_hidden {
        let net = network(&mut rng, 5, &[h], paper_first_layer())?;
        grads.push(time_gradients(
            "hidden",
            &net,
            &[h],
            &inputs,
            plan.min_seconds,
        )?);
    }
    for &d in &plan.grad_depth {
        let hidden = vec![plan.depth_width; d];
        let net = network(&mut rng, 5, &hidden, paper_first_layer())?;
        grads.push(time_gradients(
            "depth",
            &net,
            &hidden,
            &inputs,
            plan.min_seconds,
        )?);
    }
    for &m in &plan.grad_per_channel {
        let hidden = [plan.spikes_width];
        let net = network(&mut rng, 20, &hidden, dense_weights(m))?;
        let inputs = dense_inputs(&mut rng, plan.grad_samples, 20, m)?;
        grads.push(time_gradients(
            "spikes",
            &net,
            &hidden,
            &inputs,
            plan.min_seconds,
        )?);
    }
    let mut csv = String::from(
        "study,hidden,depth,input_spikes,spikes,params,edges,fp_seconds,adjoint_seconds,fp_per_bound,adjoint_per_edge,max_rel_diff\n",
    );
    for r in &grads {
        csv += &format!(
            "{},{},{},{},{},{},{},{:e},{:e},{:e},{:e},{:e}\n",
            r.study,
            r.hidden,
            r.depth,
            r.input_spikes,
            r.spikes,
            r.params,
            r.edges,
            r.fp,
            r.adjoint,
            r.fp / r.fp_bound(),
            r.adjoint / r.edges,
            r.max_rel_diff
        );
    }
    write(&out.join("gradients.csv"), &csv)?;
    println!("\n## per-sample gradient, one thread (graph + assembly + loss + solve)");
    println!(
        "{:>7} {:>6} {:>5} {:>9} {:>7} {:>10} {:>11} {:>11} {:>7} {:>14} {:>13} {:>8}",
        "study",
        "hidden",
        "depth",
        "|F|",
        "|W|",
        "edges",
        "FP us",
        "adjoint us",
        "FP/adj",
        "FP ps/|F|^2|W|",
        "adj ns/edge",
        "rel diff"
    );
    for r in &grads {
        println!(
            "{:>7} {:>6} {:>5} {:>9.1} {:>7} {:>10.0} {:>11.1} {:>11.1} {:>7.1} {:>14.3} {:>13.2} {:>8.1e}",
            r.study,
            r.hidden,
            r.depth,
            r.spikes,
            r.params,
            r.edges,
            1e6 * r.fp,
            1e6 * r.adjoint,
            r.fp / r.adjoint,
            1e12 * r.fp / r.fp_bound(),
            1e9 * r.adjoint / r.edges,
            r.max_rel_diff
        );
    }
    let rows = |study: &str| {
        grads
            .iter()
            .filter(|r| r.study == study)
            .collect::<Vec<_>>()
    };
    let mut slopes = Vec::new();
    for (study, x_label, title, file, x) in [
        (
            "hidden",
            "hidden neurons H (5-H-3)",
            "Per-sample gradient vs hidden size",
            "gradient_vs_hidden.png",
            (|r: &GradRow| r.hidden as f64) as fn(&GradRow) -> f64,
        ),
        (
            "depth",
            "hidden layers (width fixed)",
            "Per-sample gradient vs depth",
            "gradient_vs_depth.png",
            |r: &GradRow| r.depth as f64,
        ),
        (
            "spikes",
            "spikes per sample |F| (20-100-3, denser input)",
            "Per-sample gradient vs number of spikes",
            "gradient_vs_spikes.png",
            |r: &GradRow| r.spikes,
        ),
    ] {
        let rs = rows(study);
        let mut series = Vec::new();
        let fp = with_fit(
            &mut series,
            Series::new(
                "forward propagation",
                rs.iter().map(|r| (x(r), r.fp)).collect(),
                0,
            ),
        );
        let adj = with_fit(
            &mut series,
            Series::new("adjoint", rs.iter().map(|r| (x(r), r.adjoint)).collect(), 1),
        );
        let fp_f = fit_loglog(&rs.iter().map(|r| (r.spikes, r.fp)).collect::<Vec<_>>())
            .map_or(f64::NAN, |f| f.0);
        let adj_f = fit_loglog(&rs.iter().map(|r| (r.spikes, r.adjoint)).collect::<Vec<_>>())
            .map_or(f64::NAN, |f| f.0);
        plot_lines(
            &out.join(file),
            &LinePlot::loglog(title, x_label, "seconds per sample", series),
        )?;
        println!(
            "fitted slopes vs {study}: FP {fp:.2}, adjoint {adj:.2}; against |F| within the study: FP {fp_f:.2}, adjoint {adj_f:.2}"
        );
        slopes.push((study, fp, adj));
    }
    // Against the bounds: FP vs |F|^2 |W|, adjoint vs edges, over every configuration.
    let mut series = Vec::new();
    let fp_bound = with_fit(
        &mut series,
        Series::new(
            "forward propagation vs |F|^2 |W|",
            grads.iter().map(|r| (r.fp_bound(), r.fp)).collect(),
            0,
        )
        .markers_only(),
    );
    let adj_bound = with_fit(
        &mut series,
        Series::new(
            "adjoint vs causal edges",
            grads.iter().map(|r| (r.edges, r.adjoint)).collect(),
            1,
        )
        .markers_only(),
    );
    plot_lines(
        &out.join("gradient_vs_bound.png"),
        &LinePlot::loglog(
            "Gradient cost against the paper's bounds (all configurations)",
            "bound: |F|^2 |W| (forward propagation), causal edges (adjoint)",
            "seconds per sample",
            series,
        ),
    )?;
    println!(
        "fitted slopes against the bounds: FP time ~ (|F|^2 |W|)^{fp_bound:.2}, adjoint time ~ edges^{adj_bound:.2} \
         (slope <= 1: within the bound)"
    );

    // 3. Threads. Other processes take cores too: report the load.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    let mut threads = Vec::new();
    for n in 1..=max_threads {
        let seconds = time_epoch(n, plan.epoch_samples, seed, plan.min_seconds)?;
        threads.push(ThreadRow {
            threads: n,
            seconds,
        });
    }
    let t1 = threads[0].seconds;
    let mut csv = String::from("threads,seconds,speedup,efficiency\n");
    println!(
        "\n## one Yin-Yang epoch ({} samples, 5-150-3, batch 150)",
        plan.epoch_samples
            .map_or("5000".to_owned(), |n| n.to_string())
    );
    println!("load average before: {load} on {cores} core(s)");
    println!(
        "{:>7} {:>9} {:>8} {:>10}",
        "threads", "seconds", "speedup", "efficiency"
    );
    for r in &threads {
        let speedup = t1 / r.seconds;
        let efficiency = speedup / r.threads as f64;
        csv += &format!("{},{:e},{},{}\n", r.threads, r.seconds, speedup, efficiency);
        println!(
            "{:>7} {:>9.3} {:>8.2} {:>10.2}",
            r.threads, r.seconds, speedup, efficiency
        );
    }
    write(&out.join("threads.csv"), &csv)?;
    let speedups: Vec<(f64, f64)> = threads
        .iter()
        .map(|r| (r.threads as f64, t1 / r.seconds))
        .collect();
    let efficiency = threads
        .last()
        .map_or(1.0, |r| t1 / (r.threads as f64 * r.seconds));
    plot_lines(
        &out.join("thread_scaling.png"),
        &LinePlot {
            title: format!("Yin-Yang epoch: speed-up with threads ({cores} cores, load {load})"),
            x_label: "threads n".to_owned(),
            y_label: "speed-up T1 / Tn".to_owned(),
            log_x: false,
            log_y: false,
            series: vec![
                Series::new(
                    format!(
                        "measured (efficiency {efficiency:.2} at {} threads)",
                        threads.len()
                    ),
                    speedups,
                    0,
                ),
                Series::new(
                    "ideal",
                    (1..=max_threads).map(|n| (n as f64, n as f64)).collect(),
                    7,
                )
                .dashed(),
            ],
        },
    )?;
    println!(
        "\nsummary: FP slope vs H {:.2}, adjoint slope vs H {:.2}; FP slope vs |F| {:.2}, adjoint slope vs |F| {:.2}; \
         efficiency at {} threads {:.2}; {:.0} s; files in {}",
        slopes[0].1,
        slopes[0].2,
        slopes[2].1,
        slopes[2].2,
        threads.len(),
        efficiency,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
