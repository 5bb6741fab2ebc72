//! Per-sample and minibatch gradients.

use std::borrow::Borrow;

use fpsnn_causal::{
    AdjointWorkspace, AssembleOptions, CausalError, CausalGraph, ParamLayout, adjoint_accumulate,
    assemble, forward_jacobian, spike_gradient,
};
use fpsnn_core::{Parallelism, Time};
use fpsnn_datasets::{Dataset, Sample};
use fpsnn_kernels::{Kernel, State};
use fpsnn_losses::{
    Loss, LossError, PotentialGradient, PotentialPeak, PotentialRead, Potentials,
    predict_first_spike,
};
use fpsnn_sim::{Arrival, Source};
use fpsnn_sim::{InputSpikes, Network, SimError, SimOptions, simulate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::distributed::{Collective, SingleProcess, chunk_block};
use crate::{TrainError, TrainTarget};

/// Which exact driver computes the gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GradientMethod {
    /// The adjoint (transposed) solve: the fast path.
    #[default]
    Adjoint,
    /// Forward propagation (the paper's Algorithm 2): the full Jacobian, then the chain rule.
    ForwardPropagation,
}

/// What to do with a sample whose gradient does not exist or whose simulation ran away:
/// a grazing crossing ([`CausalError::Grazing`]) or the spike cap
/// ([`SimError::SpikeCapExceeded`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SampleFailure {
    /// Leave the sample out of the batch gradient and count it (default).
    #[default]
    Skip,
    /// Stop training with the error.
    Abort,
}

/// Options of the gradient computation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GradientOptions {
    /// Driver.
    pub method: GradientMethod,
    /// Assembly options (grazing tolerance).
    pub assemble: AssembleOptions,
    /// Failure policy.
    pub on_failure: SampleFailure,
    /// Stop every neuron of every population (hidden ones too, not only the output) after
    /// its first spike: the time-to-first-spike model of most TTFS work. The gradient is
    /// exact for that model (a neuron's later spikes do not exist in it). Default `false`.
    pub hidden_first_spike_only: bool,
}

/// The result of one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleOutcome {
    /// Loss value.
    pub loss: f64,
    /// Whether the first output spike names the label.
    pub correct: bool,
    /// Output neurons that never fired.
    pub silent: usize,
    /// `dL/dW` in flat weight order (absent when only evaluating).
    pub gradient: Option<Vec<f64>>,
}

/// Sums over a minibatch, reduced in sample order (bit-identical for any thread count).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchOutcome {
    /// Sum of sample losses (successful samples).
    pub loss_sum: f64,
    /// Correctly classified samples.
    pub correct: usize,
    /// Silent output neurons, summed.
    pub silent: usize,
    /// Samples that entered the sums.
    pub count: usize,
    /// Samples left out ([`SampleFailure::Skip`]).
    pub skipped: usize,
    /// Sum of the sample gradients (empty when only evaluating).
    pub gradient_sum: Vec<f64>,
}

impl BatchOutcome {
    /// The minibatch's mean gradient, as the trainer steps with it: the sum (in sample
    /// order) times `1 / count`; `None` when every sample was skipped (`count == 0`).
    #[must_use]
    pub fn mean_gradient(&self) -> Option<Vec<f64>> {
        if self.count == 0 {
            return None;
        }
        let scale = 1.0 / self.count as f64;
        Some(self.gradient_sum.iter().map(|g| g * scale).collect())
    }

    /// The mean loss over the samples that entered the sums (`loss_sum / count`); `None`
    /// when `count == 0`.
    #[must_use]
    pub fn mean_loss(&self) -> Option<f64> {
        (self.count > 0).then(|| self.loss_sum / self.count as f64)
    }
}

/// The simulation options the gradient of `loss` under `options` uses: hidden neurons
/// stopped after their first spike with
/// [`hidden_first_spike_only`](GradientOptions::hidden_first_spike_only), and the outputs
/// (and the run) after their first spikes when the loss reads only those. Simulating with
/// these options gives the spikes the gradient is exact for (finite differences, plots).
#[must_use]
pub fn training_sim_options<L: Loss + ?Sized>(
    network: &Network,
    output: usize,
    loss: &L,
    options: &GradientOptions,
) -> SimOptions {
    let mut sim = SimOptions::default();
    if options.hidden_first_spike_only {
        sim.first_spike_only = (0..network.populations().len())
            .filter(|&p| p != output)
            .collect();
    }
    if loss.first_spike_only() {
        // Nothing after the last output's first spike can reach the loss.
        sim = sim.with_early_stop_on(output);
    }
    sim
}

