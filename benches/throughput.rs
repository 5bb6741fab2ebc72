//! Training throughput (`docs/benchmarks.md`, "Throughput"): samples per second of the
//! library's minibatch path, `fpsnn_train::batch` (simulation, causal graph, fused
//! adjoint, reduction in sample order), forward only and forward + gradient, on one thread
//! and on all threads, for
//!
//! - Yin-Yang 5-150-3 (the paper's network and neuron, random points),
//! - 784-350-10 and 784-800-10 (`FeedForwardSpec::latency_images`) on Fashion-MNIST-like
//!   inputs (`fpsnn::datasets::image_like`: about 390 latency-coded spikes over 784
//!   channels in `[0, 2)`), the networks and inputs of the `throughput` example.
//!
//! One iteration is one minibatch of [`BATCH`] samples. Before timing, each fixture prints
//! its work model to stderr: arrival-neuron updates `A N` (every arrival into a population
//! times its size) and causal edges `E` per sample, the lower bound
//! `(A N + E) x 1 ns` that `docs/benchmarks.md` quotes beside each figure.
#![allow(missing_docs)]

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fpsnn::causal::num_edges;
use fpsnn::datasets::{Dataset, Sample, SpikeDataset, image_like};
use fpsnn::prelude::*;
use fpsnn::train::{GradientOptions, batch, training_sim_options};

/// Samples per timed minibatch.
const BATCH: usize = 64;

struct Fixture {
    name: &'static str,
    net: Network,
    out: usize,
    data: SpikeDataset,
    loss: FirstSpikeCrossEntropy,
}

impl Fixture {
    fn new(name: &'static str, net: Network, data: SpikeDataset) -> Self {
        let out = net.populations().len() - 1;
        // the paper's Yin-Yang loss, silent outputs counted at this network's horizon
        let loss = *Setup::yin_yang_paper()
            .loss
            .build(net.t_max())
            .expect("loss")
            .inner();
        let fixture = Self {
            name,
            net,
            out,
            data,
            loss,
        };
        fixture.report();
        fixture
    }

    /// Prints the per-sample work model: arrival-neuron updates and causal edges, simulated
    /// as training simulates (outputs stop after their first spike).
    fn report(&self) {
        let options =
            training_sim_options(&self.net, self.out, &self.loss, &GradientOptions::default());
        let (mut updates, mut edges, mut spikes, mut input_spikes) = (0usize, 0, 0, 0);
        for k in 0..self.data.len() {
            let sample = self.data.samples()[k].clone();
            let input = InputSpikes::try_new(sample.input_spikes).expect("valid input");
            input_spikes += input.num_spikes();
            let trace = simulate(&self.net, &input, &options).expect("simulation runs");
            updates += trace.arrival_neuron_updates(&self.net);
            spikes += trace.num_spikes();
            let graph = CausalGraph::try_new(&self.net, &input, &trace).expect("graph");
            edges += num_edges(&graph);
        }
        let n = self.data.len() as f64;
        eprintln!(
            "{}: per sample {:.0} input spikes, {:.0} network spikes, {:.0} arrival-neuron \
             updates, {:.0} causal edges; lower bound (A N + E) x 1 ns = {:.1} us",
            self.name,
            input_spikes as f64 / n,
            spikes as f64 / n,
            updates as f64 / n,
            edges as f64 / n,
            (updates + edges) as f64 / n * 1e-3,
        );
    }

    fn run(&self, with_gradient: bool) -> usize {
        let indices: Vec<usize> = (0..self.data.len()).collect();
        let out = batch(
            &self.net,
            self.out,
            &self.loss,
            &self.data,
            &indices,
            &GradientOptions::default(),
            with_gradient,
        )
        .expect("batch runs");
        out.count
    }
}

/// A dataset of `inputs`, labels cycling through `classes`.
fn dataset(inputs: &[InputSpikes], classes: usize) -> SpikeDataset {
    let samples: Vec<Sample> = inputs
        .iter()
        .enumerate()
        .map(|(k, input)| Sample::new(input.to_times(), k % classes))
        .collect();
    SpikeDataset::try_new(samples, inputs[0].len(), classes).expect("valid data")
}

fn fixtures() -> Vec<Fixture> {
    let mut rng = common::rng(14);
    let yin_yang = common::yin_yang_network(&mut rng, &[150], 1000);
    let yin_yang_data = dataset(&common::yin_yang_inputs(&mut rng, BATCH), 3);
    let images = image_like(BATCH, 784, 10, 2.0, 14).expect("valid data");
    let net = |hidden| {
        FeedForwardSpec::latency_images(hidden)
            .build(14)
            .expect("valid network")
    };
    vec![
        Fixture::new("yinyang-5-150-3", yin_yang, yin_yang_data),
        Fixture::new("images-784-350-10", net(350), images.clone()),
        Fixture::new("images-784-800-10", net(800), images),
    ]
}

fn bench_throughput(c: &mut Criterion) {
    let fixtures = fixtures();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut threads = vec![1];
    if cores > 1 {
        threads.push(cores);
    }
    for (mode, with_gradient) in [("forward", false), ("gradient", true)] {
        let mut group = c.benchmark_group(format!("throughput/{mode}"));
        common::configure(&mut group);
        group.throughput(Throughput::Elements(BATCH as u64));
        for fixture in &fixtures {
            for &n in &threads {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .expect("thread pool");
                group.bench_function(
                    BenchmarkId::new(fixture.name, format!("threads={n}")),
                    |b| b.iter(|| pool.install(|| black_box(fixture.run(with_gradient)))),
                );
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench_throughput);
criterion_main!(benches);
