use fpsnn_losses::testing::check_loss;
use fpsnn_losses::{Loss, LossError, SpikeTimeMse};

#[test]
fn value_and_gradient_match_hand_computed_case() {
    let loss = SpikeTimeMse::try_new(6.0).unwrap();
    // Neuron 0: two targets, three spikes (third ignored). Neuron 1: two targets, one spike
    // (second counted at t_max = 6). Neuron 2: no target.
    let spikes = vec![vec![1.0, 2.0, 3.0], vec![0.5], vec![4.0]];
    let target = vec![vec![1.5, 1.0], vec![1.0, 2.0], vec![]];
    let out = loss.evaluate(&spikes, &target).unwrap();
    // 1/2 [(-0.5)^2 + 1^2 + (-0.5)^2 + (6 - 2)^2] = 1/2 (0.25 + 1 + 0.25 + 16) = 8.75
    assert!((out.value - 8.75).abs() < 1e-15);
    assert_eq!(
        out.d_spikes,
        vec![vec![-0.5, 1.0, 0.0], vec![-0.5], vec![0.0]]
    );
    assert_eq!(out.silent, 1);
    assert!(!loss.first_spike_only());
    assert_eq!(loss.num_params(), 0);
}

#[test]
fn spike_gradient_matches_central_difference() {
    let loss = SpikeTimeMse::try_new(10.0).unwrap();
    let spikes = vec![vec![0.2, 0.9, 5.5], vec![], vec![3.3, 3.4], vec![12.0]];
    let target = [vec![0.5, 1.0], vec![2.0], vec![3.0, 7.0, 8.0], vec![1.0]];
    check_loss(&loss, &spikes, &target[..]);
}

#[test]
fn missing_spikes_count_at_t_max_without_gradient() {
    let loss = SpikeTimeMse::try_new(4.0).unwrap();
    let out = loss
        .evaluate(&[vec![], vec![]], &[vec![1.0, 2.0], vec![3.0]])
        .unwrap();
    assert!((out.value - 0.5 * (9.0 + 4.0 + 1.0)).abs() < 1e-15);
    assert_eq!(out.silent, 3);
    assert!(out.d_spikes.iter().all(Vec::is_empty));
}

#[test]
fn shape_mismatch_and_bad_targets_are_errors() {
    let loss = SpikeTimeMse::try_new(4.0).unwrap();
    assert_eq!(
        loss.evaluate(&[vec![1.0]], &[vec![1.0], vec![2.0]]),
        Err(LossError::ShapeMismatch {
            what: "target trains (one per neuron)",
            expected: 1,
            found: 2
        })
    );
    assert!(matches!(
        loss.evaluate(&[vec![1.0]], &[vec![1.0, f64::NAN]]),
        Err(LossError::InvalidTargetTime {
            neuron: 0,
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        loss.evaluate(&[vec![f64::INFINITY]], &[vec![1.0]]),
        Err(LossError::InvalidSpikeTime { .. })
    ));
}

#[test]
fn missing_spikes_count_at_the_silent_time() {
    let loss = SpikeTimeMse::try_new(6.0).unwrap();
    assert_eq!(
        Loss::silent_time(&loss).map(f64::to_bits),
        Some(6.0_f64.to_bits())
    );
}
