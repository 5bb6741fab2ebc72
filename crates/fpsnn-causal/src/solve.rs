//! The two exact gradient drivers: forward propagation (the paper's Algorithm 2) and the
//! adjoint (transposed) solve, both on `fpsnn-trisolve`.

use fpsnn_core::{Parallelism, SpikeId};
use fpsnn_trisolve::Par;
use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::{Assembly, CausalError, CausalGraph};

/// A loss gradient with respect to the parameters and the input spike times.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient {
    /// $d\mathcal{L}/dp$ in [`ParamLayout`](crate::ParamLayout) order (weights, then
    /// thresholds).
    pub params: Vec<f64>,
    /// $d\mathcal{L}/dg$ for every input spike (flat input index), a by-product.
    pub inputs: Vec<f64>,
}

/// The Jacobian of every spike time with respect to the parameters and the input times.
#[derive(Clone, Debug, PartialEq)]
pub struct Jacobian {
    /// `K x (P + G)`: row `k` is `df_k/dp` (first `P` columns, [`ParamLayout`](crate::ParamLayout)
    /// order) followed by `df_k/dg` for the `G` input spikes.
    pub matrix: DMatrix<f64>,
    /// `P`.
    pub num_params: usize,
}

impl Jacobian {
    /// `df_k/dp_j`.
    #[must_use]
    pub fn wrt_param(&self, spike: SpikeId, param: usize) -> f64 {
        self.matrix[(spike.index(), param)]
    }

    /// `df_k/dg` for input spike `input` (flat index).
    #[must_use]
    pub fn wrt_input(&self, spike: SpikeId, input: usize) -> f64 {
        self.matrix[(spike.index(), self.num_params + input)]
    }

    /// The chain rule
    /// $\frac{d\mathcal{L}}{dp} = \bigl(\frac{\partial \mathcal{L}}{\partial F}\bigr)^{T} \frac{dF}{dp}$
    /// (eq. 8 without the direct term).
    ///
    /// # Panics
    /// If `d_loss.len()` differs from the number of spikes.
    #[must_use]
    #[track_caller]
    pub fn gradient(&self, d_loss: &[f64]) -> Gradient {
        assert_eq!(d_loss.len(), self.matrix.nrows(), "one dL/df per spike");
        let g = nalgebra::DVector::from_column_slice(d_loss);
        let all = self.matrix.tr_mul(&g);
        Gradient {
            params: all.as_slice()[..self.num_params].to_vec(),
            inputs: all.as_slice()[self.num_params..].to_vec(),
        }
    }
}

fn par(parallelism: Parallelism) -> Par {
    match parallelism {
        Parallelism::Sequential => Par::Seq,
        Parallelism::Rayon => Par::rayon(0),
    }
}

/// Forward propagation on any network: solves $L X = -\partial \Phi / \partial (p, g)$ for
/// all parameter and input columns at once, column by column in time order (zero entries of
/// a column are skipped, so a spike's row costs only its upstream parameters). With
/// [`Parallelism::Rayon`] the columns are split across threads; every column is computed by
/// the same sequential substitution, so the result is bit-identical for any thread count.
///
/// # Errors
/// [`CausalError::Solve`] if the diagonal is singular (cannot happen after [`assemble`]'s
/// grazing check).
///
/// [`assemble`]: crate::assemble
pub fn forward_jacobian(
    assembly: &Assembly,
    parallelism: Parallelism,
) -> Result<Jacobian, CausalError> {
    let n = assembly.len();
    let p = assembly.layout.len();
    let mut rhs = DMatrix::zeros(n, p + assembly.num_inputs);
    for k in 0..n {
        for (j, v) in assembly.dphi_dparams.row(k) {
            rhs[(k, j)] -= v;
        }
        for (g, v) in assembly.dphi_dinputs.row(k) {
            rhs[(k, p + g)] -= v;
        }
    }
    assembly
        .matrix
        .solve_lower_in_place_multi_par(&mut rhs, par(parallelism))?;
    Ok(Jacobian {
        matrix: rhs,
        num_params: p,
    })
}

