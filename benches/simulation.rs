//! Simulation benchmarks (`docs/benchmarks.md`): the Yin-Yang 5-150-3 network by layer
//! sweep, a 1000-neuron recurrent network by event queue, the kernel evaluations and the
//! exact crossing search alone, and how the layer sweep scales with neurons per layer and
//! input spikes per sample.
//!
//! Throughput is the number of simulated network spikes (criterion prints spikes/s) or the
//! number of kernel calls (calls/s).
#![allow(missing_docs)]

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fpsnn::kernels::{Bracket, Crossing, State};
use fpsnn::prelude::*;
use rand::Rng;

/// Number of pre-generated Yin-Yang inputs one timed iteration runs through.
const YIN_YANG_SAMPLES: usize = 64;

/// Number of random arguments or states in one kernel batch.
const KERNEL_BATCH: usize = 4096;

/// (a) The 5-150-3 Yin-Yang network: every input of a fixed set of 64 per iteration.
fn yin_yang(c: &mut Criterion) {
    let mut rng = common::rng(1);
    let hidden = 150;
    let net = common::yin_yang_network(&mut rng, &[hidden], 100_000);
    let inputs = common::yin_yang_inputs(&mut rng, YIN_YANG_SAMPLES);
    let out = net.population_index("out").expect("output population");
    let mut group = c.benchmark_group("sim/yin_yang");
    common::configure(&mut group);
    for (mode, first_only) in [("all_spikes", false), ("first_spike_only", true)] {
        for (par_name, parallelism) in [
            ("seq", Parallelism::Sequential),
            ("rayon", Parallelism::Rayon),
        ] {
            let mut options = SimOptions::default()
                .with_method(Method::LayerSweep)
                .with_parallelism(parallelism);
            if first_only {
                options = options.with_first_spike_only(out);
            }
            let traces: Vec<SimTrace> = inputs
                .iter()
                .map(|input| simulate(&net, input, &options).expect("simulation runs"))
                .collect();
            let spikes: usize = traces.iter().map(SimTrace::num_spikes).sum();
            let hidden_spikes: usize = traces.iter().map(|t| t.populations[0].num_spikes()).sum();
            let out_spikes: usize = traces.iter().map(|t| t.populations[out].num_spikes()).sum();
            println!(
                "fixture sim/yin_yang {mode}/{par_name}: {YIN_YANG_SAMPLES} samples, \
                 {spikes} network spikes ({hidden_spikes} hidden, {out_spikes} output), \
                 {:.1} per sample",
                spikes as f64 / YIN_YANG_SAMPLES as f64
            );
            group.throughput(Throughput::Elements(spikes as u64));
            group.bench_with_input(
                BenchmarkId::new(
                    format!("{mode}/{par_name}"),
                    format!("neurons={hidden}/in_spikes=5/samples={YIN_YANG_SAMPLES}"),
                ),
                &options,
                |b, options| {
                    b.iter(|| {
                        for input in &inputs {
                            black_box(simulate(&net, input, options).expect("simulation runs"));
                        }
                    });
                },
            );
        }
    }
    group.finish();
}