/// Samples per reduction chunk of [`batch`]. A minibatch is cut into consecutive chunks of
/// this many samples (the last may be shorter); each chunk sums its samples' gradients in
/// sample order into one accumulator (one task, one reused workspace), and the chunk sums
/// are added in chunk order. The result depends on this constant, never on the number of
/// threads.
pub const REDUCTION_CHUNK: usize = 16;

/// Loss value, correctness and silent outputs of one sample.
struct SampleStats {
    loss: f64,
    correct: bool,
    silent: usize,
}

/// The membrane potentials of population `population` in one simulated run: what
/// [`Loss::evaluate_run`] reads.
struct TracePotentials<'a> {
    network: &'a Network,
    trace: &'a fpsnn_sim::SimTrace,
    population: usize,
}

impl Potentials for TracePotentials<'_> {
    fn threshold(&self) -> Result<f64, LossError> {
        Ok(self.network.populations()[self.population].params().theta)
    }

    fn peak(&self, neuron: usize) -> Result<PotentialPeak, LossError> {
        let spikes = &self.trace.populations[self.population].spikes;
        let train = spikes.get(neuron).ok_or(LossError::NeuronOutOfRange {
            neuron,
            len: spikes.len(),
        })?;
        if let Some(&first) = train.first() {
            return Ok(PotentialPeak {
                time: first,
                value: self.threshold()?,
                fired: true,
            });
        }
        let peak = potential_peak(self.network, self.trace, self.population, neuron);
        Ok(PotentialPeak {
            time: peak.time,
            value: peak.value,
            fired: false,
        })
    }
}

/// Simulates one sample and, if `gradient` is given, adds its `dL/dp` to the accumulator:
/// the network's parameters in [`ParamLayout`] order (weights and thresholds), then the
/// loss's own parameters. Nothing is added if the sample fails.
fn sample_into<L, T>(
    network: &Network,
    output: usize,
    loss: &L,
    sample: Sample<T>,
    options: &GradientOptions,
    gradient: Option<(&mut [f64], &mut AdjointWorkspace)>,
) -> Result<SampleStats, TrainError>
where
    L: Loss + ?Sized,
    T: TrainTarget + Borrow<L::Target>,
{
    let input = InputSpikes::try_new(sample.input_spikes)?;
    let trace = simulate(
        network,
        &input,
        &training_sim_options(network, output, loss, options),
    )?;
    let spikes = &trace.populations[output].spikes;
    let potentials = TracePotentials {
        network,
        trace: &trace,
        population: output,
    };
    let result = loss.evaluate_run(spikes, &potentials, sample.label.borrow())?;
    if result.d_params.len() != loss.num_params() {
        return Err(LossError::ShapeMismatch {
            what: "loss parameter gradient (num_params)",
            expected: loss.num_params(),
            found: result.d_params.len(),
        }
        .into());
    }
    let correct = sample.label.is_correct(spikes);
    if let Some((acc, workspace)) = gradient {
        let graph = CausalGraph::try_new(network, &input, &trace)?;
        let mut d_loss = spike_gradient(&graph, output, &result.d_spikes);
        let mut direct = Vec::new();
        for read in &result.d_potentials {
            potential_gradient(&graph, output, read, &mut d_loss, &mut direct)?;
        }
        // the network's parameters, then the loss's
        let (acc, acc_loss) = acc.split_at_mut(ParamLayout::new(network).len());
        match options.method {
            GradientMethod::Adjoint => {
                adjoint_accumulate(&graph, &d_loss, &options.assemble, workspace, acc, None)?;
            }
            GradientMethod::ForwardPropagation => {
                let system = assemble(&graph, &options.assemble)?;
                let grad = forward_jacobian(&system, Parallelism::Sequential)?.gradient(&d_loss);
                for (a, g) in acc.iter_mut().zip(&grad.params) {
                    *a += g;
                }
            }
        }
        for (index, value) in direct {
            acc[index] += value;
        }
        for (a, g) in acc_loss.iter_mut().zip(&result.d_params) {
            *a += g;
        }
    }
    Ok(SampleStats {
        loss: result.value,
        correct,
        silent: result.silent,
    })
}

