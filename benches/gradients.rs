//! Per-sample gradient benchmarks (`docs/benchmarks.md`): forward propagation (the whole
//! `K x (P + G)` Jacobian, then the chain rule) versus the adjoint solve, on Yin-Yang-like
//! feed-forward networks of growing width and depth, and the Jacobian assembly alone.
//!
//! The simulation is done once, outside the timing; one timed iteration is one sample (the
//! iterations cycle through a fixed set of pre-simulated samples): causal graph, assembly,
//! loss, solve.
#![allow(missing_docs)]

mod common;

use std::cell::Cell;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use fpsnn::causal::{Assembly, num_edges};
use fpsnn::prelude::*;

/// Number of pre-simulated samples the timed iterations cycle through.
const SAMPLES: usize = 4;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Largest forward-propagation Jacobian (bytes) that is benchmarked.
const FP_MEMORY_LIMIT: f64 = GIB;

/// Forward propagation whose mean `nnz(L) x (P + G)` exceeds this (about 3 s per sample on
/// the bench machine) runs only with `FPSNN_BENCH_SLOW=1`: criterion needs at least 11 runs.
const SLOW_FP_WORK: f64 = 2e9;

/// Hidden layer sizes: width 50..1000 at depth 1, depth 1..3 at width 150, and 2 x 200.
const CONFIGS: &[&[usize]] = &[
    &[50],
    &[150],
    &[500],
    &[1000],
    &[150, 150],
    &[150, 150, 150],
    &[200, 200],
];

/// One network with its pre-simulated samples.
struct Fixture {
    name: String,
    net: Network,
    out: usize,
    inputs: Vec<InputSpikes>,
    traces: Vec<SimTrace>,
    labels: Vec<usize>,
    loss: FirstSpikeCrossEntropy,
}

impl Fixture {
    fn new(hidden: &[usize], seed: u64) -> Self {
        let mut rng = common::rng(seed);
        let net = common::yin_yang_network(&mut rng, hidden, 1000);
        let out = net.population_index("out").expect("output population");
        // The loss reads first output spikes only, so the output stops after its first.
        let options = SimOptions::default().with_first_spike_only(out);
        let inputs = common::yin_yang_inputs(&mut rng, SAMPLES);
        let traces = inputs
            .iter()
            .map(|input| simulate(&net, input, &options).expect("simulation runs"))
            .collect();
        let name = format!(
            "hidden={}/depth={}",
            hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("x"),
            hidden.len()
        );
        Self {
            name,
            net,
            out,
            inputs,
            traces,
            labels: (0..SAMPLES).map(|k| k % 3).collect(),
            loss: common::yin_yang_loss(),
        }
    }

    fn graph(&self, k: usize) -> CausalGraph<'_> {
        CausalGraph::try_new(&self.net, &self.inputs[k], &self.traces[k]).expect("causal graph")
    }

    fn assembly(&self, graph: &CausalGraph<'_>) -> Assembly {
        assemble(graph, &AssembleOptions::default()).expect("no grazing spike")
    }

    /// `dL/dF` over all spike ids for sample `k`.
    fn d_loss(&self, k: usize, graph: &CausalGraph<'_>) -> Vec<f64> {
        let spikes = &self.traces[k].populations[self.out].spikes;
        let output = self
            .loss
            .evaluate(spikes, &self.labels[k])
            .expect("loss evaluates");
        spike_gradient(graph, self.out, &output.d_spikes)
    }

    /// The adjoint per-sample gradient: graph, assembly, loss, transposed solve.
    fn adjoint(&self, k: usize) -> Gradient {
        let graph = self.graph(k);
        let system = self.assembly(&graph);
        let d_loss = self.d_loss(k, &graph);
        adjoint_gradient(&system, &d_loss).expect("adjoint solve")
    }

    /// The forward-propagation per-sample gradient: graph, assembly, loss, the whole
    /// Jacobian, then the chain rule.
    fn forward(&self, k: usize, layered: bool) -> Gradient {
        let graph = self.graph(k);
        let system = self.assembly(&graph);
        let d_loss = self.d_loss(k, &graph);
        let jacobian = if layered {
            forward_jacobian_layered(&graph, &system, Parallelism::Sequential)
        } else {
            forward_jacobian(&system, Parallelism::Sequential)
        }
        .expect("forward propagation");
        jacobian.gradient(&d_loss)
    }

    /// Mean `nnz(L) x (P + G)` over the samples: the multiply-adds of the multi-column
    /// triangular solve of [`forward_jacobian`].
    fn forward_work(&self) -> f64 {
        let params = ParamLayout::new(&self.net).len();
        let total: f64 = (0..SAMPLES)
            .map(|k| {
                let graph = self.graph(k);
                let nnz = self.assembly(&graph).matrix.nnz();
                nnz as f64 * (params + self.inputs[k].num_spikes()) as f64
            })
            .sum();
        total / SAMPLES as f64
    }

    /// Largest Jacobian over the samples, in bytes (`K x (P + G)` doubles).
    fn jacobian_bytes(&self) -> f64 {
        let params = ParamLayout::new(&self.net).len();
        self.traces
            .iter()
            .zip(&self.inputs)
            .map(|(t, i)| 8.0 * t.num_spikes() as f64 * (params + i.num_spikes()) as f64)
            .fold(0.0, f64::max)
    }

    fn describe(&self) {
        let params = ParamLayout::new(&self.net).len();
        let mut spikes = 0;
        let mut edges = 0;
        let mut nnz = 0;
        let mut rhs = 0;
        let mut silent = 0;
        for k in 0..SAMPLES {
            let graph = self.graph(k);
            let system = self.assembly(&graph);
            spikes += graph.len();
            edges += num_edges(&graph);
            nnz += system.matrix.nnz();
            rhs += system.dphi_dparams.nnz();
            silent += self.traces[k].populations[self.out]
                .spikes
                .iter()
                .filter(|s| s.is_empty())
                .count();
        }
        let per = |x: usize| x as f64 / SAMPLES as f64;
        let per_layer: Vec<String> = (0..self.net.populations().len())
            .map(|p| {
                let total: usize = self
                    .traces
                    .iter()
                    .map(|t| t.populations[p].num_spikes())
                    .sum();
                format!("{:.1}", per(total))
            })
            .collect();
        println!(
            "fixture gradient {}: P = {params} parameters; per sample (mean of {SAMPLES}): \
             K = {:.1} spikes (per population {}), {:.1} causal edges, nnz(L) = {:.1}, \
             nnz(dPhi/dp) = {:.1}, {:.2} silent outputs; largest FP Jacobian {:.1} MiB",
            self.name,
            per(spikes),
            per_layer.join(" / "),
            per(edges),
            per(nnz),
            per(rhs),
            per(silent),
            self.jacobian_bytes() / (1024.0 * 1024.0)
        );
    }
}

