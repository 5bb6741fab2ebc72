//! The sparse lower-triangular matrix type, [`CscLower`].

use nalgebra::DMatrix;

use crate::SolveError;

/// An `n × n` lower-triangular sparse matrix in compressed sparse column (CSC) form, with the
/// diagonal stored first in each column.
///
/// Column `j` occupies the half-open range `col_offsets[j]..col_offsets[j + 1]` of `row_indices`
/// and `values`. Its first entry is the diagonal `L_jj` (row `j`), followed by the strictly lower
/// entries `L_ij`, `i > j`, in strictly increasing row order. Every column therefore stores at
/// least its diagonal, and `nnz() >= n()`.
///
/// Keeping the diagonal first means the solves never search for it (the layout of faer's sparse
/// triangular solve). Keeping the rows sorted and unique makes the representation canonical, so
/// results depend only on the matrix, not on how it was assembled.
///
/// The constructors check the structure once; the diagonal *values* are checked by every solve,
/// because [`values_mut`](Self::values_mut) may change them in between.
///
/// # Examples
///
/// ```
/// use fpsnn_trisolve::CscLower;
///
/// // L = [ 2  0  0 ]
/// //     [ 1  1  0 ]
/// //     [ 0 -1  4 ]
/// let l = CscLower::try_from_parts(
///     3,
///     vec![0, 2, 4, 5],
///     vec![0, 1, 1, 2, 2],
///     vec![2.0, 1.0, 1.0, -1.0, 4.0],
/// )?;
/// assert_eq!(l.n(), 3);
/// assert_eq!(l.nnz(), 5);
/// assert_eq!(l.column(1).0, &[2]);
/// # Ok::<(), fpsnn_trisolve::SolveError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CscLower {
    n: usize,
    col_offsets: Vec<usize>,
    row_indices: Vec<usize>,
    values: Vec<f64>,
}

impl CscLower {
    /// Builds the matrix from raw CSC arrays, checking the structure.
    ///
    /// `col_offsets` has `n + 1` entries, starts at 0, never decreases and ends at
    /// `row_indices.len()`. In each column the first stored row is the column index itself (the
    /// diagonal), and the remaining rows are in bounds, strictly greater than the column index
    /// and strictly increasing. `values` is parallel to `row_indices`.
    ///
    /// The values are not checked here; a singular diagonal is reported by the solves.
    ///
    /// # Errors
    ///
    /// - [`SolveError::OffsetsLength`] if `col_offsets.len() != n + 1`;
    /// - [`SolveError::ValuesLength`] if `values.len() != row_indices.len()`;
    /// - [`SolveError::OffsetsBounds`] if the offsets do not run from 0 to `row_indices.len()`;
    /// - [`SolveError::OffsetsDecreasing`] if an offset is smaller than the one before it;
    /// - [`SolveError::MissingDiagonal`] if a column is empty or does not start with its diagonal;
    /// - [`SolveError::RowOutOfBounds`], [`SolveError::NotStrictlyLower`] or
    ///   [`SolveError::UnsortedRows`] for a bad off-diagonal row index.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::{CscLower, SolveError};
    ///
    /// // The 2 × 2 matrix [[1, 0], [3, 2]].
    /// let l = CscLower::try_from_parts(2, vec![0, 2, 3], vec![0, 1, 1], vec![1.0, 3.0, 2.0])?;
    /// assert_eq!(l.nnz(), 3);
    ///
    /// // Column 1 starts with row 0 instead of its diagonal.
    /// let err = CscLower::try_from_parts(2, vec![0, 1, 2], vec![0, 0], vec![1.0, 2.0]);
    /// assert_eq!(err, Err(SolveError::MissingDiagonal { column: 1, first_row: Some(0) }));
    /// # Ok::<(), SolveError>(())
    /// ```
    pub fn try_from_parts(
        n: usize,
        col_offsets: Vec<usize>,
        row_indices: Vec<usize>,
        values: Vec<f64>,
    ) -> Result<Self, SolveError> {
        let expected = n.checked_add(1).ok_or(SolveError::OffsetsLength {
            expected: usize::MAX,
            actual: col_offsets.len(),
        })?;
        if col_offsets.len() != expected {
            return Err(SolveError::OffsetsLength {
                expected,
                actual: col_offsets.len(),
            });
        }
        if values.len() != row_indices.len() {
            return Err(SolveError::ValuesLength {
                row_indices: row_indices.len(),
                values: values.len(),
            });
        }
        let nnz = row_indices.len();
        let (first, last) = (col_offsets[0], col_offsets[n]);
        if first != 0 || last != nnz {
            return Err(SolveError::OffsetsBounds { first, last, nnz });
        }
        // Check monotonicity for all columns before slicing any of them, so that every
        // `start..end` below lies inside `0..nnz`.
        for (column, w) in col_offsets.windows(2).enumerate() {
            if w[0] > w[1] {
                return Err(SolveError::OffsetsDecreasing {
                    column,
                    start: w[0],
                    end: w[1],
                });
            }
        }
        for (column, w) in col_offsets.windows(2).enumerate() {
            let rows = &row_indices[w[0]..w[1]];
            match rows.first() {
                Some(&row) if row == column => {}
                first_row => {
                    return Err(SolveError::MissingDiagonal {
                        column,
                        first_row: first_row.copied(),
                    });
                }
            }
            let mut previous = column;
            for &row in &rows[1..] {
                if row >= n {
                    return Err(SolveError::RowOutOfBounds { row, column, n });
                }
                if row <= column {
                    return Err(SolveError::NotStrictlyLower { row, column });
                }
                if row <= previous {
                    return Err(SolveError::UnsortedRows {
                        column,
                        row,
                        previous,
                    });
                }
                previous = row;
            }
        }
        Ok(Self {
            n,
            col_offsets,
            row_indices,
            values,
        })
    }

