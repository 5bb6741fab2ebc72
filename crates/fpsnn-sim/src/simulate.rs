//! Exact event-driven simulation: the layer sweep for feed-forward networks and the event
//! queue for everything else.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

use fpsnn_core::{Parallelism, Time};
use fpsnn_kernels::{Crossing, Kernel, Propagator, State};
use rayon::prelude::*;

use crate::{Arrival, InputSpikes, Network, PopulationTrace, SimError, SimTrace, Source};

/// Which algorithm runs the simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Layer sweep for feed-forward networks, event queue otherwise.
    #[default]
    Auto,
    /// Population by population in topological order (feed-forward only).
    LayerSweep,
    /// One global event queue (any network).
    EventQueue,
}

/// Options of one simulation run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimOptions {
    /// Parallelism over the neurons of a population (layer sweep only).
    pub parallelism: Parallelism,
    /// Algorithm.
    pub method: Method,
    /// Populations whose neurons stop after their first spike (a loss that reads only
    /// first spikes needs no more).
    pub first_spike_only: Vec<usize>,
    /// End the whole run as soon as every neuron of the `first_spike_only` populations has
    /// fired (they are all a first-spike loss reads). The trace is then exact on
    /// `[0, t_end]` ([`SimTrace::t_end`]): every recorded spike and all its parents are
    /// there, later spikes are not simulated. Runs on the event queue, which visits events
    /// in time order. No effect without `first_spike_only` populations.
    pub stop_when_first_spikes_done: bool,
}

impl SimOptions {
    /// Stops the neurons of population `p` after their first spike.
    #[must_use]
    pub fn with_first_spike_only(mut self, p: usize) -> Self {
        self.first_spike_only.push(p);
        self
    }
    /// Sets the parallelism.
    #[must_use]
    pub fn with_parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }
    /// Ends the run once every first-spike-only neuron has fired (see
    /// [`SimOptions::stop_when_first_spikes_done`]).
    #[must_use]
    pub fn with_early_stop(mut self) -> Self {
        self.stop_when_first_spikes_done = true;
        self
    }
    /// Sets the method.
    #[must_use]
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }
}

/// Simulates `network` on `input` exactly.
///
/// # Errors
/// [`SimError::InputCount`] if the input has the wrong number of channels,
/// [`SimError::PopulationIndex`] for a bad option, [`SimError::NotFeedForward`] if the layer
/// sweep is forced on a recurrent network, [`SimError::SpikeCapExceeded`] on runaway
/// activity.
///
/// # Examples
/// ```
/// use fpsnn_sim::{simulate, InputSpikes, Network, SimOptions};
/// let net = Network::from_json(r#"{
///   "neuron": {"alpha": 2.0, "beta": 1.0, "theta": 1.0}, "inputs": 1,
///   "populations": [{"name": "out", "size": 1}],
///   "projections": [{"from": "input", "to": "out", "weights": [[5.0]]}],
///   "t_max": 10.0}"#)?;
/// let input = InputSpikes::try_new(vec![vec![0.5]])?;
/// let trace = simulate(&net, &input, &SimOptions::default())?;
/// assert_eq!(trace.populations[0].spikes[0].len(), 1);
/// # Ok::<(), fpsnn_sim::SimError>(())
/// ```
pub fn simulate(
    network: &Network,
    input: &InputSpikes,
    options: &SimOptions,
) -> Result<SimTrace, SimError> {
    if input.len() != network.inputs() {
        return Err(SimError::InputCount {
            got: input.len(),
            expected: network.inputs(),
        });
    }
    let count = network.populations().len();
    let mut first_only = vec![false; count];
    for &p in &options.first_spike_only {
        *first_only
            .get_mut(p)
            .ok_or(SimError::PopulationIndex { index: p, count })? = true;
    }
    let early_stop = options.stop_when_first_spikes_done && first_only.contains(&true);
    match (options.method, network.topological_order()) {
        (Method::LayerSweep, _) if early_stop => Err(SimError::EarlyStopNeedsQueue),
        (Method::Auto | Method::LayerSweep, Some(order)) if !early_stop => {
            sweep(network, input, order, &first_only, options.parallelism)
        }
        (Method::LayerSweep, None) => Err(SimError::NotFeedForward),
        _ => event_queue(network, input, &first_only, early_stop),
    }
}

