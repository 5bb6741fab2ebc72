//! Forward and backward substitution with a [`CscLower`].

use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::{CscLower, Par, SolveError};

impl CscLower {
    /// Solves `L x = b` in place by column-oriented forward substitution: on return `b` holds
    /// `x`.
    ///
    /// For $j = 0, 1, \dots, n - 1$: $x_j = b_j / L_{jj}$, then $b_i \leftarrow b_i - L_{ij} x_j$
    /// for every stored $i \gt j$ in column $j$. This is the same as
    /// $x_j = (b_j - \sum_{k \lt j} L_{jk} x_k) / L_{jj}$. Costs `O(nnz)` and allocates nothing.
    ///
    /// Non-finite off-diagonal values are not checked; they propagate into `x`.
    ///
    /// # Errors
    ///
    /// [`SolveError::SingularDiagonal`] if a diagonal entry is zero, subnormal or not finite
    /// (see [`check_diagonal`](Self::check_diagonal)). The check runs first, so `b` is unchanged
    /// on error.
    ///
    /// # Panics
    ///
    /// Panics if `b.len() != self.n()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    ///
    /// // [[2, 0], [1, 4]] x = [2, 9]  =>  x = [1, 2]
    /// let l = CscLower::try_from_triplets(2, &[2.0, 4.0], [(1, 0, 1.0)])?;
    /// let mut b = [2.0, 9.0];
    /// l.solve_lower_in_place(&mut b)?;
    /// assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] - 2.0).abs() < 1e-15);
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    #[track_caller]
    pub fn solve_lower_in_place(&self, b: &mut [f64]) -> Result<(), SolveError> {
        self.assert_rhs_len(b.len());
        self.check_diagonal()?;
        self.forward(b);
        Ok(())
    }

    /// Solves `Lᵀ x = b` in place by backward substitution, reading `L` by columns: on return
    /// `b` holds `x`.
    ///
    /// For $j = n - 1, \dots, 0$: $x_j = (b_j - \sum_{i \gt j} L_{ij} x_i) / L_{jj}$, where the
    /// sum runs over the stored entries of column $j$ in increasing row order. Costs `O(nnz)` and allocates
    /// nothing.
    ///
    /// Non-finite off-diagonal values are not checked; they propagate into `x`.
    ///
    /// # Errors
    ///
    /// [`SolveError::SingularDiagonal`] if a diagonal entry is zero, subnormal or not finite.
    /// The check runs first, so `b` is unchanged on error.
    ///
    /// # Panics
    ///
    /// Panics if `b.len() != self.n()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    ///
    /// // [[2, 1], [0, 4]] x = [4, 8]  =>  x = [1, 2]
    /// let l = CscLower::try_from_triplets(2, &[2.0, 4.0], [(1, 0, 1.0)])?;
    /// let mut b = [4.0, 8.0];
    /// l.solve_lower_transpose_in_place(&mut b)?;
    /// assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] - 2.0).abs() < 1e-15);
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    #[track_caller]
    pub fn solve_lower_transpose_in_place(&self, b: &mut [f64]) -> Result<(), SolveError> {
        self.assert_rhs_len(b.len());
        self.check_diagonal()?;
        self.backward(b);
        Ok(())
    }

    /// Solves `L X = B` in place for every column of the `n × m` block `b`, one after the
    /// other. Each column gets exactly the arithmetic of
    /// [`solve_lower_in_place`](Self::solve_lower_in_place).
    ///
    /// # Errors
    ///
    /// [`SolveError::SingularDiagonal`], checked before `b` is touched.
    ///
    /// # Panics
    ///
    /// Panics if `b.nrows() != self.n()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    /// use nalgebra::DMatrix;
    ///
    /// let l = CscLower::try_from_triplets(2, &[2.0, 4.0], [(1, 0, 1.0)])?;
    /// let mut b = DMatrix::from_row_slice(2, 2, &[2.0, 4.0,
    ///                                             9.0, 2.0]);
    /// l.solve_lower_in_place_multi(&mut b)?;
    /// let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0,
    ///                                         2.0, 0.0]);
    /// assert!((b - x).amax() < 1e-15);
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    #[track_caller]
    pub fn solve_lower_in_place_multi(&self, b: &mut DMatrix<f64>) -> Result<(), SolveError> {
        self.solve_lower_in_place_multi_par(b, Par::Seq)
    }

