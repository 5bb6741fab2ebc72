//! Typed errors for bad structure and singular diagonals; panics for broken preconditions.

use super::bitwise_equal;
use fpsnn_trisolve::{CscLower, Par, SolveError};
use nalgebra::DMatrix;

/// `[[1, 0, 0], [2, d, 0], [3, 4, 1]]`, with a chosen middle diagonal entry.
fn with_middle_diagonal(d: f64) -> CscLower {
    CscLower::try_from_triplets(3, &[1.0, d, 1.0], [(1, 0, 2.0), (2, 0, 3.0), (2, 1, 4.0)])
        .expect("valid structure")
}

/// Runs every solve entry point and checks that each reports `SingularDiagonal` at index 1
/// without touching its right-hand side.
fn assert_every_solve_rejects(l: &CscLower) {
    let b = [1.0, -2.0, 0.5];
    let block = DMatrix::from_fn(3, 4, |i, j| (i * 4 + j) as f64 - 5.0);

    let is_singular_at_1 =
        |r: Result<(), SolveError>| matches!(r, Err(SolveError::SingularDiagonal { index: 1, .. }));

    let mut x = b;
    assert!(is_singular_at_1(l.solve_lower_in_place(&mut x)));
    assert!(bitwise_equal(&x, &b));
    assert!(is_singular_at_1(l.solve_lower_transpose_in_place(&mut x)));
    assert!(bitwise_equal(&x, &b));

    let mut xs = block.clone();
    assert!(is_singular_at_1(l.solve_lower_in_place_multi(&mut xs)));
    assert!(is_singular_at_1(
        l.solve_lower_transpose_in_place_multi(&mut xs)
    ));
    assert!(is_singular_at_1(
        l.solve_lower_in_place_multi_par(&mut xs, Par::rayon(2))
    ));
    assert!(is_singular_at_1(
        l.solve_lower_transpose_in_place_multi_par(&mut xs, Par::rayon(2))
    ));
    assert!(bitwise_equal(xs.as_slice(), block.as_slice()));
}

#[test]
fn zero_diagonal_is_singular() {
    assert_every_solve_rejects(&with_middle_diagonal(0.0));
    assert_every_solve_rejects(&with_middle_diagonal(-0.0));
}

#[test]
fn nan_diagonal_is_singular() {
    let l = with_middle_diagonal(f64::NAN);
    assert_every_solve_rejects(&l);
    match l.check_diagonal() {
        Err(SolveError::SingularDiagonal { index, value }) => {
            assert_eq!(index, 1);
            assert!(value.is_nan());
        }
        other => panic!("expected SingularDiagonal, got {other:?}"),
    }
}

#[test]
fn infinite_and_subnormal_diagonals_are_singular() {
    for d in [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE / 4.0,
        -5e-324,
    ] {
        assert_every_solve_rejects(&with_middle_diagonal(d));
    }
}

#[test]
fn smallest_normal_diagonal_is_accepted() {
    let mut b = [1.0, 0.0, 0.0];
    with_middle_diagonal(f64::MIN_POSITIVE)
        .solve_lower_in_place(&mut b)
        .expect("normal diagonal is accepted");
}

#[test]
fn singular_diagonal_written_through_values_mut_is_caught() {
    let mut l = with_middle_diagonal(2.0);
    let start = l.col_offsets()[1];
    l.values_mut()[start] = 0.0;
    assert_every_solve_rejects(&l);
}

#[test]
fn error_messages_name_the_problem() {
    let err = with_middle_diagonal(0.0)
        .check_diagonal()
        .expect_err("singular");
    assert_eq!(
        err.to_string(),
        "diagonal entry 1 is 0e0, which is not a normal, nonzero finite number"
    );
}

#[test]
#[should_panic(expected = "right-hand side has length 4, but the matrix is 3 × 3")]
fn transpose_solve_with_wrong_length_panics() {
    let _ = with_middle_diagonal(1.0).solve_lower_transpose_in_place(&mut [0.0; 4]);
}

#[test]
#[should_panic(expected = "right-hand side block has 2 rows, but the matrix is 3 × 3")]
fn parallel_solve_with_wrong_rows_panics() {
    let _ = with_middle_diagonal(1.0)
        .solve_lower_in_place_multi_par(&mut DMatrix::zeros(2, 3), Par::rayon(2));
}

#[test]
fn dimension_check_comes_before_diagonal_check() {
    // A singular matrix and a wrong-length rhs: the broken precondition wins.
    let result = std::panic::catch_unwind(|| {
        let _ = with_middle_diagonal(0.0).solve_lower_in_place(&mut [0.0; 2]);
    });
    assert!(result.is_err());
}