/// The spike train of a presynaptic neuron (or input channel).
fn source_train<'a>(
    input: &'a InputSpikes,
    populations: &'a [PopulationTrace],
    source: Source,
    pre: usize,
) -> &'a [Time] {
    match source {
        Source::Input => input.channels()[pre].times(),
        Source::Population(p) => &populations[p].spikes[pre],
    }
}

/// Orders arrivals by `(time, projection, pre, spike)`: the one tie rule both algorithms use.
fn arrival_order(a: &Arrival, b: &Arrival) -> Ordering {
    a.time
        .total_cmp(&b.time)
        .then(a.projection.cmp(&b.projection))
        .then(a.pre.cmp(&b.pre))
        .then(a.spike.cmp(&b.spike))
}

/// Merges every spike reaching population `p` before `t_max` into one sorted list.
fn merge_arrivals(
    network: &Network,
    input: &InputSpikes,
    done: &[PopulationTrace],
    p: usize,
) -> Vec<Arrival> {
    let mut arrivals = Vec::new();
    for &r in network.incoming(p) {
        let proj = &network.projections()[r];
        for pre in 0..network.source_size(proj.from()) {
            for (k, &t) in source_train(input, done, proj.from(), pre)
                .iter()
                .enumerate()
            {
                let time = t + proj.delay();
                if time <= network.t_max() {
                    arrivals.push(Arrival {
                        time,
                        projection: r as u32,
                        pre: pre as u32,
                        spike: k as u32,
                    });
                }
            }
        }
    }
    // Arrival times are finite and >= 0 (`+ 0.0` maps -0.0 to +0.0), so their bit patterns
    // sort like the numbers: the same order as `arrival_order`, with integer comparisons.
    arrivals.sort_unstable_by_key(|a| ((a.time + 0.0).to_bits(), a.projection, a.pre, a.spike));
    debug_assert!(
        arrivals
            .windows(2)
            .all(|w| arrival_order(&w[0], &w[1]).is_le())
    );
    arrivals
}

/// How far past the next arrival (relative to its time) the layer sweep looks for a
/// crossing, so that a root a rounding step beyond the arrival's offset is still compared
/// with the arrival in absolute time, as the event queue compares them. Far above rounding,
/// far below any meaningful time difference.
const ARRIVAL_WINDOW: f64 = 1e-9;

/// Result of sweeping one neuron through its population's arrivals.
struct NeuronRun {
    spikes: Vec<Time>,
    prefixes: Vec<u32>,
    tangencies: usize,
}

/// Feed-forward simulation, population by population in topological order.
fn sweep(
    network: &Network,
    input: &InputSpikes,
    order: &[usize],
    first_only: &[bool],
    parallelism: Parallelism,
) -> Result<SimTrace, SimError> {
    let mut populations = vec![PopulationTrace::default(); network.populations().len()];
    let mut tangencies = 0;
    for &p in order {
        let arrivals = merge_arrivals(network, input, &populations, p);
        let size = network.populations()[p].size();
        let run = |i: usize| sweep_neuron(network, p, i, &arrivals, first_only[p]);
        let runs: Vec<Result<NeuronRun, SimError>> = match parallelism {
            Parallelism::Sequential => (0..size).map(run).collect(),
            Parallelism::Rayon => (0..size).into_par_iter().map(run).collect(),
        };
        let trace = &mut populations[p];
        for run in runs {
            let run = run?;
            tangencies += run.tangencies;
            trace.spikes.push(run.spikes);
            trace.prefixes.push(run.prefixes);
        }
        trace.arrivals = arrivals;
    }
    Ok(SimTrace {
        populations,
        tangencies,
        t_end: network.t_max(),
    })
}

