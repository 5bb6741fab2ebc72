//! The fused adjoint: the transposed solve and the parameter gradient without assembling
//! `L`, for training (DESIGN section 7).
//!
//! Pass A computes every diagonal `D_k = V'(f_k-)` (and checks for grazing crossings, so a
//! failing sample writes nothing). Pass B computes `mu = L^{-T} dL/dF` and
//! `dL/dp = -sum_k mu_k dPhi_k/dp`:
//!
//! - on a feed-forward network, population by population in reverse topological order:
//!   when a population comes up, all its spikes' children (in later populations, and the
//!   neuron's own later spikes) have pushed `c_ck mu_c` into their slots, so its `mu` follow
//!   from its own-spike couplings alone; then, **arrival by arrival**, one contiguous row of
//!   weights ([`Projection::outgoing`](fpsnn_sim::Projection::outgoing)) and one
//!   contiguous row of the gradient (row-major, the [`ParamLayout`](crate::ParamLayout)
//!   order) serve every spike of the population, and the arrival's parent receives one
//!   summed push. Pass A runs arrival by arrival as well. Memory is touched row by row, the
//!   rows of the arrivals that were parents.
//! - on any other network, spike by spike in reverse time order, each spike pushing to
//!   its parents.
//!
//! A spike's presynaptic parents are the arrivals before it in time (its recorded prefix,
//! checked): pairs with `f_k <= g` have `h = h' = 0` and add nothing. Kernel values come
//! from one factor per spike and one per arrival
//! ([`ExpKernel::psp_and_derivative_factored`]), the values [`assemble`](crate::assemble)
//! puts into `L`, so this agrees with [`adjoint_gradient`](crate::adjoint_gradient) and
//! forward propagation to rounding.

use fpsnn_core::{SpikeId, vectorized};
use fpsnn_kernels::{ExpKernel, Factors, Kernel, NeuronKernel, factored_pair, slope_coefficients};
use fpsnn_sim::{Arrival, Network, Outgoing, PopulationTrace, Source};

use crate::{AssembleOptions, CausalError, CausalGraph};

/// Marks an arrival whose source is an input spike (data) rather than a network spike.
const INPUT: u32 = 1 << 31;

/// Buffers of [`adjoint_accumulate`], reused across the samples a thread processes.
#[derive(Clone, Debug, Default)]
pub struct AdjointWorkspace {
    /// Per spike id: `dL/df` plus the children's pushes, then `mu`.
    mu: Vec<f64>,
    /// Per spike id: `D_k` and the magnitude of its terms.
    slopes: Vec<f64>,
    magnitudes: Vec<f64>,
    /// Offset of each projection's weights in the parameter vector.
    offsets: Vec<usize>,
    pops: Vec<PopulationWork>,
}

/// One population's arrivals and spikes (spikes in neuron order, each neuron's in time
/// order).
#[derive(Clone, Debug, Default)]
struct PopulationWork {
    /// Per arrival: factors of its time (empty where not factorised).
    growths: Vec<Factors>,
    /// Per arrival: global spike id, or `INPUT | flat input index`.
    sources: Vec<u32>,
    ids: Vec<u32>,
    neurons: Vec<u32>,
    times: Vec<f64>,
    /// Per spike: `e^{-alpha f}`, `e^{-beta f}` (where factorised).
    spike_alpha: Vec<f64>,
    spike_beta: Vec<f64>,
    slopes: Vec<f64>,
    magnitudes: Vec<f64>,
    mu: Vec<f64>,
    scratch: Vec<f64>,
    weights: Vec<f64>,
    /// One arrival's weights onto every neuron of the population where its projection is
    /// sparse (all zero between uses).
    row: Vec<f64>,
    /// Pass A's `W h'` and `h` of every (arrival, spike) pair, arrival-major, kept for pass
    /// B where there are at most [`STORED_PAIRS`] pairs (else one arrival's, recomputed).
    pair_c: Vec<f64>,
    pair_h: Vec<f64>,
    stored: bool,
}

