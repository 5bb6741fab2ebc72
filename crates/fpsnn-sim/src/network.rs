//! Network topology: populations, projections, neuron parameters, horizon and spike cap.

use fpsnn_core::{NeuronParams, Time};
use fpsnn_kernels::{ExpKernel, NeuronKernel, NonLeakyKernel};
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::SimError;

/// Default per-neuron spike cap when the network file does not give one.
pub const DEFAULT_MAX_SPIKES_PER_NEURON: usize = 1000;

/// Where a projection comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The input channels.
    Input,
    /// A population, by index.
    Population(usize),
}

/// A population of identical neurons.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    name: String,
    size: usize,
    params: NeuronParams,
    kernel: NeuronKernel,
}

impl Population {
    /// Name (unique in the network).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Number of neurons.
    #[must_use]
    pub fn size(&self) -> usize {
        self.size
    }
    /// Neuron parameters.
    #[must_use]
    pub fn params(&self) -> &NeuronParams {
        &self.params
    }
    /// The neurons' kernel: an [`ExpKernel`] built from the parameters unless
    /// [`Network::set_kernel`] chose another.
    #[must_use]
    pub fn kernel(&self) -> &NeuronKernel {
        &self.kernel
    }
}

/// One synapse of a sparse projection: presynaptic neuron (or input channel), postsynaptic
/// neuron, weight.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Synapse {
    /// Presynaptic neuron (or input channel).
    pub pre: usize,
    /// Postsynaptic neuron.
    pub post: usize,
    /// Weight.
    pub weight: f64,
}

/// The synapses of a projection as given to [`Network::try_new`].
#[derive(Clone, Debug, PartialEq)]
pub enum Weights {
    /// All-to-all: a `pre x post` matrix.
    Dense(DMatrix<f64>),
    /// A list of synapses (repeated pairs are separate synapses).
    Sparse(Vec<Synapse>),
}

impl From<DMatrix<f64>> for Weights {
    fn from(weights: DMatrix<f64>) -> Self {
        Self::Dense(weights)
    }
}

/// What one presynaptic neuron reaches through a projection ([`Projection::outgoing`]).
#[derive(Clone, Copy, Debug)]
pub enum Outgoing<'a> {
    /// Its weight onto every postsynaptic neuron (a contiguous matrix row).
    Dense(&'a [f64]),
    /// Its synapses, sorted by postsynaptic neuron: `(synapse index, synapse)`.
    Sparse(&'a [u32], &'a [Synapse]),
}

/// The stored connectivity of a projection.
#[derive(Clone, Debug, PartialEq)]
enum Connectivity {
    Dense {
        /// `pre x post`.
        weights: DMatrix<f64>,
        /// The same weights row-major: one presynaptic neuron's weights onto every target
        /// are contiguous (what the layer sweep adds per arrival).
        rows: Vec<f64>,
    },
    Sparse {
        /// In file order (the parameter order).
        synapses: Vec<Synapse>,
        /// Synapse indices grouped by presynaptic neuron, each group sorted by
        /// `(post, index)`; group `j` is `by_pre[offsets[j]..offsets[j + 1]]`.
        by_pre: Vec<u32>,
        offsets: Vec<usize>,
    },
}

/// A projection with an optional fixed delay: dense (all-to-all, a weight matrix) or sparse
/// (a synapse list).
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    from: Source,
    to: usize,
    pre_size: usize,
    post_size: usize,
    connectivity: Connectivity,
    delay: Time,
}

