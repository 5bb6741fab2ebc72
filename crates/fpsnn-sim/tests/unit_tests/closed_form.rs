//! Spike times against closed forms and an independent root search.

use fpsnn_sim::{InputSpikes, Network, SimOptions, membrane_potential, simulate};
use fpsnn_testkit::Tolerance;

fn single(alpha: f64, beta: f64, theta: f64, weights: &[f64], times: &[f64]) -> Network {
    let rows: Vec<String> = weights.iter().map(|w| format!("[{w}]")).collect();
    let json = format!(
        r#"{{"neuron": {{"alpha": {alpha}, "beta": {beta}, "theta": {theta}}}, "inputs": {},
        "populations": [{{"name": "n", "size": 1}}],
        "projections": [{{"from": "input", "to": "n", "weights": [{}]}}], "t_max": 50.0}}"#,
        times.len(),
        rows.join(",")
    );
    Network::from_json(&json).unwrap()
}

fn run(net: &Network, times: &[f64]) -> Vec<f64> {
    let input = InputSpikes::try_new(times.iter().map(|&t| vec![t]).collect()).unwrap();
    simulate(net, &input, &SimOptions::default())
        .unwrap()
        .populations[0]
        .spikes[0]
        .clone()
}

/// alpha = 2 beta: with x = e^{-beta s}, V = w (x - x^2) / beta, so the first crossing solves
/// the quadratic x^2 - x + theta beta / w = 0 (larger root = earlier time).
#[test]
fn alpha_twice_beta_matches_quadratic() {
    for (beta, w, theta, t0) in [
        (1.0, 5.0, 1.0, 0.0),
        (0.5, 3.0, 1.0, 0.7),
        (2.0, 20.0, 1.5, 1.25),
    ] {
        let net = single(2.0 * beta, beta, theta, &[w], &[t0]);
        let spikes = run(&net, &[t0]);
        let disc: f64 = 1.0 - 4.0 * theta * beta / w;
        let x = 0.5 * (1.0 + disc.sqrt());
        let want = t0 - x.ln() / beta;
        assert!(!spikes.is_empty());
        Tolerance::STRICT.assert_close("quadratic spike time", spikes[0], want);
    }
}

/// Below the quadratic's threshold (disc < 0) there is no spike.
#[test]
fn alpha_twice_beta_subthreshold_is_silent() {
    let net = single(2.0, 1.0, 1.0, &[3.99], &[0.0]);
    assert!(run(&net, &[0.0]).is_empty());
}

/// Several inputs with alpha = 0.999, beta = 1: the first spike against a plain bisection
/// on the closed-form potential.
#[test]
fn first_spike_matches_independent_bisection() {
    let weights = [2.2, 0.9, -0.4, 1.1];
    let times = [0.1, 0.4, 0.6, 1.3];
    let net = single(0.999, 1.0, 1.0, &weights, &times);
    let spikes = run(&net, &times);
    assert!(!spikes.is_empty());
    let v = |t: f64| -> f64 {
        weights
            .iter()
            .zip(times)
            .filter(|(_, g)| *g < t)
            .map(|(w, g)| {
                let s = t - g;
                w * ((-0.999 * s).exp() - (-s).exp()) / (1.0 - 0.999)
            })
            .sum()
    };
    // bracket by scanning, then bisect 200 times
    let mut lo = 0.0;
    while v(lo + 1e-3) < 1.0 {
        lo += 1e-3;
    }
    let mut hi = lo + 1e-3;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if v(mid) < 1.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // The naive difference quotient loses ~3 digits at alpha = 0.999: 1e-12 * 1e3.
    Tolerance::STRICT
        .scaled(1e2)
        .assert_close("spike vs bisection", spikes[0], hi);
    // and our own closed form puts V(f) on the threshold
    let trace = simulate(
        &net,
        &InputSpikes::try_new(times.iter().map(|&t| vec![t]).collect()).unwrap(),
        &SimOptions::default(),
    )
    .unwrap();
    let at = membrane_potential(&net, &trace, 0, 0, spikes[0]);
    Tolerance::STRICT.assert_close("V(f)", at, 1.0);
}

/// alpha == beta is the limit of alpha -> beta.
#[test]
fn equal_rates_are_the_limit() {
    let weights = [2.0, 1.5];
    let times = [0.0, 0.5];
    let exact = run(&single(1.0, 1.0, 1.0, &weights, &times), &times);
    let near = run(&single(1.0 - 1e-9, 1.0, 1.0, &weights, &times), &times);
    assert_eq!(exact.len(), near.len());
    assert!(!exact.is_empty());
    for (a, b) in exact.iter().zip(&near) {
        // spike times move by O(1e-9) when alpha moves by 1e-9
        assert!((a - b).abs() < 1e-8, "{a} vs {b}");
    }
}

/// alpha = 0.999, beta = 1: spike times vary smoothly across the near-degenerate rates
/// (no cancellation blow-up): compare against alpha = 0.999 +- tiny.
#[test]
fn near_degenerate_rates_are_smooth() {
    let weights = [3.5];
    let times = [0.0];
    let mid = run(&single(0.999, 1.0, 1.0, &weights, &times), &times)[0];
    let lo = run(&single(0.999 - 1e-7, 1.0, 1.0, &weights, &times), &times)[0];
    let hi = run(&single(0.999 + 1e-7, 1.0, 1.0, &weights, &times), &times)[0];
    let second = (hi - 2.0 * mid + lo).abs();
    assert!(
        second < 1e-12,
        "second difference {second:e}: spike time is not smooth"
    );
}