    /// Solves `Lᵀ X = B` in place for every column of the `n × m` block `b`, one after the
    /// other. Each column gets exactly the arithmetic of
    /// [`solve_lower_transpose_in_place`](Self::solve_lower_transpose_in_place).
    ///
    /// # Errors
    ///
    /// [`SolveError::SingularDiagonal`], checked before `b` is touched.
    ///
    /// # Panics
    ///
    /// Panics if `b.nrows() != self.n()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::CscLower;
    /// use nalgebra::DMatrix;
    ///
    /// let l = CscLower::try_from_triplets(2, &[2.0, 4.0], [(1, 0, 1.0)])?;
    /// let mut b = DMatrix::from_row_slice(2, 2, &[4.0, 2.0,
    ///                                             8.0, 0.0]);
    /// l.solve_lower_transpose_in_place_multi(&mut b)?;
    /// let x = DMatrix::from_row_slice(2, 2, &[1.0, 1.0,
    ///                                         2.0, 0.0]);
    /// assert!((b - x).amax() < 1e-15);
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    #[track_caller]
    pub fn solve_lower_transpose_in_place_multi(
        &self,
        b: &mut DMatrix<f64>,
    ) -> Result<(), SolveError> {
        self.solve_lower_transpose_in_place_multi_par(b, Par::Seq)
    }

    /// [`solve_lower_in_place_multi`](Self::solve_lower_in_place_multi), with the columns of
    /// `b` split into contiguous groups across at most `par.degree()` rayon tasks.
    ///
    /// The result is bit-for-bit the same for every `par`, because each column is still solved
    /// by the sequential forward substitution.
    ///
    /// # Errors
    ///
    /// [`SolveError::SingularDiagonal`], checked before `b` is touched.
    ///
    /// # Panics
    ///
    /// Panics if `b.nrows() != self.n()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::{CscLower, Par};
    /// use nalgebra::DMatrix;
    ///
    /// let l = CscLower::try_from_triplets(3, &[1.0, 2.0, 4.0], [(1, 0, 0.5), (2, 0, -1.0)])?;
    /// let b = DMatrix::from_fn(3, 16, |i, j| (i + j) as f64);
    /// let (mut seq, mut par) = (b.clone(), b);
    /// l.solve_lower_in_place_multi_par(&mut seq, Par::Seq)?;
    /// l.solve_lower_in_place_multi_par(&mut par, Par::rayon(0))?;
    /// assert!(seq.iter().zip(par.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    #[track_caller]
    pub fn solve_lower_in_place_multi_par(
        &self,
        b: &mut DMatrix<f64>,
        par: Par,
    ) -> Result<(), SolveError> {
        self.assert_rhs_rows(b.nrows());
        self.check_diagonal()?;
        self.for_each_column(b, par, |column| self.forward(column));
        Ok(())
    }

    /// [`solve_lower_transpose_in_place_multi`](Self::solve_lower_transpose_in_place_multi),
    /// with the columns of `b` split into contiguous groups across at most `par.degree()`
    /// rayon tasks.
    ///
    /// The result is bit-for-bit the same for every `par`, because each column is still solved
    /// by the sequential backward substitution.
    ///
    /// # Errors
    ///
    /// [`SolveError::SingularDiagonal`], checked before `b` is touched.
    ///
    /// # Panics
    ///
    /// Panics if `b.nrows() != self.n()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use fpsnn_trisolve::{CscLower, Par};
    /// use nalgebra::DMatrix;
    ///
    /// let l = CscLower::try_from_triplets(3, &[1.0, 2.0, 4.0], [(1, 0, 0.5), (2, 0, -1.0)])?;
    /// let b = DMatrix::from_fn(3, 16, |i, j| (i * j) as f64);
    /// let (mut seq, mut par) = (b.clone(), b);
    /// l.solve_lower_transpose_in_place_multi_par(&mut seq, Par::Seq)?;
    /// l.solve_lower_transpose_in_place_multi_par(&mut par, Par::rayon(3))?;
    /// assert!(seq.iter().zip(par.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
    /// # Ok::<(), fpsnn_trisolve::SolveError>(())
    /// ```
    #[track_caller]
    pub fn solve_lower_transpose_in_place_multi_par(
        &self,
        b: &mut DMatrix<f64>,
        par: Par,
    ) -> Result<(), SolveError> {
        self.assert_rhs_rows(b.nrows());
        self.check_diagonal()?;
        self.for_each_column(b, par, |column| self.backward(column));
        Ok(())
    }