/// (b) A 1000-neuron random recurrent network, event queue.
fn recurrent(c: &mut Criterion) {
    const NEURONS: usize = 1000;
    const CHANNELS: usize = 50;
    const PER_CHANNEL: usize = 4;
    /// Input spikes fall in `[0, INPUT_UNTIL)`; the recurrent activity outlasts them.
    const INPUT_UNTIL: Time = 5.0;
    const T_MAX: Time = 8.0;
    /// Just below the runaway regime (sd 0.1 exceeds the cap): activity outlives the input
    /// by about two time units and then dies out.
    const RECURRENT_SD: f64 = 0.09;
    let mut rng = common::rng(2);
    let net = common::recurrent_network(
        &mut rng,
        NEURONS,
        CHANNELS,
        (0.05, 0.05),
        RECURRENT_SD,
        T_MAX,
    );
    let input = common::uniform_input(&mut rng, CHANNELS, PER_CHANNEL, INPUT_UNTIL);
    let options = SimOptions::default().with_method(Method::EventQueue);
    let trace = simulate(&net, &input, &options).expect("simulation runs");
    let spikes = trace.num_spikes();
    let max_per_neuron = trace.populations[0]
        .spikes
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let active = trace.populations[0]
        .spikes
        .iter()
        .filter(|s| !s.is_empty())
        .count();
    let late = trace.populations[0]
        .spikes
        .iter()
        .flatten()
        .filter(|&&t| t > INPUT_UNTIL)
        .count();
    println!(
        "fixture sim/recurrent: {spikes} network spikes from {} input spikes, t_max {T_MAX}, \
         {active}/{NEURONS} neurons active, at most {max_per_neuron} spikes per neuron \
         (cap {}), {late} spikes after t = {INPUT_UNTIL} (the input window), {} arrivals",
        input.num_spikes(),
        net.max_spikes_per_neuron(),
        trace.populations[0].arrivals.len()
    );
    let mut group = c.benchmark_group("sim/recurrent");
    common::configure(&mut group);
    group.throughput(Throughput::Elements(spikes as u64));
    group.bench_function(
        BenchmarkId::new(
            "event_queue",
            format!(
                "neurons={NEURONS}/in_spikes={}/spikes={spikes}",
                input.num_spikes()
            ),
        ),
        |b| b.iter(|| black_box(simulate(&net, &input, &options).expect("simulation runs"))),
    );
    group.finish();
}

/// The kind of work [`CrossingSearch::next_crossing`] does for a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CrossingKind {
    /// `I <= 0` or `V'(0) <= 0`: rejected before any transcendental function.
    Rejected,
    /// Rises, the closed-form peak stays below threshold: no spike.
    PeakBelow,
    /// Crosses: bracket, then safeguarded Newton.
    Spike,
}

fn classify(kernel: &ExpKernel, state: State, theta: f64, horizon: Time) -> Option<CrossingKind> {
    if state.current <= 0.0 || kernel.slope(state) <= 0.0 {
        return Some(CrossingKind::Rejected);
    }
    match kernel.bracket(state, theta, horizon) {
        Bracket::None => Some(CrossingKind::PeakBelow),
        Bracket::Rising(_) => Some(CrossingKind::Spike),
        Bracket::Tangent(_) => None,
    }
}

