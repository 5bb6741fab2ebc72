//! The layer sweep of feed-forward networks: population by population in topological
//! order, each population's neurons advanced together through its merged, sorted arrivals.
//!
//! Between two arrivals every neuron of a population advances by the same interval, so the
//! interval's propagator (two transcendental functions) is computed once and applied to the
//! structure-of-arrays state `(I, V)` of all neurons in one loop the compiler vectorises;
//! each arrival then adds one contiguous weight row ([`Projection::outgoing`]). In the
//! same loop a cheap, conservative test flags the neurons that may cross the threshold in
//! the interval: `V` must rise at its start (`I > 0`, `V' > 0`) and must not be known to
//! stay below threshold (still rising at the interval's end, with `V` there below `theta`
//! by a margin that covers the search window past the arrival and rounding). Only flagged
//! neurons run the exact crossing search, from the same state and with the same bracket as
//! [`CrossingSearch::next_crossing_before`] always ran, so spike times are bit-identical to a
//! neuron-by-neuron sweep and to the event queue.
//!
//! With early stopping the sweep runs in time windows: every population is advanced to the
//! end of a window before the next window starts, and the run ends after the window in
//! which the last first-spike-only neuron fired; the trace is then cut where the event
//! queue stops. A window end interrupts no interval: a neuron keeps the state of its last
//! event, and the crossing search from it (whose bracket does not depend on where the
//! search is interrupted) accepts only crossings up to the window's end, so the spike
//! times are the same bits as in one window.
//!
//! [`Projection::outgoing`]: crate::Projection::outgoing

use std::cmp::Ordering;

use fpsnn_core::{Parallelism, Time, vectorized};
use fpsnn_kernels::{Crossing, CrossingSearch, Kernel, Propagator, State, slope_coefficients};
use rayon::prelude::*;

use crate::simulate::{arrival_order, cap_error};
use crate::{Arrival, InputSpikes, Network, Outgoing, PopulationTrace, SimError, SimTrace, Source};

/// How far past the next arrival (relative to its time) the layer sweep looks for a
/// crossing, so that a root a rounding step beyond the arrival's offset is still compared
/// with the arrival in absolute time, as the event queue compares them. Far above rounding,
/// far below any meaningful time difference.
pub(crate) const ARRIVAL_WINDOW: f64 = 1e-9;

/// Neurons per parallel task of the layer sweep (rayon); results do not depend on it.
const SWEEP_CHUNK: usize = 64;

/// Number of time windows of `[0, t_max]` when the run may stop early.
const EARLY_STOP_WINDOWS: u32 = 32;

