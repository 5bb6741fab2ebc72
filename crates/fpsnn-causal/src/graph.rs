//! The causal graph: every simulated spike in time order, and its parents.

use fpsnn_core::{SpikeId, Time};
use fpsnn_sim::{InputSpikes, Network, SimTrace, Source};

use crate::CausalError;

/// Where a spike lives: population, neuron and index in the neuron's train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpikeKey {
    /// Population index.
    pub population: u32,
    /// Neuron index in the population.
    pub neuron: u32,
    /// Index of the spike in the neuron's train.
    pub index: u32,
}

/// A parent of a spike.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Parent {
    /// A network spike arriving through projection `projection` from presynaptic `pre`.
    Presynaptic {
        /// The parent spike.
        spike: SpikeId,
        /// Projection it travelled along.
        projection: u32,
        /// Presynaptic neuron.
        pre: u32,
        /// Arrival time (spike time plus delay).
        arrival: Time,
    },
    /// An input spike (data): `input` is its flat index over the input channels.
    Input {
        /// Flat index of the input spike (channel by channel, see [`CausalGraph::input_index`]).
        input: u32,
        /// Projection it travelled along.
        projection: u32,
        /// Input channel.
        pre: u32,
        /// Arrival time.
        arrival: Time,
    },
    /// An earlier spike of the same neuron.
    Own {
        /// The parent spike.
        spike: SpikeId,
    },
}

/// The causal structure of one simulated sample: spikes sorted by time and, for each, its
/// parents (a prefix of its population's arrival list plus its neuron's earlier spikes).
///
/// Built from the simulator's compact record without re-simulating. [`CausalGraph::try_new`]
/// checks that every parent precedes its child in the order, so
/// $\partial \Phi / \partial F$ is lower triangular in it and nothing downstream checks
/// again.
#[derive(Clone, Debug)]
pub struct CausalGraph<'a> {
    network: &'a Network,
    trace: &'a SimTrace,
    /// Spikes in time order.
    order: Vec<SpikeKey>,
    times: Vec<Time>,
    /// Per population, per neuron: offset of its first spike in `local_to_global`.
    neuron_offsets: Vec<Vec<u32>>,
    local_to_global: Vec<u32>,
    /// Offset of each input channel's first spike in the flat input numbering.
    input_offsets: Vec<u32>,
    num_input_spikes: usize,
}

impl<'a> CausalGraph<'a> {
    /// Builds the graph of `trace`, produced by simulating `network` on `input`.
    ///
    /// # Errors
    /// [`CausalError::TraceMismatch`] if the trace does not belong to the network and input,
    /// [`CausalError::NotCausal`] if a parent does not precede its child.
    pub fn try_new(
        network: &'a Network,
        input: &InputSpikes,
        trace: &'a SimTrace,
    ) -> Result<Self, CausalError> {
        let pops = network.populations();
        if trace.populations.len() != pops.len()
            || input.len() != network.inputs()
            || pops
                .iter()
                .zip(&trace.populations)
                .any(|(p, t)| t.spikes.len() != p.size() || t.prefixes.len() != p.size())
        {
            return Err(CausalError::TraceMismatch);
        }
        let mut order = Vec::with_capacity(trace.num_spikes());
        let mut neuron_offsets = Vec::with_capacity(pops.len());
        let mut local = 0u32;
        for (p, record) in trace.populations.iter().enumerate() {
            let mut offsets = Vec::with_capacity(record.spikes.len());
            for (i, spikes) in record.spikes.iter().enumerate() {
                if record.prefixes[i].len() != spikes.len() {
                    return Err(CausalError::TraceMismatch);
                }
                offsets.push(local);
                local += spikes.len() as u32;
                order.extend((0..spikes.len()).map(|k| SpikeKey {
                    population: p as u32,
                    neuron: i as u32,
                    index: k as u32,
                }));
            }
            neuron_offsets.push(offsets);
        }
        let time_of = |key: &SpikeKey| {
            trace.populations[key.population as usize].spikes[key.neuron as usize]
                [key.index as usize]
        };
        // Locals are grouped by (population, neuron, index); the global order is by time,
        // ties by local index, so that a neuron's own spikes stay in order. Spike times are
        // positive and finite, so their bit patterns sort like the numbers.
        let mut keyed: Vec<(u64, u32)> = order
            .iter()
            .enumerate()
            .map(|(l, key)| (time_of(key).to_bits(), l as u32))
            .collect();
        keyed.sort_unstable();
        let global: Vec<u32> = keyed.into_iter().map(|(_, l)| l).collect();
        let mut local_to_global = vec![0u32; order.len()];
        for (g, &l) in global.iter().enumerate() {
            local_to_global[l as usize] = g as u32;
        }
        let order: Vec<SpikeKey> = global.iter().map(|&l| order[l as usize]).collect();
        let times = order.iter().map(time_of).collect();
        let mut input_offsets = Vec::with_capacity(input.len());
        let mut n = 0u32;
        for channel in input.channels() {
            input_offsets.push(n);
            n += channel.len() as u32;
        }
        let graph = Self {
            network,
            trace,
            order,
            times,
            neuron_offsets,
            local_to_global,
            input_offsets,
            num_input_spikes: n as usize,
        };
        graph.check_causal(input)?;
        Ok(graph)
    }

