use std::sync::Arc;

use fpsnn_losses::testing::{central_difference, check_loss, fd_agrees};
use fpsnn_losses::{
    FirstSpikeCrossEntropy, FirstSpikeCrossEntropyConfig, Loss, LossError, LossOutput,
};

fn assert_close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

#[test]
fn value_and_gradient_match_hand_computed_case() {
    // tau0 = 1, tau1 = 1, gamma = 0.1, t_max = 10; outputs fire first at 1 and 2, output 2
    // is silent (counts as 10). Logits (-1, -2, -10), label 0. Reference values from
    // mpmath (30 digits):
    //   L       = ln(1 + e^-1 + e^-9) + 0.1 (e - 1)   = 0.485180086090530949...
    //   dL/df_0 = 1 - p_0 + 0.1 e                     = 0.540835554221705757...
    //   dL/df_1 = -p_1                                = -0.268917159718713914...
    let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.1, 10.0).unwrap();
    let spikes = vec![vec![1.0], vec![2.0, 2.5], vec![]];
    let out = loss.evaluate(&spikes, &0).unwrap();
    assert_close(out.value, 0.485_180_086_090_530_9, 1e-15);
    assert_close(out.d_spikes[0][0], 0.540_835_554_221_705_7, 1e-15);
    assert_close(out.d_spikes[1][0], -0.268_917_159_718_713_9, 1e-15);
    assert!(out.d_spikes[1][1].abs() <= 0.0);
    assert!(out.d_spikes[2].is_empty());
    assert_eq!(out.silent, 1);
    assert!(out.d_params.is_empty());
}

#[test]
fn spike_gradient_matches_central_difference() {
    let cases: [(f64, f64, f64, f64); 5] = [
        (1.0, 1.0, 0.1, 16.0),  // Iris set-up
        (0.1, 1.0, 0.2, 2.0),   // XOR set-up
        (0.2, 1.0, 0.005, 4.0), // Yin-Yang set-up
        (0.5, 6.4, 3e-3, 10.0), // EventProp Yin-Yang set-up
        (0.7, 2.0, -0.3, 5.0),  // negative gamma (the paper code's sign)
    ];
    let spike_sets = [
        vec![vec![0.4, 0.9], vec![1.3], vec![0.8, 3.0, 4.0]],
        vec![vec![2.2], vec![], vec![0.1]],
        vec![vec![], vec![1.0], vec![1.0]],
    ];
    for &(tau0, tau1, gamma, t_max) in &cases {
        let loss = FirstSpikeCrossEntropy::try_new(tau0, tau1, gamma, t_max).unwrap();
        for spikes in &spike_sets {
            for label in 0..3 {
                check_loss(&loss, spikes, &label);
            }
        }
    }
}

#[test]
fn explicit_central_difference_of_the_label_spike() {
    // The same check as the suite, written out once: f_label moves, everything else fixed.
    let loss = FirstSpikeCrossEntropy::try_new(0.3, 1.5, 0.2, 6.0).unwrap();
    let mut spikes = vec![vec![1.1], vec![0.7], vec![]];
    let out = loss.evaluate(&spikes, &0).unwrap();
    let numeric = central_difference(1.1, |x| {
        spikes[0][0] = x;
        loss.evaluate(&spikes, &0).unwrap().value
    });
    assert!(fd_agrees(out.d_spikes[0][0], numeric, out.value));
}

#[test]
fn silent_outputs_get_zero_gradient_and_are_counted() {
    let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.1, 8.0).unwrap();
    // The true class is silent: its gradient is 0, but t_max enters the value (softmax
    // and regulariser).
    let out = loss.evaluate(&[vec![], vec![1.0], vec![]], &0).unwrap();
    assert_eq!(out.silent, 2);
    assert!(out.d_spikes[0].is_empty() && out.d_spikes[2].is_empty());
    let want = {
        let (z0, z1, z2) = (-8.0_f64, -1.0_f64, -8.0_f64);
        let lse = z1 + (1.0 + (z0 - z1).exp() + (z2 - z1).exp()).ln();
        lse - z0 + 0.1 * (8.0_f64.exp() - 1.0)
    };
    assert_close(out.value, want, 1e-13);
    // The silent neurons move the softmax of the one that fired, but still pass nothing.
    assert!(out.d_spikes[1][0] < 0.0);

    // All silent: every output counts, the value is ln 3 + regulariser, no gradient.
    let out = loss.evaluate(&[vec![], vec![], vec![]], &1).unwrap();
    assert_eq!(out.silent, 3);
    assert_close(out.value, 3f64.ln() + 0.1 * (8.0_f64.exp() - 1.0), 1e-13);
    assert!(out.d_spikes.iter().all(Vec::is_empty));
}

#[test]
fn only_first_spikes_matter() {
    let loss = FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.05, 5.0).unwrap();
    assert!(loss.first_spike_only());
    let a = loss
        .evaluate(&[vec![1.0, 1.5, 2.0], vec![1.2]], &1)
        .unwrap();
    let b = loss.evaluate(&[vec![1.0], vec![1.2, 4.0]], &1).unwrap();
    assert_close(a.value, b.value, 1e-15);
    assert!(a.d_spikes[0][1..].iter().all(|g| g.abs() <= 0.0));
    assert!(b.d_spikes[1][1].abs() <= 0.0);
}