/// The class the network predicts for one input: the first-firing output neuron by
/// [`predict_first_spike`], simulated with [`training_sim_options`], so a prediction is
/// exactly what training and evaluation count as the sample's answer.
pub(crate) fn predict_sample<L: Loss + ?Sized>(
    network: &Network,
    output: usize,
    loss: &L,
    input_spikes: &[Vec<Time>],
    options: &GradientOptions,
) -> Result<Option<usize>, TrainError> {
    let input = InputSpikes::try_new(input_spikes.to_vec())?;
    let trace = simulate(
        network,
        &input,
        &training_sim_options(network, output, loss, options),
    )?;
    Ok(predict_first_spike(&trace.populations[output].spikes))
}

/// The output population's spike trains for one input, simulated with
/// [`training_sim_options`].
pub(crate) fn output_spikes<L: Loss + ?Sized>(
    network: &Network,
    output: usize,
    loss: &L,
    input_spikes: &[Vec<Time>],
    options: &GradientOptions,
) -> Result<Vec<Vec<f64>>, TrainError> {
    let input = InputSpikes::try_new(input_spikes.to_vec())?;
    let mut trace = simulate(
        network,
        &input,
        &training_sim_options(network, output, loss, options),
    )?;
    Ok(std::mem::take(&mut trace.populations[output].spikes))
}

/// Simulates one sample and, if `with_gradient`, computes its gradient exactly: `dL/dW` in
/// flat weight order, then `dL/d(loss parameters)` ([`Loss::params`] order), the layout of
/// the trainer's parameter vector.
///
/// # Errors
/// Any simulation, gradient or loss error of the sample.
pub fn sample_gradient<L, T>(
    network: &Network,
    output: usize,
    loss: &L,
    sample: &Sample<T>,
    options: &GradientOptions,
    with_gradient: bool,
) -> Result<SampleOutcome, TrainError>
where
    L: Loss + ?Sized,
    T: TrainTarget + Borrow<L::Target>,
{
    let layout_len = ParamLayout::new(network).len();
    let mut acc = with_gradient.then(|| vec![0.0; layout_len + loss.num_params()]);
    let mut workspace = AdjointWorkspace::default();
    let stats = sample_into(
        network,
        output,
        loss,
        sample.clone(),
        options,
        acc.as_deref_mut().map(|acc| (acc, &mut workspace)),
    )?;
    Ok(SampleOutcome {
        loss: stats.loss,
        correct: stats.correct,
        silent: stats.silent,
        gradient: acc.map(|mut params| {
            compact(&mut params, network.num_weights(), layout_len);
            params
        }),
    })
}

/// Turns an accumulator `[network parameters (layout_len) | loss parameters]` into the
/// trainer's order `[weights (num_weights) | loss parameters]` (the thresholds are not
/// trained).
fn compact(acc: &mut Vec<f64>, num_weights: usize, layout_len: usize) {
    acc.copy_within(layout_len.., num_weights);
    let len = acc.len() - (layout_len - num_weights);
    acc.truncate(len);
}

/// Whether `err` is a failure [`SampleFailure::Skip`] skips.
pub(crate) fn is_sample_failure(err: &TrainError) -> bool {
    matches!(
        err,
        TrainError::Causal(CausalError::Grazing { .. })
            | TrainError::Sim(SimError::SpikeCapExceeded { .. })
    )
}

/// Zeroed accumulators kept between minibatches: a fresh multi-megabyte vector costs a
/// page fault per 4 KiB on first touch, a reused one only a `memset`. Holds at most the
/// chunks of the largest minibatch seen.
static BUFFERS: std::sync::Mutex<Vec<Vec<f64>>> = std::sync::Mutex::new(Vec::new());

/// Adjoint workspaces kept between minibatches (their buffers grow to a sample's size once).
static WORKSPACES: std::sync::Mutex<Vec<AdjointWorkspace>> = std::sync::Mutex::new(Vec::new());

/// A zeroed vector of `len` entries, reused if one is free.
fn take_buffer(len: usize) -> Vec<f64> {
    let reused = BUFFERS.lock().ok().and_then(|mut pool| pool.pop());
    match reused {
        Some(mut buffer) => {
            buffer.clear();
            buffer.resize(len, 0.0);
            buffer
        }
        None => vec![0.0; len],
    }
}

