//! The crate's error type.

use thiserror::Error;

/// Everything that can go wrong when building a [`CscLower`](crate::CscLower) or solving with it.
///
/// Structural variants come from the constructors ([`CscLower::try_from_parts`],
/// [`CscLower::try_from_triplets`]); [`SolveError::SingularDiagonal`] comes from the solves.
/// Broken preconditions of the solves (a right-hand side of the wrong length) panic instead.
///
/// [`CscLower::try_from_parts`]: crate::CscLower::try_from_parts
/// [`CscLower::try_from_triplets`]: crate::CscLower::try_from_triplets
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SolveError {
    /// A diagonal entry is zero, subnormal, infinite or NaN, so dividing by it would not give a
    /// meaningful finite result (see [`f64::is_normal`]).
    #[error("diagonal entry {index} is {value:e}, which is not a normal, nonzero finite number")]
    SingularDiagonal {
        /// Row and column of the offending diagonal entry.
        index: usize,
        /// Its stored value.
        value: f64,
    },

    /// `col_offsets` does not have `n + 1` entries.
    #[error("expected {expected} column offsets (n + 1), got {actual}")]
    OffsetsLength {
        /// `n + 1`.
        expected: usize,
        /// The length that was passed.
        actual: usize,
    },

    /// `col_offsets` does not start at 0 or does not end at the number of stored entries.
    #[error("column offsets run from {first} to {last}, expected 0 to nnz = {nnz}")]
    OffsetsBounds {
        /// `col_offsets[0]`.
        first: usize,
        /// `col_offsets[n]`.
        last: usize,
        /// Number of stored entries (the length of `row_indices`).
        nnz: usize,
    },

    /// `col_offsets` decreases: column `column` would end before it starts.
    #[error("column {column} has offsets {start}..{end}, which decrease")]
    OffsetsDecreasing {
        /// The column.
        column: usize,
        /// `col_offsets[column]`.
        start: usize,
        /// `col_offsets[column + 1]`.
        end: usize,
    },

    /// `row_indices` and `values` have different lengths.
    #[error("row_indices has {row_indices} entries but values has {values}")]
    ValuesLength {
        /// Length of `row_indices`.
        row_indices: usize,
        /// Length of `values`.
        values: usize,
    },

    /// `diagonal` does not have `n` entries.
    #[error("expected {expected} diagonal entries, got {actual}")]
    DiagonalLength {
        /// `n`.
        expected: usize,
        /// The length that was passed.
        actual: usize,
    },

    /// A column is empty or its first stored entry is not on the diagonal.
    #[error("column {column} does not store its diagonal first (first stored row: {first_row:?})")]
    MissingDiagonal {
        /// The column.
        column: usize,
        /// The row of its first stored entry, or `None` if the column is empty.
        first_row: Option<usize>,
    },

    /// A column index is `>= n`.
    #[error("column index {column} is out of bounds for n = {n}")]
    ColumnOutOfBounds {
        /// The offending column index.
        column: usize,
        /// The matrix dimension.
        n: usize,
    },

    /// A row index is `>= n`.
    #[error("row index {row} in column {column} is out of bounds for n = {n}")]
    RowOutOfBounds {
        /// The offending row index.
        row: usize,
        /// The column it was stored in.
        column: usize,
        /// The matrix dimension.
        n: usize,
    },

    /// An off-diagonal entry is on or above the diagonal (`row <= column`).
    #[error("off-diagonal entry ({row}, {column}) is not strictly below the diagonal")]
    NotStrictlyLower {
        /// The entry's row.
        row: usize,
        /// The entry's column.
        column: usize,
    },

    /// The strictly lower entries of a column are not in strictly increasing row order (this
    /// includes duplicates).
    #[error(
        "column {column}: row {row} follows row {previous}; off-diagonal rows must be strictly increasing"
    )]
    UnsortedRows {
        /// The column.
        column: usize,
        /// The row that broke the order.
        row: usize,
        /// The row stored just before it.
        previous: usize,
    },
}