/// Feed-forward simulation, population by population in topological order (one window of
/// `[0, t_max]`, or [`EARLY_STOP_WINDOWS`] when `watched` populations may end the run).
pub(crate) fn sweep(
    network: &Network,
    input: &InputSpikes,
    order: &[usize],
    first_only: &[bool],
    watched: &[bool],
    parallelism: Parallelism,
) -> Result<SimTrace, SimError> {
    let early_stop = watched.contains(&true);
    let t_max = network.t_max();
    let pops = network.populations();
    let mut traces: Vec<PopulationTrace> = pops
        .iter()
        .map(|pop| PopulationTrace::empty(pop.size()))
        .collect();
    // Per population: the arrivals not yet merged, in arrival order. The input spikes are
    // all known at the start; a population's spikes join its targets' lists in the window
    // that found them.
    let mut pending: Vec<Vec<Arrival>> = (0..pops.len())
        .map(|p| {
            let mut list = Vec::new();
            for &r in network.incoming(p) {
                let proj = &network.projections()[r];
                if proj.from() == Source::Input {
                    for (pre, train) in input.channels().iter().enumerate() {
                        push_arrivals(&mut list, network, r, pre, 0, train.times());
                    }
                }
            }
            sort_arrivals(&mut list);
            list
        })
        .collect();
    let mut states: Vec<Vec<Chunk>> = pops
        .iter()
        .map(|pop| {
            let size = pop.size();
            let chunk = match parallelism {
                Parallelism::Sequential => size,
                Parallelism::Rayon => SWEEP_CHUNK,
            };
            (0..size)
                .step_by(chunk)
                .map(|start| Chunk::new(start..(start + chunk).min(size)))
                .collect()
        })
        .collect();
    let windows = if early_stop { EARLY_STOP_WINDOWS } else { 1 };
    for w in 1..=windows {
        let last = w == windows;
        let end = if last {
            t_max
        } else {
            t_max * f64::from(w) / f64::from(windows)
        };
        for &p in order {
            let mut added = false;
            for &r in network.incoming(p) {
                if let Source::Population(q) = network.projections()[r].from() {
                    for chunk in &states[q] {
                        for &(i, m) in &chunk.fresh {
                            let train = &traces[q].spikes[i as usize];
                            let list = &mut pending[p];
                            let before = list.len();
                            let spike = m as usize..=m as usize;
                            push_arrivals(list, network, r, i as usize, m as usize, &train[spike]);
                            added |= list.len() > before;
                        }
                    }
                }
            }
            if added {
                sort_arrivals(&mut pending[p]);
            }
            let take = if last {
                pending[p].len()
            } else {
                pending[p].partition_point(|a| a.time <= end)
            };
            let trace = &mut traces[p];
            trace.arrivals.extend(pending[p].drain(..take));
            let layer = Layer {
                network,
                p,
                arrivals: &trace.arrivals,
                first_only: first_only[p],
            };
            // chunks of `size` neurons: the trace's rows split the same way
            let size = states[p][0].len().max(1);
            let run = |((chunk, s), q): ChunkRows<'_>| chunk.advance(&layer, end, last, s, q);
            match parallelism {
                Parallelism::Sequential => states[p]
                    .iter_mut()
                    .zip(trace.spikes.chunks_mut(size))
                    .zip(trace.prefixes.chunks_mut(size))
                    .for_each(run),
                Parallelism::Rayon => states[p]
                    .par_iter_mut()
                    .zip(trace.spikes.par_chunks_mut(size))
                    .zip(trace.prefixes.par_chunks_mut(size))
                    .for_each(run),
            }
        }
        if !last
            && (0..pops.len())
                .filter(|&p| watched[p])
                .all(|p| traces[p].spikes.iter().all(|s| !s.is_empty()))
        {
            break;
        }
    }
    // the first error in topological and neuron order, as a neuron-by-neuron sweep reports
    for &p in order {
        if let Some(err) = states[p].iter_mut().find_map(|c| c.error.take()) {
            return Err(err);
        }
    }
    let mut tangencies = Vec::new();
    for (p, chunks) in states.iter().enumerate() {
        for chunk in chunks {
            for (k, times) in chunk.tangencies.iter().enumerate() {
                tangencies.extend(times.iter().map(|&t| (t, p, chunk.start + k)));
            }
        }
    }
    let mut trace = SimTrace {
        populations: traces,
        tangencies: tangencies.len(),
        t_end: t_max,
    };
    if early_stop {
        cut_at_last_first_spike(&mut trace, watched, &tangencies);
    }
    Ok(trace)
}

/// Appends the arrivals, at or before `t_max`, of spikes `train` (spike indices from
/// `first`) of presynaptic neuron `pre` along projection `r`.
fn push_arrivals(
    list: &mut Vec<Arrival>,
    network: &Network,
    r: usize,
    pre: usize,
    first: usize,
    train: &[Time],
) {
    let delay = network.projections()[r].delay();
    for (k, &t) in train.iter().enumerate() {
        let time = t + delay;
        if time <= network.t_max() {
            list.push(Arrival {
                time,
                projection: r as u32,
                pre: pre as u32,
                spike: (first + k) as u32,
            });
        }
    }
}

/// Sorts arrivals by `(time, projection, pre, spike)`. Arrival times are finite and >= 0
/// (`+ 0.0` maps -0.0 to +0.0), so their bit patterns sort like the numbers: the order of
/// `arrival_order`, with integer comparisons.
fn sort_arrivals(list: &mut [Arrival]) {
    list.sort_unstable_by_key(|a| ((a.time + 0.0).to_bits(), a.projection, a.pre, a.spike));
    debug_assert!(list.windows(2).all(|w| arrival_order(&w[0], &w[1]).is_le()));
}

/// Cuts a full trace to what the event queue records when it stops at the last first
/// spike of the `watched` populations (if they all fired): the events it processes are
/// those ordered before that spike by its heap key `(time, population, neuron)`, and
/// arrivals at or after that time are never applied.
fn cut_at_last_first_spike(
    trace: &mut SimTrace,
    watched: &[bool],
    tangencies: &[(Time, usize, usize)],
) {
    let mut last: Option<(Time, usize, usize)> = None;
    for (p, record) in trace.populations.iter().enumerate() {
        if !watched[p] {
            continue;
        }
        for (i, spikes) in record.spikes.iter().enumerate() {
            let Some(&f) = spikes.first() else { return };
            let key = (f, p, i);
            if last.is_none_or(|l| event_order(key, l).is_gt()) {
                last = Some(key);
            }
        }
    }
    let Some(stop) = last else { return };
    let kept = |key: (Time, usize, usize)| event_order(key, stop).is_le();
    for (p, record) in trace.populations.iter_mut().enumerate() {
        for (i, (spikes, prefixes)) in record
            .spikes
            .iter_mut()
            .zip(&mut record.prefixes)
            .enumerate()
        {
            let n = spikes.iter().take_while(|&&f| kept((f, p, i))).count();
            spikes.truncate(n);
            prefixes.truncate(n);
        }
        let n = record.arrivals.partition_point(|a| a.time < stop.0);
        record.arrivals.truncate(n);
    }
    trace.tangencies = tangencies.iter().filter(|&&key| kept(key)).count();
    trace.t_end = stop.0;
}