/// The weight of `arrival` onto neuron `post`.
#[inline]
fn weight(network: &Network, arrival: &Arrival, post: usize) -> f64 {
    network.projections()[arrival.projection as usize].weights()[(arrival.pre as usize, post)]
}

fn cap_error(network: &Network, p: usize, neuron: usize, time: Time) -> SimError {
    SimError::SpikeCapExceeded {
        population: network.populations()[p].name().to_owned(),
        neuron,
        cap: network.max_spikes_per_neuron(),
        time,
    }
}

fn sweep_neuron(
    network: &Network,
    p: usize,
    i: usize,
    arrivals: &[Arrival],
    first_only: bool,
) -> Result<NeuronRun, SimError> {
    let kernel = network.populations()[p].kernel();
    let theta = network.populations()[p].params().theta;
    let t_max = network.t_max();
    let cap = network.max_spikes_per_neuron();
    let mut run = NeuronRun {
        spikes: Vec::new(),
        prefixes: Vec::new(),
        tangencies: 0,
    };
    let mut state = State::default();
    let mut t = 0.0;
    let mut next = 0;
    loop {
        let arrival_time = arrivals.get(next).map(|a| a.time);
        let until = arrival_time.unwrap_or(t_max);
        // Every crossing in (t, until], before the next arrival is applied. As in the event
        // queue, a crossing comes first when its absolute time `t + s` (rounded) is at or
        // before the arrival's: the search reaches a hair past the arrival's offset, so a
        // root a rounding step beyond `until - t` is compared in absolute time as well.
        while until > t {
            let limit = arrival_time.map_or(t_max - t, |a| {
                ((a - t) + ARRIVAL_WINDOW * a.max(1.0)).min(t_max - t)
            });
            let first = |s: Time| arrival_time.is_none_or(|a| t + s <= a);
            match kernel.next_crossing_before(state, theta, limit, t_max - t) {
                Crossing::Spike(s) if first(s) => {
                    state = kernel.advance(state, s);
                    state.potential -= theta;
                    t += s;
                    if run.spikes.len() == cap {
                        return Err(cap_error(network, p, i, t));
                    }
                    run.spikes.push(t);
                    run.prefixes.push(next as u32);
                    if first_only {
                        return Ok(run);
                    }
                }
                Crossing::Tangent(s) if first(s) => {
                    run.tangencies += 1;
                    break;
                }
                Crossing::Spike(_) | Crossing::Tangent(_) | Crossing::None => break,
            }
        }
        let Some(arrival) = arrivals.get(next) else {
            return Ok(run);
        };
        state = kernel.advance(state, arrival.time - t);
        t = arrival.time;
        state.current += weight(network, arrival, i);
        next += 1;
    }
}

/// Per-neuron state of the event queue.
#[derive(Clone, Copy, Debug, Default)]
struct NeuronState {
    state: State,
    t: Time,
    /// Bumped whenever the neuron receives input or fires: queued crossings of older
    /// versions are stale.
    version: u32,
    stopped: bool,
    /// The pending crossing of the current version: `(offset from t, exact, tangent)`.
    /// With `exact` false the offset is only a lower bound: the root is solved when the
    /// crossing comes up and the neuron has received nothing since.
    pending: Option<(Time, bool, bool)>,
}

/// A queued crossing: `(time bits, population, neuron, version)`, earliest first; ties by
/// population and neuron. Times are >= 0, so their bits order like the numbers.
type CrossingKey = Reverse<(u64, u32, u32, u32)>;