/// Runs `f` on the next sample of the cycle.
fn cycle<T>(next: &Cell<usize>, f: impl Fn(usize) -> T) -> T {
    let k = next.get();
    next.set((k + 1) % SAMPLES);
    f(k)
}

/// Whether the slow forward-propagation configurations run (`FPSNN_BENCH_SLOW=1`).
fn slow_enabled() -> bool {
    std::env::var_os("FPSNN_BENCH_SLOW").is_some_and(|v| v != "0")
}

/// Checks that the adjoint and forward propagation agree on sample 0 (outside the timing).
fn check_agreement(fixture: &Fixture) {
    let (a, f) = (fixture.adjoint(0), fixture.forward(0, false));
    let scale = a.params.iter().fold(1e-300_f64, |m, x| m.max(x.abs()));
    let diff = a
        .params
        .iter()
        .zip(&f.params)
        .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()));
    assert!(
        diff <= 1e-9 * scale,
        "{}: adjoint and FP disagree by {diff:e}",
        fixture.name
    );
}

fn gradients(c: &mut Criterion) {
    let slow = slow_enabled();
    let fixtures: Vec<Fixture> = CONFIGS
        .iter()
        .enumerate()
        .map(|(k, hidden)| Fixture::new(hidden, 100 + k as u64))
        .collect();
    for fixture in &fixtures {
        fixture.describe();
    }

    let mut group = c.benchmark_group("gradient/per_sample");
    common::configure(&mut group);
    for fixture in &fixtures {
        let next = Cell::new(0);
        group.sampling_mode(SamplingMode::Auto);
        group.bench_function(BenchmarkId::new("adjoint", &fixture.name), |b| {
            b.iter(|| black_box(cycle(&next, |k| fixture.adjoint(k))));
        });
        let bytes = fixture.jacobian_bytes();
        if bytes > FP_MEMORY_LIMIT {
            println!(
                "not run: forward {} needs {:.2} GiB for the Jacobian",
                fixture.name,
                bytes / GIB
            );
            continue;
        }
        let fp_slow = fixture.forward_work() > SLOW_FP_WORK;
        if fp_slow && !slow {
            println!(
                "skipped (slow): forward {}: nnz(L) x (P + G) = {:.2e} per sample; \
                 FPSNN_BENCH_SLOW=1 runs it",
                fixture.name,
                fixture.forward_work()
            );
            continue;
        }
        if !fp_slow {
            check_agreement(fixture);
        }
        if fp_slow {
            // Seconds per iteration: one iteration per sample.
            group.sampling_mode(SamplingMode::Flat);
        }
        group.bench_function(BenchmarkId::new("forward", &fixture.name), |b| {
            b.iter(|| black_box(cycle(&next, |k| fixture.forward(k, false))));
        });
        // The layered driver holds the rows and the final matrix: twice the memory.
        if 2.0 * bytes > FP_MEMORY_LIMIT {
            println!(
                "not run: forward_layered {} needs {:.2} GiB (rows and result)",
                fixture.name,
                2.0 * bytes / GIB
            );
            continue;
        }
        group.bench_function(BenchmarkId::new("forward_layered", &fixture.name), |b| {
            b.iter(|| black_box(cycle(&next, |k| fixture.forward(k, true))));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("gradient/assembly");
    common::configure(&mut group);
    for fixture in &fixtures {
        let next = Cell::new(0);
        group.bench_function(BenchmarkId::new("graph+assemble", &fixture.name), |b| {
            b.iter(|| {
                black_box(cycle(&next, |k| {
                    let graph = fixture.graph(k);
                    fixture.assembly(&graph).len()
                }))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, gradients);
criterion_main!(benches);