#[test]
fn plain_cross_entropy_gradient_sums_to_zero() {
    // gamma = 0 and nobody silent: sum_c ([c == y] - p_c) / tau0 = 0.
    let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.0, 5.0).unwrap();
    let out = loss
        .evaluate(&[vec![0.3], vec![0.5], vec![0.45]], &2)
        .unwrap();
    let sum: f64 = out.d_spikes.iter().map(|d| d[0]).sum();
    assert!(sum.abs() < 1e-14, "{sum}");
}

#[test]
fn positive_gamma_pushes_the_true_label_earlier() {
    let spikes = [vec![1.0], vec![0.5]];
    let plain = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, 5.0).unwrap();
    let reg = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.2, 5.0).unwrap();
    let g0 = plain.evaluate(&spikes, &0).unwrap().d_spikes[0][0];
    let g1 = reg.evaluate(&spikes, &0).unwrap().d_spikes[0][0];
    // dL/df_y grows by gamma/tau1 e^{f_y/tau1}: descent moves f_y earlier faster.
    assert_close(g1 - g0, 0.2 * 1f64.exp(), 1e-14);
    // The other neuron's gradient does not see the regulariser.
    let h0 = plain.evaluate(&spikes, &0).unwrap().d_spikes[1][0];
    let h1 = reg.evaluate(&spikes, &0).unwrap().d_spikes[1][0];
    assert_close(h0, h1, 1e-15);
}

#[test]
fn label_out_of_range_is_an_error() {
    let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, 5.0).unwrap();
    assert_eq!(
        loss.evaluate(&[vec![1.0], vec![]], &2),
        Err(LossError::LabelOutOfRange {
            label: 2,
            num_classes: 2
        })
    );
    assert!(matches!(
        loss.evaluate(&[], &0),
        Err(LossError::LabelOutOfRange {
            label: 0,
            num_classes: 0
        })
    ));
}

#[test]
fn bad_spike_trains_are_errors() {
    let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, 5.0).unwrap();
    assert!(matches!(
        loss.evaluate(&[vec![f64::NAN], vec![1.0]], &0),
        Err(LossError::InvalidSpikeTime {
            neuron: 0,
            index: 0,
            ..
        })
    ));
    assert!(matches!(
        loss.evaluate(&[vec![1.0], vec![2.0, 1.0]], &0),
        Err(LossError::UnsortedSpikes {
            neuron: 1,
            index: 1,
            ..
        })
    ));
}

#[test]
fn overflowing_regulariser_is_reported() {
    let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.1, 5.0).unwrap();
    assert!(matches!(
        loss.evaluate(&[vec![1000.0], vec![1.0]], &0),
        Err(LossError::NonFinite { .. })
    ));
    // With gamma = 0 the same spikes are fine (no 0 * inf).
    let plain = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, 5.0).unwrap();
    let out = plain.evaluate(&[vec![1000.0], vec![1.0]], &0).unwrap();
    assert_close(out.value, 999.0, 1e-15);
}

#[test]
fn config_validates_and_round_trips() {
    let config = FirstSpikeCrossEntropyConfig {
        tau0: 0.2,
        tau1: 1.0,
        gamma: 0.005,
        t_max: 2.0,
    };
    let loss = config.build().unwrap();
    assert_eq!(loss.config(), &config);
    for (name, bad) in [
        (
            "tau0",
            FirstSpikeCrossEntropyConfig {
                tau0: -1.0,
                ..config
            },
        ),
        (
            "tau1",
            FirstSpikeCrossEntropyConfig {
                tau1: 0.0,
                ..config
            },
        ),
        (
            "gamma",
            FirstSpikeCrossEntropyConfig {
                gamma: f64::INFINITY,
                ..config
            },
        ),
        (
            "t_max",
            FirstSpikeCrossEntropyConfig {
                t_max: f64::NAN,
                ..config
            },
        ),
    ] {
        match bad.build() {
            Err(LossError::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
            other => panic!("{name}: expected InvalidParameter, got {other:?}"),
        }
    }
}

#[test]
fn smart_pointers_and_trait_objects_are_losses() {
    // Generic over `L: Loss`, so each call goes through the blanket impl under test.
    fn eval<L: Loss<Target = usize>>(
        loss: L,
        spikes: &[Vec<f64>],
    ) -> (LossOutput, bool, usize, Option<u64>) {
        let out = loss.evaluate(spikes, &1).unwrap();
        let silent = loss.silent_time().map(f64::to_bits);
        (out, loss.first_spike_only(), loss.num_params(), silent)
    }
    let loss = FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.1, 5.0).unwrap();
    let spikes = [vec![1.0], vec![2.0]];
    let want = eval(loss, &spikes);
    assert!(want.1);
    assert_eq!(
        want.3,
        Some(5.0_f64.to_bits()),
        "silent outputs count at t_max"
    );
    let by_ref: &FirstSpikeCrossEntropy = &loss;
    assert_eq!(eval(by_ref, &spikes), want);
    assert_eq!(eval(Box::new(loss), &spikes), want);
    assert_eq!(eval(Arc::new(loss), &spikes), want);
    let boxed: Box<dyn Loss<Target = usize>> = Box::new(loss);
    assert_eq!(eval(&boxed, &spikes), want);
    assert_eq!(eval(boxed, &spikes), want);
}