/// Returns a vector to the pool.
fn return_buffer(buffer: Vec<f64>) {
    if buffer.capacity() > 0
        && let Ok(mut pool) = BUFFERS.lock()
    {
        pool.push(buffer);
    }
}

/// One chunk's sums: per-sample losses (summed in sample order later), counts and the
/// chunk's gradient sum in flat weight order.
struct ChunkOutcome {
    losses: Vec<f64>,
    correct: usize,
    silent: usize,
    skipped: usize,
    gradient: Vec<f64>,
}

/// Runs the samples `indices` of `data` and reduces the results: chunks of
/// [`REDUCTION_CHUNK`] samples in parallel (rayon), each chunk's gradients summed in sample
/// order into one accumulator without a per-sample parameter vector, the chunk sums then
/// added in chunk order (in parallel over the parameters). Bit-identical for any thread
/// count. [`batch_on`] with [`SingleProcess`].
///
/// # Errors
/// The first error in index order, except sample failures under [`SampleFailure::Skip`].
pub fn batch<L, T>(
    network: &Network,
    output: usize,
    loss: &L,
    data: &dyn Dataset<T>,
    indices: &[usize],
    options: &GradientOptions,
    with_gradient: bool,
) -> Result<BatchOutcome, TrainError>
where
    L: Loss + ?Sized,
    T: TrainTarget + Borrow<L::Target>,
{
    batch_on(
        &SingleProcess,
        network,
        output,
        loss,
        data,
        indices,
        options,
        with_gradient,
    )
}

/// [`batch`] shared by the ranks of `collective` (the protocol of
/// [`distributed`](crate::distributed)): this rank computes its block of chunks, and the
/// chunk sums are added in chunk order along the ranks, so every rank gets the same
/// outcome, bit for bit the one of [`batch`] on one process, for any number of ranks and
/// threads. Every rank must call it with the same arguments.
///
/// # Errors
/// As [`batch`] on the rank that holds the first failing chunk;
/// [`TrainError::Distributed`] on the others, and on a transport failure.
#[allow(clippy::too_many_arguments)]
pub fn batch_on<L, T>(
    collective: &dyn Collective,
    network: &Network,
    output: usize,
    loss: &L,
    data: &dyn Dataset<T>,
    indices: &[usize],
    options: &GradientOptions,
    with_gradient: bool,
) -> Result<BatchOutcome, TrainError>
where
    L: Loss + ?Sized,
    T: TrainTarget + Borrow<L::Target>,
{
    // the trained parameters: the weights, then the loss's own
    let num_weights = network.num_weights() + loss.num_params();
    let (rank, size) = (collective.rank(), collective.size());
    let all: Vec<&[usize]> = indices.chunks(REDUCTION_CHUNK).collect();
    let mine = chunk_block(all.len(), rank, size);
    let mut results: Vec<Result<ChunkOutcome, TrainError>> = all[mine.clone()]
        .par_iter()
        .map(|chunk| run_chunk(network, output, loss, data, chunk, options, with_gradient))
        .collect();
    // every rank learns of the first failing chunk before anyone waits for a peer
    let local = results
        .iter()
        .position(Result::is_err)
        .map_or(u64::MAX, |k| (mine.start + k) as u64);
    let first = collective.min_all(local)?;
    if first != u64::MAX {
        let failed = first as usize;
        let owner = (0..size)
            .find(|&r| chunk_block(all.len(), r, size).contains(&failed))
            .unwrap_or(0);
        let own_error = (owner == rank)
            .then(|| results.swap_remove(failed - mine.start))
            .and_then(Result::err);
        let mut message = own_error
            .as_ref()
            .map(|e| e.to_string().into_bytes())
            .unwrap_or_default();
        collective.broadcast_bytes(owner, &mut message)?;
        return Err(own_error.unwrap_or_else(|| TrainError::Distributed {
            rank: Some(owner),
            message: String::from_utf8_lossy(&message).into_owned(),
        }));
    }
    let chunks: Vec<ChunkOutcome> = results.into_iter().flatten().collect();
    // the running sums, `[loss, correct, silent, count, skipped, gradient...]`, passed along
    // the ranks in order: every value is summed chunk by chunk in chunk order
    let mut running = vec![0.0; COUNTS + if with_gradient { num_weights } else { 0 }];
    if rank > 0 {
        collective.receive(rank - 1, &mut running)?;
    }
    let (totals, gradient) = running.split_at_mut(COUNTS);
    for chunk in &chunks {
        for l in &chunk.losses {
            totals[0] += l;
        }
        totals[1] += chunk.correct as f64;
        totals[2] += chunk.silent as f64;
        totals[3] += chunk.losses.len() as f64;
        totals[4] += chunk.skipped as f64;
    }
    if with_gradient {
        // every parameter sums the chunks in chunk order; blocks of parameters in parallel
        const BLOCK: usize = 4096;
        gradient
            .par_chunks_mut(BLOCK)
            .enumerate()
            .for_each(|(b, block)| {
                for chunk in &chunks {
                    for (x, y) in block.iter_mut().zip(&chunk.gradient[b * BLOCK..]) {
                        *x += y;
                    }
                }
            });
    }
    for chunk in chunks {
        return_buffer(chunk.gradient);
    }
    if rank + 1 < size {
        collective.send(rank + 1, &running)?;
    }
    collective.broadcast(size - 1, &mut running)?;
    let count = |k: usize| running[k] as usize;
    Ok(BatchOutcome {
        loss_sum: running[0],
        correct: count(1),
        silent: count(2),
        count: count(3),
        skipped: count(4),
        gradient_sum: running.split_off(COUNTS),
    })
}