    /// Builds the matrix from its diagonal and a list of strictly lower `(row, column, value)`
    /// entries in any order.
    ///
    /// Entries are sorted into columns by increasing row. Duplicate `(row, column)` pairs are
    /// summed, in the order they were given. Explicit zeros are kept (they are structural).
    ///
    /// # Errors
    ///
    /// - [`SolveError::DiagonalLength`] if `diagonal.len() != n`;
    /// - [`SolveError::ColumnOutOfBounds`] or [`SolveError::RowOutOfBounds`] if an index is
    ///   `>= n`;
    /// - [`SolveError::NotStrictlyLower`] if an entry has `row <= column` (the diagonal goes in
    ///   `diagonal`, not in `off_diagonal`).
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    ///
    /// // L = [ 2  0  0 ]
    /// //     [ 1  1  0 ]
    /// //     [ 0 -1  4 ]
    /// let l = CscLower::try_from_triplets(
    ///     3,
    ///     &[2.0, 1.0, 4.0],
    ///     [(2, 1, -0.5), (1, 0, 1.0), (2, 1, -0.5)], // the two (2, 1) entries are summed
    /// )?;
    /// assert_eq!(l.col_offsets(), &[0, 2, 4, 5]);
    /// assert_eq!(l.row_indices(), &[0, 1, 1, 2, 2]);
    /// assert_eq!(l.column(1), (&[2][..], &[-1.0][..]));
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    pub fn try_from_triplets<I>(
        n: usize,
        diagonal: &[f64],
        off_diagonal: I,
    ) -> Result<Self, SolveError>
    where
        I: IntoIterator<Item = (usize, usize, f64)>,
    {
        if diagonal.len() != n {
            return Err(SolveError::DiagonalLength {
                expected: n,
                actual: diagonal.len(),
            });
        }
        let off_diagonal = off_diagonal.into_iter();
        let mut entries = Vec::with_capacity(off_diagonal.size_hint().0);
        for (row, column, value) in off_diagonal {
            if column >= n {
                return Err(SolveError::ColumnOutOfBounds { column, n });
            }
            if row >= n {
                return Err(SolveError::RowOutOfBounds { row, column, n });
            }
            if row <= column {
                return Err(SolveError::NotStrictlyLower { row, column });
            }
            entries.push((column, row, value));
        }
        // Stable, so duplicates are summed in input order.
        entries.sort_by_key(|&(column, row, _)| (column, row));

        let mut col_offsets = Vec::with_capacity(n + 1);
        let mut row_indices = Vec::with_capacity(n + entries.len());
        let mut values = Vec::with_capacity(n + entries.len());
        let mut rest = entries.as_slice();
        for (column, &d) in diagonal.iter().enumerate() {
            col_offsets.push(row_indices.len());
            row_indices.push(column);
            values.push(d);
            let len = rest.iter().take_while(|e| e.0 == column).count();
            let (here, tail) = rest.split_at(len);
            rest = tail;
            for &(_, row, value) in here {
                if row_indices.last() == Some(&row) {
                    // `row > column`, so this is a duplicate off-diagonal entry, never the diagonal.
                    *values
                        .last_mut()
                        .expect("row_indices and values have equal length") += value;
                } else {
                    row_indices.push(row);
                    values.push(value);
                }
            }
        }
        col_offsets.push(row_indices.len());
        debug_assert!(rest.is_empty());
        Ok(Self {
            n,
            col_offsets,
            row_indices,
            values,
        })
    }

