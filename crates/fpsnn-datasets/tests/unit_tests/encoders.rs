use fpsnn_datasets::{
    DatasetError, FeatureTable, IntensityEncoder, LatencyEncoder, MinMaxEncoder, SpikeEncoder,
    stratified_split,
};
use proptest::prelude::*;

proptest! {
    #[test]
    fn latency_times_are_monotone_and_within_the_window(
        t_early in 0.0..10.0_f64,
        width in 0.0..10.0_f64,
        a in 0.0..=1.0_f64,
        b in 0.0..=1.0_f64,
    ) {
        let encoder = LatencyEncoder::try_new(t_early, t_early + width).unwrap();
        let (ta, tb) = (encoder.time_of(a).unwrap(), encoder.time_of(b).unwrap());
        prop_assert!(t_early <= ta && ta <= t_early + width);
        if a <= b {
            prop_assert!(ta <= tb);
        }
    }

    #[test]
    fn min_max_times_stay_in_zero_to_t(
        rows in prop::collection::vec(prop::collection::vec(-100.0..100.0_f64, 3), 2..20),
        probe in prop::collection::vec(-1000.0..1000.0_f64, 3),
        t_max in 0.1..50.0_f64,
    ) {
        match MinMaxEncoder::fit(&rows, t_max) {
            Ok(encoder) => {
                for train in encoder.encode(&probe).unwrap() {
                    prop_assert_eq!(train.len(), 1);
                    prop_assert!((0.0..=t_max).contains(&train[0]));
                }
            }
            Err(err) => prop_assert!(matches!(err, DatasetError::ConstantFeature { .. }), "{}", err),
        }
    }

    #[test]
    fn stratified_split_partitions_every_class(
        labels in prop::collection::vec(0..4_usize, 1..200),
        fraction in 0.0..=1.0_f64,
        seed in any::<u64>(),
    ) {
        let split = stratified_split(&labels, 4, fraction, seed).unwrap();
        let mut all: Vec<usize> = split.train.iter().chain(&split.test).copied().collect();
        all.sort_unstable();
        prop_assert_eq!(all, (0..labels.len()).collect::<Vec<_>>());
        prop_assert!(split.train.windows(2).all(|w| w[0] < w[1]));
        for class in 0..4 {
            let n = labels.iter().filter(|&&l| l == class).count();
            let test = split.test.iter().filter(|&&i| labels[i] == class).count();
            prop_assert_eq!(test, (n as f64 * fraction).round() as usize);
        }
    }
}

#[test]
fn encoders_report_bad_features_with_the_row() {
    let table = FeatureTable::try_new(&[[0.0, 1.0], [f64::NAN, 0.0]], vec![0, 0], 1);
    assert!(matches!(
        table,
        Err(DatasetError::NonFiniteFeature {
            sample: Some(1),
            feature: 0,
            ..
        })
    ));
    let table = FeatureTable::try_new(&[[0.0, 1.0], [2.0, 0.0]], vec![0, 0], 1).unwrap();
    let intensity = IntensityEncoder::try_new(1.0, 1.0).unwrap();
    for encoder in [intensity, intensity.with_off_channels()] {
        assert!(matches!(
            table.encode(&encoder),
            Err(DatasetError::FeatureOutOfRange {
                sample: Some(1),
                feature: 0,
                ..
            })
        ));
    }
    let minmax = MinMaxEncoder::try_new(1.0, vec![0.0], vec![1.0]).unwrap();
    assert!(matches!(
        table.encode(&minmax),
        Err(DatasetError::FeatureCountMismatch {
            sample: Some(0),
            expected: 1,
            found: 2
        })
    ));
}

#[test]
fn encoders_work_as_trait_objects() {
    let encoders: Vec<Box<dyn SpikeEncoder>> = vec![
        Box::new(LatencyEncoder::yin_yang()),
        Box::new(IntensityEncoder::try_new(4.0, 16.0).unwrap()),
        Box::new(MinMaxEncoder::try_new(16.0, vec![0.0; 2], vec![1.0; 2]).unwrap()),
        Box::new(
            IntensityEncoder::try_new(4.0, 16.0)
                .unwrap()
                .with_off_channels(),
        ),
    ];
    let channels: Vec<usize> = encoders.iter().map(|e| e.num_channels(2)).collect();
    assert_eq!(channels, [3, 2, 2, 4]);
    for encoder in &encoders {
        let trains = encoder.encode(&[0.0, 1.0]).unwrap();
        assert_eq!(trains.len(), encoder.num_channels(2));
    }
}