/// The totals before the gradient in the running sums of [`batch_on`].
const COUNTS: usize = 5;

/// Runs one chunk of samples: their losses in order, the counts and the gradient sum.
#[allow(clippy::too_many_arguments)]
fn run_chunk<L, T>(
    network: &Network,
    output: usize,
    loss: &L,
    data: &dyn Dataset<T>,
    chunk: &[usize],
    options: &GradientOptions,
    with_gradient: bool,
) -> Result<ChunkOutcome, TrainError>
where
    L: Loss + ?Sized,
    T: TrainTarget + Borrow<L::Target>,
{
    let layout_len = ParamLayout::new(network).len();
    let mut acc = with_gradient.then(|| take_buffer(layout_len + loss.num_params()));
    let mut workspace = WORKSPACES
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .unwrap_or_default();
    let mut out = ChunkOutcome {
        losses: Vec::with_capacity(chunk.len()),
        correct: 0,
        silent: 0,
        skipped: 0,
        gradient: Vec::new(),
    };
    for &i in chunk {
        let sample = data.get(i).ok_or(TrainError::SampleIndex { index: i })?;
        let gradient = acc.as_deref_mut().map(|acc| (acc, &mut workspace));
        match sample_into(network, output, loss, sample, options, gradient) {
            Ok(stats) => {
                out.losses.push(stats.loss);
                out.correct += usize::from(stats.correct);
                out.silent += stats.silent;
            }
            Err(err) if options.on_failure == SampleFailure::Skip && is_sample_failure(&err) => {
                out.skipped += 1;
            }
            Err(err) => return Err(err),
        }
    }
    if let Some(mut acc) = acc {
        compact(&mut acc, network.num_weights(), layout_len);
        out.gradient = acc;
    }
    if let Ok(mut pool) = WORKSPACES.lock() {
        pool.push(workspace);
    }
    Ok(out)
}

/// The highest membrane potential of a neuron that never fired, over `[0, t_end]`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Peak {
    time: Time,
    value: f64,
    /// The peak sits on arrival `k` (a negative weight turned the potential down there):
    /// `(k, V'(g-))`.
    kink: Option<(usize, f64)>,
}

/// Finds the peak exactly: between two arrivals the potential has at most one interior
/// maximum (closed form); a maximum can also sit on an arrival or on the horizon.
fn potential_peak(network: &Network, trace: &fpsnn_sim::SimTrace, p: usize, i: usize) -> Peak {
    let kernel = network.populations()[p].kernel();
    let record = &trace.populations[p];
    let mut best = Peak {
        time: 0.0,
        value: 0.0,
        kink: None,
    };
    let mut consider = |time: Time, value: f64, kink: Option<(usize, f64)>| {
        if value > best.value {
            best = Peak { time, value, kink };
        }
    };
    let mut state = State::default();
    let mut t = 0.0;
    for (k, a) in record.arrivals.iter().enumerate() {
        let len = a.time - t;
        if len > 0.0 {
            if let Some(s) = kernel.peak(state, len) {
                consider(t + s, kernel.advance(state, s).potential, None);
            }
            state = kernel.advance(state, len);
            t = a.time;
        }
        consider(t, state.potential, Some((k, kernel.slope(state))));
        state.current += arrival_weight(network, a, i);
    }
    if trace.t_end > t {
        let len = trace.t_end - t;
        if let Some(s) = kernel.peak(state, len) {
            consider(t + s, kernel.advance(state, s).potential, None);
        }
        consider(trace.t_end, kernel.advance(state, len).potential, None);
    }
    best
}

