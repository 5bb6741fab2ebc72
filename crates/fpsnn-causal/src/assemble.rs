//! Numeric assembly of the IFT system: `L = dPhi/dF` (lower triangular in time order) and
//! the right-hand sides `dPhi/dp` and `dPhi/d(input times)`.

use fpsnn_core::SpikeId;
use fpsnn_kernels::{Factors, Kernel, slope_coefficients};
use fpsnn_sim::Network;
use fpsnn_trisolve::CscLower;

use crate::adjoint::{Edges, arrival_growths};
use crate::{CausalError, CausalGraph, Parent};

/// The layout of the parameter vector: every projection's weights in file order, each
/// dense matrix row-major `[pre][post]`, each synapse list in its own order, then one
/// threshold per population.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamLayout {
    weight_offsets: Vec<usize>,
    posts: Vec<usize>,
    num_weights: usize,
    num_populations: usize,
}

impl ParamLayout {
    /// The layout of `network`'s parameters.
    #[must_use]
    pub fn new(network: &Network) -> Self {
        let mut weight_offsets = Vec::with_capacity(network.projections().len());
        let mut posts = Vec::with_capacity(network.projections().len());
        let mut n = 0;
        for proj in network.projections() {
            weight_offsets.push(n);
            posts.push(proj.post_size());
            n += proj.num_weights();
        }
        Self {
            weight_offsets,
            posts,
            num_weights: n,
            num_populations: network.populations().len(),
        }
    }

    /// Index of weight `W_ji` (pre `j`, post `i`) of a dense projection `r` (for a sparse
    /// one, add [`Projection::synapse_indices`](fpsnn_sim::Projection::synapse_indices) to
    /// [`ParamLayout::weight_offset`]).
    #[must_use]
    #[inline]
    pub fn weight_index(&self, r: usize, pre: usize, post: usize) -> usize {
        self.weight_offsets[r] + pre * self.posts[r] + post
    }

    /// Offset of projection `r`'s block.
    #[must_use]
    pub fn weight_offset(&self, r: usize) -> usize {
        self.weight_offsets[r]
    }

    /// Index of the threshold of population `p`.
    #[must_use]
    pub fn threshold_index(&self, p: usize) -> usize {
        self.num_weights + p
    }

    /// Number of weights.
    #[must_use]
    pub fn num_weights(&self) -> usize {
        self.num_weights
    }

    /// Total number of parameters (weights then thresholds).
    #[must_use]
    pub fn len(&self) -> usize {
        self.num_weights + self.num_populations
    }

    /// Whether there is no parameter.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sparse rows (CSR): row `k` holds `(index, value)` pairs; repeated indices add up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseRows {
    offsets: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
}

impl SparseRows {
    fn with_capacity(rows: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Self {
            offsets,
            indices: Vec::new(),
            values: Vec::new(),
        }
    }
    fn push(&mut self, index: usize, value: f64) {
        self.indices.push(index as u32);
        self.values.push(value);
    }
    fn end_row(&mut self) {
        self.offsets.push(self.indices.len());
    }
    /// Number of rows.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }
    /// Entries of row `k`.
    pub fn row(&self, k: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.offsets[k]..self.offsets[k + 1];
        self.indices[range.clone()]
            .iter()
            .zip(&self.values[range])
            .map(|(&i, &v)| (i as usize, v))
    }
    /// Number of stored entries.
    #[must_use]
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }
}

/// Options of the assembly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AssembleOptions {
    /// A spike whose slope $D_k = V^{\prime}(f_k^-)$ is at most this fraction of its natural
    /// scale (the sum of the magnitudes of its terms plus $\theta \beta$) is a grazing
    /// crossing: its time is ill-conditioned (a maximum of $V$ that exceeds the threshold by
    /// $\delta$ gives a slope of order $\sqrt{\delta}$) and its gradient is reported as
    /// [`CausalError::Grazing`] instead of a huge or infinite number. Default `1e-7`, which
    /// flags maxima within a few ulps of the threshold.
    pub grazing_tolerance: f64,
}