/// Most (arrival, spike) pairs of one population whose kernel values pass A keeps for pass
/// B (16 bytes each: 16 MiB).
const STORED_PAIRS: usize = 1 << 20;

/// The kernel of one population's edges: factorised ([`ExpKernel::factorises`]) or direct.
pub(crate) struct Edges<'a> {
    pub(crate) kernel: &'a NeuronKernel,
    pub(crate) arrivals: &'a [Arrival],
    /// [`arrival_growths`] of the population.
    pub(crate) growths: &'a [Factors],
}

impl Edges<'_> {
    /// The factors of a spike at `f`.
    #[inline]
    pub(crate) fn spike(&self, f: f64) -> Factors {
        match self.kernel.as_exp() {
            Some(k) if !self.growths.is_empty() => k.decays_at(f),
            _ => Factors::default(),
        }
    }

    /// `(h, h')` of the edge from arrival `e` to a spike at `f`.
    #[inline]
    pub(crate) fn eval(&self, f: f64, spike: Factors, e: usize) -> (f64, f64) {
        let s = f - self.arrivals[e].time;
        match (self.growths.get(e), self.kernel.as_exp()) {
            (Some(&g), Some(k)) => k.psp_and_derivative_factored(s, spike, g),
            _ => self.kernel.psp_and_derivative(s),
        }
    }
}

/// The factors of every arrival of a population (empty if its times are not factorised).
pub(crate) fn arrival_growths(
    kernel: &NeuronKernel,
    t_max: f64,
    record: &PopulationTrace,
    out: &mut Vec<Factors>,
) {
    out.clear();
    if let Some(kernel) = kernel.as_exp().filter(|k| k.factorises(t_max)) {
        out.extend(record.arrivals.iter().map(|a| kernel.growths_at(a.time)));
    }
}

/// A population's spikes as parallel rows (neuron order).
struct SpikeRows<'a> {
    neurons: &'a [u32],
    times: &'a [f64],
    alpha: &'a [f64],
    beta: &'a [f64],
}

/// How the pairs (arrival, spike) of one population are evaluated: factorised with the
/// cheapest exact series ([`ExpKernel::factored_series_terms`]), or directly.
struct Pairs<'a> {
    kernel: &'a NeuronKernel,
    /// `Some((terms, mixed))` where factorised (an [`ExpKernel`]).
    series: Option<(usize, bool)>,
    /// The factorised kernel's `beta - alpha` and `beta`.
    delta: f64,
    beta: f64,
}

impl<'a> Pairs<'a> {
    fn new(kernel: &'a NeuronKernel, t_max: f64, factored: bool) -> Self {
        let exp = kernel.as_exp().filter(|_| factored);
        Self {
            kernel,
            series: exp.map(|k| k.factored_series_terms(t_max)),
            delta: exp.map_or(0.0, ExpKernel::delta),
            beta: exp.map_or(0.0, ExpKernel::beta),
        }
    }

