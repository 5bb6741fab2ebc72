use fpsnn_datasets::{Dataset, DatasetError, IrisConfig, class_counts, iris, iris_table};

#[test]
fn iris_table_has_150_rows_of_4_features() {
    let table = iris_table().unwrap();
    assert_eq!(
        (table.len(), table.num_features(), table.num_classes()),
        (150, 4, 3)
    );
    assert_eq!(table.class_counts(), vec![50, 50, 50]);
    // First and last rows of the file.
    assert_eq!(table.row(0), &[5.1, 3.5, 1.4, 0.2]);
    assert_eq!(table.labels()[0], 0);
    assert_eq!(table.row(149), &[5.9, 3.0, 5.1, 1.8]);
    assert_eq!(table.labels()[149], 2);
}

#[test]
fn default_split_is_40_10_per_class() {
    let split = iris(&IrisConfig::default()).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (120, 30));
    assert_eq!(class_counts(&split.train), vec![40, 40, 40]);
    assert_eq!(class_counts(&split.test), vec![10, 10, 10]);
    assert_eq!(
        (split.train.num_inputs(), split.train.num_classes()),
        (4, 3)
    );
    assert_eq!(split.encoder.t_max().to_bits(), 16.0_f64.to_bits());
}

#[test]
fn train_spikes_span_exactly_zero_to_t() {
    let split = iris(&IrisConfig::default()).unwrap();
    for feature in 0..4 {
        let times: Vec<f64> = split
            .train
            .samples()
            .iter()
            .map(|s| s.input_spikes[feature][0])
            .collect();
        let min = times.iter().copied().fold(f64::INFINITY, f64::min);
        let max = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // The fitted min maps to exactly T and the max to exactly 0 (1 - 1 and T * 1).
        assert_eq!(
            (min.to_bits(), max.to_bits()),
            (0.0_f64.to_bits(), 16.0_f64.to_bits())
        );
    }
    for sample in split.test.samples() {
        for train in &sample.input_spikes {
            assert!((0.0..=16.0).contains(&train[0]));
        }
    }
}

#[test]
fn encoder_is_fitted_on_the_training_part_only() {
    let config = IrisConfig::default();
    let split = iris(&config).unwrap();
    let table = iris_table()
        .unwrap()
        .split(config.test_fraction, config.seed)
        .unwrap();
    for feature in 0..4 {
        let column = table.train.rows().map(|row| row[feature]);
        let max = column.fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(split.encoder.max()[feature].to_bits(), max.to_bits());
    }
}

#[test]
fn split_depends_on_the_seed() {
    let a = iris(&IrisConfig::default()).unwrap();
    let b = iris(&IrisConfig::default()).unwrap();
    let c = iris(&IrisConfig {
        seed: 1,
        ..IrisConfig::default()
    })
    .unwrap();
    assert_eq!(a, b);
    assert_ne!(a.test, c.test);
}

#[test]
fn bad_config_is_a_typed_error() {
    let bad = |config: IrisConfig| iris(&config).unwrap_err();
    assert!(matches!(
        bad(IrisConfig {
            test_fraction: 1.5,
            ..IrisConfig::default()
        }),
        DatasetError::InvalidParameter {
            name: "test_fraction",
            ..
        }
    ));
    assert!(matches!(
        bad(IrisConfig {
            t_max: 0.0,
            ..IrisConfig::default()
        }),
        DatasetError::InvalidParameter { name: "t_max", .. }
    ));
    // Everything held out: the training part would be empty.
    assert!(matches!(
        bad(IrisConfig {
            test_fraction: 1.0,
            ..IrisConfig::default()
        }),
        DatasetError::Empty
    ));
}
