//! Populations with another kernel than the default `ExpKernel`: the non-leaky kernel (closed
//! form) and a user's kernel implementing only the two required methods.

use std::sync::Arc;

use super::bits;
use super::properties::check_trace;
use fpsnn_core::NeuronParams;
use fpsnn_kernels::{Kernel, NeuronKernel, NonLeakyKernel};
use fpsnn_sim::{InputSpikes, Method, Network, SimError, SimOptions, simulate};
use fpsnn_testkit::{TextbookKernel, feed_forward, random_input, recurrent, with_kernel};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn non_leaky(alpha: f64) -> NeuronKernel {
    NonLeakyKernel::try_new(alpha).unwrap().into()
}

fn params() -> NeuronParams {
    NeuronParams::try_new(1.0, 0.9, 1.0).unwrap()
}

#[test]
fn non_leaky_single_neuron_matches_the_closed_form() {
    // V(t) = sum_k w_k (1 - e^{-alpha (t - g_k)}) / alpha - theta n(t)
    let alpha = 1.5;
    let net = Network::from_json(
        r#"{"neuron": {"alpha": 1.5, "beta": 0.0, "theta": 1.0, "kernel": "non-leaky"},
            "inputs": 1, "populations": [{"name": "out", "size": 1}],
            "projections": [{"from": "input", "to": "out", "weights": [[4.0]]}],
            "t_max": 10.0}"#,
    )
    .unwrap();
    assert_eq!(net.populations()[0].kernel().name(), "non-leaky");
    assert!(net.populations()[0].params().beta.abs() < f64::MIN_POSITIVE);
    let g = 0.25;
    let input = InputSpikes::try_new(vec![vec![g]]).unwrap();
    let trace = simulate(&net, &input, &SimOptions::default()).unwrap();
    let spikes = &trace.populations[0].spikes[0];
    // total charge w / alpha = 2.67: two spikes, at 1 - e^{-alpha s} = n alpha theta / w
    assert_eq!(spikes.len(), 2, "{spikes:?}");
    for (n, &f) in spikes.iter().enumerate() {
        let x = (n + 1) as f64 * alpha / 4.0;
        let want = g - (1.0 - x).ln() / alpha;
        assert!((f - want).abs() <= 1e-14 * want, "spike {n}: {f} vs {want}");
    }
}

#[test]
fn non_leaky_and_user_kernels_are_exact_complete_and_method_independent() {
    let mut rng = StdRng::seed_from_u64(11);
    let user: Arc<dyn Kernel> = Arc::new(TextbookKernel {
        alpha: 1.0,
        beta: 0.9,
    });
    let kernels = [non_leaky(1.0), non_leaky(2.5), NeuronKernel::Custom(user)];
    let mut spikes = [0; 3];
    for case in 0..36 {
        let k = case % 3;
        // non-leaky neurons integrate for ever: weaker weights keep them off the cap
        let scale = if k < 2 { 0.35 } else { 1.0 };
        let net = with_kernel(
            feed_forward(
                &mut rng,
                4,
                &[10, 6, 3],
                params(),
                &[(0.8 * scale, scale), (0.4 * scale, 0.8 * scale), (0.4, 0.8)],
                10.0,
            ),
            &kernels[k],
        );
        let input = random_input(&mut rng, 4, 3, 4.0);
        let base = SimOptions {
            first_spike_only: if base_is_full(case) { vec![] } else { vec![2] },
            stop_when_first_spikes_done: case % 4 == 0,
            ..SimOptions::default()
        };
        let sweep = simulate(&net, &input, &base.clone().with_method(Method::LayerSweep));
        let queue = simulate(&net, &input, &base.with_method(Method::EventQueue));
        let (sweep, queue) = match (sweep, queue) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(SimError::SpikeCapExceeded { .. }), Err(SimError::SpikeCapExceeded { .. })) => {
                continue;
            }
            (a, b) => panic!("case {case}: {:?} vs {:?}", a.err(), b.err()),
        };
        assert_eq!(bits(&sweep), bits(&queue), "case {case}");
        assert_eq!(sweep.populations, queue.populations, "case {case}");
        // the invariants hold on the full run (stopped neurons may pass the threshold later)
        if base_is_full(case) {
            check_trace(&net, &sweep, 4000).unwrap();
        }
        spikes[k] += sweep.num_spikes();
    }
    assert!(spikes.iter().all(|&n| n > 50), "too few spikes: {spikes:?}");
}

