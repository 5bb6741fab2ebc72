use fpsnn_losses::testing::check_loss;
use fpsnn_losses::{FirstSpikeCrossEntropy, Loss, SpikeTimeMse, predict_first_spike};
use proptest::prelude::*;

/// First spikes of 1..6 outputs in [0, 5], each possibly silent (`None`), and a
/// hyper-parameter set in the range of the paper's set-ups.
fn outputs() -> impl Strategy<Value = Vec<Option<f64>>> {
    prop::collection::vec(prop::option::weighted(0.8, 0.0..5.0_f64), 1..6)
}

fn trains(first: &[Option<f64>]) -> Vec<Vec<f64>> {
    // A later spike 1 time unit after the first, to check it is ignored.
    first
        .iter()
        .map(|f| f.map_or_else(Vec::new, |t| vec![t, t + 1.0]))
        .collect()
}

// Default case count (256), overridable with PROPTEST_CASES for the slow CI job.
proptest! {
    #[test]
    fn cross_entropy_gradient_matches_central_difference(
        first in outputs(),
        label_seed in 0..1000_usize,
        tau0 in 0.1..2.0_f64,
        tau1 in 0.5..8.0_f64,
        gamma in -0.2..0.2_f64,
    ) {
        let loss = FirstSpikeCrossEntropy::try_new(tau0, tau1, gamma, 6.0).unwrap();
        let label = label_seed % first.len();
        check_loss(&loss, &trains(&first), &label);
    }

    #[test]
    fn cross_entropy_is_shift_invariant_without_regulariser(
        first in prop::collection::vec(0.0..5.0_f64, 1..6),
        shift in -2.0..2.0_f64,
        label_seed in 0..1000_usize,
    ) {
        // With gamma = 0 and nobody silent, only differences of first spikes matter, the
        // value is >= 0, and the gradient sums to zero.
        let loss = FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.0, 10.0).unwrap();
        let label = label_seed % first.len();
        let a: Vec<Vec<f64>> = first.iter().map(|&t| vec![t]).collect();
        let b: Vec<Vec<f64>> = first.iter().map(|&t| vec![t + shift]).collect();
        let (oa, ob) = (loss.evaluate(&a, &label).unwrap(), loss.evaluate(&b, &label).unwrap());
        prop_assert!((oa.value - ob.value).abs() <= 1e-12 * oa.value.max(1.0));
        prop_assert!(oa.value >= 0.0);
        let sum: f64 = oa.d_spikes.iter().map(|d| d[0]).sum();
        prop_assert!(sum.abs() <= 1e-12);
    }

    #[test]
    fn prediction_is_the_lowest_earliest_first_spike(first in outputs()) {
        let spikes = trains(&first);
        match predict_first_spike(&spikes) {
            None => prop_assert!(first.iter().all(Option::is_none)),
            Some(c) => {
                let best = first[c].unwrap();
                for (i, f) in first.iter().enumerate() {
                    if let Some(t) = *f {
                        prop_assert!(t >= best);
                        if i < c {
                            prop_assert!(t > best);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn spike_time_mse_gradient_matches_central_difference(
        neurons in prop::collection::vec(
            (prop::collection::vec(0.0..5.0_f64, 0..4), prop::collection::vec(0.0..5.0_f64, 0..4)),
            1..5,
        ),
    ) {
        let (mut spikes, targets): (Vec<Vec<f64>>, Vec<Vec<f64>>) = neurons.into_iter().unzip();
        for train in &mut spikes {
            train.sort_by(f64::total_cmp);
        }
        let loss = SpikeTimeMse::try_new(6.0).unwrap();
        check_loss(&loss, &spikes, &targets[..]);
        let out = loss.evaluate(&spikes, &targets).unwrap();
        let missing: usize = spikes
            .iter()
            .zip(&targets)
            .map(|(s, t)| t.len().saturating_sub(s.len()))
            .sum();
        prop_assert_eq!(out.silent, missing);
    }
}