    /// Forward substitution on one right-hand side; the diagonal has been checked.
    #[inline]
    fn forward(&self, b: &mut [f64]) {
        debug_assert_eq!(b.len(), self.n());
        for j in 0..self.n() {
            let (diagonal, rows, values) = self.split_column(j);
            let x_j = b[j] / diagonal;
            b[j] = x_j;
            for (&i, &l_ij) in rows.iter().zip(values) {
                debug_assert!(i > j, "entry ({i}, {j}) must be strictly lower");
                b[i] -= l_ij * x_j;
            }
        }
    }

    /// Backward substitution with `Lᵀ` on one right-hand side; the diagonal has been checked.
    #[inline]
    fn backward(&self, b: &mut [f64]) {
        debug_assert_eq!(b.len(), self.n());
        for j in (0..self.n()).rev() {
            let (diagonal, rows, values) = self.split_column(j);
            let mut sum = b[j];
            for (&i, &l_ij) in rows.iter().zip(values) {
                debug_assert!(i > j, "entry ({i}, {j}) must be strictly lower");
                sum -= l_ij * b[i];
            }
            b[j] = sum / diagonal;
        }
    }

    /// Applies `solve` to every column of `b` (contiguous, since nalgebra is column-major),
    /// sequentially or in contiguous groups of columns on rayon tasks.
    fn for_each_column<F>(&self, b: &mut DMatrix<f64>, par: Par, solve: F)
    where
        F: Fn(&mut [f64]) + Sync,
    {
        let (n, m) = b.shape();
        if n == 0 || m == 0 {
            return;
        }
        let data = b.as_mut_slice();
        let tasks = par.degree().min(m);
        if tasks <= 1 {
            data.chunks_exact_mut(n).for_each(solve);
        } else {
            let columns_per_task = m.div_ceil(tasks);
            data.par_chunks_mut(n * columns_per_task)
                .for_each(|group| group.chunks_exact_mut(n).for_each(&solve));
        }
    }

    #[inline]
    #[track_caller]
    fn assert_rhs_len(&self, len: usize) {
        assert!(
            len == self.n(),
            "right-hand side has length {len}, but the matrix is {n} × {n}",
            n = self.n()
        );
    }

    #[inline]
    #[track_caller]
    fn assert_rhs_rows(&self, rows: usize) {
        assert!(
            rows == self.n(),
            "right-hand side block has {rows} rows, but the matrix is {n} × {n}",
            n = self.n()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-14)
    }

    /// [[2, 0, 0], [1, 1, 0], [0, -1, 4]]; every step of both solves below is exact.
    fn example() -> CscLower {
        CscLower::try_from_triplets(3, &[2.0, 1.0, 4.0], [(1, 0, 1.0), (2, 1, -1.0)])
            .expect("valid triplets")
    }

    #[test]
    fn forward_solves_small_system() {
        let mut b = [2.0, 3.0, 10.0];
        example().solve_lower_in_place(&mut b).expect("nonsingular");
        assert!(close(&b, &[1.0, 2.0, 3.0]));
    }

    #[test]
    fn backward_solves_small_transposed_system() {
        let mut b = [4.0, -1.0, 12.0];
        example()
            .solve_lower_transpose_in_place(&mut b)
            .expect("nonsingular");
        assert!(close(&b, &[1.0, 2.0, 3.0]));
    }

    #[test]
    fn more_tasks_than_columns_is_fine() {
        let l = example();
        let mut b = DMatrix::from_column_slice(3, 1, &[2.0, 3.0, 10.0]);
        l.solve_lower_in_place_multi_par(&mut b, Par::rayon(64))
            .expect("nonsingular");
        assert!(close(b.as_slice(), &[1.0, 2.0, 3.0]));
    }

    #[test]
    fn empty_blocks_are_no_ops() {
        let l = example();
        let mut b = DMatrix::<f64>::zeros(3, 0);
        l.solve_lower_in_place_multi_par(&mut b, Par::rayon(2))
            .expect("nonsingular");
        let empty = CscLower::from_diagonal(&[]);
        let mut b = DMatrix::<f64>::zeros(0, 5);
        empty
            .solve_lower_transpose_in_place_multi(&mut b)
            .expect("nothing to check");
        empty
            .solve_lower_in_place(&mut [])
            .expect("nothing to check");
    }

    #[test]
    #[should_panic(expected = "right-hand side has length 2")]
    fn wrong_rhs_length_panics() {
        let _ = example().solve_lower_in_place(&mut [1.0, 2.0]);
    }

    #[test]
    #[should_panic(expected = "right-hand side block has 4 rows")]
    fn wrong_rhs_rows_panics() {
        let _ = example().solve_lower_transpose_in_place_multi(&mut DMatrix::zeros(4, 2));
    }
}
