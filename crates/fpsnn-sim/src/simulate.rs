//! Exact event-driven simulation: the layer sweep for feed-forward networks and the event
//! queue for everything else.

use std::cmp::Ordering;
use std::collections::VecDeque;

use fpsnn_core::{Parallelism, Time};
use fpsnn_kernels::{Crossing, CrossingSearch, Kernel, Propagator, State, slope_coefficients};

use crate::sweep::{ARRIVAL_WINDOW, stays_below};

use crate::{Arrival, InputSpikes, Network, Outgoing, PopulationTrace, SimError, SimTrace, Source};

/// Largest population for which [`Method::Auto`] prefers the event queue on a feed-forward
/// network that stops early: below it the queue's per-neuron events cost less than the
/// sweep's time windows (Yin-Yang 5-150-3: 23-33 us against 36-43 us per sample; 784-350-10:
/// 1.1-1.2 ms against 0.36-0.41 ms, `docs/decisions.md`).
pub const QUEUE_MAX_POPULATION: usize = 200;

/// Which algorithm runs the simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Layer sweep for feed-forward networks, event queue otherwise; also the event queue
    /// for a feed-forward network that stops early and has no population larger than
    /// [`QUEUE_MAX_POPULATION`] (the same spikes, bit for bit, at a lower cost).
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
    /// End the whole run as soon as every neuron of the watched populations has fired:
    /// [`SimOptions::early_stop_populations`], or else every `first_spike_only` population
    /// (they are all a first-spike loss reads). The trace is then exact on `[0, t_end]`
    /// ([`SimTrace::t_end`]): every recorded spike and all its parents are there, later
    /// spikes are not recorded. The event queue stops there; the layer sweep cuts its trace
    /// at the same event, so both give the same trace bit for bit. No effect without
    /// watched populations.
    pub stop_when_first_spikes_done: bool,
    /// The populations whose first spikes end the run under
    /// [`SimOptions::stop_when_first_spikes_done`] (they become first-spike-only); empty:
    /// every `first_spike_only` population. A time-to-first-spike network whose hidden
    /// neurons also stop after one spike watches only its output.
    pub early_stop_populations: Vec<usize>,
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
    /// Ends the run once every neuron of population `p` has fired (added to
    /// [`SimOptions::early_stop_populations`]; `p` becomes first-spike-only).
    #[must_use]
    pub fn with_early_stop_on(mut self, p: usize) -> Self {
        self.stop_when_first_spikes_done = true;
        self.early_stop_populations.push(p);
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
    // the populations whose first spikes end the run (none: no early stop)
    let mut watched = vec![false; count];
    if options.stop_when_first_spikes_done {
        if options.early_stop_populations.is_empty() {
            watched.clone_from(&first_only);
        }
        for &p in &options.early_stop_populations {
            *watched
                .get_mut(p)
                .ok_or(SimError::PopulationIndex { index: p, count })? = true;
            first_only[p] = true;
        }
    }
    let early_stop = watched.contains(&true);
    let small = network
        .populations()
        .iter()
        .all(|pop| pop.size() <= QUEUE_MAX_POPULATION);
    match (options.method, network.topological_order()) {
        // both exact and bit-identical here: the cheaper one
        (Method::Auto, Some(_)) if early_stop && small => {
            event_queue(network, input, &first_only, &watched)
        }
        (Method::Auto | Method::LayerSweep, Some(order)) => crate::sweep::sweep(
            network,
            input,
            order,
            &first_only,
            &watched,
            options.parallelism,
        ),
        (Method::LayerSweep, None) => Err(SimError::NotFeedForward),
        _ => event_queue(network, input, &first_only, &watched),
    }
}

/// Orders arrivals by `(time, projection, pre, spike)`: the one tie rule both algorithms use.
pub(crate) fn arrival_order(a: &Arrival, b: &Arrival) -> Ordering {
    a.time
        .total_cmp(&b.time)
        .then(a.projection.cmp(&b.projection))
        .then(a.pre.cmp(&b.pre))
        .then(a.spike.cmp(&b.spike))
}

pub(crate) fn cap_error(network: &Network, p: usize, neuron: usize, time: Time) -> SimError {
    SimError::SpikeCapExceeded {
        population: network.populations()[p].name().to_owned(),
        neuron,
        cap: network.max_spikes_per_neuron(),
        time,
    }
}

/// Per-neuron state of the event queue.
#[derive(Clone, Copy, Debug, Default)]
struct NeuronState {
    state: State,
    t: Time,
    stopped: bool,
    /// The pending crossing of the current version: `(offset from t, exact, tangent)`.
    /// With `exact` false the offset is only a lower bound: the root is solved when the
    /// crossing comes up and the neuron has received nothing since.
    pending: Option<(Time, bool, bool)>,
}

