//! Single and multi right-hand-side solves against dense nalgebra.

use super::{MAX_N, OffDiagonal, bitwise_equal, with_rhs, with_rhs_block};
use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;

/// Relative tolerance for comparing two solutions of a well-conditioned `n × n` triangular
/// system.
///
/// Substitution is backward stable, `(T + ΔT) x̂ = b` with `|ΔT| ≤ γ_n |T|` and
/// `γ_n ≈ n ε / 2` (Higham, *Accuracy and Stability of Numerical Algorithms*, Thm 8.5), so each
/// solution has relative forward error at most about `κ∞(T) γ_n`. With `κ∞ ≤ 9` for
/// [`OffDiagonal::WellConditioned`], two solutions differ by at most `2 · 9 · n ε / 2 = 9 n ε`;
/// `32 (n + 1) ε` leaves a margin of more than three.
fn solution_tolerance(n: usize) -> f64 {
    32.0 * (n + 1) as f64 * f64::EPSILON
}

/// `‖x − y‖∞ ≤ tol · ‖y‖∞`.
fn close_relative(x: &[f64], y: &[f64], tol: f64) -> bool {
    let scale = y.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let err = x
        .iter()
        .zip(y)
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
    x.len() == y.len() && err <= tol * scale
}

/// Checks the componentwise backward-error bound `|b − T x̂| ≤ c (|T| |x̂| + |b|)` of
/// substitution, which holds however ill-conditioned `T` is.
///
/// Substitution gives `|b − T x̂| ≤ γ_n |T| |x̂|` (Higham, Thm 8.5), and evaluating the residual
/// in floating point adds at most `γ_{n+1} (|T| |x̂| + |b|)`. With `γ_k ≈ k ε / 2`,
/// `c = 4 (n + 1) ε` covers both with a margin of more than two.
fn residual_is_small(t: &DMatrix<f64>, x: &[f64], b: &[f64]) -> Result<(), TestCaseError> {
    let n = t.nrows();
    let x = DVector::from_column_slice(x);
    let b = DVector::from_column_slice(b);
    let residual = &b - t * &x;
    let scale = t.abs() * x.abs() + b.abs();
    let c = 4.0 * (n + 1) as f64 * f64::EPSILON;
    for i in 0..n {
        prop_assert!(
            residual[i].abs() <= c * scale[i],
            "row {i}: residual {:e} exceeds {:e}",
            residual[i],
            c * scale[i]
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn forward_solve_has_small_componentwise_residual(
        (l, b) in with_rhs(MAX_N, OffDiagonal::Wild),
    ) {
        let mut x = b.clone();
        l.solve_lower_in_place(&mut x).expect("diagonal is away from zero");
        residual_is_small(&l.to_dense(), &x, &b)?;
    }

    #[test]
    fn transpose_solve_has_small_componentwise_residual(
        (l, b) in with_rhs(MAX_N, OffDiagonal::Wild),
    ) {
        let mut x = b.clone();
        l.solve_lower_transpose_in_place(&mut x).expect("diagonal is away from zero");
        residual_is_small(&l.to_dense().transpose(), &x, &b)?;
    }

    #[test]
    fn forward_solve_matches_dense(
        (l, b) in with_rhs(MAX_N, OffDiagonal::WellConditioned),
    ) {
        let expected = l
            .to_dense()
            .solve_lower_triangular(&DVector::from_column_slice(&b))
            .expect("nonsingular");
        let mut x = b;
        l.solve_lower_in_place(&mut x).expect("diagonal is away from zero");
        prop_assert!(close_relative(&x, expected.as_slice(), solution_tolerance(l.n())));
    }

    #[test]
    fn transpose_solve_matches_dense(
        (l, b) in with_rhs(MAX_N, OffDiagonal::WellConditioned),
    ) {
        let expected = l
            .to_dense()
            .tr_solve_lower_triangular(&DVector::from_column_slice(&b))
            .expect("nonsingular");
        let mut x = b;
        l.solve_lower_transpose_in_place(&mut x).expect("diagonal is away from zero");
        prop_assert!(close_relative(&x, expected.as_slice(), solution_tolerance(l.n())));
    }

    #[test]
    fn multi_rhs_solves_match_dense(
        (l, b) in with_rhs_block(MAX_N, 6, OffDiagonal::WellConditioned),
    ) {
        let dense = l.to_dense();
        let tol = solution_tolerance(l.n());

        let expected = dense.solve_lower_triangular(&b).expect("nonsingular");
        let mut x = b.clone();
        l.solve_lower_in_place_multi(&mut x).expect("diagonal is away from zero");
        for (got, want) in x.column_iter().zip(expected.column_iter()) {
            prop_assert!(close_relative(got.as_slice(), want.as_slice(), tol));
        }

        let expected = dense.tr_solve_lower_triangular(&b).expect("nonsingular");
        let mut x = b;
        l.solve_lower_transpose_in_place_multi(&mut x).expect("diagonal is away from zero");
        for (got, want) in x.column_iter().zip(expected.column_iter()) {
            prop_assert!(close_relative(got.as_slice(), want.as_slice(), tol));
        }
    }

    #[test]
    fn multi_rhs_columns_equal_single_rhs_solves_bitwise(
        (l, b) in with_rhs_block(MAX_N, 6, OffDiagonal::Wild),
    ) {
        let mut forward = b.clone();
        l.solve_lower_in_place_multi(&mut forward).expect("diagonal is away from zero");
        let mut backward = b.clone();
        l.solve_lower_transpose_in_place_multi(&mut backward).expect("diagonal is away from zero");
        for k in 0..b.ncols() {
            let mut x = b.column(k).iter().copied().collect::<Vec<_>>();
            l.solve_lower_in_place(&mut x).expect("diagonal is away from zero");
            prop_assert!(bitwise_equal(&x, forward.column(k).as_slice()));

            let mut x = b.column(k).iter().copied().collect::<Vec<_>>();
            l.solve_lower_transpose_in_place(&mut x).expect("diagonal is away from zero");
            prop_assert!(bitwise_equal(&x, backward.column(k).as_slice()));
        }
    }
}

#[test]
fn identity_solves_return_the_rhs() {
    let l = fpsnn_trisolve::CscLower::from_diagonal(&[1.0; 5]);
    let b = [1.5, -2.0, 0.0, 3.25, -0.5];
    let mut x = b;
    l.solve_lower_in_place(&mut x).expect("identity");
    assert!(bitwise_equal(&x, &b));
    l.solve_lower_transpose_in_place(&mut x).expect("identity");
    assert!(bitwise_equal(&x, &b));
}

#[test]
fn bidiagonal_solve_matches_hand_computation() {
    // L = I - S with S the subdiagonal shift: L x = b is the prefix sum, Lᵀ x = b the suffix sum.
    let n = 6;
    let l = fpsnn_trisolve::CscLower::try_from_triplets(
        n,
        &vec![1.0; n],
        (1..n).map(|i| (i, i - 1, -1.0)),
    )
    .expect("valid");
    let b = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let mut x = b;
    l.solve_lower_in_place(&mut x).expect("unit diagonal");
    assert!(bitwise_equal(&x, &[1.0, 3.0, 6.0, 10.0, 15.0, 21.0]));
    let mut x = b;
    l.solve_lower_transpose_in_place(&mut x)
        .expect("unit diagonal");
    assert!(bitwise_equal(&x, &[21.0, 20.0, 18.0, 15.0, 11.0, 6.0]));
}