    /// Builds a diagonal matrix (no strictly lower entries).
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    ///
    /// let l = CscLower::from_diagonal(&[1.0, 2.0]);
    /// assert_eq!((l.n(), l.nnz()), (2, 2));
    /// ```
    #[must_use]
    pub fn from_diagonal(diagonal: &[f64]) -> Self {
        let n = diagonal.len();
        Self {
            n,
            col_offsets: (0..=n).collect(),
            row_indices: (0..n).collect(),
            values: diagonal.to_vec(),
        }
    }

    /// The dimension `n` of the `n × n` matrix.
    #[must_use]
    #[inline]
    pub fn n(&self) -> usize {
        self.n
    }

    /// The number of stored entries, diagonal included (so `nnz() >= n()`).
    #[must_use]
    #[inline]
    pub fn nnz(&self) -> usize {
        self.row_indices.len()
    }

    /// The diagonal entry `L_jj`.
    ///
    /// # Panics
    ///
    /// Panics if `j >= n()`.
    #[must_use]
    #[inline]
    #[track_caller]
    pub fn diagonal(&self, j: usize) -> f64 {
        assert!(
            j < self.n,
            "diagonal index {j} out of bounds for n = {}",
            self.n
        );
        self.values[self.col_offsets[j]]
    }

    /// The strictly lower part of column `j`: row indices (strictly increasing, all `> j`) and
    /// the matching values.
    ///
    /// # Panics
    ///
    /// Panics if `j >= n()`.
    #[must_use]
    #[inline]
    #[track_caller]
    pub fn column(&self, j: usize) -> (&[usize], &[f64]) {
        assert!(
            j < self.n,
            "column index {j} out of bounds for n = {}",
            self.n
        );
        let range = self.col_offsets[j] + 1..self.col_offsets[j + 1];
        (&self.row_indices[range.clone()], &self.values[range])
    }

    /// The column offsets (`n + 1` entries).
    #[must_use]
    #[inline]
    pub fn col_offsets(&self) -> &[usize] {
        &self.col_offsets
    }

    /// The row index of every stored entry, column by column, diagonal first.
    #[must_use]
    #[inline]
    pub fn row_indices(&self) -> &[usize] {
        &self.row_indices
    }

    /// The value of every stored entry, parallel to [`row_indices`](Self::row_indices).
    #[must_use]
    #[inline]
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Mutable access to the stored values, for refilling a matrix whose structure is fixed.
    ///
    /// The structure cannot change through this slice, so the invariants hold; a singular
    /// diagonal written here is reported by the next solve.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    ///
    /// let mut l = CscLower::from_diagonal(&[1.0, 2.0]);
    /// l.values_mut()[1] = 5.0;
    /// assert_eq!(l.diagonal(1), 5.0);
    /// ```
    #[must_use]
    #[inline]
    pub fn values_mut(&mut self) -> &mut [f64] {
        &mut self.values
    }

    /// Splits the matrix into `(n, col_offsets, row_indices, values)`, the inverse of
    /// [`try_from_parts`](Self::try_from_parts).
    #[must_use]
    pub fn into_parts(self) -> (usize, Vec<usize>, Vec<usize>, Vec<f64>) {
        (self.n, self.col_offsets, self.row_indices, self.values)
    }

    /// The matrix as a dense `n × n` nalgebra matrix (zeros above the diagonal).
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    ///
    /// let l = CscLower::try_from_triplets(2, &[1.0, 2.0], [(1, 0, 3.0)])?;
    /// let dense = nalgebra::DMatrix::from_row_slice(2, 2, &[1.0, 0.0,
    ///                                                     3.0, 2.0]);
    /// assert_eq!(l.to_dense(), dense);
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    #[must_use]
    pub fn to_dense(&self) -> DMatrix<f64> {
        let mut dense = DMatrix::zeros(self.n, self.n);
        for (j, w) in self.col_offsets.windows(2).enumerate() {
            for k in w[0]..w[1] {
                dense[(self.row_indices[k], j)] = self.values[k];
            }
        }
        dense
    }

