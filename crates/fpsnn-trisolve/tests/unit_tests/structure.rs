//! Construction: the two constructors agree with dense assembly, and bad structure is a typed
//! error.

use super::{MAX_N, OffDiagonal, lower_triangular};
use fpsnn_trisolve::{CscLower, SolveError};
use nalgebra::DMatrix;
use proptest::prelude::*;

/// Raw CSC parts of the lower triangle of `dense`, diagonal first, zeros below it dropped.
fn parts_from_dense(dense: &DMatrix<f64>) -> Parts {
    let n = dense.nrows();
    let mut offsets = vec![0];
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for j in 0..n {
        rows.push(j);
        values.push(dense[(j, j)]);
        for i in j + 1..n {
            if dense[(i, j)] != 0.0 {
                rows.push(i);
                values.push(dense[(i, j)]);
            }
        }
        offsets.push(rows.len());
    }
    (n, offsets, rows, values)
}

/// Strictly lower triplets for an `n × n` matrix, possibly repeated, in random order.
fn shuffled_triplets() -> impl Strategy<Value = (usize, Vec<(usize, usize, f64)>)> {
    (1..=MAX_N).prop_flat_map(|n| {
        let entry = (1..n.max(2)).prop_flat_map(move |i| (Just(i), 0..i, -1.0..=1.0_f64));
        let entries = if n < 2 {
            Just(Vec::new()).boxed()
        } else {
            proptest::collection::vec(entry, 0..3 * n).boxed()
        };
        (Just(n), entries.prop_shuffle())
    })
}

proptest! {
    #[test]
    fn triplets_assemble_like_dense((n, triplets) in shuffled_triplets()) {
        let diagonal: Vec<f64> = (0..n).map(|j| 1.0 + j as f64).collect();
        let mut dense = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(diagonal.clone()));
        for &(i, j, v) in &triplets {
            dense[(i, j)] += v; // the same input order as the constructor's summation
        }
        let l = CscLower::try_from_triplets(n, &diagonal, triplets.iter().copied())
            .expect("valid triplets");
        prop_assert_eq!(l.to_dense(), dense);
        for j in 0..n {
            let (rows, values) = l.column(j);
            prop_assert_eq!(rows.len(), values.len());
            prop_assert!(rows.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(rows.iter().all(|&i| i > j && i < n));
        }
    }

    #[test]
    fn parts_round_trip_through_dense(l in lower_triangular(MAX_N, OffDiagonal::Wild)) {
        let dense = l.to_dense();
        prop_assert!(dense.upper_triangle() == DMatrix::from_diagonal(&dense.diagonal()));
        let (n, offsets, rows, values) = parts_from_dense(&dense);
        let rebuilt = CscLower::try_from_parts(n, offsets, rows, values).expect("valid parts");
        prop_assert_eq!(rebuilt.to_dense(), dense);
        prop_assert!(rebuilt.nnz() <= l.nnz()); // explicit zeros from the generator are dropped
    }
}

#[test]
fn try_from_parts_reports_each_structural_error() {
    let v = |k: usize| vec![1.0; k];
    let cases: Vec<(Parts, SolveError)> = vec![
        (
            (2, vec![0, 1], vec![0], v(1)),
            SolveError::OffsetsLength {
                expected: 3,
                actual: 2,
            },
        ),
        (
            (2, vec![0, 1, 2], vec![0, 1], v(3)),
            SolveError::ValuesLength {
                row_indices: 2,
                values: 3,
            },
        ),
        (
            (2, vec![1, 1, 2], vec![0, 1], v(2)),
            SolveError::OffsetsBounds {
                first: 1,
                last: 2,
                nnz: 2,
            },
        ),
        (
            (2, vec![0, 1, 3], vec![0, 1], v(2)),
            SolveError::OffsetsBounds {
                first: 0,
                last: 3,
                nnz: 2,
            },
        ),
        (
            (3, vec![0, 3, 1, 3], vec![0, 1, 1], v(3)),
            SolveError::OffsetsDecreasing {
                column: 1,
                start: 3,
                end: 1,
            },
        ),
        (
            (2, vec![0, 1, 1], vec![0], v(1)),
            SolveError::MissingDiagonal {
                column: 1,
                first_row: None,
            },
        ),
        (
            (2, vec![0, 2, 3], vec![1, 0, 1], v(3)),
            SolveError::MissingDiagonal {
                column: 0,
                first_row: Some(1),
            },
        ),
        (
            (2, vec![0, 2, 3], vec![0, 2, 1], v(3)),
            SolveError::RowOutOfBounds {
                row: 2,
                column: 0,
                n: 2,
            },
        ),
        (
            (2, vec![0, 1, 3], vec![0, 1, 0], v(3)),
            SolveError::NotStrictlyLower { row: 0, column: 1 },
        ),
        (
            (2, vec![0, 1, 3], vec![0, 1, 1], v(3)),
            SolveError::NotStrictlyLower { row: 1, column: 1 },
        ),
        (
            (3, vec![0, 3, 4, 5], vec![0, 2, 1, 1, 2], v(5)),
            SolveError::UnsortedRows {
                column: 0,
                row: 1,
                previous: 2,
            },
        ),
        (
            (3, vec![0, 3, 4, 5], vec![0, 2, 2, 1, 2], v(5)),
            SolveError::UnsortedRows {
                column: 0,
                row: 2,
                previous: 2,
            },
        ),
    ];
    for ((n, offsets, rows, values), expected) in cases {
        assert_eq!(
            CscLower::try_from_parts(n, offsets, rows, values),
            Err(expected)
        );
    }
}

/// The arguments of `CscLower::try_from_parts`: `(n, col_offsets, row_indices, values)`.
type Parts = (usize, Vec<usize>, Vec<usize>, Vec<f64>);

#[test]
fn try_from_triplets_reports_each_structural_error() {
    assert_eq!(
        CscLower::try_from_triplets(3, &[1.0; 2], []),
        Err(SolveError::DiagonalLength {
            expected: 3,
            actual: 2
        })
    );
    assert_eq!(
        CscLower::try_from_triplets(3, &[1.0; 3], [(4, 3, 1.0)]),
        Err(SolveError::ColumnOutOfBounds { column: 3, n: 3 })
    );
    assert_eq!(
        CscLower::try_from_triplets(3, &[1.0; 3], [(3, 1, 1.0)]),
        Err(SolveError::RowOutOfBounds {
            row: 3,
            column: 1,
            n: 3
        })
    );
    assert_eq!(
        CscLower::try_from_triplets(3, &[1.0; 3], [(2, 1, 1.0), (1, 1, 1.0)]),
        Err(SolveError::NotStrictlyLower { row: 1, column: 1 })
    );
    assert_eq!(
        CscLower::try_from_triplets(3, &[1.0; 3], [(0, 2, 1.0)]),
        Err(SolveError::NotStrictlyLower { row: 0, column: 2 })
    );
}

#[test]
fn explicit_zeros_are_kept_as_structure() {
    let l = CscLower::try_from_triplets(2, &[1.0, 1.0], [(1, 0, 0.0)]).expect("valid");
    assert_eq!(l.nnz(), 3);
    assert_eq!(l.column(0).0, &[1]);
}