    /// Pass A of one arrival at `g`: `slope_j += W h'(f_j - g)`, `magnitude_j += |...|`;
    /// `weights` is scratch.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn slopes(
        &self,
        g: f64,
        arrival: Factors,
        row: &[f64],
        spikes: &SpikeRows<'_>,
        weights: &mut [f64],
        slopes: &mut [f64],
        magnitudes: &mut [f64],
        out: (&mut [f64], &mut [f64]),
    ) {
        gather(row, spikes.neurons, weights);
        let (delta, beta) = (self.delta, self.beta);
        let w = &*weights;
        match self.series {
            Some((7, false)) => {
                slopes_loop::<7, false>(
                    delta, beta, g, arrival, w, spikes, slopes, magnitudes, out,
                );
            }
            Some((_, false)) => {
                slopes_loop::<11, false>(
                    delta, beta, g, arrival, w, spikes, slopes, magnitudes, out,
                );
            }
            Some((_, true)) => {
                slopes_loop::<11, true>(
                    delta, beta, g, arrival, w, spikes, slopes, magnitudes, out,
                );
            }
            None => {
                let (c_out, h_out) = out;
                for (((((slope, magnitude), &w), &f), c_out), h_out) in slopes
                    .iter_mut()
                    .zip(magnitudes)
                    .zip(w)
                    .zip(spikes.times)
                    .zip(c_out)
                    .zip(h_out)
                {
                    let (h, dh) = self.kernel.psp_and_derivative(f - g);
                    let c = w * dh;
                    *slope += c;
                    *magnitude += c.abs();
                    *c_out = c;
                    *h_out = h;
                }
            }
        }
    }

    /// Pass B of one arrival at `g`: returns `sum_j W h'(f_j - g) mu_j` (the push to the
    /// arrival's parent) and writes `mu_j h(f_j - g)` (the gradient terms) into `terms`;
    /// `weights` is scratch.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        g: f64,
        arrival: Factors,
        row: &[f64],
        spikes: &SpikeRows<'_>,
        mu: &[f64],
        weights: &mut [f64],
        terms: &mut [f64],
    ) -> f64 {
        gather(row, spikes.neurons, weights);
        let (delta, beta) = (self.delta, self.beta);
        match self.series {
            Some((7, false)) => {
                push_loop::<7, false>(delta, beta, g, arrival, weights, spikes, mu, terms)
            }
            Some((_, false)) => {
                push_loop::<11, false>(delta, beta, g, arrival, weights, spikes, mu, terms)
            }
            Some((_, true)) => {
                push_loop::<11, true>(delta, beta, g, arrival, weights, spikes, mu, terms)
            }
            None => {
                for (((term, w), &f), &mu) in terms
                    .iter_mut()
                    .zip(weights.iter_mut())
                    .zip(spikes.times)
                    .zip(mu)
                {
                    let (h, dh) = self.kernel.psp_and_derivative(f - g);
                    *w = (*w * dh) * mu;
                    *term = mu * h;
                }
            }
        }
        sum4(weights)
    }
}

/// The weights of one presynaptic neuron onto every neuron of the population: the matrix
/// row, or the synapses added into `scratch` (all zero before; [`clear_row`] after).
#[inline]
fn dense_row<'a>(outgoing: Outgoing<'a>, scratch: &'a mut [f64]) -> &'a [f64] {
    match outgoing {
        Outgoing::Dense(row) => row,
        Outgoing::Sparse(ids, synapses) => {
            for &k in ids {
                let s = synapses[k as usize];
                scratch[s.post] += s.weight;
            }
            scratch
        }
    }
}

/// Zeroes what [`dense_row`] wrote into `scratch`.
#[inline]
fn clear_row(outgoing: Outgoing<'_>, scratch: &mut [f64]) {
    if let Outgoing::Sparse(ids, synapses) = outgoing {
        for &k in ids {
            scratch[synapses[k as usize].post] = 0.0;
        }
    }
}

