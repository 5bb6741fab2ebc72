//! Property tests: every emitted spike lies on the threshold with a positive slope, parents
//! precede children, and no crossing is missed compared with dense sampling of the
//! closed-form potential.

use fpsnn_core::NeuronParams;
use fpsnn_sim::{
    Network, SimError, SimOptions, SimTrace, membrane_potential, membrane_slope, simulate,
};
use fpsnn_testkit::{feed_forward, random_input, recurrent};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Checks the invariants and returns the largest `|V(f) - theta|`.
pub(super) fn check_trace(
    net: &Network,
    trace: &SimTrace,
    grid: usize,
) -> Result<f64, TestCaseError> {
    let mut worst = 0.0_f64;
    for (p, (pop, record)) in net.populations().iter().zip(&trace.populations).enumerate() {
        let theta = pop.params().theta;
        prop_assert!(record.arrivals.windows(2).all(|w| w[0].time <= w[1].time));
        for (i, spikes) in record.spikes.iter().enumerate() {
            prop_assert!(spikes.windows(2).all(|w| w[0] < w[1]), "sorted, distinct");
            for (k, &f) in spikes.iter().enumerate() {
                prop_assert!(f > 0.0 && f <= net.t_max() * (1.0 + 1e-15));
                let prefix = record.prefixes[i][k] as usize;
                prop_assert!(
                    record.arrivals[..prefix].iter().all(|a| a.time <= f),
                    "parents precede"
                );
                prop_assert!(
                    record.arrivals.get(prefix).is_none_or(|a| a.time >= f),
                    "prefix is maximal"
                );
                let v = membrane_potential(net, trace, p, i, f);
                worst = worst.max((v - theta).abs());
                prop_assert!(
                    (v - theta).abs() <= 1e-10,
                    "V(f) = {v} at spike {k} of {p}/{i}"
                );
                prop_assert!(membrane_slope(net, trace, p, i, f) > 0.0);
            }
            // dense sampling: the closed-form potential never exceeds the threshold
            for g in 1..=grid {
                let t = net.t_max() * g as f64 / grid as f64;
                let v = membrane_potential(net, trace, p, i, t);
                prop_assert!(
                    v <= theta + 1e-9,
                    "missed crossing: V({t}) = {v} > theta for {p}/{i}"
                );
            }
        }
    }
    Ok(worst)
}

fn params(alpha: f64, beta: f64) -> NeuronParams {
    NeuronParams::try_new(alpha, beta, 1.0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn feed_forward_spikes_are_exact_and_complete(
        seed in any::<u64>(),
        alpha in prop::sample::select(vec![1.0, 2.0, 0.999, 0.5]),
        beta in prop::sample::select(vec![1.0, 0.9, 0.5]),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let net = feed_forward(&mut rng, 3, &[6, 4], params(alpha, beta), &[(0.8, 1.0), (0.5, 1.0)], 8.0);
        let input = random_input(&mut rng, 3, 3, 4.0);
        match simulate(&net, &input, &SimOptions::default()) {
            Ok(trace) => { check_trace(&net, &trace, 2000)?; }
            Err(SimError::SpikeCapExceeded { .. }) => prop_assume!(false),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn recurrent_spikes_are_exact_and_complete(
        seed in any::<u64>(),
        delay in prop::sample::select(vec![0.0, 0.1, 0.5]),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let net = recurrent(&mut rng, 3, 6, 2, params(1.0, 0.9), (2.0, 1.0), (0.0, 0.6), delay, 8.0);
        let input = random_input(&mut rng, 3, 2, 4.0);
        match simulate(&net, &input, &SimOptions::default()) {
            Ok(trace) => { check_trace(&net, &trace, 2000)?; }
            Err(SimError::SpikeCapExceeded { .. }) => prop_assume!(false),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}

/// A fixed sweep over many random networks reporting the largest `|V(f) - theta|`
/// (quoted in the docs; run with `--nocapture` to see it).
#[test]
fn largest_threshold_residual_is_at_rounding_level() {
    let mut worst = 0.0_f64;
    let mut spikes = 0;
    for seed in 0..200 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (net, input) = if seed % 2 == 0 {
            let net = feed_forward(
                &mut rng,
                5,
                &[20, 3],
                params(0.999, 1.0),
                &[(1.5, 0.8), (2.0, 0.5)],
                6.0,
            );
            (net, random_input(&mut rng, 5, 2, 3.0))
        } else {
            let net = recurrent(
                &mut rng,
                3,
                10,
                0,
                params(1.0, 0.9),
                (2.0, 1.0),
                (0.0, 0.5),
                0.0,
                8.0,
            );
            (net, random_input(&mut rng, 3, 2, 4.0))
        };
        let Ok(trace) = simulate(&net, &input, &SimOptions::default()) else {
            continue;
        };
        spikes += trace.num_spikes();
        worst = worst.max(check_trace(&net, &trace, 200).unwrap());
    }
    println!("largest |V(f) - theta| over {spikes} spikes: {worst:e}");
    assert!(spikes > 1000);
    assert!(worst < 1e-12, "{worst:e}");
}