/// Case `case` simulates without first-spike-only populations (and without early stop).
fn base_is_full(case: usize) -> bool {
    case % 2 == 1
}

#[test]
fn recurrent_non_leaky_spikes_are_exact() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut total = 0;
    for case in 0..10 {
        let net = with_kernel(
            recurrent(
                &mut rng,
                3,
                8,
                2,
                params(),
                (0.6, 0.4),
                (0.0, 0.3),
                0.1,
                8.0,
            ),
            &non_leaky(1.0),
        );
        let input = random_input(&mut rng, 3, 2, 4.0);
        match simulate(&net, &input, &SimOptions::default()) {
            Ok(trace) => {
                check_trace(&net, &trace, 4000).unwrap();
                total += trace.num_spikes();
            }
            Err(SimError::SpikeCapExceeded { .. }) => {}
            Err(e) => panic!("case {case}: {e}"),
        }
    }
    assert!(total > 20, "too few spikes ({total})");
}

#[test]
fn a_user_kernel_agrees_with_the_built_in_one() {
    let mut rng = StdRng::seed_from_u64(13);
    let user: Arc<dyn Kernel> = Arc::new(TextbookKernel {
        alpha: 1.0,
        beta: 0.9,
    });
    let mut compared = 0;
    for _ in 0..12 {
        let net = feed_forward(
            &mut rng,
            4,
            &[8, 3],
            params(),
            &[(0.8, 1.0), (0.5, 0.8)],
            10.0,
        );
        let input = random_input(&mut rng, 4, 3, 4.0);
        let built_in = simulate(&net, &input, &SimOptions::default()).unwrap();
        let custom = with_kernel(net, &NeuronKernel::Custom(user.clone()));
        let theirs = simulate(&custom, &input, &SimOptions::default()).unwrap();
        // another evaluation of the same maths: the same spikes to rounding (a pattern
        // change at a near-tangency would show as a count mismatch)
        for (a, b) in built_in.populations.iter().zip(&theirs.populations) {
            assert_eq!(a.prefixes, b.prefixes);
            for (x, y) in a.spikes.iter().flatten().zip(b.spikes.iter().flatten()) {
                assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{x} vs {y}");
                compared += 1;
            }
        }
    }
    assert!(compared > 30, "too few spikes compared ({compared})");
}

#[test]
fn kernel_names_round_trip_and_bad_ones_are_typed_errors() {
    let json = |neuron: &str| {
        format!(
            r#"{{"neuron": {neuron}, "inputs": 1, "populations": [{{"name": "out", "size": 1}}],
                "projections": [{{"from": "input", "to": "out", "weights": [[2.0]]}}],
                "t_max": 5.0}}"#
        )
    };
    let net = Network::from_json(&json(
        r#"{"alpha": 2.0, "beta": 0.0, "theta": 1.0, "kernel": "non-leaky"}"#,
    ))
    .unwrap();
    let again = Network::from_json(&net.to_json()).unwrap();
    assert_eq!(again, net);
    assert!(net.to_json().contains("non-leaky"));
    // the default kernel is not written
    let exp = Network::from_json(&json(r#"{"alpha": 2.0, "beta": 1.0, "theta": 1.0}"#)).unwrap();
    assert!(!exp.to_json().contains("kernel"));
    for bad in [
        r#"{"alpha": 2.0, "beta": 1.0, "theta": 1.0, "kernel": "non-leaky"}"#,
        r#"{"alpha": 2.0, "beta": 1.0, "theta": 1.0, "kernel": "custom"}"#,
    ] {
        let err = Network::from_json(&json(bad)).unwrap_err();
        assert!(matches!(err, SimError::KernelParams { .. }), "{err}");
    }
    let err = Network::from_json(&json(
        r#"{"alpha": 2.0, "beta": 1.0, "theta": 1.0, "kernel": "x"}"#,
    ))
    .unwrap_err();
    assert!(matches!(err, SimError::Json { .. }), "{err}");
    // a custom kernel is written as such and refused on reading
    let user: Arc<dyn Kernel> = Arc::new(TextbookKernel {
        alpha: 2.0,
        beta: 1.0,
    });
    let custom = with_kernel(exp, &NeuronKernel::Custom(user));
    let err = Network::from_json(&custom.to_json()).unwrap_err();
    assert!(err.to_string().contains("custom kernel"), "{err}");
}