/// Forward propagation for feed-forward networks, layer by layer as in the paper's
/// Algorithm 2 and Remark 6: populations in topological order, the neurons of one
/// population in parallel (each neuron's spikes in time order),
///
/// $$
/// \frac{df_k}{dp} = \frac{1}{D_k} \Bigl(-\frac{\partial \Phi_k}{\partial p} +
///     \sum_{\text{parents } q} c_{kq} \frac{df_q}{dp}\Bigr), \qquad c_{kq} = -L_{kq}.
/// $$
///
/// Identical results for any thread count (each row is computed by one task in a fixed
/// order). Agrees with [`forward_jacobian`] to rounding.
///
/// # Errors
/// [`CausalError::NotFeedForward`] on a recurrent network.
pub fn forward_jacobian_layered(
    graph: &CausalGraph<'_>,
    assembly: &Assembly,
    parallelism: Parallelism,
) -> Result<Jacobian, CausalError> {
    let network = graph.network();
    let order = network
        .topological_order()
        .ok_or(CausalError::NotFeedForward)?;
    let n = assembly.len();
    let p = assembly.layout.len();
    let width = p + assembly.num_inputs;
    // Row access to L: for each child k, (parent q, L_kq).
    let (l_rows, l_cols, l_vals) = transpose_strict_lower(assembly);
    let mut rows = vec![0.0; n * width];
    for &pop in order {
        let record = &graph.trace().populations[pop];
        let neuron_rows = |i: usize| -> Vec<f64> {
            let count = record.spikes[i].len();
            let mut own = vec![0.0; count * width];
            for m in 0..count {
                let k = graph.spike_id(pop, i, m).index();
                let (done, row) = own.split_at_mut(m * width);
                let row = &mut row[..width];
                for (j, v) in assembly.dphi_dparams.row(k) {
                    row[j] -= v;
                }
                for (g, v) in assembly.dphi_dinputs.row(k) {
                    row[p + g] -= v;
                }
                for e in l_rows[k]..l_rows[k + 1] {
                    let q = l_cols[e];
                    let c = -l_vals[e];
                    let key = graph.key(SpikeId(q as u32));
                    let parent_row = if key.population as usize == pop {
                        debug_assert_eq!(key.neuron as usize, i);
                        &done[key.index as usize * width..(key.index as usize + 1) * width]
                    } else {
                        &rows[q * width..(q + 1) * width]
                    };
                    for (x, &y) in row.iter_mut().zip(parent_row) {
                        *x += c * y;
                    }
                }
                let d = assembly.matrix.diagonal(k);
                for x in row.iter_mut() {
                    *x /= d;
                }
            }
            own
        };
        let size = record.spikes.len();
        let computed: Vec<Vec<f64>> = match parallelism {
            Parallelism::Sequential => (0..size).map(neuron_rows).collect(),
            Parallelism::Rayon => (0..size).into_par_iter().map(neuron_rows).collect(),
        };
        for (i, own) in computed.into_iter().enumerate() {
            for (m, row) in own.chunks_exact(width.max(1)).enumerate() {
                let k = graph.spike_id(pop, i, m).index();
                rows[k * width..(k + 1) * width].copy_from_slice(row);
            }
        }
    }
    Ok(Jacobian {
        matrix: DMatrix::from_row_slice(n, width, &rows),
        num_params: p,
    })
}

/// CSR of the strictly lower part of `L`: for each row `k`, its columns (parents) and values.
fn transpose_strict_lower(assembly: &Assembly) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    let l = &assembly.matrix;
    let n = l.n();
    let mut counts = vec![0usize; n + 1];
    for q in 0..n {
        for &k in l.column(q).0 {
            counts[k + 1] += 1;
        }
    }
    for k in 0..n {
        counts[k + 1] += counts[k];
    }
    let mut next = counts.clone();
    let mut cols = vec![0usize; counts[n]];
    let mut vals = vec![0.0; counts[n]];
    for q in 0..n {
        let (rows, values) = l.column(q);
        for (&k, &v) in rows.iter().zip(values) {
            cols[next[k]] = q;
            vals[next[k]] = v;
            next[k] += 1;
        }
    }
    (counts, cols, vals)
}

/// The adjoint (transposed) solve: $L^{T} \mu = \partial \mathcal{L} / \partial F$ in reverse
/// time order, then
/// $d\mathcal{L}/dp = -\sum_k \mu_k \partial \Phi_k / \partial p$ and
/// $d\mathcal{L}/dg = -\sum_k \mu_k \partial \Phi_k / \partial g$, with $\mathcal{L}$ the loss.
/// Cost $O(\text{causal edges} + \text{parameters touched})$.
///
/// # Errors
/// [`CausalError::Solve`] if the diagonal is singular (cannot happen after [`assemble`]'s
/// grazing check).
///
/// # Panics
/// If `d_loss.len()` differs from the number of spikes.
///
/// [`assemble`]: crate::assemble
#[track_caller]
pub fn adjoint_gradient(assembly: &Assembly, d_loss: &[f64]) -> Result<Gradient, CausalError> {
    assert_eq!(d_loss.len(), assembly.len(), "one dL/df per spike");
    let mut mu = d_loss.to_vec();
    assembly.matrix.solve_lower_transpose_in_place(&mut mu)?;
    let mut params = vec![0.0; assembly.layout.len()];
    let mut inputs = vec![0.0; assembly.num_inputs];
    for (k, &m) in mu.iter().enumerate() {
        if m == 0.0 {
            continue;
        }
        for (j, v) in assembly.dphi_dparams.row(k) {
            params[j] -= m * v;
        }
        for (g, v) in assembly.dphi_dinputs.row(k) {
            inputs[g] -= m * v;
        }
    }
    Ok(Gradient { params, inputs })
}

/// Scatters $\partial \mathcal{L} / \partial f$ (per spike time $f$) of one population (`[neuron][spike]`, as a loss returns it)
/// into a vector over all spike ids.
///
/// # Panics
/// If the shape does not match the population's spikes.
#[must_use]
#[track_caller]
pub fn spike_gradient(
    graph: &CausalGraph<'_>,
    population: usize,
    d_spikes: &[Vec<f64>],
) -> Vec<f64> {
    let mut out = vec![0.0; graph.len()];
    let record = &graph.trace().populations[population];
    assert_eq!(d_spikes.len(), record.spikes.len(), "one row per neuron");
    for (i, row) in d_spikes.iter().enumerate() {
        assert_eq!(
            row.len(),
            record.spikes[i].len(),
            "one dL/df per spike of neuron {i}"
        );
        for (m, &d) in row.iter().enumerate() {
            out[graph.spike_id(population, i, m).index()] += d;
        }
    }
    out
}

/// Counts the causal edges of the graph (parents over all spikes), for benchmarks.
#[must_use]
pub fn num_edges(graph: &CausalGraph<'_>) -> usize {
    (0..graph.len())
        .map(|k| graph.num_parents(SpikeId(k as u32)))
        .sum()
}