/// Simulation of any network with one global event queue: a heap of predicted crossings
/// and, per projection, a FIFO of arrivals (spikes of one source are emitted in time order
/// and share one delay, so each projection's arrivals are generated already sorted).
fn event_queue(
    network: &Network,
    input: &InputSpikes,
    first_only: &[bool],
    early_stop: bool,
) -> Result<SimTrace, SimError> {
    let t_max = network.t_max();
    let pops = network.populations();
    let projections = network.projections();
    let mut traces: Vec<PopulationTrace> = pops
        .iter()
        .map(|pop| PopulationTrace {
            spikes: vec![Vec::new(); pop.size()],
            prefixes: vec![Vec::new(); pop.size()],
            arrivals: Vec::new(),
        })
        .collect();
    let mut neurons: Vec<Vec<NeuronState>> = pops
        .iter()
        .map(|pop| vec![NeuronState::default(); pop.size()])
        .collect();
    let mut outgoing = vec![Vec::new(); pops.len()];
    let mut fifos: Vec<VecDeque<Arrival>> = vec![VecDeque::new(); projections.len()];
    for (r, proj) in projections.iter().enumerate() {
        match proj.from() {
            Source::Population(p) => outgoing[p].push(r),
            Source::Input => {
                let mut arrivals: Vec<Arrival> = input
                    .channels()
                    .iter()
                    .enumerate()
                    .flat_map(|(pre, train)| {
                        train
                            .times()
                            .iter()
                            .enumerate()
                            .map(move |(k, &t)| Arrival {
                                time: t + proj.delay(),
                                projection: r as u32,
                                pre: pre as u32,
                                spike: k as u32,
                            })
                    })
                    .filter(|a| a.time <= t_max)
                    .collect();
                arrivals.sort_unstable_by(arrival_order);
                fifos[r] = arrivals.into();
            }
        }
    }
    let mut heap: BinaryHeap<CrossingKey> = BinaryHeap::new();
    let mut tangencies = 0;
    let mut t_end = t_max;
    let mut waiting: usize = pops
        .iter()
        .zip(first_only)
        .filter(|(_, only)| **only)
        .map(|(pop, _)| pop.size())
        .sum();
    loop {
        // drop stale crossings from the top of the heap
        while let Some(&Reverse((_, p, i, version))) = heap.peek() {
            let n = &neurons[p as usize][i as usize];
            if n.version == version && !n.stopped && n.pending.is_some() {
                break;
            }
            heap.pop();
        }
        let crossing_time = heap.peek().map(|Reverse((bits, ..))| f64::from_bits(*bits));
        let arrival = (0..fifos.len())
            .filter_map(|r| fifos[r].front().map(|a| (a.time, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        // a crossing at the very time of an arrival comes first
        let take_crossing = match (crossing_time, arrival) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(c), Some((a, _))) => c <= a,
        };
        if take_crossing {
            let Some(Reverse((_, p, i, _))) = heap.pop() else {
                break;
            };
            let (p, i) = (p as usize, i as usize);
            let n = &mut neurons[p][i];
            let Some((offset, exact, tangent)) = n.pending.take() else {
                continue;
            };
            if !exact {
                solve_prediction(network, p, i, n, &mut heap);
                continue;
            }
            if tangent {
                tangencies += 1;
                continue;
            }
            let kernel = pops[p].kernel();
            n.state = kernel.advance(n.state, offset);
            n.state.potential -= pops[p].params().theta;
            n.t += offset;
            let time = n.t;
            n.version = n.version.wrapping_add(1);
            let trace = &mut traces[p];
            if trace.spikes[i].len() == network.max_spikes_per_neuron() {
                return Err(cap_error(network, p, i, time));
            }
            let k = trace.spikes[i].len();
            trace.spikes[i].push(time);
            trace.prefixes[i].push(trace.arrivals.len() as u32);
            for &r in &outgoing[p] {
                let time = time + projections[r].delay();
                if time <= t_max {
                    fifos[r].push_back(Arrival {
                        time,
                        projection: r as u32,
                        pre: i as u32,
                        spike: k as u32,
                    });
                }
            }
            if first_only[p] {
                n.stopped = true;
                waiting -= 1;
                if early_stop && waiting == 0 {
                    t_end = time;
                    break;
                }
            } else {
                predict(network, p, i, n, &fifos, &mut heap);
            }
        } else {
            let Some((_, r)) = arrival else { break };
            let arrival = fifos[r].pop_front().expect("front exists");
            let p = projections[r].to();
            let kernel = pops[p].kernel();
            traces[p].arrivals.push(arrival);
            let mut group = std::mem::take(&mut neurons[p]);
            // neurons updated at the same previous time share one propagator
            let mut cached: Option<(u64, Propagator)> = None;
            for (i, n) in group.iter_mut().enumerate() {
                if n.stopped {
                    continue;
                }
                let s = arrival.time - n.t;
                if s > 0.0 {
                    let prop = match cached {
                        Some((bits, prop)) if bits == s.to_bits() => prop,
                        _ => {
                            let prop = kernel.propagator(s);
                            cached = Some((s.to_bits(), prop));
                            prop
                        }
                    };
                    n.state = prop.apply(n.state);
                }
                n.t = arrival.time;
                n.state.current += weight(network, &arrival, i);
                predict(network, p, i, n, &fifos, &mut heap);
            }
            neurons[p] = group;
        }
    }
    debug_assert!(
        traces
            .iter()
            .all(|t| t.arrivals.iter().all(|a| a.time <= t_max))
    );
    Ok(SimTrace {
        populations: traces,
        tangencies,
        t_end,
    })
}

/// Time of the next queued arrival into population `p`, if any.
fn next_arrival_into(network: &Network, p: usize, fifos: &[VecDeque<Arrival>]) -> Option<Time> {
    network
        .incoming(p)
        .iter()
        .filter_map(|&r| fifos[r].front().map(|a| a.time))
        .min_by(f64::total_cmp)
}

/// Invalidates the neuron's pending crossing and schedules a lower bound of its next one,
/// unless none can exist before the horizon or an already queued arrival into its
/// population comes strictly before the bound (the neuron is updated, and predicted again,
/// at that arrival).
fn predict(
    network: &Network,
    p: usize,
    i: usize,
    n: &mut NeuronState,
    fifos: &[VecDeque<Arrival>],
    heap: &mut BinaryHeap<CrossingKey>,
) {
    n.version = n.version.wrapping_add(1);
    n.pending = None;
    let pop = &network.populations()[p];
    let kernel = pop.kernel();
    if n.state.current <= 0.0 || kernel.slope(n.state) <= 0.0 {
        return;
    }
    let bound = kernel.crossing_lower_bound(n.state, pop.params().theta);
    let time = n.t + bound;
    if time > network.t_max() || next_arrival_into(network, p, fifos).is_some_and(|a| a < time) {
        return;
    }
    n.pending = Some((bound, false, false));
    heap.push(Reverse((
        (time + 0.0).to_bits(),
        p as u32,
        i as u32,
        n.version,
    )));
}

/// Solves the neuron's next crossing exactly (same state, threshold and horizon as the
/// layer sweep, hence the same bits) and schedules it.
fn solve_prediction(
    network: &Network,
    p: usize,
    i: usize,
    n: &mut NeuronState,
    heap: &mut BinaryHeap<CrossingKey>,
) {
    let pop = &network.populations()[p];
    let horizon = network.t_max() - n.t;
    let (s, tangent) = match pop
        .kernel()
        .next_crossing(n.state, pop.params().theta, horizon)
    {
        Crossing::None => return,
        Crossing::Spike(s) => (s, false),
        Crossing::Tangent(s) => (s, true),
    };
    n.pending = Some((s, true, tangent));
    heap.push(Reverse((
        (n.t + s + 0.0).to_bits(),
        p as u32,
        i as u32,
        n.version,
    )));
}