impl Projection {
    /// Source.
    #[must_use]
    pub fn from(&self) -> Source {
        self.from
    }
    /// Target population index.
    #[must_use]
    pub fn to(&self) -> usize {
        self.to
    }
    /// Number of presynaptic neurons (or input channels).
    #[must_use]
    pub fn pre_size(&self) -> usize {
        self.pre_size
    }
    /// Number of postsynaptic neurons.
    #[must_use]
    pub fn post_size(&self) -> usize {
        self.post_size
    }
    /// Whether the projection is a synapse list.
    #[must_use]
    pub fn is_sparse(&self) -> bool {
        matches!(self.connectivity, Connectivity::Sparse { .. })
    }
    /// The weight matrix, `pre x post` (entry `(j, i)` is `W_ji`), of a dense projection.
    #[must_use]
    pub fn dense_weights(&self) -> Option<&DMatrix<f64>> {
        match &self.connectivity {
            Connectivity::Dense { weights, .. } => Some(weights),
            Connectivity::Sparse { .. } => None,
        }
    }
    /// The synapse list of a sparse projection, in file order.
    #[must_use]
    pub fn synapses(&self) -> Option<&[Synapse]> {
        match &self.connectivity {
            Connectivity::Dense { .. } => None,
            Connectivity::Sparse { synapses, .. } => Some(synapses),
        }
    }
    /// Number of weights (parameters): `pre x post`, or the number of synapses.
    #[must_use]
    pub fn num_weights(&self) -> usize {
        match &self.connectivity {
            Connectivity::Dense { weights, .. } => weights.len(),
            Connectivity::Sparse { synapses, .. } => synapses.len(),
        }
    }
    /// The total weight from `pre` onto `post` (zero without a synapse; repeated synapses
    /// add up).
    ///
    /// # Panics
    /// If `pre` or `post` is out of range.
    #[must_use]
    #[inline]
    pub fn weight(&self, pre: usize, post: usize) -> f64 {
        match &self.connectivity {
            Connectivity::Dense { rows, .. } => rows[pre * self.post_size + post],
            Connectivity::Sparse { synapses, .. } => self
                .synapse_indices(pre, post)
                .map(|k| synapses[k].weight)
                .sum(),
        }
    }
    /// What presynaptic neuron `pre` reaches.
    ///
    /// # Panics
    /// If `pre` is out of range.
    #[must_use]
    #[inline]
    pub fn outgoing(&self, pre: usize) -> Outgoing<'_> {
        match &self.connectivity {
            Connectivity::Dense { rows, .. } => {
                Outgoing::Dense(&rows[pre * self.post_size..(pre + 1) * self.post_size])
            }
            Connectivity::Sparse {
                synapses,
                by_pre,
                offsets,
            } => Outgoing::Sparse(&by_pre[offsets[pre]..offsets[pre + 1]], synapses),
        }
    }
    /// Indices, within this projection's weights (row-major `pre * post_size + post` when
    /// dense, the position in the synapse list when sparse), of the weights from `pre` onto
    /// `post`: one when dense, every such synapse when sparse.
    ///
    /// # Panics
    /// If `pre` or `post` is out of range.
    pub fn synapse_indices(&self, pre: usize, post: usize) -> impl Iterator<Item = usize> + '_ {
        let (dense, group): (Option<usize>, &[u32]) = match &self.connectivity {
            Connectivity::Dense { .. } => {
                assert!(
                    pre < self.pre_size && post < self.post_size,
                    "synapse out of range"
                );
                (Some(pre * self.post_size + post), &[])
            }
            Connectivity::Sparse {
                synapses,
                by_pre,
                offsets,
            } => {
                let group = &by_pre[offsets[pre]..offsets[pre + 1]];
                let start = group.partition_point(|&k| synapses[k as usize].post < post);
                let end = group.partition_point(|&k| synapses[k as usize].post <= post);
                (None, &group[start..end])
            }
        };
        dense.into_iter().chain(group.iter().map(|&k| k as usize))
    }
    /// The weights in parameter order (row-major when dense, file order when sparse).
    #[must_use]
    pub fn flat_weights(&self) -> Vec<f64> {
        match &self.connectivity {
            Connectivity::Dense { rows, .. } => rows.clone(),
            Connectivity::Sparse { synapses, .. } => synapses.iter().map(|s| s.weight).collect(),
        }
    }
    /// Delay added to every spike travelling along this projection.
    #[must_use]
    pub fn delay(&self) -> Time {
        self.delay
    }
}