    /// Checks that every diagonal entry is a normal floating-point number: nonzero, not
    /// subnormal, finite and not NaN (see [`f64::is_normal`]). Every solve runs this check
    /// before it touches its right-hand side.
    ///
    /// # Errors
    ///
    /// [`SolveError::SingularDiagonal`] for the first diagonal entry that fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::{CscLower, SolveError};
    ///
    /// assert!(CscLower::from_diagonal(&[1.0, -3.0]).check_diagonal().is_ok());
    /// assert!(matches!(
    ///     CscLower::from_diagonal(&[1.0, 0.0]).check_diagonal(),
    ///     Err(SolveError::SingularDiagonal { index: 1, .. })
    /// ));
    /// ```
    pub fn check_diagonal(&self) -> Result<(), SolveError> {
        for (index, &start) in self.col_offsets[..self.n].iter().enumerate() {
            let value = self.values[start];
            if !value.is_normal() {
                return Err(SolveError::SingularDiagonal { index, value });
            }
        }
        Ok(())
    }

    /// Column `j` as `(diagonal, strictly lower rows, strictly lower values)`, for the solves.
    #[inline]
    pub(crate) fn split_column(&self, j: usize) -> (f64, &[usize], &[f64]) {
        let (start, end) = (self.col_offsets[j], self.col_offsets[j + 1]);
        debug_assert!(start < end, "column {j} must store its diagonal");
        debug_assert_eq!(self.row_indices[start], j, "diagonal must come first");
        (
            self.values[start],
            &self.row_indices[start + 1..end],
            &self.values[start + 1..end],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> CscLower {
        CscLower::try_from_parts(
            3,
            vec![0, 2, 4, 5],
            vec![0, 1, 1, 2, 2],
            vec![2.0, 1.0, 1.0, -1.0, 4.0],
        )
        .expect("valid structure")
    }

    #[test]
    fn triplets_and_parts_agree() {
        let from_triplets =
            CscLower::try_from_triplets(3, &[2.0, 1.0, 4.0], [(2, 1, -1.0), (1, 0, 1.0)])
                .expect("valid triplets");
        assert_eq!(from_triplets, example());
    }

    #[test]
    fn accessors_report_structure() {
        let l = example();
        assert_eq!(l.n(), 3);
        assert_eq!(l.nnz(), 5);
        assert_eq!(l.diagonal(2).to_bits(), 4.0_f64.to_bits());
        assert_eq!(l.column(0), (&[1][..], &[1.0][..]));
        assert_eq!(l.column(2), (&[][..], &[][..]));
        let (d, rows, vals) = l.split_column(1);
        assert_eq!(
            (d.to_bits(), rows, vals),
            (1.0_f64.to_bits(), &[2][..], &[-1.0][..])
        );
    }

    #[test]
    fn empty_matrix_is_valid() {
        let l = CscLower::try_from_parts(0, vec![0], vec![], vec![]).expect("0 × 0 is valid");
        assert_eq!((l.n(), l.nnz()), (0, 0));
        assert!(l.check_diagonal().is_ok());
        assert_eq!(l.to_dense().shape(), (0, 0));
    }

    #[test]
    fn into_parts_round_trips() {
        let l = example();
        let (n, o, r, v) = l.clone().into_parts();
        assert_eq!(CscLower::try_from_parts(n, o, r, v), Ok(l));
    }

    #[test]
    fn diagonal_check_rejects_subnormal_and_infinite() {
        for bad in [0.0, -0.0, f64::MIN_POSITIVE / 2.0, f64::INFINITY, f64::NAN] {
            let l = CscLower::from_diagonal(&[1.0, bad]);
            assert!(matches!(
                l.check_diagonal(),
                Err(SolveError::SingularDiagonal { index: 1, .. })
            ));
        }
        assert!(
            CscLower::from_diagonal(&[f64::MIN_POSITIVE, -f64::MAX])
                .check_diagonal()
                .is_ok()
        );
    }

    #[test]
    #[should_panic(expected = "out of bounds")]
    fn column_out_of_bounds_panics() {
        let _ = example().column(3);
    }
}
