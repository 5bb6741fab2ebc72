use fpsnn_datasets::{Dataset, DatasetError, Sample, xor, xor_with_times};

#[test]
fn xor_has_the_truth_table_and_paper_times() {
    let data = xor();
    assert_eq!(
        (data.len(), data.num_inputs(), data.num_classes()),
        (4, 2, 2)
    );
    let expected = [(0.0, 0.0, 0), (0.0, 2.0, 1), (2.0, 0.0, 1), (2.0, 2.0, 0)];
    for (index, (a, b, label)) in expected.into_iter().enumerate() {
        assert_eq!(
            data.sample(index),
            Sample::new(vec![vec![a], vec![b]], label)
        );
    }
}

#[test]
fn xor_with_times_validates_and_uses_the_times() {
    let data = xor_with_times(1.0, 3.0).unwrap();
    assert_eq!(data.sample(1).input_spikes, vec![vec![1.0], vec![3.0]]);
    assert!(matches!(
        xor_with_times(-1.0, 3.0),
        Err(DatasetError::InvalidParameter { name: "t_zero", .. })
    ));
    assert!(matches!(
        xor_with_times(0.0, f64::NAN),
        Err(DatasetError::InvalidParameter { name: "t_one", .. })
    ));
}
