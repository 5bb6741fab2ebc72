//! Training throughput of the library's minibatch path (`fpsnn::train::batch`: simulation,
//! causal graph, fused adjoint, reduction in sample order), as wall time, with the work
//! model beside each figure (`docs/benchmarks.md`, "Throughput").
//!
//! ```text
//! cargo run --release --example throughput -- [--samples N] [--repeats R] [--threads T] [--quick]
//! ```
//!
//! For each network (Yin-Yang 5-150-3 on the official training points; 784-350-10 and
//! 784-800-10 on Fashion-MNIST-like inputs from `fpsnn::datasets::image_like`, about 390
//! latency-coded spikes over 784 channels in `[0, 2)`), it times one minibatch of `N`
//! samples (default 256), forward only and forward + exact gradient, on one thread and on
//! `T` threads (default: all cores), and reports the fastest of `R` repeats (default 5;
//! other processes share the cores). The work model per sample, measured on the same
//! samples: arrival-neuron updates `A N` (every arrival into a population times its size),
//! causal edges `E`, and the achieved nanoseconds per unit of work (thread-seconds per
//! sample over `A N` forward, over `A N + E` with the gradient). `--quick` runs a
//! few samples once (the smoke test).
//!
//! With `--net FILE --input FILE` it times instead the exact simulation of that network on
//! that input (JSON formats of `docs/formats.md`; fastest of `R` runs, one thread), e.g. the
//! recurrent benchmark network of `benches/nest/` against NEST.

mod common;

use std::time::Instant;

use common::{Args, CliError};
use fpsnn::causal::num_edges;
use fpsnn::datasets::image_like;
use fpsnn::prelude::*;
use fpsnn::train::{GradientOptions, batch, training_sim_options};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One network with its samples.
struct Case {
    name: &'static str,
    net: Network,
    data: SpikeDataset,
}

fn cases(samples: usize) -> Result<Vec<Case>> {
    // the paper's Yin-Yang network, simulated to t_max 4 with a spike cap of 1000
    let mut yy = Setup::yin_yang_paper();
    yy.network.t_max = 4.0;
    yy.network.max_spikes_per_neuron = 1000;
    let train = yy.data.load()?.train;
    let yy_data = train.select(&(0..samples.min(train.len())).collect::<Vec<_>>())?;
    let images = image_like(samples, 784, 10, 2.0, 14)?;
    let image_net = |hidden: usize| FeedForwardSpec::latency_images(hidden).build(14);
    Ok(vec![
        Case {
            name: "Yin-Yang 5-150-3",
            net: yy.network.build(14)?,
            data: yy_data,
        },
        Case {
            name: "784-350-10",
            net: image_net(350)?,
            data: images.clone(),
        },
        Case {
            name: "784-800-10",
            net: image_net(800)?,
            data: images,
        },
    ])
}

/// Per-sample work: arrival-neuron updates, causal edges, network spikes, as training
/// simulates (outputs stop after their first spike, the run after the last of them).
fn work(case: &Case) -> Result<(f64, f64, f64)> {
    let out = case.net.populations().len() - 1;
    let options = training_sim_options(&case.net, out, &loss(case)?, &GradientOptions::default());
    let (mut updates, mut edges, mut spikes) = (0usize, 0usize, 0usize);
    for k in 0..case.data.len() {
        let sample = case.data.get(k).expect("index in range");
        let input = InputSpikes::try_new(sample.input_spikes)?;
        let trace = simulate(&case.net, &input, &options)?;
        updates += trace.arrival_neuron_updates(&case.net);
        spikes += trace.num_spikes();
        edges += num_edges(&CausalGraph::try_new(&case.net, &input, &trace)?);
    }
    let n = case.data.len() as f64;
    Ok((updates as f64 / n, edges as f64 / n, spikes as f64 / n))
}

/// The first-spike cross-entropy the timed minibatches use: the paper's Yin-Yang loss,
/// silent outputs counted at the network's horizon.
fn loss(case: &Case) -> Result<FirstSpikeCrossEntropy> {
    Ok(*Setup::yin_yang_paper()
        .loss
        .build(case.net.t_max())?
        .inner())
}

/// Fastest wall time of `repeats` minibatches over all samples.
fn time(case: &Case, threads: usize, gradient: bool, repeats: usize) -> Result<f64> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let out = case.net.populations().len() - 1;
    let loss = loss(case)?;
    let indices: Vec<usize> = (0..case.data.len()).collect();
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let start = Instant::now();
        let result = pool.install(|| {
            batch(
                &case.net,
                out,
                &loss,
                &case.data,
                &indices,
                &GradientOptions::default(),
                gradient,
            )
        })?;
        best = best.min(start.elapsed().as_secs_f64());
        std::hint::black_box(result);
    }
    Ok(best)
}

fn main() -> std::process::ExitCode {
    common::run(real_main)
}

fn real_main() -> Result<()> {
    let args = Args::parse(
        &["quick"],
        &["samples", "repeats", "threads", "net", "input"],
    )?;
    let quick = args.flag("quick");
    if let Some(path) = args.get("net") {
        let net = Network::from_json(&common::read(path)?)?;
        let input = InputSpikes::from_json(&common::read(args.required("input")?)?)?;
        let repeats: usize = args.parse_or("repeats", 5)?;
        let mut best = f64::INFINITY;
        let mut spikes = 0;
        for _ in 0..repeats.max(1) {
            let start = Instant::now();
            let trace = simulate(&net, &input, &SimOptions::default())?;
            best = best.min(start.elapsed().as_secs_f64());
            spikes = trace.num_spikes();
        }
        let synapses: usize = net.projections().iter().map(|p| p.num_weights()).sum();
        println!(
            "{path}: {} neurons, {synapses} synapses, {} input spikes, {spikes} spikes in t_max {}; simulation {:.1} ms (fastest of {repeats})",
            net.populations().iter().map(|p| p.size()).sum::<usize>(),
            input.num_spikes(),
            net.t_max(),
            best * 1e3
        );
        return Ok(());
    }
    let samples: usize = args.parse_or("samples", if quick { 4 } else { 256 })?;
    let repeats: usize = args.parse_or("repeats", if quick { 1 } else { 5 })?;
    let threads = common::check_threads(args.parse_or("threads", 0)?)?;
    if samples == 0 || repeats == 0 {
        return Err(CliError("--samples and --repeats must be at least 1".into()).into());
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let many = if threads == 0 { cores } else { threads };
    println!("{samples} samples per minibatch, fastest of {repeats}; {cores} cores available");
    println!(
        "| network | A N / sample | E / sample | spikes / sample | mode | threads | samples/s | us / sample | ns per unit of work |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|---:|");
    for case in cases(samples)? {
        let (updates, edges, spikes) = work(&case)?;
        for (mode, gradient) in [("forward", false), ("forward + gradient", true)] {
            let mut counts = vec![1];
            if many > 1 {
                counts.push(many);
            }
            for n in counts {
                let seconds = time(&case, n, gradient, repeats)?;
                let per_sample = seconds / case.data.len() as f64;
                let units = if gradient { updates + edges } else { updates };
                println!(
                    "| {} | {:.0} | {:.0} | {:.0} | {mode} | {n} | {:.0} | {:.1} | {:.2} |",
                    case.name,
                    updates,
                    edges,
                    spikes,
                    1.0 / per_sample,
                    per_sample * 1e6,
                    per_sample * 1e9 * n as f64 / units,
                );
            }
        }
    }
    Ok(())
}