/// The event queue's order of crossings: by time, then population, then neuron.
fn event_order(a: (Time, usize, usize), b: (Time, usize, usize)) -> Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
}

/// A chunk with its neurons' spike and prefix rows.
type ChunkRows<'a> = ((&'a mut Chunk, &'a mut [Vec<Time>]), &'a mut [Vec<u32>]);

/// What every chunk of one population shares.
struct Layer<'a> {
    network: &'a Network,
    p: usize,
    arrivals: &'a [Arrival],
    first_only: bool,
}

/// The sweep state of a contiguous range of neurons of one population.
///
/// Every neuron's state `(current[i], potential[i])` is at the common time `t` (the last
/// applied arrival), except a *detached* neuron, which fired since: its state is at its own
/// time `own_t[i]`, and it runs the exact search until the next arrival re-attaches it.
struct Chunk {
    start: usize,
    t: Time,
    /// Arrivals applied so far.
    next: usize,
    current: Vec<f64>,
    potential: Vec<f64>,
    own_t: Vec<Time>,
    detached: Vec<bool>,
    /// The detached neurons.
    detached_list: Vec<u32>,
    /// A tangency was met since the last arrival: no further search until the next one.
    quiet: Vec<bool>,
    any_quiet: bool,
    /// The first crossing from the neuron's current state (to `t_max`), where a window end
    /// made the search find it; cleared when the state changes.
    roots: Vec<Option<Crossing>>,
    any_root: bool,
    /// Receives nothing more: fired under `first_only`, or broke the cap.
    stopped: Vec<bool>,
    active: usize,
    next_current: Vec<f64>,
    next_potential: Vec<f64>,
    /// 1 where the cheap test says the neuron may cross in the interval.
    flagged: Vec<u64>,
    tangencies: Vec<Vec<Time>>,
    /// `(neuron, spike index)` of the spikes found in the current window.
    fresh: Vec<(u32, u32)>,
    /// The first cap error, by neuron.
    error: Option<SimError>,
    error_neuron: usize,
}

impl Chunk {
    fn new(neurons: std::ops::Range<usize>) -> Self {
        let n = neurons.len();
        Self {
            start: neurons.start,
            t: 0.0,
            next: 0,
            current: vec![0.0; n],
            potential: vec![0.0; n],
            own_t: vec![0.0; n],
            detached: vec![false; n],
            detached_list: Vec::new(),
            quiet: vec![false; n],
            any_quiet: false,
            roots: vec![None; n],
            any_root: false,
            stopped: vec![false; n],
            active: n,
            next_current: vec![0.0; n],
            next_potential: vec![0.0; n],
            flagged: vec![0; n],
            tangencies: vec![Vec::new(); n],
            fresh: Vec::new(),
            error: None,
            error_neuron: usize::MAX,
        }
    }

    fn len(&self) -> usize {
        self.current.len()
    }

    /// Applies every known arrival and finds every crossing up to `end` (`t_max` when
    /// `last`), recording spikes into `spikes` and `prefixes` (this chunk's neurons).
    fn advance(
        &mut self,
        layer: &Layer<'_>,
        end: Time,
        last: bool,
        spikes: &mut [Vec<Time>],
        prefixes: &mut [Vec<u32>],
    ) {
        let t_max = layer.network.t_max();
        self.fresh.clear();
        while self.active > 0 {
            let arrival = layer.arrivals.get(self.next);
            match arrival {
                Some(a) => {
                    if a.time > self.t {
                        self.interval(layer, a.time, Some(a.time), spikes, prefixes);
                    }
                    let range = self.start..self.start + self.len();
                    match layer.network.projections()[a.projection as usize]
                        .outgoing(a.pre as usize)
                    {
                        Outgoing::Dense(row) => {
                            vectorized(|| add_row(&mut self.current, &row[range]));
                        }
                        Outgoing::Sparse(ids, synapses) => {
                            // only the synapses onto this chunk's neurons, in list order
                            for &k in ids {
                                let synapse = synapses[k as usize];
                                if range.contains(&synapse.post) {
                                    self.current[synapse.post - self.start] += synapse.weight;
                                }
                            }
                        }
                    }
                    if self.any_quiet {
                        self.quiet.fill(false);
                        self.any_quiet = false;
                    }
                    if self.any_root {
                        self.roots.fill(None);
                        self.any_root = false;
                    }
                    self.t = a.time;
                    self.next += 1;
                }
                None if last => {
                    if t_max > self.t {
                        self.interval(layer, t_max, None, spikes, prefixes);
                    }
                    return;
                }
                None => {
                    if end > self.t {
                        self.interval(layer, end, Some(end), spikes, prefixes);
                    }
                    return;
                }
            }
        }
    }