/// `out_j = row[neurons_j]`.
#[inline(always)]
fn gather(row: &[f64], neurons: &[u32], out: &mut [f64]) {
    for (o, &i) in out.iter_mut().zip(neurons) {
        *o = row[i as usize];
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn slopes_loop<const TERMS: usize, const MIXED: bool>(
    delta: f64,
    beta: f64,
    g: f64,
    arrival: Factors,
    weights: &[f64],
    spikes: &SpikeRows<'_>,
    slopes: &mut [f64],
    magnitudes: &mut [f64],
    (c_out, h_out): (&mut [f64], &mut [f64]),
) {
    for (((((((slope, magnitude), &w), &f), &fa), &fb), c_out), h_out) in slopes
        .iter_mut()
        .zip(magnitudes)
        .zip(weights)
        .zip(spikes.times)
        .zip(spikes.alpha)
        .zip(spikes.beta)
        .zip(c_out)
        .zip(h_out)
    {
        let (h, dh) =
            factored_pair::<TERMS, MIXED>(delta, beta, f - g, fa, fb, arrival.alpha, arrival.beta);
        let c = w * dh;
        *slope += c;
        *magnitude += c.abs();
        *c_out = c;
        *h_out = h;
    }
}

/// Writes `W h' mu` into `weights` (in place of the weights) and `mu h` into `terms`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn push_loop<const TERMS: usize, const MIXED: bool>(
    delta: f64,
    beta: f64,
    g: f64,
    arrival: Factors,
    weights: &mut [f64],
    spikes: &SpikeRows<'_>,
    mu: &[f64],
    terms: &mut [f64],
) {
    for (((((term, w), &f), &fa), &fb), &mu) in terms
        .iter_mut()
        .zip(weights)
        .zip(spikes.times)
        .zip(spikes.alpha)
        .zip(spikes.beta)
        .zip(mu)
    {
        let (h, dh) =
            factored_pair::<TERMS, MIXED>(delta, beta, f - g, fa, fb, arrival.alpha, arrival.beta);
        *w = (*w * dh) * mu;
        *term = mu * h;
    }
}

/// Pass B of one arrival from pass A's pair values: `(W h') mu` into `products` (summed,
/// the push), `mu h` into `terms`; the same products as [`push_loop`].
#[inline(always)]
fn stored_push(c: &[f64], h: &[f64], mu: &[f64], products: &mut [f64], terms: &mut [f64]) -> f64 {
    for ((((p, t), &c), &h), &mu) in products
        .iter_mut()
        .zip(terms.iter_mut())
        .zip(c)
        .zip(h)
        .zip(mu)
    {
        *p = c * mu;
        *t = mu * h;
    }
    sum4(products)
}

/// `sum x` in four interleaved partial sums (a fixed order that vectorises).
#[inline(always)]
fn sum4(x: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let chunks = x.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            *l += v;
        }
    }
    let mut total = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    for v in rest {
        total += v;
    }
    total
}

/// Adds one sample's loss gradient $d\mathcal{L}/dp$ into `gradient` ([`ParamLayout`] order:
/// weights row-major per projection, then thresholds) by the adjoint:
/// $\mu = L^{-T} \partial \mathcal{L} / \partial F$,
/// $d\mathcal{L}/dp = -\sum_k \mu_k \partial \Phi_k / \partial p$; and $d\mathcal{L}/dg$ for
/// every input spike (flat input index) into `inputs` if given.
///
/// `d_loss` is $\partial \mathcal{L} / \partial f$ per spike id. Nothing is added if it fails.
///
/// [`ParamLayout`]: crate::ParamLayout
///
/// # Errors
/// [`CausalError::Grazing`] for a spike whose slope is not safely positive (the first in
/// time order, as [`assemble`](crate::assemble)), [`CausalError::NotCausal`] if a spike's
/// recorded parents are not exactly the arrivals before it.
///
/// # Panics
/// If `d_loss` does not have one entry per spike, `gradient` one per parameter, or
/// `inputs` one per input spike.
#[track_caller]
pub fn adjoint_accumulate(
    graph: &CausalGraph<'_>,
    d_loss: &[f64],
    options: &AssembleOptions,
    workspace: &mut AdjointWorkspace,
    gradient: &mut [f64],
    mut inputs: Option<&mut [f64]>,
) -> Result<(), CausalError> {
    let network = graph.network();
    let trace = graph.trace();
    let pops = network.populations();
    let n = graph.len();
    assert_eq!(d_loss.len(), n, "one dL/df per spike");
    assert_eq!(
        gradient.len(),
        network.num_weights() + pops.len(),
        "one gradient entry per parameter"
    );
    if let Some(g) = &inputs {
        assert_eq!(
            g.len(),
            graph.num_input_spikes(),
            "one dL/dg per input spike"
        );
    }
    let ws = workspace;
    ws.offsets.clear();
    let mut offset = 0;
    for proj in network.projections() {
        ws.offsets.push(offset);
        offset += proj.num_weights();
    }
    ws.pops.resize_with(pops.len(), PopulationWork::default);
    ws.slopes.clear();
    ws.slopes.resize(n, 0.0);
    ws.magnitudes.clear();
    ws.magnitudes.resize(n, 0.0);
    for (p, record) in trace.populations.iter().enumerate() {
        prepare(graph, p, record, &mut ws.pops[p])?;
        let work = &mut ws.pops[p];
        population_slopes(network, p, record, work);
        for ((&k, &slope), &magnitude) in work.ids.iter().zip(&work.slopes).zip(&work.magnitudes) {
            ws.slopes[k as usize] = slope;
            ws.magnitudes[k as usize] = magnitude;
        }
    }
    // the first grazing spike in time order, as `assemble` reports it
    for k in 0..n {
        let (slope, magnitude) = (ws.slopes[k], ws.magnitudes[k]);
        if !(slope.is_finite() && slope > options.grazing_tolerance * magnitude && slope > 0.0) {
            let key = graph.key(SpikeId(k as u32));
            return Err(CausalError::Grazing {
                spike: SpikeId(k as u32),
                population: key.population as usize,
                neuron: key.neuron as usize,
                slope,
            });
        }
    }
    ws.mu.clear();
    ws.mu.extend_from_slice(d_loss);
    match network.topological_order() {
        Some(order) => {
            for &p in order.iter().rev() {
                population_adjoint(network, p, &trace.populations[p], ws, gradient, &mut inputs);
            }
        }
        None => spike_adjoint(graph, ws, gradient, &mut inputs),
    }
    Ok(())
}