impl Default for AssembleOptions {
    fn default() -> Self {
        Self {
            grazing_tolerance: 1e-7,
        }
    }
}

/// The assembled IFT system of one sample: $L \frac{dF}{dp} = -\frac{\partial \Phi}{\partial p}$,
/// $L = \frac{\partial \Phi}{\partial F}$ (see [the derivation](crate#the-derivation)).
///
/// Rows and columns are spike ids (time order). $L$ has the diagonal
/// $D_k = V^{\prime}(f_k^-) \gt 0$ and off-diagonal entries
/// $\partial \Phi_k / \partial f_q = -c_{kq}$.
#[derive(Clone, Debug)]
pub struct Assembly {
    /// $L = \partial \Phi / \partial F$ in CSC form, diagonal first in each column.
    pub matrix: CscLower,
    /// $\partial \Phi_k / \partial p$ for the parameters of [`ParamLayout`].
    pub dphi_dparams: SparseRows,
    /// $\partial \Phi_k / \partial g$ for every input spike $g$ (flat input index).
    pub dphi_dinputs: SparseRows,
    /// The parameter layout.
    pub layout: ParamLayout,
    /// Number of input spikes.
    pub num_inputs: usize,
}

impl Assembly {
    /// Number of spikes (unknowns).
    #[must_use]
    pub fn len(&self) -> usize {
        self.matrix.n()
    }
    /// Whether there is no spike.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Assembles $L$, $\partial \Phi / \partial p$ and $\partial \Phi / \partial g$ (input spike
/// times) for the graph (DESIGN section 2; [the derivation](crate#the-derivation)):
///
/// $$
/// \begin{aligned}
/// D_k &= \sum W_{ji} h^{\prime}(f_k - g) - \theta \sum_m h_n^{\prime}(f_k - f_m)
///     = V^{\prime}(f_k^-), \cr
/// \frac{\partial \Phi_k}{\partial f_q} &= -W_{ji} h^{\prime}(f_k - g)
///     \qquad \text{(presynaptic parent, } g = f_q + d \text{ with delay } d \text{)}, \cr
/// \frac{\partial \Phi_k}{\partial f_m} &= \theta h_n^{\prime}(f_k - f_m)
///     = -\theta \beta e^{-\beta (f_k - f_m)}
///     \qquad \text{(own parent; the second form for } h_n(s) = e^{-\beta s} \text{)}, \cr
/// \frac{\partial \Phi_k}{\partial W_{ji}} &= \sum_{g \text{ from } j} h(f_k - g), \cr
/// \frac{\partial \Phi_k}{\partial \theta} &= -\Bigl(1 + \sum_m h_n(f_k - f_m)\Bigr).
/// \end{aligned}
/// $$
///
/// # Errors
/// [`CausalError::Grazing`] for a spike whose slope is not safely positive,
/// [`CausalError::Solve`] if the matrix structure is rejected (a bug).
pub fn assemble(
    graph: &CausalGraph<'_>,
    options: &AssembleOptions,
) -> Result<Assembly, CausalError> {
    let network = graph.network();
    let layout = ParamLayout::new(network);
    let n = graph.len();
    // Pass 1: count distinct network parents per column (children of each spike).
    let mut counts = vec![1usize; n];
    let mut last_child = vec![u32::MAX; n];
    for k in 0..n {
        for parent in graph.parents(SpikeId(k as u32)) {
            if let Parent::Presynaptic { spike: q, .. } | Parent::Own { spike: q } = parent {
                if last_child[q.index()] != k as u32 {
                    last_child[q.index()] = k as u32;
                    counts[q.index()] += 1;
                }
            }
        }
    }
    let mut col_offsets = Vec::with_capacity(n + 1);
    col_offsets.push(0);
    for &c in &counts {
        col_offsets.push(col_offsets.last().copied().unwrap_or(0) + c);
    }
    let nnz = col_offsets[n];
    let mut rows = vec![0usize; nnz];
    let mut values = vec![0.0; nnz];
    // next free slot per column; slot col_offsets[q] is the diagonal
    let mut next: Vec<usize> = col_offsets[..n].iter().map(|&o| o + 1).collect();
    last_child.fill(u32::MAX);
    let mut dphi_dparams = SparseRows::with_capacity(n);
    let mut dphi_dinputs = SparseRows::with_capacity(n);
    let growths: Vec<Vec<Factors>> = graph
        .trace()
        .populations
        .iter()
        .enumerate()
        .map(|(p, record)| {
            let mut out = Vec::new();
            arrival_growths(
                network.populations()[p].kernel(),
                network.t_max(),
                record,
                &mut out,
            );
            out
        })
        .collect();
    for k in 0..n {
        let id = SpikeId(k as u32);
        let key = graph.key(id);
        let (p, i) = (key.population as usize, key.neuron as usize);
        let pop = &network.populations()[p];
        let kernel = pop.kernel();
        let theta = pop.params().theta;
        let f = graph.time(id);
        let edges = Edges {
            kernel,
            arrivals: &graph.trace().populations[p].arrivals,
            growths: &growths[p],
        };
        let factors = edges.spike(f);
        let mut slope = 0.0;
        let mut magnitude = theta * slope_coefficients(kernel).1.abs();
        let mut reset_sum = 0.0;
        let mut place = |q: SpikeId, value: f64| {
            let q = q.index();
            if last_child[q] == k as u32 {
                values[next[q] - 1] += value;
            } else {
                last_child[q] = k as u32;
                rows[next[q]] = k;
                values[next[q]] = value;
                next[q] += 1;
            }
        };
        for (e, parent) in graph.parents(id).enumerate() {
            let (projection, pre, source) = match parent {
                Parent::Own { spike } => {
                    let s = f - graph.time(spike);
                    let (decay, d_decay) = kernel.reset_and_derivative(s);
                    reset_sum += decay;
                    slope -= theta * d_decay;
                    magnitude += (theta * d_decay).abs();
                    place(spike, theta * d_decay);
                    continue;
                }
                Parent::Presynaptic {
                    spike,
                    projection,
                    pre,
                    ..
                } => (projection, pre, Ok(spike)),
                Parent::Input {
                    input,
                    projection,
                    pre,
                    ..
                } => (projection, pre, Err(input)),
            };
            let proj = &network.projections()[projection as usize];
            let w = proj.weight(pre as usize, i);
            // presynaptic parents come first, in arrival order: `e` is the arrival's index
            let (h, dh) = edges.eval(f, factors, e);
            slope += w * dh;
            magnitude += (w * dh).abs();
            // dPhi_k/dg = -W h'(f_k - g): a network parent goes into L, an input spike into
            // the data gradient
            match source {
                Ok(spike) => place(spike, -w * dh),
                Err(input) => dphi_dinputs.push(input as usize, -w * dh),
            }
            // dPhi_k/dW = h for every synapse from `pre` onto `i` (none: a zero weight)
            let offset = layout.weight_offset(projection as usize);
            for k in proj.synapse_indices(pre as usize, i) {
                dphi_dparams.push(offset + k, h);
            }
        }
        dphi_dparams.push(layout.threshold_index(p), -(1.0 + reset_sum));
        dphi_dparams.end_row();
        dphi_dinputs.end_row();
        if !(slope.is_finite() && slope > options.grazing_tolerance * magnitude && slope > 0.0) {
            return Err(CausalError::Grazing {
                spike: id,
                population: p,
                neuron: i,
                slope,
            });
        }
        rows[col_offsets[k]] = k;
        values[col_offsets[k]] = slope;
    }
    // Columns may end before their counted size only if counting and filling disagree.
    debug_assert!((0..n).all(|q| next[q] == col_offsets[q + 1]));
    let matrix = CscLower::try_from_parts(n, col_offsets, rows, values)?;
    Ok(Assembly {
        matrix,
        dphi_dparams,
        dphi_dinputs,
        layout,
        num_inputs: graph.num_input_spikes(),
    })
}
