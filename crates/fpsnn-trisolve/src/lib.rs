//! Sparse lower-triangular solves, plain and transposed, for a CSC matrix that stores its
//! diagonal first in each column.
//!
//! The crate knows nothing about spikes: it takes an `n × n` lower-triangular matrix `L`
//! ([`CscLower`]) and right-hand sides, and overwrites them with the solutions.
//!
//! # Maths
//! $L x = b$ is solved by forward substitution and $L^{T} x = b$ by backward substitution:
//!
//! $$
//! \begin{aligned}
//! L x &= b: & x_j &= \frac{1}{L_{jj}} \Bigl(b_j - \sum_{k \lt j} L_{jk} x_k\Bigr)
//!     & &\text{for } j = 0, 1, \dots, n - 1, \cr
//! L^{T} x &= b: & x_j &= \frac{1}{L_{jj}} \Bigl(b_j - \sum_{i \gt j} L_{ij} x_i\Bigr)
//!     & &\text{for } j = n - 1, \dots, 1, 0.
//! \end{aligned}
//! $$
//!
//! Both read $L$ one column at a time, which is what CSC storage gives cheaply. The forward
//! solve is column-oriented: once $x_j$ is known, column $j$ is scattered into the remaining
//! right-hand side ($b_i \leftarrow b_i - L_{ij} x_j$ for $i \gt j$). The backward solve
//! gathers column $j$, which is row $j$ of $L^{T}$, into a dot product. Each costs `O(nnz)` flops and neither
//! allocates.
//!
//! # Storage and invariants
//! Column $j$ stores $L_{jj}$ first, then the strictly lower entries in strictly increasing row
//! order, so the solves never search for the diagonal (the layout of faer's sparse triangular
//! solve). [`CscLower::try_from_parts`] checks this once; [`CscLower::try_from_triplets`]
//! arranges unordered entries into it.
//!
//! # Errors and panics
//! A diagonal entry that is zero, subnormal, infinite or NaN is a property of the data and is
//! returned as [`SolveError::SingularDiagonal`]; every solve checks the whole diagonal before
//! it writes anything, so the right-hand side is unchanged on error. A right-hand side of the
//! wrong length is a programming error and panics.
//!
//! # Parallelism
//! The multi-right-hand-side solves have `_par` variants that take an explicit [`Par`] and
//! split the columns across rayon tasks. Each column is still solved by the same sequential
//! code, so results are bit-for-bit independent of the thread count.
//!
//! # Example
//!
//! ```
//! use fpsnn_trisolve::CscLower;
//!
//! // L = [ 2  0  0 ]
//! //     [ 1  1  0 ]
//! //     [ 0 -1  4 ]
//! let l = CscLower::try_from_triplets(3, &[2.0, 1.0, 4.0], [(1, 0, 1.0), (2, 1, -1.0)])?;
//!
//! // L x = [2, 3, 10]  =>  x = [1, 2, 3]
//! let mut b = [2.0, 3.0, 10.0];
//! l.solve_lower_in_place(&mut b)?;
//! assert!(b.iter().zip([1.0, 2.0, 3.0]).all(|(x, y)| (x - y).abs() < 1e-14));
//!
//! // Lᵀ x = [4, -1, 12]  =>  x = [1, 2, 3]
//! let mut c = [4.0, -1.0, 12.0];
//! l.solve_lower_transpose_in_place(&mut c)?;
//! assert!(c.iter().zip([1.0, 2.0, 3.0]).all(|(x, y)| (x - y).abs() < 1e-14));
//! # Ok::<(), fpsnn_trisolve::SolveError>(())
//! ```

mod error;
mod matrix;
mod par;
mod solve;

pub use error::SolveError;
pub use matrix::CscLower;
pub use par::Par;

#[cfg(test)]
mod autotraits {
    use super::*;

    fn is_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        is_send_sync::<CscLower>();
        is_send_sync::<SolveError>();
        is_send_sync::<Par>();
    }
}