/// Fills the population's arrival factors and sources and its spike lists, and checks
/// that every spike's recorded prefix is exactly the arrivals before it in time.
fn prepare(
    graph: &CausalGraph<'_>,
    p: usize,
    record: &PopulationTrace,
    work: &mut PopulationWork,
) -> Result<(), CausalError> {
    let network = graph.network();
    let kernel = network.populations()[p].kernel();
    arrival_growths(kernel, network.t_max(), record, &mut work.growths);
    work.sources.clear();
    work.sources.extend(record.arrivals.iter().map(|a| {
        match network.projections()[a.projection as usize].from() {
            Source::Input => INPUT | graph.input_index(a.pre as usize, a.spike as usize) as u32,
            Source::Population(q) => graph.spike_id(q, a.pre as usize, a.spike as usize).0,
        }
    }));
    work.ids.clear();
    work.neurons.clear();
    work.times.clear();
    work.spike_alpha.clear();
    work.spike_beta.clear();
    let factored = !work.growths.is_empty();
    for (i, spikes) in record.spikes.iter().enumerate() {
        for (m, &f) in spikes.iter().enumerate() {
            let id = graph.spike_id(p, i, m);
            let prefix = record.prefixes[i][m] as usize;
            if prefix != record.arrivals.partition_point(|a| a.time < f) {
                return Err(CausalError::NotCausal { spike: id });
            }
            work.ids.push(id.0);
            work.neurons.push(i as u32);
            work.times.push(f);
            let factors = match kernel.as_exp() {
                Some(k) if factored => k.decays_at(f),
                _ => Factors::default(),
            };
            work.spike_alpha.push(factors.alpha);
            work.spike_beta.push(factors.beta);
        }
    }
    let k = work.ids.len();
    work.slopes.clear();
    work.slopes.resize(k, 0.0);
    work.magnitudes.clear();
    work.magnitudes.resize(k, 0.0);
    work.mu.clear();
    work.mu.resize(k, 0.0);
    work.scratch.clear();
    work.scratch.resize(k, 0.0);
    work.weights.clear();
    work.weights.resize(k, 0.0);
    work.row.clear();
    work.row.resize(record.spikes.len(), 0.0);
    Ok(())
}