    /// The interval from the common time `t` to `until`, where the search stops at `stop`
    /// (crossings after it are left for later; `None`: search to `t_max`). If the next
    /// arrival is known, `until` is its time and every neuron ends there, re-attached;
    /// otherwise `until` is a window end or `t_max` and the neurons keep their states.
    fn interval(
        &mut self,
        layer: &Layer<'_>,
        until: Time,
        stop: Option<Time>,
        spikes: &mut [Vec<Time>],
        prefixes: &mut [Vec<u32>],
    ) {
        let at_arrival = layer.arrivals.get(self.next).is_some();
        let pop = &layer.network.populations()[layer.p];
        let kernel = pop.kernel();
        let theta = pop.params().theta;
        let (gamma, beta) = slope_coefficients(kernel);
        let prop = kernel.propagator(until - self.t);
        // V may grow by at most |V'| <= |gamma I| + |beta V| per unit time past the interval's end
        // (the search window), plus rounding.
        let window = stop.map_or(0.0, |a| 2.0 * ARRIVAL_WINDOW * a.max(1.0));
        let floor = theta * (1.0 - 1e-12);
        let any = vectorized(|| {
            propagate_and_flag(
                prop,
                (gamma, beta),
                window,
                floor,
                &self.current,
                &self.potential,
                &mut self.next_current,
                &mut self.next_potential,
                &mut self.flagged,
            )
        });
        // Detached neurons first (their state is not at `t`), then the flagged ones.
        let detached = std::mem::take(&mut self.detached_list);
        for &i in &detached {
            let i = i as usize;
            self.flagged[i] = 0;
            self.search(layer, i, until, stop, at_arrival, spikes, prefixes);
        }
        if any != 0 {
            for i in 0..self.len() {
                if self.flagged[i] != 0 && !self.quiet[i] {
                    self.search(layer, i, until, stop, at_arrival, spikes, prefixes);
                }
            }
        }
        // the neurons detached before this interval and those detached in it
        self.detached_list.extend(detached);
        if at_arrival {
            // every neuron is at `until` now, attached
            for &i in &self.detached_list {
                self.detached[i as usize] = false;
            }
            self.detached_list.clear();
            std::mem::swap(&mut self.current, &mut self.next_current);
            std::mem::swap(&mut self.potential, &mut self.next_potential);
        } else {
            // a window end or `t_max`: only the detached neurons moved
            for &i in &self.detached_list {
                let i = i as usize;
                self.current[i] = self.next_current[i];
                self.potential[i] = self.next_potential[i];
            }
        }
    }