/// The predicted crossings, at most one per neuron: an indexed binary heap keyed by
/// `(time bits, population, neuron)`, earliest first (times are >= 0, so their bits order
/// like the numbers; ties by population and neuron). A new prediction replaces the
/// neuron's old one in place, so the heap never holds more entries than neurons.
struct CrossingQueue {
    /// Per neuron (flat index): its key, valid while it is in the heap.
    keys: Vec<(u64, u32, u32)>,
    /// Flat neuron indices in heap order.
    heap: Vec<u32>,
    /// Per neuron: its position in `heap`, `u32::MAX` if absent.
    pos: Vec<u32>,
    /// Flat index of each population's first neuron.
    offsets: Vec<u32>,
}

impl CrossingQueue {
    const ABSENT: u32 = u32::MAX;

    fn new(sizes: impl Iterator<Item = usize>) -> Self {
        let mut offsets = Vec::new();
        let mut n = 0u32;
        for size in sizes {
            offsets.push(n);
            n += size as u32;
        }
        Self {
            keys: vec![(0, 0, 0); n as usize],
            heap: Vec::new(),
            pos: vec![Self::ABSENT; n as usize],
            offsets,
        }
    }

    fn key(&self, slot: usize) -> (u64, u32, u32) {
        self.keys[self.heap[slot] as usize]
    }

    fn place(&mut self, slot: usize, id: u32) {
        self.heap[slot] = id;
        self.pos[id as usize] = slot as u32;
    }

    fn sift_up(&mut self, mut slot: usize) {
        let id = self.heap[slot];
        let key = self.keys[id as usize];
        while slot > 0 {
            let parent = (slot - 1) / 2;
            if self.key(parent) <= key {
                break;
            }
            let moved = self.heap[parent];
            self.place(slot, moved);
            slot = parent;
        }
        self.place(slot, id);
    }

    fn sift_down(&mut self, mut slot: usize) {
        let id = self.heap[slot];
        let key = self.keys[id as usize];
        loop {
            let left = 2 * slot + 1;
            if left >= self.heap.len() {
                break;
            }
            let right = left + 1;
            let child = if right < self.heap.len() && self.key(right) < self.key(left) {
                right
            } else {
                left
            };
            if self.key(child) >= key {
                break;
            }
            let moved = self.heap[child];
            self.place(slot, moved);
            slot = child;
        }
        self.place(slot, id);
    }

    /// Schedules neuron `i` of population `p` at `time` (replacing its prediction).
    fn set(&mut self, p: usize, i: usize, time: f64) {
        let id = self.offsets[p] + i as u32;
        let key = ((time + 0.0).to_bits(), p as u32, i as u32);
        let old = std::mem::replace(&mut self.keys[id as usize], key);
        match self.pos[id as usize] {
            Self::ABSENT => {
                self.heap.push(id);
                self.sift_up(self.heap.len() - 1);
            }
            slot if key < old => self.sift_up(slot as usize),
            slot => self.sift_down(slot as usize),
        }
    }

    /// Drops neuron `i` of population `p`'s prediction, if any.
    fn remove(&mut self, p: usize, i: usize) {
        let id = self.offsets[p] + i as u32;
        let slot = self.pos[id as usize];
        if slot == Self::ABSENT {
            return;
        }
        self.pos[id as usize] = Self::ABSENT;
        let last = self.heap.pop().expect("the neuron is in the heap");
        if last != id {
            let slot = slot as usize;
            self.place(slot, last);
            self.sift_down(slot);
            self.sift_up(self.pos[last as usize] as usize);
        }
    }

    /// The earliest prediction: `(time, population, neuron)`.
    fn peek(&self) -> Option<(f64, usize, usize)> {
        self.heap.first().map(|&id| {
            let (bits, p, i) = self.keys[id as usize];
            (f64::from_bits(bits), p as usize, i as usize)
        })
    }
}