/// Pass A for one population, arrival by arrival: `D_k = sum W h'(f_k - g) - theta sum_m
/// h_n'(f_k - f_m)` and the magnitude of its terms.
fn population_slopes(
    network: &Network,
    p: usize,
    record: &PopulationTrace,
    work: &mut PopulationWork,
) {
    let pop = &network.populations()[p];
    let (kernel, theta) = (pop.kernel(), pop.params().theta);
    work.magnitudes
        .fill(theta * slope_coefficients(kernel).1.abs());
    let pairs = Pairs::new(kernel, network.t_max(), !work.growths.is_empty());
    let k = work.ids.len();
    let pairs_total = record.arrivals.len() * k;
    work.stored = pairs_total <= STORED_PAIRS;
    let size = if work.stored { pairs_total } else { k };
    work.pair_c.resize(size, 0.0);
    work.pair_h.resize(size, 0.0);
    vectorized(|| {
        for (e, a) in record.arrivals.iter().enumerate() {
            let outgoing = network.projections()[a.projection as usize].outgoing(a.pre as usize);
            let row = dense_row(outgoing, &mut work.row);
            let at = if work.stored { e * k } else { 0 };
            let arrival = work.growths.get(e).copied().unwrap_or_default();
            let spikes = SpikeRows {
                neurons: &work.neurons,
                times: &work.times,
                alpha: &work.spike_alpha,
                beta: &work.spike_beta,
            };
            pairs.slopes(
                a.time,
                arrival,
                row,
                &spikes,
                &mut work.weights,
                &mut work.slopes,
                &mut work.magnitudes,
                (&mut work.pair_c[at..at + k], &mut work.pair_h[at..at + k]),
            );
            clear_row(outgoing, &mut work.row);
        }
    });
    // own earlier spikes: each neuron's spikes are consecutive
    let mut start = 0;
    while start < work.ids.len() {
        let i = work.neurons[start];
        let end = start
            + work.neurons[start..]
                .iter()
                .take_while(|&&n| n == i)
                .count();
        for m in start..end {
            for q in start..m {
                let d_decay = kernel.reset_derivative(work.times[m] - work.times[q]);
                work.slopes[m] -= theta * d_decay;
                work.magnitudes[m] += (theta * d_decay).abs();
            }
        }
        start = end;
    }
}

/// Pass B for one population of a feed-forward network (see the module docs).
fn population_adjoint(
    network: &Network,
    p: usize,
    record: &PopulationTrace,
    ws: &mut AdjointWorkspace,
    gradient: &mut [f64],
    inputs: &mut Option<&mut [f64]>,
) {
    let pop = &network.populations()[p];
    let (kernel, theta) = (pop.kernel(), pop.params().theta);
    let threshold = network.num_weights() + p;
    let work = &mut ws.pops[p];
    // mu of each neuron's spikes, latest first, with the own-spike couplings
    let mut any = false;
    let mut end = work.ids.len();
    while end > 0 {
        let i = work.neurons[end - 1];
        let start = end
            - work.neurons[..end]
                .iter()
                .rev()
                .take_while(|&&n| n == i)
                .count();
        for m in (start..end).rev() {
            let mu = ws.mu[work.ids[m] as usize] / work.slopes[m];
            work.mu[m] = mu;
            if mu == 0.0 {
                continue;
            }
            any = true;
            let mut reset_sum = 0.0;
            for q in start..m {
                let (decay, d_decay) = kernel.reset_and_derivative(work.times[m] - work.times[q]);
                reset_sum += decay;
                ws.mu[work.ids[q] as usize] -= theta * d_decay * mu;
            }
            gradient[threshold] += mu * (1.0 + reset_sum);
        }
        end = start;
    }
    if !any {
        return;
    }
    let pairs = Pairs::new(kernel, network.t_max(), !work.growths.is_empty());
    let offsets = &ws.offsets;
    let mu_all = &mut ws.mu;
    vectorized(|| {
        for (e, a) in record.arrivals.iter().enumerate() {
            let r = a.projection as usize;
            let outgoing = network.projections()[r].outgoing(a.pre as usize);
            let row = dense_row(outgoing, &mut work.row);
            let arrival = work.growths.get(e).copied().unwrap_or_default();
            let spikes = SpikeRows {
                neurons: &work.neurons,
                times: &work.times,
                alpha: &work.spike_alpha,
                beta: &work.spike_beta,
            };
            let push = if work.stored {
                // pass A's `W h'` and `h` of this arrival's pairs
                let k = work.ids.len();
                let (c, h) = (
                    &work.pair_c[e * k..(e + 1) * k],
                    &work.pair_h[e * k..(e + 1) * k],
                );
                stored_push(c, h, &work.mu, &mut work.weights, &mut work.scratch)
            } else {
                pairs.push(
                    a.time,
                    arrival,
                    row,
                    &spikes,
                    &work.mu,
                    &mut work.weights,
                    &mut work.scratch,
                )
            };
            clear_row(outgoing, &mut work.row);
            // dL/dW -= mu h for every synapse from the arrival's neuron onto a spike's neuron
            match outgoing {
                Outgoing::Dense(row) => {
                    let start = offsets[r] + a.pre as usize * row.len();
                    let grad_row = &mut gradient[start..start + row.len()];
                    for (&i, &d) in work.neurons.iter().zip(&work.scratch) {
                        grad_row[i as usize] -= d;
                    }
                }
                Outgoing::Sparse(ids, synapses) => {
                    for (&i, &d) in work.neurons.iter().zip(&work.scratch) {
                        work.row[i as usize] += d;
                    }
                    for &k in ids {
                        let post = synapses[k as usize].post;
                        gradient[offsets[r] + k as usize] -= work.row[post];
                    }
                    for &i in &work.neurons {
                        work.row[i as usize] = 0.0;
                    }
                }
            }
            let source = work.sources[e];
            if source & INPUT == 0 {
                mu_all[source as usize] += push;
            } else if let Some(g) = inputs.as_deref_mut() {
                // dPhi_k/dg = -W h'(f_k - g)
                g[(source & !INPUT) as usize] += push;
            }
        }
    });
}