/// Row-major copy of a `pre x post` matrix.
fn row_major(weights: &DMatrix<f64>) -> Vec<f64> {
    weights.transpose().as_slice().to_vec()
}

/// Synapse indices grouped by presynaptic neuron, each group sorted by `(post, index)`.
fn group_by_pre(synapses: &[Synapse], pre_size: usize) -> (Vec<u32>, Vec<usize>) {
    let mut offsets = vec![0usize; pre_size + 1];
    for s in synapses {
        offsets[s.pre + 1] += 1;
    }
    for j in 0..pre_size {
        offsets[j + 1] += offsets[j];
    }
    let mut by_pre: Vec<u32> = (0..synapses.len() as u32).collect();
    by_pre.sort_unstable_by_key(|&k| {
        let s = &synapses[k as usize];
        (s.pre, s.post, k)
    });
    (by_pre, offsets)
}

/// A validated network.
///
/// Invariants (checked by [`Network::try_new`] and every setter): parameters finite and
/// positive, unique population names, weight shapes `pre x post`, finite weights, delays
/// finite and `>= 0`, `t_max > 0`, spike cap `>= 1`, input count and population sizes
/// at most `u32::MAX`.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    inputs: usize,
    populations: Vec<Population>,
    projections: Vec<Projection>,
    t_max: Time,
    max_spikes_per_neuron: usize,
    /// Population indices in topological order, if the population graph is acyclic.
    topo_order: Option<Vec<usize>>,
    /// Projection indices into each population, in file order.
    incoming: Vec<Vec<usize>>,
}

/// Description of a population used to build a [`Network`].
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationSpec {
    /// Unique name (not `input`).
    pub name: String,
    /// Number of neurons, >= 1.
    pub size: usize,
    /// Neuron parameters.
    pub params: NeuronParams,
}

/// Description of a projection used to build a [`Network`].
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionSpec {
    /// Source.
    pub from: Source,
    /// Target population index.
    pub to: usize,
    /// Weights: a `pre x post` matrix, or a synapse list (`DMatrix` converts with `.into()`).
    pub weights: Weights,
    /// Delay, >= 0.
    pub delay: Time,
}