    /// The exact search of neuron `i` over the interval to `until`, from its own state:
    /// every crossing up to `stop` (see [`Chunk::interval`]); writes its state at `until`
    /// (at an arrival) or after its last crossing (otherwise) into the `next_` arrays.
    #[allow(clippy::too_many_arguments)]
    fn search(
        &mut self,
        layer: &Layer<'_>,
        i: usize,
        until: Time,
        stop: Option<Time>,
        at_arrival: bool,
        spikes: &mut [Vec<Time>],
        prefixes: &mut [Vec<u32>],
    ) {
        if self.stopped[i] {
            return;
        }
        let pop = &layer.network.populations()[layer.p];
        let kernel = pop.kernel();
        let theta = pop.params().theta;
        let t_max = layer.network.t_max();
        let mut state = State {
            current: self.current[i],
            potential: self.potential[i],
        };
        let mut t = if self.detached[i] {
            self.own_t[i]
        } else {
            self.t
        };
        let neuron = self.start + i;
        if !self.quiet[i] {
            // Every crossing in (t, until]. At an arrival, as in the event queue, a crossing
            // comes first when its absolute time `t + s` (rounded) is at or before the
            // arrival's: the search reaches a hair past the offset, so a root a rounding
            // step beyond `until - t` is compared in absolute time.
            while until > t {
                let limit = stop.map_or(t_max - t, |a| {
                    ((a - t) + ARRIVAL_WINDOW * a.max(1.0)).min(t_max - t)
                });
                let first = |s: Time| stop.is_none_or(|a| t + s <= a);
                // The first crossing from this state, whatever the stop: cached across
                // window ends (the state waits for the next arrival), so a neuron rising
                // through several windows is solved once. At an arrival the search may stop
                // at the arrival instead (same bits for a crossing before it).
                let crossing = match self.roots[i] {
                    Some(crossing) => crossing,
                    None if !at_arrival => {
                        let crossing = kernel.next_crossing(state, theta, t_max - t);
                        self.roots[i] = Some(crossing);
                        self.any_root = true;
                        crossing
                    }
                    None => kernel.next_crossing_before(state, theta, limit, t_max - t),
                };
                match crossing {
                    Crossing::Spike(s) if first(s) => {
                        self.roots[i] = None;
                        state = kernel.advance(state, s);
                        state.potential -= theta;
                        t += s;
                        if !self.detached[i] {
                            self.detached[i] = true;
                            self.detached_list.push(i as u32);
                        }
                        if spikes[i].len() == layer.network.max_spikes_per_neuron() {
                            if neuron < self.error_neuron {
                                self.error = Some(cap_error(layer.network, layer.p, neuron, t));
                                self.error_neuron = neuron;
                            }
                            self.stop(i);
                            break;
                        }
                        self.fresh.push((neuron as u32, spikes[i].len() as u32));
                        spikes[i].push(t);
                        prefixes[i].push(self.next as u32);
                        if layer.first_only {
                            self.stop(i);
                            break;
                        }
                    }
                    Crossing::Tangent(s) if first(s) => {
                        self.tangencies[i].push(t + s);
                        self.quiet[i] = true;
                        self.any_quiet = true;
                        break;
                    }
                    Crossing::Spike(_) | Crossing::Tangent(_) | Crossing::None => break,
                }
            }
        }
        if at_arrival {
            let end = kernel.advance(state, until - t);
            self.next_current[i] = end.current;
            self.next_potential[i] = end.potential;
        } else {
            // a window end or t_max: the neuron keeps its own state and time
            if self.detached[i] {
                self.own_t[i] = t;
            }
            self.next_current[i] = state.current;
            self.next_potential[i] = state.potential;
        }
    }

    fn stop(&mut self, i: usize) {
        if !self.stopped[i] {
            self.stopped[i] = true;
            self.active -= 1;
        }
    }
}

/// `next = propagated (current, potential)`, `flag_i = 1` where neuron `i` may cross in the
/// interval (see the module docs); returns the OR of the flags.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn propagate_and_flag(
    prop: Propagator,
    (gamma, beta): (f64, f64),
    window: f64,
    floor: f64,
    current: &[f64],
    potential: &[f64],
    next_current: &mut [f64],
    next_potential: &mut [f64],
    flagged: &mut [u64],
) -> u64 {
    let mut any = 0;
    for ((((c, v), c1), v1), flag) in current
        .iter()
        .zip(potential)
        .zip(next_current)
        .zip(next_potential)
        .zip(flagged)
    {
        let (c, v) = (*c, *v);
        let a = c * prop.current;
        let b = v * prop.potential + c * prop.cross;
        *c1 = a;
        *v1 = b;
        let rises = (c > 0.0) & (gamma * c - beta * v > 0.0);
        *flag = u64::from(rises & !stays_below(a, b, (gamma, beta), window, floor));
        any |= *flag;
    }
    any
}

/// Whether a neuron whose potential rose at the start of an interval provably stays below
/// threshold on it, from its state `(current, potential)` at the interval's end: still
/// rising there, and below `floor` (the threshold less a relative 1e-12) by a margin that
/// covers `window` more time at the largest slope `|gamma I| + |beta V|` (a crossing a
/// rounding step past the end is compared with the next event in absolute time). `V` rises
/// to at most one maximum between events, so a potential still rising and below threshold
/// at the end never crossed.
#[inline(always)]
pub(crate) fn stays_below(
    current: f64,
    potential: f64,
    (gamma, beta): (f64, f64),
    window: f64,
    floor: f64,
) -> bool {
    (potential + window * (gamma.abs() * current.abs() + beta.abs() * potential.abs()) < floor)
        & (gamma * current - beta * potential > 0.0)
}

/// `current += row`.
#[inline(always)]
fn add_row(current: &mut [f64], row: &[f64]) {
    for (c, w) in current.iter_mut().zip(row) {
        *c += w;
    }
}
