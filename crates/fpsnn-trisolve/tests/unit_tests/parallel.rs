//! The parallel multi-rhs solves give bit-identical results for every degree of parallelism.

use super::{MAX_N, OffDiagonal, bitwise_equal, with_rhs_block};
use fpsnn_trisolve::{CscLower, Par};
use nalgebra::DMatrix;
use proptest::prelude::*;

proptest! {
    #[test]
    fn parallel_multi_rhs_equals_sequential_bitwise(
        (l, b) in with_rhs_block(MAX_N, 24, OffDiagonal::Wild),
        tasks in 0_usize..=9,
    ) {
        let mut seq_forward = b.clone();
        l.solve_lower_in_place_multi_par(&mut seq_forward, Par::Seq).expect("nonsingular");
        let mut seq_backward = b.clone();
        l.solve_lower_transpose_in_place_multi_par(&mut seq_backward, Par::Seq)
            .expect("nonsingular");

        let mut par_forward = b.clone();
        l.solve_lower_in_place_multi_par(&mut par_forward, Par::rayon(tasks)).expect("nonsingular");
        let mut par_backward = b;
        l.solve_lower_transpose_in_place_multi_par(&mut par_backward, Par::rayon(tasks))
            .expect("nonsingular");

        prop_assert!(bitwise_equal(seq_forward.as_slice(), par_forward.as_slice()));
        prop_assert!(bitwise_equal(seq_backward.as_slice(), par_backward.as_slice()));
    }
}

#[test]
fn parallel_result_does_not_depend_on_pool_size() {
    // A fixed, fairly dense 40 × 40 matrix and 32 right-hand sides with irregular values.
    let n = 40;
    let m = 32;
    let wiggle = |a: usize, b: usize| ((a * 7 + b * 13) % 17) as f64 / 17.0 - 0.5;
    let diagonal: Vec<f64> = (0..n).map(|j| 1.0 + wiggle(j, 1)).collect();
    let entries = (0..n)
        .flat_map(|j| (j + 1..n).map(move |i| (i, j)))
        .filter(|&(i, j)| (i + 2 * j) % 3 != 0)
        .map(|(i, j)| (i, j, wiggle(i, j) / 4.0));
    let l = CscLower::try_from_triplets(n, &diagonal, entries).expect("valid");
    let b = DMatrix::from_fn(n, m, |i, k| wiggle(i + 3, k) * 10.0);

    let mut reference_forward = b.clone();
    l.solve_lower_in_place_multi(&mut reference_forward)
        .expect("nonsingular");
    let mut reference_backward = b.clone();
    l.solve_lower_transpose_in_place_multi(&mut reference_backward)
        .expect("nonsingular");

    for threads in [1, 2, 3, 4, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        for par in [Par::rayon(0), Par::rayon(threads), Par::rayon(m + 5)] {
            let mut forward = b.clone();
            let mut backward = b.clone();
            pool.install(|| {
                l.solve_lower_in_place_multi_par(&mut forward, par)?;
                l.solve_lower_transpose_in_place_multi_par(&mut backward, par)
            })
            .expect("nonsingular");
            assert!(
                bitwise_equal(reference_forward.as_slice(), forward.as_slice()),
                "forward, threads = {threads}, par = {par:?}"
            );
            assert!(
                bitwise_equal(reference_backward.as_slice(), backward.as_slice()),
                "backward, threads = {threads}, par = {par:?}"
            );
        }
    }
}