impl Network {
    /// Builds and validates a network.
    ///
    /// # Errors
    /// A [`SimError`] naming the first invalid item.
    pub fn try_new(
        inputs: usize,
        populations: Vec<PopulationSpec>,
        projections: Vec<ProjectionSpec>,
        t_max: Time,
        max_spikes_per_neuron: usize,
    ) -> Result<Self, SimError> {
        if !(t_max.is_finite() && t_max > 0.0) {
            return Err(SimError::InvalidHorizon { value: t_max });
        }
        if max_spikes_per_neuron == 0 {
            return Err(SimError::InvalidSpikeCap);
        }
        // The trace stores neuron, channel and projection indices as `u32`.
        let max = u32::MAX as usize;
        let too_large = |what: String, value: usize| SimError::TooLarge { what, value, max };
        if inputs > max {
            return Err(too_large("inputs".into(), inputs));
        }
        if let Some(spec) = populations.iter().find(|spec| spec.size > max) {
            return Err(too_large(
                format!("size of population `{}`", spec.name),
                spec.size,
            ));
        }
        if projections.len() > max {
            return Err(too_large("projections".into(), projections.len()));
        }
        let mut pops = Vec::with_capacity(populations.len());
        for spec in populations {
            if spec.name == "input" || pops.iter().any(|p: &Population| p.name == spec.name) {
                return Err(SimError::DuplicatePopulation { name: spec.name });
            }
            if spec.size == 0 {
                return Err(SimError::EmptyPopulation { name: spec.name });
            }
            spec.params
                .validate()
                .map_err(|source| SimError::PopulationParams {
                    population: spec.name.clone(),
                    source,
                })?;
            let kernel = ExpKernel::from_params(&spec.params)?.into();
            pops.push(Population {
                name: spec.name,
                size: spec.size,
                params: spec.params,
                kernel,
            });
        }
        let mut projs = Vec::with_capacity(projections.len());
        for (index, spec) in projections.into_iter().enumerate() {
            if spec.to >= pops.len() {
                return Err(SimError::UnknownPopulation {
                    projection: index,
                    name: format!("#{}", spec.to),
                });
            }
            let pre = match spec.from {
                Source::Input => inputs,
                Source::Population(p) => {
                    pops.get(p)
                        .ok_or_else(|| SimError::UnknownPopulation {
                            projection: index,
                            name: format!("#{p}"),
                        })?
                        .size
                }
            };
            let post = pops[spec.to].size;
            let connectivity = match spec.weights {
                Weights::Dense(weights) => {
                    if weights.nrows() != pre || weights.ncols() != post {
                        return Err(SimError::WeightShape {
                            projection: index,
                            rows: weights.nrows(),
                            cols: weights.ncols(),
                            expected_rows: pre,
                            expected_cols: post,
                        });
                    }
                    check_weights(index, &weights)?;
                    Connectivity::Dense {
                        rows: row_major(&weights),
                        weights,
                    }
                }
                Weights::Sparse(synapses) => {
                    check_synapses(index, &synapses, pre, post)?;
                    let (by_pre, offsets) = group_by_pre(&synapses, pre);
                    Connectivity::Sparse {
                        synapses,
                        by_pre,
                        offsets,
                    }
                }
            };
            if !(spec.delay.is_finite() && spec.delay >= 0.0) {
                return Err(SimError::InvalidDelay {
                    projection: index,
                    value: spec.delay,
                });
            }
            projs.push(Projection {
                from: spec.from,
                to: spec.to,
                pre_size: pre,
                post_size: post,
                connectivity,
                delay: spec.delay,
            });
        }
        let mut incoming = vec![Vec::new(); pops.len()];
        for (r, proj) in projs.iter().enumerate() {
            incoming[proj.to].push(r);
        }
        let topo_order = topological_order(pops.len(), &projs);
        Ok(Self {
            inputs,
            populations: pops,
            projections: projs,
            t_max,
            max_spikes_per_neuron,
            topo_order,
            incoming,
        })
    }

    /// Number of input channels.
    #[must_use]
    pub fn inputs(&self) -> usize {
        self.inputs
    }
    /// The populations, in file order.
    #[must_use]
    pub fn populations(&self) -> &[Population] {
        &self.populations
    }
    /// The projections, in file order.
    #[must_use]
    pub fn projections(&self) -> &[Projection] {
        &self.projections
    }
    /// Simulation horizon.
    #[must_use]
    pub fn t_max(&self) -> Time {
        self.t_max
    }
    /// Per-neuron spike cap.
    #[must_use]
    pub fn max_spikes_per_neuron(&self) -> usize {
        self.max_spikes_per_neuron
    }
    /// Index of the population called `name`.
    #[must_use]
    pub fn population_index(&self, name: &str) -> Option<usize> {
        self.populations.iter().position(|p| p.name == name)
    }
    /// Projections into population `p`, in file order.
    #[must_use]
    pub fn incoming(&self, p: usize) -> &[usize] {
        &self.incoming[p]
    }
    /// Whether the population graph has no cycle (no recurrent, lateral or self projection).
    #[must_use]
    pub fn is_feed_forward(&self) -> bool {
        self.topo_order.is_some()
    }
    /// Populations in topological order (ties by file order), for feed-forward networks.
    #[must_use]
    pub fn topological_order(&self) -> Option<&[usize]> {
        self.topo_order.as_deref()
    }
    /// Number of presynaptic neurons of a source.
    #[must_use]
    pub fn source_size(&self, source: Source) -> usize {
        match source {
            Source::Input => self.inputs,
            Source::Population(p) => self.populations[p].size,
        }
    }
    /// Total number of weights over all projections.
    #[must_use]
    pub fn num_weights(&self) -> usize {
        self.projections.iter().map(Projection::num_weights).sum()
    }

