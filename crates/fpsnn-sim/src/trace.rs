//! The result of a simulation: spikes plus the compact causal record.

use fpsnn_core::Time;

/// One spike arriving at a population, in the population's sorted arrival list.
///
/// The list is shared by the population's neurons: a neuron an arrival does not reach (a
/// sparse projection without that synapse) sees it with weight zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    /// Arrival time (presynaptic spike time plus the projection's delay).
    pub time: Time,
    /// Projection index (file order).
    pub projection: u32,
    /// Presynaptic neuron (or input channel).
    pub pre: u32,
    /// Index of the presynaptic spike in its neuron's (or channel's) train.
    pub spike: u32,
}

/// Spikes and causal record of one population.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PopulationTrace {
    /// Spike times per neuron, sorted.
    pub spikes: Vec<Vec<Time>>,
    /// For each spike, how many entries of [`PopulationTrace::arrivals`] had been applied
    /// to the neuron before it: its presynaptic parents are exactly that prefix.
    pub prefixes: Vec<Vec<u32>>,
    /// Every spike that reached this population, sorted by `(time, projection, pre, spike)`,
    /// up to the last one applied before `t_max`.
    pub arrivals: Vec<Arrival>,
}

impl PopulationTrace {
    /// An empty record for `size` neurons.
    #[must_use]
    pub fn empty(size: usize) -> Self {
        Self {
            spikes: vec![Vec::new(); size],
            prefixes: vec![Vec::new(); size],
            arrivals: Vec::new(),
        }
    }

    /// Total number of spikes of the population.
    #[must_use]
    pub fn num_spikes(&self) -> usize {
        self.spikes.iter().map(Vec::len).sum()
    }

    /// First spike time of each neuron (`None` if silent).
    #[must_use]
    pub fn first_spikes(&self) -> Vec<Option<Time>> {
        self.spikes.iter().map(|s| s.first().copied()).collect()
    }
}

/// The result of simulating one sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimTrace {
    /// One trace per population, in network order.
    pub populations: Vec<PopulationTrace>,
    /// Number of tangential touches of the threshold (not spikes) met during the run.
    pub tangencies: usize,
    /// When the run ended: `t_max`, or earlier with
    /// [`SimOptions::stop_when_first_spikes_done`](crate::SimOptions::stop_when_first_spikes_done).
    pub t_end: Time,
}

impl SimTrace {
    /// Arrival-neuron updates of the run: every arrival into a population times the
    /// population's size (what the layer sweep touches; the work model of
    /// `docs/benchmarks.md`).
    ///
    /// # Panics
    /// If the trace has more populations than `network`.
    #[must_use]
    pub fn arrival_neuron_updates(&self, network: &crate::Network) -> usize {
        self.populations
            .iter()
            .zip(network.populations())
            .map(|(record, pop)| record.arrivals.len() * pop.size())
            .sum()
    }

    /// Total number of spikes over all populations.
    #[must_use]
    pub fn num_spikes(&self) -> usize {
        self.populations
            .iter()
            .map(PopulationTrace::num_spikes)
            .sum()
    }
}