/// Pass B on any network: spike by spike in reverse time order.
fn spike_adjoint(
    graph: &CausalGraph<'_>,
    ws: &mut AdjointWorkspace,
    gradient: &mut [f64],
    inputs: &mut Option<&mut [f64]>,
) {
    let network = graph.network();
    let trace = graph.trace();
    for k in (0..graph.len()).rev() {
        let id = SpikeId(k as u32);
        let mu = ws.mu[k] / ws.slopes[k];
        if mu == 0.0 {
            continue;
        }
        let key = graph.key(id);
        let (p, i, m) = (
            key.population as usize,
            key.neuron as usize,
            key.index as usize,
        );
        let pop = &network.populations()[p];
        let (theta, kernel) = (pop.params().theta, pop.kernel());
        let record = &trace.populations[p];
        let work = &ws.pops[p];
        let edges = Edges {
            kernel,
            arrivals: &record.arrivals,
            growths: &work.growths,
        };
        let f = graph.time(id);
        let factors = edges.spike(f);
        let prefix = record.prefixes[i][m] as usize;
        for (e, a) in record.arrivals[..prefix].iter().enumerate() {
            let r = a.projection as usize;
            let proj = &network.projections()[r];
            let w = proj.weight(a.pre as usize, i);
            let (h, dh) = edges.eval(f, factors, e);
            let source = work.sources[e];
            if source & INPUT == 0 {
                ws.mu[source as usize] += w * dh * mu;
            } else if let Some(g) = inputs.as_deref_mut() {
                g[(source & !INPUT) as usize] += w * dh * mu;
            }
            for k in proj.synapse_indices(a.pre as usize, i) {
                gradient[ws.offsets[r] + k] -= mu * h;
            }
        }
        let mut reset_sum = 0.0;
        for (q, &g) in record.spikes[i][..m].iter().enumerate() {
            let (decay, d_decay) = kernel.reset_and_derivative(f - g);
            reset_sum += decay;
            ws.mu[graph.spike_id(p, i, q).index()] -= theta * d_decay * mu;
        }
        gradient[network.num_weights() + p] += mu * (1.0 + reset_sum);
    }
}