    /// Replaces the weight matrix of dense projection `r`.
    ///
    /// # Errors
    /// [`SimError::NotDense`] for a sparse projection, [`SimError::WeightShape`] or
    /// [`SimError::NonFiniteWeight`]; the network is unchanged.
    ///
    /// # Panics
    /// If `r` is out of range.
    #[track_caller]
    pub fn set_weights(&mut self, r: usize, weights: DMatrix<f64>) -> Result<(), SimError> {
        assert!(r < self.projections.len(), "projection {r} out of range");
        let proj = &mut self.projections[r];
        let Connectivity::Dense { weights: old, rows } = &mut proj.connectivity else {
            return Err(SimError::NotDense { projection: r });
        };
        if old.shape() != weights.shape() {
            return Err(SimError::WeightShape {
                projection: r,
                rows: weights.nrows(),
                cols: weights.ncols(),
                expected_rows: old.nrows(),
                expected_cols: old.ncols(),
            });
        }
        check_weights(r, &weights)?;
        *rows = row_major(&weights);
        *old = weights;
        Ok(())
    }

    /// Applies `update` to every weight of dense projection `r` in place, then checks the
    /// result.
    ///
    /// # Errors
    /// [`SimError::NotDense`] for a sparse projection, [`SimError::NonFiniteWeight`] if an
    /// updated weight is not finite; the projection then keeps its previous weights.
    ///
    /// # Panics
    /// If `r` is out of range.
    #[track_caller]
    pub fn update_weights(
        &mut self,
        r: usize,
        update: impl FnOnce(&mut DMatrix<f64>),
    ) -> Result<(), SimError> {
        assert!(r < self.projections.len(), "projection {r} out of range");
        let mut weights = self.projections[r]
            .dense_weights()
            .ok_or(SimError::NotDense { projection: r })?
            .clone();
        update(&mut weights);
        self.set_weights(r, weights)
    }