fn arrival_weight(network: &Network, a: &Arrival, i: usize) -> f64 {
    network.projections()[a.projection as usize].weight(a.pre as usize, i)
}

/// Adds the gradient of one potential read of population `p` to `d_loss` (upstream spike
/// times) and `direct` (flat weight index, value): `derivative` times the read quantity's
/// derivative in each.
///
/// [`PotentialRead::Peak`] of a silent neuron `i` with the peak at `t*`:
/// `dV_max/dW_ji = sum_g h(t* - g)` and `dV_max/dg = -W_ji h'(t* - g)` over the arrivals
/// before `t*` (envelope theorem: `V' = 0` at an interior maximum, so the move of `t*`
/// adds nothing); when the peak sits on arrival `g` it moves with `g`, adding
/// `dV_max/dg = V'(g-)`. The peak of a neuron that fired is the threshold and passes
/// nothing.
fn potential_gradient(
    graph: &CausalGraph<'_>,
    p: usize,
    read: &PotentialGradient,
    d_loss: &mut [f64],
    direct: &mut Vec<(usize, f64)>,
) -> Result<(), TrainError> {
    let network = graph.network();
    let record = &graph.trace().populations[p];
    let i = read.neuron;
    let Some(train) = record.spikes.get(i) else {
        return Err(LossError::NeuronOutOfRange {
            neuron: i,
            len: record.spikes.len(),
        }
        .into());
    };
    match read.read {
        PotentialRead::Peak => {
            if !train.is_empty() {
                return Ok(());
            }
            let peak = potential_peak(network, graph.trace(), p, i);
            let derivative = read.derivative;
            let kernel = network.populations()[p].kernel();
            let layout = ParamLayout::new(network);
            for a in &record.arrivals {
                if a.time >= peak.time {
                    break;
                }
                let (h, dh) = kernel.psp_and_derivative(peak.time - a.time);
                let r = a.projection as usize;
                let offset = layout.weight_offset(r);
                for k in network.projections()[r].synapse_indices(a.pre as usize, i) {
                    direct.push((offset + k, derivative * h));
                }
                // dV/dg = -W h'(t* - g)
                add_arrival_gradient(
                    graph,
                    a,
                    -derivative * arrival_weight(network, a, i) * dh,
                    d_loss,
                );
            }
            if let Some((k, left_slope)) = peak.kink {
                add_arrival_gradient(graph, &record.arrivals[k], derivative * left_slope, d_loss);
            }
            Ok(())
        }
        _ => Err(LossError::PotentialsUnavailable.into()),
    }
}

/// Adds `value` to `dL/df` of the network spike behind arrival `a` (input spikes are data).
fn add_arrival_gradient(graph: &CausalGraph<'_>, a: &Arrival, value: f64, d_loss: &mut [f64]) {
    if let Source::Population(q) = graph.network().projections()[a.projection as usize].from() {
        d_loss[graph.spike_id(q, a.pre as usize, a.spike as usize).index()] += value;
    }
}

#[cfg(test)]
mod tests {
    use super::BatchOutcome;

    #[test]
    fn batch_means_scale_the_sums_by_one_over_count() {
        let out = BatchOutcome {
            loss_sum: 1.5,
            count: 3,
            gradient_sum: vec![0.3, -0.6],
            ..BatchOutcome::default()
        };
        let scale = 1.0 / 3.0;
        let expected: Vec<u64> = [0.3 * scale, -0.6 * scale]
            .iter()
            .map(|g: &f64| g.to_bits())
            .collect();
        let mean: Vec<u64> = out
            .mean_gradient()
            .unwrap()
            .iter()
            .map(|g| g.to_bits())
            .collect();
        assert_eq!(mean, expected);
        assert_eq!(out.mean_loss().map(f64::to_bits), Some(0.5_f64.to_bits()));
        let empty = BatchOutcome {
            skipped: 2,
            ..BatchOutcome::default()
        };
        assert!(empty.mean_gradient().is_none() && empty.mean_loss().is_none());
    }
}