/// Simulation of any network with one global event queue: a heap of predicted crossings
/// and, per projection, a FIFO of arrivals (spikes of one source are emitted in time order
/// and share one delay, so each projection's arrivals are generated already sorted).
fn event_queue(
    network: &Network,
    input: &InputSpikes,
    first_only: &[bool],
    watched: &[bool],
) -> Result<SimTrace, SimError> {
    let t_max = network.t_max();
    let pops = network.populations();
    let projections = network.projections();
    let mut traces: Vec<PopulationTrace> = pops
        .iter()
        .map(|pop| PopulationTrace::empty(pop.size()))
        .collect();
    let mut neurons: Vec<Vec<NeuronState>> = pops
        .iter()
        .map(|pop| vec![NeuronState::default(); pop.size()])
        .collect();
    let dense_only: Vec<bool> = (0..pops.len())
        .map(|p| {
            network
                .incoming(p)
                .iter()
                .all(|&r| !projections[r].is_sparse())
        })
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
    let mut heap = CrossingQueue::new(pops.iter().map(|pop| pop.size()));
    let mut tangencies = 0;
    let mut t_end = t_max;
    let early_stop = watched.contains(&true);
    let mut waiting: usize = pops
        .iter()
        .zip(watched)
        .filter(|(_, w)| **w)
        .map(|(pop, _)| pop.size())
        .sum();
    loop {
        let next_crossing = heap.peek();
        let crossing_time = next_crossing.map(|(time, ..)| time);
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
            let Some((_, p, i)) = next_crossing else {
                break;
            };
            heap.remove(p, i);
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
                if watched[p] {
                    waiting -= 1;
                    if early_stop && waiting == 0 {
                        t_end = time;
                        break;
                    }
                }
            } else {
                let next = next_arrival_into(network, p, &fifos, &dense_only);
                predict(network, p, i, n, next, &mut heap);
            }
        } else {
            let Some((_, r)) = arrival else { break };
            let arrival = fifos[r].pop_front().expect("front exists");
            let p = projections[r].to();
            let kernel = pops[p].kernel();
            traces[p].arrivals.push(arrival);
            let mut group = std::mem::take(&mut neurons[p]);
            let next = next_arrival_into(network, p, &fifos, &dense_only);
            // Where the next arrival into `p` is known, the layer sweep's cheap test on the
            // state there (one propagator for all neurons) spares the prediction of a
            // neuron that provably stays below threshold until then.
            let ahead = next.map(|until| Ahead {
                propagator: if until > arrival.time {
                    kernel.propagator(until - arrival.time)
                } else {
                    Propagator::IDENTITY
                },
                coefficients: slope_coefficients(kernel),
                window: 2.0 * ARRIVAL_WINDOW * until.max(1.0),
                floor: pops[p].params().theta * (1.0 - 1e-12),
            });
            // neurons updated at the same previous time share one propagator
            let mut cached: Option<(u64, Propagator)> = None;
            let mut update = |i: usize, n: &mut NeuronState, w: f64| {
                if n.stopped {
                    return;
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
                n.state.current += w;
                if let Some(ahead) = &ahead
                    && ahead.stays_below(kernel, n.state)
                {
                    n.pending = None;
                    heap.remove(p, i);
                    return;
                }
                predict(network, p, i, n, next, &mut heap);
            };
            // only the neurons the presynaptic neuron reaches
            match projections[r].outgoing(arrival.pre as usize) {
                Outgoing::Dense(row) => {
                    for (i, (n, &w)) in group.iter_mut().zip(row).enumerate() {
                        update(i, n, w);
                    }
                }
                Outgoing::Sparse(ids, synapses) => {
                    for &k in ids {
                        let synapse = synapses[k as usize];
                        update(synapse.post, &mut group[synapse.post], synapse.weight);
                    }
                }
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

/// The state test of the layer sweep over the time to the next arrival into a population.
struct Ahead {
    propagator: Propagator,
    coefficients: (f64, f64),
    window: f64,
    floor: f64,
}

impl Ahead {
    /// The neuron, at the arrival's time in `state`, provably does not reach the threshold
    /// before the next arrival (nor at it, to rounding): its potential rises now and still
    /// rises below threshold then ([`stays_below`]).
    #[inline]
    fn stays_below<K: Kernel + ?Sized>(&self, kernel: &K, state: State) -> bool {
        if state.current <= 0.0 || kernel.slope(state) <= 0.0 {
            // `predict` drops these at once
            return false;
        }
        let end = self.propagator.apply(state);
        stays_below(
            end.current,
            end.potential,
            self.coefficients,
            self.window,
            self.floor,
        )
    }
}

/// Time of the next queued arrival into population `p`, if any, where every projection
/// into `p` is dense (such an arrival updates, and predicts again, every neuron of `p`);
/// `None` otherwise.
fn next_arrival_into(
    network: &Network,
    p: usize,
    fifos: &[VecDeque<Arrival>],
    dense_only: &[bool],
) -> Option<Time> {
    if !dense_only[p] {
        return None;
    }
    network
        .incoming(p)
        .iter()
        .filter_map(|&r| fifos[r].front().map(|a| a.time))
        .min_by(f64::total_cmp)
}

/// Invalidates the neuron's pending crossing and schedules a lower bound of its next one,
/// unless none can exist before the horizon or `next`, an already queued arrival that
/// updates every neuron of the population ([`next_arrival_into`]), comes strictly before
/// the bound (the neuron is updated, and predicted again, at that arrival).
fn predict(
    network: &Network,
    p: usize,
    i: usize,
    n: &mut NeuronState,
    next: Option<Time>,
    heap: &mut CrossingQueue,
) {
    let pop = &network.populations()[p];
    let kernel = pop.kernel();
    let time = if n.state.current <= 0.0 || kernel.slope(n.state) <= 0.0 {
        None
    } else {
        let bound = kernel.crossing_lower_bound(n.state, pop.params().theta);
        let time = n.t + bound;
        (time <= network.t_max() && !next.is_some_and(|a| a < time)).then_some((bound, time))
    };
    // one heap operation: the neuron's entry moves in place, or leaves
    match time {
        Some((bound, time)) => {
            n.pending = Some((bound, false, false));
            heap.set(p, i, time);
        }
        None => {
            n.pending = None;
            heap.remove(p, i);
        }
    }
}

/// Solves the neuron's next crossing exactly (same state, threshold and horizon as the
/// layer sweep, hence the same bits) and schedules it.
fn solve_prediction(
    network: &Network,
    p: usize,
    i: usize,
    n: &mut NeuronState,
    heap: &mut CrossingQueue,
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
    heap.set(p, i, n.t + s);
}