    /// Replaces the weights of projection `r` (dense or sparse) from `values` in parameter
    /// order ([`Projection::flat_weights`]).
    ///
    /// # Errors
    /// [`SimError::WeightCount`] for a wrong length, [`SimError::NonFiniteWeight`] for a
    /// weight that is not finite; the network is unchanged.
    ///
    /// # Panics
    /// If `r` is out of range.
    #[track_caller]
    pub fn set_flat_weights(&mut self, r: usize, values: &[f64]) -> Result<(), SimError> {
        assert!(r < self.projections.len(), "projection {r} out of range");
        let proj = &mut self.projections[r];
        if values.len() != proj.num_weights() {
            return Err(SimError::WeightCount {
                projection: r,
                got: values.len(),
                expected: proj.num_weights(),
            });
        }
        if !proj.is_sparse() {
            let weights = DMatrix::from_row_slice(proj.pre_size, proj.post_size, values);
            return self.set_weights(r, weights);
        }
        match &mut proj.connectivity {
            Connectivity::Dense { .. } => Ok(()),
            Connectivity::Sparse { synapses, .. } => {
                if let Some((k, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                    return Err(SimError::NonFiniteWeight {
                        projection: r,
                        pre: synapses[k].pre,
                        post: synapses[k].post,
                        value,
                    });
                }
                for (s, &w) in synapses.iter_mut().zip(values) {
                    s.weight = w;
                }
                Ok(())
            }
        }
    }

    /// Replaces the kernel of population `p` ([`NeuronKernel`]: a built-in kernel or a
    /// user's [`Kernel`](fpsnn_kernels::Kernel) behind an `Arc`). For a built-in kernel the
    /// population's `alpha` and `beta` become the kernel's (`beta = 0` for
    /// [`NonLeakyKernel`]); a custom kernel leaves them as they were and they mean nothing to
    /// the simulator. The threshold stays.
    ///
    /// # Panics
    /// If `p` is out of range.
    #[track_caller]
    pub fn set_kernel(&mut self, p: usize, kernel: impl Into<NeuronKernel>) {
        assert!(p < self.populations.len(), "population {p} out of range");
        let pop = &mut self.populations[p];
        let kernel = kernel.into();
        match &kernel {
            NeuronKernel::Exp(k) => {
                pop.params.alpha = k.alpha();
                pop.params.beta = k.beta();
            }
            NeuronKernel::NonLeaky(k) => {
                pop.params.alpha = k.alpha();
                pop.params.beta = 0.0;
            }
            NeuronKernel::Custom(_) => {}
        }
        pop.kernel = kernel;
    }

    /// Replaces the threshold of population `p`.
    ///
    /// # Errors
    /// [`SimError::PopulationParams`] if `theta` is not finite and positive.
    ///
    /// # Panics
    /// If `p` is out of range.
    #[track_caller]
    pub fn set_threshold(&mut self, p: usize, theta: f64) -> Result<(), SimError> {
        assert!(p < self.populations.len(), "population {p} out of range");
        let pop = &mut self.populations[p];
        fpsnn_core::check_positive("theta", theta).map_err(|source| {
            SimError::PopulationParams {
                population: pop.name.clone(),
                source,
            }
        })?;
        pop.params.theta = theta;
        Ok(())
    }

    /// Parses a network from its JSON description (`docs/formats.md`).
    ///
    /// # Errors
    /// [`SimError::Json`] for malformed JSON or missing fields, otherwise as
    /// [`Network::try_new`].
    pub fn from_json(text: &str) -> Result<Self, SimError> {
        let file: NetworkFile = serde_json::from_str(text)?;
        file.try_into_network()
    }

    /// The JSON description of this network.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_file()).expect("network serialises")
    }

    /// The serialisable description of this network.
    #[must_use]
    pub fn to_file(&self) -> NetworkFile {
        let default = self.populations.first().map_or(
            NeuronFile::from(NeuronParams {
                alpha: 1.0,
                beta: 1.0,
                theta: 1.0,
            }),
            NeuronFile::of,
        );
        NetworkFile {
            neuron: default,
            inputs: self.inputs,
            populations: self
                .populations
                .iter()
                .map(|p| PopulationFile {
                    name: p.name.clone(),
                    size: p.size,
                    neuron: (NeuronFile::of(p) != default).then(|| NeuronFile::of(p)),
                })
                .collect(),
            projections: self
                .projections
                .iter()
                .map(|r| ProjectionFile {
                    from: match r.from {
                        Source::Input => "input".to_owned(),
                        Source::Population(p) => self.populations[p].name.clone(),
                    },
                    to: self.populations[r.to].name.clone(),
                    weights: r.dense_weights().map(|w| {
                        w.row_iter()
                            .map(|row| row.iter().copied().collect())
                            .collect()
                    }),
                    synapses: r
                        .synapses()
                        .map(|list| list.iter().map(|s| (s.pre, s.post, s.weight)).collect()),
                    delay: (r.delay > 0.0).then_some(r.delay),
                })
                .collect(),
            t_max: self.t_max,
            max_spikes_per_neuron: Some(self.max_spikes_per_neuron),
        }
    }
}

fn check_synapses(
    projection: usize,
    synapses: &[Synapse],
    pre_size: usize,
    post_size: usize,
) -> Result<(), SimError> {
    for (index, s) in synapses.iter().enumerate() {
        if s.pre >= pre_size || s.post >= post_size {
            return Err(SimError::SynapseOutOfRange {
                projection,
                index,
                pre: s.pre,
                post: s.post,
                pre_size,
                post_size,
            });
        }
        if !s.weight.is_finite() {
            return Err(SimError::NonFiniteWeight {
                projection,
                pre: s.pre,
                post: s.post,
                value: s.weight,
            });
        }
    }
    Ok(())
}

