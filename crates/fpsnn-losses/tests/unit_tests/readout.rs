use fpsnn_kernels::{ExpKernel, Kernel};
use fpsnn_losses::testing::{check_loss, check_param_gradient};
use fpsnn_losses::{
    LinearReadout, Loss, LossError, Quadrature, ReadoutIntegralLoss, ReadoutSampledMse,
    VoltageTarget,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn kernel() -> ExpKernel {
    ExpKernel::try_new(2.0, 1.0).unwrap()
}

fn readout(n_in: usize, n_out: usize, weights: &[f64]) -> LinearReadout {
    LinearReadout::try_new(kernel(), n_in, n_out, weights.to_vec()).unwrap()
}

fn sample(time: f64, output: usize, value: f64) -> VoltageTarget {
    VoltageTarget {
        time,
        output,
        value,
    }
}

const WEIGHTS: [f64; 6] = [1.2, -0.4, 0.3, 0.8, -1.5, 2.0];

/// Three inputs, one spike before 0; none within 0.05 of another spike or a sample time,
/// so every central difference stays on one smooth piece.
fn spikes() -> Vec<Vec<f64>> {
    vec![vec![-0.4, 0.35, 1.45], vec![0.8], vec![0.15, 2.3, 2.9]]
}

#[test]
fn potentials_match_the_direct_sum() {
    let r = readout(3, 2, &WEIGHTS);
    let k = kernel();
    let t = 2.0;
    let v = r.potentials(&spikes(), t).unwrap();
    for (o, vo) in v.iter().enumerate() {
        let mut want = 0.0;
        for (j, train) in spikes().iter().enumerate() {
            for &g in train {
                if g < t {
                    want += WEIGHTS[j * 2 + o] * k.psp(t - g);
                }
            }
        }
        assert!((vo - want).abs() < 1e-14, "output {o}: {vo} vs {want}");
    }
}

#[test]
fn sampled_mse_value_matches_potentials() {
    let r = readout(3, 2, &WEIGHTS);
    let samples = [
        sample(1.0, 0, 0.5),
        sample(2.6, 1, -1.0),
        sample(2.6, 0, 0.0),
    ];
    let mut want = 0.0;
    for s in &samples {
        let v = r.potentials(&spikes(), s.time).unwrap()[s.output];
        want += 0.5 * (v - s.value) * (v - s.value);
    }
    let loss = ReadoutSampledMse::new(r);
    let out = loss.evaluate(&spikes(), &samples).unwrap();
    assert!((out.value - want).abs() < 1e-14);
    assert_eq!(out.silent, 0);
    assert_eq!(loss.num_params(), 6);
    assert!(!loss.first_spike_only());
}

#[test]
fn sampled_mse_gradients_match_central_differences() {
    let samples = [
        sample(0.6, 0, 0.5),
        sample(1.0, 1, -0.3),
        sample(2.0, 0, 0.1),
        sample(2.0, 1, 0.7),
        sample(3.5, 1, 0.0),
    ];
    let loss = ReadoutSampledMse::new(readout(3, 2, &WEIGHTS));
    check_loss(&loss, &spikes(), &samples[..]);
    check_param_gradient(
        |w| ReadoutSampledMse::new(readout(3, 2, w)),
        &WEIGHTS,
        &spikes(),
        &samples[..],
    );
}

#[test]
fn sample_at_a_spike_time_gets_the_one_sided_derivative() {
    // g = t: the spike has not arrived; moving it later changes nothing, so dL/dg = 0.
    let loss = ReadoutSampledMse::new(readout(1, 1, &[1.0]));
    let out = loss
        .evaluate(&[vec![0.5, 1.0]], &[sample(1.0, 0, 1.0)])
        .unwrap();
    assert!(out.d_spikes[0][1].abs() <= 0.0);
    assert!(out.d_spikes[0][0].abs() > 0.0);
}

#[test]
fn sampled_mse_rejects_bad_inputs() {
    let loss = ReadoutSampledMse::new(readout(3, 2, &WEIGHTS));
    assert!(matches!(
        loss.evaluate(&spikes()[..2], &[]),
        Err(LossError::ShapeMismatch {
            expected: 3,
            found: 2,
            ..
        })
    ));
    assert_eq!(
        loss.evaluate(&spikes(), &[sample(1.0, 0, 0.0), sample(1.0, 2, 0.0)]),
        Err(LossError::OutputOutOfRange {
            sample: 1,
            output: 2,
            num_outputs: 2
        })
    );
    assert!(matches!(
        loss.evaluate(&spikes(), &[sample(f64::NAN, 0, 0.0)]),
        Err(LossError::InvalidVoltageTarget { sample: 0, .. })
    ));
    assert!(matches!(
        loss.evaluate(&spikes(), &[sample(1.0, 0, f64::INFINITY)]),
        Err(LossError::InvalidVoltageTarget { sample: 0, .. })
    ));
    let mut unsorted = spikes();
    unsorted[2].swap(0, 1);
    assert!(matches!(
        loss.evaluate(&unsorted, &[]),
        Err(LossError::UnsortedSpikes { neuron: 2, .. })
    ));
}

/// Closed forms for one spike at `g` in `[0, T)` with weight `w`, target `c`, and
/// `h(s) = (e^{-a s} - e^{-b s}) / (b - a)`; `S = T - g`:
/// `int_0^S h = [(1 - e^{-aS})/a - (1 - e^{-bS})/b] / (b - a)`,
/// `int_0^S h^2 = [(1 - e^{-2aS})/(2a) - 2 (1 - e^{-(a+b)S})/(a + b) + (1 - e^{-2bS})/(2b)] / (b - a)^2`.
/// Returns `(L, dL/dg, dL/dw)` with `L = w^2/2 int h^2 - c w int h + c^2 T / 2`,
/// `dL/dg = -w (w h(S)^2 / 2 - c h(S))`, `dL/dw = w int h^2 - c int h`.
fn one_spike_closed_form(a: f64, b: f64, g: f64, w: f64, c: f64, horizon: f64) -> (f64, f64, f64) {
    let s = horizon - g;
    let d = b - a;
    let int_h = ((1.0 - (-a * s).exp()) / a - (1.0 - (-b * s).exp()) / b) / d;
    let int_h2 = ((1.0 - (-2.0 * a * s).exp()) / (2.0 * a)
        - 2.0 * (1.0 - (-(a + b) * s).exp()) / (a + b)
        + (1.0 - (-2.0 * b * s).exp()) / (2.0 * b))
        / (d * d);
    let h_end = ((-a * s).exp() - (-b * s).exp()) / d;
    let value = 0.5 * w * w * int_h2 - c * w * int_h + 0.5 * c * c * horizon;
    let d_g = -w * (0.5 * w * h_end * h_end - c * h_end);
    let d_w = w * int_h2 - c * int_h;
    (value, d_g, d_w)
}

#[test]
fn integral_matches_closed_form() {
    let (g, w, c, horizon) = (0.7, 1.5, 0.4, 6.0);
    // The rates of the Quadrature accuracy table. Measured relative errors with the
    // default piece length: GL-8 <= 2e-15, GL-16 <= 7e-16, Simpson-2000 ~1e-15; the
    // tolerances leave 10-100x for other platforms' libm.
    for (a, b) in [(2.0, 1.0), (1.0, 4.0), (10.0, 1.0)] {
        let (value, d_g, d_w) = one_spike_closed_form(a, b, g, w, c, horizon);
        let r = LinearReadout::try_new(ExpKernel::try_new(a, b).unwrap(), 1, 1, vec![w]).unwrap();
        for (quadrature, tol) in [
            (Quadrature::GaussLegendre { nodes: 8 }, 1e-13),
            (Quadrature::GaussLegendre { nodes: 16 }, 1e-13),
            (Quadrature::Simpson { intervals: 2000 }, 1e-12),
        ] {
            let loss = ReadoutIntegralLoss::try_new(r.clone(), horizon, quadrature).unwrap();
            let out = loss.evaluate(&[vec![g]], &[c]).unwrap();
            let what = format!("rates ({a}, {b}), {quadrature:?}");
            assert!(
                (out.value - value).abs() < tol * value.abs(),
                "{what}: {} vs {value}",
                out.value
            );
            assert!(
                (out.d_spikes[0][0] - d_g).abs() < tol * d_g.abs().max(1.0),
                "{what}: {} vs {d_g}",
                out.d_spikes[0][0]
            );
            assert!(
                (out.d_params[0] - d_w).abs() < tol * d_w.abs().max(1.0),
                "{what}: {} vs {d_w}",
                out.d_params[0]
            );
        }
    }
}

#[test]
fn subdividing_long_segments_is_what_makes_the_default_accurate() {
    // One 8-point rule over the 5.3-long segment misses ~6e-5 of the value (rates 2, 1);
    // the default pieces (the PSP peak time ln 2) bring it to rounding.
    let (value, ..) = one_spike_closed_form(2.0, 1.0, 0.7, 1.5, 0.4, 6.0);
    let loss =
        ReadoutIntegralLoss::try_new(readout(1, 1, &[1.5]), 6.0, Quadrature::default()).unwrap();
    assert!((loss.max_segment_length() - 2f64.ln()).abs() < 1e-15);
    let fine = loss.evaluate(&[vec![0.7]], &[0.4]).unwrap().value;
    let coarse = loss
        .with_max_segment_length(f64::INFINITY)
        .unwrap()
        .evaluate(&[vec![0.7]], &[0.4])
        .unwrap()
        .value;
    assert!((fine - value).abs() < 1e-14 * value);
    assert!((coarse - value).abs() > 1e-6 * value);
    let base =
        ReadoutIntegralLoss::try_new(readout(1, 1, &[1.0]), 6.0, Quadrature::default()).unwrap();
    for bad in [0.0, -1.0, f64::NAN] {
        assert!(matches!(
            base.clone().with_max_segment_length(bad),
            Err(LossError::InvalidParameter {
                name: "max_segment_length",
                ..
            })
        ));
    }
}

#[test]
fn gauss_legendre_converges_with_more_nodes() {
    let (value, ..) = one_spike_closed_form(2.0, 1.0, 0.5, 1.0, 0.2, 10.0);
    let r = readout(1, 1, &[1.0]);
    let errors: Vec<f64> = [2, 4, 8]
        .iter()
        .map(|&nodes| {
            let loss =
                ReadoutIntegralLoss::try_new(r.clone(), 10.0, Quadrature::GaussLegendre { nodes })
                    .unwrap();
            (loss.evaluate(&[vec![0.5]], &[0.2]).unwrap().value - value).abs()
        })
        .collect();
    assert!(errors[0] > errors[1] && errors[1] > errors[2], "{errors:?}");
}

#[test]
fn integral_gradients_match_central_differences() {
    let target = [0.3, -0.2];
    for quadrature in [
        Quadrature::GaussLegendre { nodes: 10 },
        // Simpson's error l h^4 f''''/180 must stay far below the finite-difference
        // tolerance, hence the fine grid.
        Quadrature::Simpson { intervals: 400 },
    ] {
        let loss = ReadoutIntegralLoss::try_new(readout(3, 2, &WEIGHTS), 4.0, quadrature).unwrap();
        // Includes a spike before 0 and one in the last segment; none near 0 or T.
        check_loss(&loss, &spikes(), &target[..]);
        check_param_gradient(
            |w| ReadoutIntegralLoss::try_new(readout(3, 2, w), 4.0, quadrature).unwrap(),
            &WEIGHTS,
            &spikes(),
            &target[..],
        );
    }
}

#[test]
fn spikes_outside_the_horizon() {
    // A spike at or after T never acts: zero value contribution, zero gradient.
    let loss =
        ReadoutIntegralLoss::try_new(readout(1, 1, &[1.0]), 2.0, Quadrature::default()).unwrap();
    let with = loss.evaluate(&[vec![0.5, 2.0, 3.0]], &[0.1]).unwrap();
    let without = loss.evaluate(&[vec![0.5]], &[0.1]).unwrap();
    assert!((with.value - without.value).abs() < 1e-15);
    assert!(with.d_spikes[0][1..].iter().all(|g| g.abs() <= 0.0));
}

#[test]
fn random_readouts_pass_the_gradient_checks() {
    let mut rng = StdRng::seed_from_u64(0x5EED_1055);
    for _ in 0..5 {
        let (n_in, n_out) = (rng.random_range(1..5), rng.random_range(1..4));
        let weights: Vec<f64> = (0..n_in * n_out)
            .map(|_| rng.random_range(-2.0..2.0))
            .collect();
        // Spikes in slots [0.1 k + 0.02, 0.1 k + 0.08): at least 0.04 apart, and at least
        // 0.02 from the sample times 0.1 m and from 0 and T = 3.
        let mut slots: Vec<usize> = (0..30).collect();
        let spikes: Vec<Vec<f64>> = (0..n_in)
            .map(|_| {
                let count = rng.random_range(0..4);
                let mut train: Vec<f64> = (0..count)
                    .filter_map(|_| {
                        if slots.is_empty() {
                            return None;
                        }
                        let k = slots.swap_remove(rng.random_range(0..slots.len()));
                        Some(0.1 * k as f64 + rng.random_range(0.02..0.08))
                    })
                    .collect();
                train.sort_by(f64::total_cmp);
                train
            })
            .collect();
        let samples: Vec<VoltageTarget> = (0..6)
            .map(|_| {
                sample(
                    0.1 * f64::from(rng.random_range(1..35_u32)),
                    rng.random_range(0..n_out),
                    rng.random_range(-1.0..1.0),
                )
            })
            .collect();
        let sampled = ReadoutSampledMse::new(readout(n_in, n_out, &weights));
        check_loss(&sampled, &spikes, &samples[..]);
        check_param_gradient(
            |w| ReadoutSampledMse::new(readout(n_in, n_out, w)),
            &weights,
            &spikes,
            &samples[..],
        );
        let target: Vec<f64> = (0..n_out).map(|_| rng.random_range(-1.0..1.0)).collect();
        let integral = ReadoutIntegralLoss::try_new(
            readout(n_in, n_out, &weights),
            3.0,
            Quadrature::default(),
        )
        .unwrap();
        check_loss(&integral, &spikes, &target[..]);
        check_param_gradient(
            |w| {
                ReadoutIntegralLoss::try_new(readout(n_in, n_out, w), 3.0, Quadrature::default())
                    .unwrap()
            },
            &weights,
            &spikes,
            &target[..],
        );
    }
}

#[test]
fn integral_rejects_bad_inputs() {
    let r = readout(3, 2, &WEIGHTS);
    assert!(matches!(
        ReadoutIntegralLoss::try_new(r.clone(), 0.0, Quadrature::default()),
        Err(LossError::InvalidParameter {
            name: "horizon",
            ..
        })
    ));
    assert!(matches!(
        ReadoutIntegralLoss::try_new(r.clone(), 1.0, Quadrature::Simpson { intervals: 5 }),
        Err(LossError::InvalidQuadrature {
            rule: "simpson",
            nodes: 5,
            ..
        })
    ));
    let loss = ReadoutIntegralLoss::try_new(r, 4.0, Quadrature::default()).unwrap();
    assert!((loss.horizon() - 4.0).abs() <= 0.0);
    assert_eq!(loss.quadrature(), Quadrature::GaussLegendre { nodes: 8 });
    assert!(matches!(
        loss.evaluate(&spikes(), &[0.0]),
        Err(LossError::ShapeMismatch {
            expected: 2,
            found: 1,
            ..
        })
    ));
    assert!(matches!(
        loss.evaluate(&spikes(), &[0.0, f64::NAN]),
        Err(LossError::InvalidOutputTarget { output: 1, value }) if value.is_nan()
    ));
}

#[test]
fn weights_can_be_updated_in_place() {
    let mut loss =
        ReadoutIntegralLoss::try_new(readout(3, 2, &WEIGHTS), 4.0, Quadrature::default()).unwrap();
    let before = loss.evaluate(&spikes(), &[0.0, 0.0]).unwrap();
    // One gradient-descent step lowers the loss.
    for (w, d) in loss
        .readout_mut()
        .weights_mut()
        .iter_mut()
        .zip(&before.d_params)
    {
        *w -= 1e-3 * d;
    }
    let after = loss.evaluate(&spikes(), &[0.0, 0.0]).unwrap();
    assert!(after.value < before.value);
    // A non-finite weight is reported, never propagated silently.
    loss.readout_mut().weights_mut()[0] = f64::NAN;
    assert!(matches!(
        loss.evaluate(&spikes(), &[0.0, 0.0]),
        Err(LossError::NonFinite { .. })
    ));
    assert!(loss.readout_mut().set_weights(vec![1.0; 5]).is_err());
    assert!(loss.readout_mut().set_weights(vec![1.0; 6]).is_ok());
}