    /// Checks that every parent precedes its child, in `O(arrivals + spikes)`: each
    /// population's arrivals are sorted by time, so a spike's prefix precedes it if its last
    /// arrival does and the latest network spike among the prefix's sources comes before it
    /// in the order (a running maximum); a neuron's own spikes are sorted.
    fn check_causal(&self, input: &InputSpikes) -> Result<(), CausalError> {
        let mut latest: Vec<Option<u32>> = Vec::new();
        for (p, record) in self.trace.populations.iter().enumerate() {
            latest.clear();
            let mut running: Option<u32> = None;
            for (e, a) in record.arrivals.iter().enumerate() {
                if e > 0 && record.arrivals[e - 1].time > a.time {
                    return Err(CausalError::TraceMismatch);
                }
                let proj = self
                    .network
                    .projections()
                    .get(a.projection as usize)
                    .filter(|proj| proj.to() == p)
                    .ok_or(CausalError::TraceMismatch)?;
                let (pre, spike) = (a.pre as usize, a.spike as usize);
                match proj.from() {
                    Source::Input => {
                        if input.channels().get(pre).is_none_or(|c| spike >= c.len()) {
                            return Err(CausalError::TraceMismatch);
                        }
                    }
                    Source::Population(q) => {
                        let train = self.trace.populations[q]
                            .spikes
                            .get(pre)
                            .ok_or(CausalError::TraceMismatch)?;
                        if spike >= train.len() {
                            return Err(CausalError::TraceMismatch);
                        }
                        let id = self.spike_id(q, pre, spike).0;
                        running = Some(running.map_or(id, |r| r.max(id)));
                    }
                }
                latest.push(running);
            }
            for (i, spikes) in record.spikes.iter().enumerate() {
                for (m, &f) in spikes.iter().enumerate() {
                    let child = self.spike_id(p, i, m);
                    let prefix = record.prefixes[i][m] as usize;
                    let ok = prefix <= record.arrivals.len()
                        && (prefix == 0
                            || (record.arrivals[prefix - 1].time <= f
                                && latest[prefix - 1].is_none_or(|id| id < child.0)))
                        && (m == 0 || spikes[m - 1] <= f);
                    if !ok {
                        return Err(CausalError::NotCausal { spike: child });
                    }
                }
            }
        }
        Ok(())
    }

    /// Number of spikes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there is no spike.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The network.
    #[must_use]
    pub fn network(&self) -> &'a Network {
        self.network
    }

    /// The trace.
    #[must_use]
    pub fn trace(&self) -> &'a SimTrace {
        self.trace
    }

    /// Where spike `id` lives.
    #[must_use]
    pub fn key(&self, id: SpikeId) -> SpikeKey {
        self.order[id.index()]
    }

    /// Time of spike `id`.
    #[must_use]
    pub fn time(&self, id: SpikeId) -> Time {
        self.times[id.index()]
    }

    /// All spike times in time order.
    #[must_use]
    pub fn times(&self) -> &[Time] {
        &self.times
    }

    /// The id of spike `index` of neuron `neuron` of population `population`.
    ///
    /// # Panics
    /// If the spike does not exist.
    #[must_use]
    #[track_caller]
    pub fn spike_id(&self, population: usize, neuron: usize, index: usize) -> SpikeId {
        assert!(
            index < self.trace.populations[population].spikes[neuron].len(),
            "spike {index} of neuron {neuron} of population {population} does not exist"
        );
        SpikeId(self.local_to_global[self.neuron_offsets[population][neuron] as usize + index])
    }

    /// Number of input spikes.
    #[must_use]
    pub fn num_input_spikes(&self) -> usize {
        self.num_input_spikes
    }

    /// Flat index of spike `index` of input channel `channel`.
    #[must_use]
    pub fn input_index(&self, channel: usize, index: usize) -> usize {
        self.input_offsets[channel] as usize + index
    }

    /// Number of parents of spike `id`.
    #[must_use]
    pub fn num_parents(&self, id: SpikeId) -> usize {
        let key = self.key(id);
        let record = &self.trace.populations[key.population as usize];
        record.prefixes[key.neuron as usize][key.index as usize] as usize + key.index as usize
    }

    /// The parents of spike `id`: its presynaptic arrivals in arrival order, then its
    /// neuron's earlier spikes in time order. Enumerated on the fly from the compact record.
    pub fn parents(&self, id: SpikeId) -> impl Iterator<Item = Parent> + '_ {
        let key = self.key(id);
        let p = key.population as usize;
        let record = &self.trace.populations[p];
        let prefix = record.prefixes[key.neuron as usize][key.index as usize] as usize;
        let presynaptic = record.arrivals[..prefix].iter().map(move |a| {
            match self.network.projections()[a.projection as usize].from() {
                Source::Input => Parent::Input {
                    input: self.input_index(a.pre as usize, a.spike as usize) as u32,
                    projection: a.projection,
                    pre: a.pre,
                    arrival: a.time,
                },
                Source::Population(q) => Parent::Presynaptic {
                    spike: self.spike_id(q, a.pre as usize, a.spike as usize),
                    projection: a.projection,
                    pre: a.pre,
                    arrival: a.time,
                },
            }
        });
        let own = (0..key.index as usize).map(move |m| Parent::Own {
            spike: self.spike_id(p, key.neuron as usize, m),
        });
        presynaptic.chain(own)
    }
}
