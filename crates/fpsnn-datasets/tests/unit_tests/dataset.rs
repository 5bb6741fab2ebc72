use std::sync::Arc;

use fpsnn_datasets::{
    Dataset, DatasetError, FeatureTable, ImageDataset, ImageSet, IntensityEncoder, IrisSplit,
    LatencyEncoder, MinMaxEncoder, Sample, SpikeDataset, SpikeEncoder, Split, YinYangPoints,
    validate_dataset, xor,
};

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Sample>();
    check::<SpikeDataset>();
    check::<ImageSet>();
    check::<ImageDataset>();
    check::<FeatureTable>();
    check::<LatencyEncoder>();
    check::<MinMaxEncoder>();
    check::<IntensityEncoder>();
    check::<IrisSplit>();
    check::<YinYangPoints>();
    check::<Split<SpikeDataset>>();
    check::<DatasetError>();
    check::<Box<dyn Dataset>>();
    check::<Box<dyn SpikeEncoder>>();
}

/// A dataset that breaks the contract: its second sample is unsorted.
struct Broken;

impl Dataset for Broken {
    fn len(&self) -> usize {
        2
    }
    fn num_inputs(&self) -> usize {
        1
    }
    fn num_classes(&self) -> usize {
        1
    }
    fn get(&self, index: usize) -> Option<Sample> {
        match index {
            0 => Some(Sample::new(vec![vec![0.0]], 0)),
            1 => Some(Sample::new(vec![vec![1.0, 0.5]], 0)),
            _ => None,
        }
    }
}

#[test]
fn validate_dataset_catches_a_broken_implementation() {
    assert!(matches!(
        validate_dataset(&Broken),
        Err(DatasetError::InvalidSpikeTrain {
            sample: 1,
            channel: 0,
            ..
        })
    ));
    assert!(matches!(
        SpikeDataset::try_from_dataset(&Broken),
        Err(DatasetError::InvalidSpikeTrain { sample: 1, .. })
    ));
    validate_dataset(&xor()).unwrap();
}

#[test]
fn datasets_work_behind_trait_objects() {
    let shared: Arc<dyn Dataset> = Arc::new(xor());
    let copy = SpikeDataset::try_from_dataset(&shared).unwrap();
    assert_eq!(copy, xor());
    let boxed: Vec<Box<dyn Dataset>> = vec![Box::new(xor()), Box::new(Arc::clone(&shared))];
    for data in &boxed {
        assert_eq!(data.sample(1).label, 1);
    }
}

#[test]
fn errors_display_their_context() {
    let err = SpikeDataset::try_new(vec![Sample::new(vec![vec![0.0]], 4)], 1, 2).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sample 0 has label 4, but there are only 2 classes"
    );
    let err = validate_dataset(&Broken).unwrap_err();
    assert!(std::error::Error::source(&err).is_some());
}

/// A dataset that claims more samples than it has.
struct Short;

impl Dataset for Short {
    fn len(&self) -> usize {
        3
    }
    fn num_inputs(&self) -> usize {
        1
    }
    fn num_classes(&self) -> usize {
        1
    }
    fn get(&self, index: usize) -> Option<Sample> {
        (index == 0).then(|| Sample::new(vec![vec![]], 0))
    }
}

#[test]
fn a_missing_sample_is_reported_with_its_index() {
    assert!(matches!(
        validate_dataset(&Short),
        Err(DatasetError::MissingSample { index: 1, len: 3 })
    ));
}

#[test]
fn a_spike_dataset_splits_by_the_stratified_rule() {
    let samples: Vec<Sample> = (0..30)
        .map(|i| Sample::new(vec![vec![f64::from(i)]], (i % 3) as usize))
        .collect();
    let data = SpikeDataset::try_new(samples, 1, 3).unwrap();
    let labels: Vec<usize> = data.samples().iter().map(|s| s.label).collect();
    let indices = fpsnn_datasets::stratified_split(&labels, 3, 0.2, 5).unwrap();
    let parts = data.split(0.2, 5).unwrap();
    assert_eq!(parts.train, data.select(&indices.train).unwrap());
    assert_eq!(parts.test, data.select(&indices.test).unwrap());
    assert_eq!(fpsnn_datasets::class_counts(&parts.test), vec![2, 2, 2]);
    assert_eq!(data.split(0.2, 5).unwrap(), parts, "seeded");
    assert!(matches!(
        data.split(1.5, 0),
        Err(DatasetError::InvalidParameter { .. })
    ));
    // a part that would be empty is an error, not an empty dataset
    assert!(matches!(data.split(0.0, 0), Err(DatasetError::Empty)));
    assert!(matches!(data.select(&[]), Err(DatasetError::Empty)));
}