fn check_weights(projection: usize, weights: &DMatrix<f64>) -> Result<(), SimError> {
    for pre in 0..weights.nrows() {
        for post in 0..weights.ncols() {
            let value = weights[(pre, post)];
            if !value.is_finite() {
                return Err(SimError::NonFiniteWeight {
                    projection,
                    pre,
                    post,
                    value,
                });
            }
        }
    }
    Ok(())
}

/// Kahn's algorithm with ties broken by population index; `None` on a cycle (self
/// projections included).
fn topological_order(n: usize, projections: &[Projection]) -> Option<Vec<usize>> {
    let mut indegree = vec![0usize; n];
    let mut edges = vec![Vec::new(); n];
    for proj in projections {
        if let Source::Population(p) = proj.from {
            if p == proj.to {
                return None;
            }
            edges[p].push(proj.to);
            indegree[proj.to] += 1;
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&p| indegree[p] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(p) = ready.pop_first() {
        order.push(p);
        for &q in &edges[p] {
            indegree[q] -= 1;
            if indegree[q] == 0 {
                ready.insert(q);
            }
        }
    }
    (order.len() == n).then_some(order)
}

/// Neuron parameters as written in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeuronFile {
    /// Synaptic rate.
    pub alpha: f64,
    /// Membrane rate.
    pub beta: f64,
    /// Threshold.
    pub theta: f64,
    /// The kernel: `"exp"` (default) or `"non-leaky"` (which needs `beta` 0); a network with
    /// a custom kernel writes `"custom"`, which cannot be read back.
    #[serde(default, skip_serializing_if = "KernelName::is_exp")]
    pub kernel: KernelName,
}

/// The kernel of a population as written in JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KernelName {
    /// [`ExpKernel`].
    #[default]
    Exp,
    /// [`NonLeakyKernel`].
    NonLeaky,
    /// A user's kernel (written, never read).
    Custom,
}

impl KernelName {
    fn is_exp(&self) -> bool {
        *self == Self::Exp
    }
}

impl From<NeuronParams> for NeuronFile {
    fn from(p: NeuronParams) -> Self {
        Self {
            alpha: p.alpha,
            beta: p.beta,
            theta: p.theta,
            kernel: KernelName::Exp,
        }
    }
}

impl NeuronFile {
    /// The description of a population's neurons.
    fn of(pop: &Population) -> Self {
        let kernel = match pop.kernel {
            NeuronKernel::Exp(_) => KernelName::Exp,
            NeuronKernel::NonLeaky(_) => KernelName::NonLeaky,
            NeuronKernel::Custom(_) => KernelName::Custom,
        };
        Self {
            kernel,
            ..Self::from(pop.params)
        }
    }
}

/// A population as written in JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationFile {
    /// Unique name.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// Parameters overriding the network default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neuron: Option<NeuronFile>,
}

/// A projection as written in JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectionFile {
    /// `"input"` or a population name.
    pub from: String,
    /// A population name.
    pub to: String,
    /// Dense: one row per presynaptic neuron, one column per postsynaptic neuron.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<Vec<f64>>>,
    /// Sparse: `[pre, post, w]` per synapse (exactly one of `weights` and `synapses`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synapses: Option<Vec<(usize, usize, f64)>>,
    /// Optional delay, default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<f64>,
}

/// The JSON network format (`docs/formats.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkFile {
    /// Default neuron parameters.
    pub neuron: NeuronFile,
    /// Number of input channels.
    pub inputs: usize,
    /// Populations.
    pub populations: Vec<PopulationFile>,
    /// Projections.
    pub projections: Vec<ProjectionFile>,
    /// Simulation horizon.
    pub t_max: f64,
    /// Per-neuron spike cap (default [`DEFAULT_MAX_SPIKES_PER_NEURON`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_spikes_per_neuron: Option<usize>,
}

