//! Shared strategies and helpers; the tests live in the submodules.

mod errors;
mod parallel;
mod solve;
mod structure;

use fpsnn_trisolve::CscLower;
use nalgebra::DMatrix;
use proptest::prelude::*;

/// Largest dimension the strategies generate.
pub(crate) const MAX_N: usize = 40;

/// How large the strictly lower entries may be relative to the diagonal.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OffDiagonal {
    /// Entries in `[-1, 1]`. With diagonals of magnitude down to 0.5 a dense `n = 40` matrix can
    /// have a condition number near `3^40`, so only backward-error (residual) checks are
    /// meaningful for these.
    Wild,
    /// Entries in `[-1, 1] · 0.25 / n`. Then `L = D (I + D⁻¹N)` with `‖D⁻¹N‖∞ ≤ 1/2`, so
    /// `‖L⁻¹‖∞ ≤ 2 / 0.5 = 4`, `‖L‖∞ ≤ 2.25` and `κ∞(L) ≤ 9`: solutions can be compared directly.
    WellConditioned,
}

/// A random `n × n` lower-triangular matrix (`n` in `0..=max_n`) with diagonal magnitudes in
/// `[0.5, 2]` of random sign and strictly lower entries present with a random density.
pub(crate) fn lower_triangular(max_n: usize, off: OffDiagonal) -> impl Strategy<Value = CscLower> {
    (0..=max_n, 0.0..=1.0_f64)
        .prop_flat_map(|(n, density)| {
            let pairs = n * n.saturating_sub(1) / 2;
            (
                Just(n),
                proptest::collection::vec((0.5..=2.0_f64, any::<bool>()), n),
                proptest::collection::vec(
                    proptest::option::weighted(density, -1.0..=1.0_f64),
                    pairs,
                ),
            )
        })
        .prop_map(move |(n, diagonal, off_values)| {
            let diagonal: Vec<f64> = diagonal
                .into_iter()
                .map(|(magnitude, negative)| if negative { -magnitude } else { magnitude })
                .collect();
            let scale = match off {
                OffDiagonal::Wild => 1.0,
                OffDiagonal::WellConditioned => 0.25 / n.max(1) as f64,
            };
            let positions = (0..n).flat_map(|j| (j + 1..n).map(move |i| (i, j)));
            let triplets = positions
                .zip(off_values)
                .filter_map(|((i, j), v)| v.map(|v| (i, j, scale * v)));
            CscLower::try_from_triplets(n, &diagonal, triplets)
                .expect("generated structure is valid")
        })
}

/// A matrix together with one right-hand side of matching length, entries in `[-10, 10]`.
pub(crate) fn with_rhs(
    max_n: usize,
    off: OffDiagonal,
) -> impl Strategy<Value = (CscLower, Vec<f64>)> {
    lower_triangular(max_n, off).prop_flat_map(|l| {
        let n = l.n();
        (Just(l), proptest::collection::vec(-10.0..=10.0_f64, n))
    })
}

/// A matrix together with an `n × m` block of right-hand sides, `m` in `0..=max_m`.
pub(crate) fn with_rhs_block(
    max_n: usize,
    max_m: usize,
    off: OffDiagonal,
) -> impl Strategy<Value = (CscLower, DMatrix<f64>)> {
    lower_triangular(max_n, off).prop_flat_map(move |l| {
        let n = l.n();
        (0..=max_m).prop_flat_map(move |m| {
            (
                Just(l.clone()),
                proptest::collection::vec(-10.0..=10.0_f64, n * m)
                    .prop_map(move |data| DMatrix::from_vec(n, m, data)),
            )
        })
    })
}

/// `true` when `a` and `b` have the same shape and identical bits everywhere.
pub(crate) fn bitwise_equal(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}