/// (c) Kernel evaluation and the crossing search alone.
fn kernel(c: &mut Criterion) {
    let params = common::yin_yang_params();
    let kernel = ExpKernel::from_params(&params).expect("valid kernel");
    let theta = params.theta;
    let horizon = common::YIN_YANG_T_MAX;
    let mut rng = common::rng(3);
    let offsets: Vec<Time> = (0..KERNEL_BATCH)
        .map(|_| 5.0 * rng.random::<f64>())
        .collect();
    let states: Vec<State> = (0..KERNEL_BATCH)
        .map(|_| State {
            current: 6.0 * rng.random::<f64>() - 1.0,
            potential: 1.5 * rng.random::<f64>() - 0.5,
        })
        .collect();

    let mut group = c.benchmark_group("kernel/eval");
    common::configure(&mut group);
    group.throughput(Throughput::Elements(KERNEL_BATCH as u64));
    let id = |name: &str| BenchmarkId::new(name, format!("calls={KERNEL_BATCH}"));
    group.bench_function(id("psp"), |b| {
        b.iter(|| {
            offsets
                .iter()
                .map(|&s| kernel.psp(black_box(s)))
                .sum::<f64>()
        });
    });
    group.bench_function(id("psp_and_derivative"), |b| {
        b.iter(|| {
            offsets
                .iter()
                .map(|&s| {
                    let (h, dh) = kernel.psp_and_derivative(black_box(s));
                    h + dh
                })
                .sum::<f64>()
        });
    });
    group.bench_function(id("advance"), |b| {
        b.iter(|| {
            states
                .iter()
                .zip(&offsets)
                .map(|(&state, &s)| kernel.advance(black_box(state), black_box(s)).potential)
                .sum::<f64>()
        });
    });
    group.finish();

    // Crossing-search batches: one per kind, and a mixed batch of equal thirds, shuffled.
    let mut by_kind: [Vec<State>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    while by_kind.iter().any(|v| v.len() < KERNEL_BATCH) {
        let state = State {
            current: 8.0 * rng.random::<f64>() - 2.0,
            potential: 1.5 * rng.random::<f64>() - 0.5,
        };
        let slot = match classify(&kernel, state, theta, horizon) {
            Some(CrossingKind::Rejected) => 0,
            Some(CrossingKind::PeakBelow) => 1,
            Some(CrossingKind::Spike) => 2,
            None => continue,
        };
        if by_kind[slot].len() < KERNEL_BATCH {
            by_kind[slot].push(state);
        }
    }
    let mut mixed: Vec<State> = (0..KERNEL_BATCH).map(|k| by_kind[k % 3][k]).collect();
    for k in (1..mixed.len()).rev() {
        mixed.swap(k, rng.random_range(0..=k));
    }
    let mut group = c.benchmark_group("kernel/next_crossing");
    common::configure(&mut group);
    group.throughput(Throughput::Elements(KERNEL_BATCH as u64));
    let batches = [
        ("rejected", &by_kind[0]),
        ("peak_below", &by_kind[1]),
        ("spike", &by_kind[2]),
        ("mixed", &mixed),
    ];
    for (name, batch) in batches {
        let spikes = batch
            .iter()
            .filter(|&&s| matches!(kernel.next_crossing(s, theta, horizon), Crossing::Spike(_)))
            .count();
        println!("fixture kernel/next_crossing {name}: {KERNEL_BATCH} states, {spikes} spike");
        group.bench_with_input(
            BenchmarkId::new(name, format!("states={KERNEL_BATCH}")),
            batch,
            |b, batch| {
                b.iter(|| {
                    let mut spikes = 0usize;
                    for &state in batch.iter() {
                        if let Crossing::Spike(s) =
                            kernel.next_crossing(black_box(state), theta, horizon)
                        {
                            spikes += 1;
                            black_box(s);
                        }
                    }
                    spikes
                });
            },
        );
    }
    group.finish();
}

/// Scaling of the layer sweep (issue 5; the `scaling` example fits slopes to the same
/// kind of data): simulation cost versus neurons per layer (5-H-3, Yin-Yang inputs) and
/// versus input spikes per sample (5-100-3, `m` spikes per channel, uniform in `[0, 2)`).
/// Outputs stop at their first spike, as in training; one thread.
fn scaling(c: &mut Criterion) {
    const SAMPLES: usize = 16;
    let mut group = c.benchmark_group("sim/scaling");
    common::configure(&mut group);
    let options_for = |net: &Network| {
        let out = net.population_index("out").expect("output population");
        SimOptions::default()
            .with_method(Method::LayerSweep)
            .with_parallelism(Parallelism::Sequential)
            .with_first_spike_only(out)
    };
    let run = |group: &mut criterion::BenchmarkGroup<'_, _>,
               name: String,
               net: &Network,
               inputs: &[InputSpikes]| {
        let options = options_for(net);
        let spikes: usize = inputs
            .iter()
            .map(|input| {
                simulate(net, input, &options)
                    .expect("simulation runs")
                    .num_spikes()
            })
            .sum();
        group.throughput(Throughput::Elements(spikes as u64));
        group.bench_function(BenchmarkId::new("layer_sweep", name), |b| {
            b.iter(|| {
                for input in inputs {
                    black_box(simulate(net, input, &options).expect("simulation runs"));
                }
            });
        });
    };
    for hidden in [50, 200, 800] {
        let mut rng = common::rng(10 + hidden as u64);
        let net = common::yin_yang_network(&mut rng, &[hidden], 1000);
        let inputs = common::yin_yang_inputs(&mut rng, SAMPLES);
        run(
            &mut group,
            format!("neurons={hidden}/in_spikes=5/samples={SAMPLES}"),
            &net,
            &inputs,
        );
    }
    let mut rng = common::rng(20);
    let net = common::yin_yang_network(&mut rng, &[100], 1000);
    for per_channel in [1, 4, 16, 64] {
        let inputs: Vec<InputSpikes> = (0..SAMPLES)
            .map(|_| common::uniform_input(&mut rng, 5, per_channel, 2.0))
            .collect();
        run(
            &mut group,
            format!(
                "neurons=100/in_spikes={}/samples={SAMPLES}",
                5 * per_channel
            ),
            &net,
            &inputs,
        );
    }
    group.finish();
}

criterion_group!(benches, yin_yang, recurrent, kernel, scaling);
criterion_main!(benches);