impl NetworkFile {
    /// Validates the description and builds the network.
    ///
    /// # Errors
    /// As [`Network::try_new`], plus [`SimError::UnknownPopulation`] for unknown names.
    pub fn try_into_network(self) -> Result<Network, SimError> {
        let default = self.neuron;
        let names: Vec<String> = self.populations.iter().map(|p| p.name.clone()).collect();
        for (k, name) in names.iter().enumerate() {
            if name == "input" || names[..k].contains(name) {
                return Err(SimError::DuplicatePopulation { name: name.clone() });
            }
        }
        let lookup = |projection: usize, name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| SimError::UnknownPopulation {
                    projection,
                    name: name.to_owned(),
                })
        };
        let mut projections = Vec::with_capacity(self.projections.len());
        for (index, proj) in self.projections.iter().enumerate() {
            let from = if proj.from == "input" {
                Source::Input
            } else {
                Source::Population(lookup(index, &proj.from)?)
            };
            if proj.to == "input" {
                return Err(SimError::ProjectionToInput { projection: index });
            }
            let to = lookup(index, &proj.to)?;
            let weights = match (&proj.weights, &proj.synapses) {
                (Some(rows_in), None) => {
                    let rows = rows_in.len();
                    let cols = rows_in.first().map_or(0, Vec::len);
                    if let Some(bad) = rows_in.iter().find(|row| row.len() != cols) {
                        return Err(SimError::WeightShape {
                            projection: index,
                            rows,
                            cols: bad.len(),
                            expected_rows: rows,
                            expected_cols: cols,
                        });
                    }
                    Weights::Dense(DMatrix::from_fn(rows, cols, |j, i| rows_in[j][i]))
                }
                (None, Some(list)) => Weights::Sparse(
                    list.iter()
                        .map(|&(pre, post, weight)| Synapse { pre, post, weight })
                        .collect(),
                ),
                _ => return Err(SimError::WeightsOrSynapses { projection: index }),
            };
            projections.push(ProjectionSpec {
                from,
                to,
                weights,
                delay: proj.delay.unwrap_or(0.0),
            });
        }
        let mut populations = Vec::with_capacity(self.populations.len());
        let mut non_leaky = Vec::new();
        for (p, spec) in self.populations.into_iter().enumerate() {
            let n = spec.neuron.unwrap_or(default);
            let mut params = NeuronParams {
                alpha: n.alpha,
                beta: n.beta,
                theta: n.theta,
            };
            match n.kernel {
                KernelName::Exp => {}
                KernelName::NonLeaky => {
                    if n.beta != 0.0 {
                        return Err(SimError::KernelParams {
                            population: spec.name,
                            reason: format!("a non-leaky kernel needs beta 0, got {}", n.beta),
                        });
                    }
                    non_leaky.push(p);
                    // validated as a leaky neuron, then given its kernel (and beta 0)
                    params.beta = 1.0;
                }
                KernelName::Custom => {
                    return Err(SimError::KernelParams {
                        population: spec.name,
                        reason: "a custom kernel cannot be read from JSON; build the network \
                                 and set it with Network::set_kernel"
                            .into(),
                    });
                }
            }
            populations.push(PopulationSpec {
                name: spec.name,
                size: spec.size,
                params,
            });
        }
        let mut network = Network::try_new(
            self.inputs,
            populations,
            projections,
            self.t_max,
            self.max_spikes_per_neuron
                .unwrap_or(DEFAULT_MAX_SPIKES_PER_NEURON),
        )?;
        for p in non_leaky {
            // alpha passed the network's validation
            let kernel = NonLeakyKernel::try_new(network.populations[p].params.alpha)?;
            network.set_kernel(p, kernel);
        }
        Ok(network)
    }
}
