use fpsnn_losses::predict_first_spike;

#[test]
fn earliest_first_spike_wins() {
    assert_eq!(
        predict_first_spike(&[vec![3.0], vec![0.5, 9.0], vec![1.0]]),
        Some(1)
    );
    // Only the first spike counts: a later burst does not help.
    assert_eq!(
        predict_first_spike(&[vec![1.0, 1.1, 1.2], vec![0.9]]),
        Some(1)
    );
}

#[test]
fn ties_go_to_the_lowest_index() {
    assert_eq!(
        predict_first_spike(&[vec![2.0], vec![1.0], vec![1.0]]),
        Some(1)
    );
    assert_eq!(predict_first_spike(&[vec![0.0], vec![0.0]]), Some(0));
}

#[test]
fn silent_neurons_never_win() {
    assert_eq!(predict_first_spike(&[vec![], vec![5.0]]), Some(1));
    assert_eq!(predict_first_spike(&[vec![], vec![], vec![]]), None);
    assert_eq!(predict_first_spike(&[]), None);
}
