use fpsnn_datasets::{
    Dataset, DatasetError, DigitsConfig, IntensityEncoder, class_counts, digits, digits_images,
};

/// Class counts of the 1797 UCI test-set digits (scikit-learn `load_digits`).
const COUNTS: [usize; 10] = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

#[test]
fn digits_have_1797_images_with_known_class_counts() {
    let images = digits_images().unwrap();
    assert_eq!(images.len(), 1797);
    assert_eq!(
        (images.rows(), images.cols(), images.max_value()),
        (8, 8, 16)
    );
    assert_eq!(images.class_counts(), COUNTS);
    // First row of the file: a zero.
    assert_eq!(
        &images.image(0)[..16],
        &[0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]
    );
    assert_eq!(images.label(0), 0);
    assert_eq!(images.label(1), 1);
}

#[test]
fn default_split_is_stratified_80_20() {
    let split = digits(&DigitsConfig::default()).unwrap();
    // round(0.2 * n_c) per class.
    let test: Vec<usize> = COUNTS
        .iter()
        .map(|&n| (n as f64 * 0.2).round() as usize)
        .collect();
    let train: Vec<usize> = COUNTS.iter().zip(&test).map(|(n, t)| n - t).collect();
    assert_eq!(class_counts(&split.test), test);
    assert_eq!(class_counts(&split.train), train);
    assert_eq!((split.train.len(), split.test.len()), (1438, 359));
}

#[test]
fn pixels_are_latency_coded_and_blank_pixels_are_silent() {
    let images = digits_images().unwrap();
    let data = images.clone().into_dataset(4.0).unwrap();
    assert_eq!((data.num_inputs(), data.num_classes()), (64, 10));
    let sample = data.sample(0);
    for (pixel, &p) in images.image(0).iter().enumerate() {
        let train = &sample.input_spikes[pixel];
        if p == 0 {
            assert!(train.is_empty());
        } else {
            assert_eq!(train, &vec![4.0 * (1.0 - f64::from(p) / 16.0)]);
        }
    }
    let ink = images.image(0).iter().filter(|&&p| p > 0).count();
    assert_eq!(sample.num_spikes(), ink);
}

#[test]
fn off_channels_code_the_complement_after_all_on_channels() {
    let images = digits_images().unwrap();
    let config = DigitsConfig {
        off_channels: true,
        ..DigitsConfig::default()
    };
    let split = digits(&config).unwrap();
    assert_eq!(split.train.num_inputs(), 128);
    let plain = digits(&DigitsConfig::default()).unwrap();
    for k in [0, 1, 500, split.train.len() - 1] {
        let (on_off, on) = (split.train.sample(k), plain.train.sample(k));
        assert_eq!(on_off.label, on.label);
        // The on channels are the plain encoding, unchanged.
        assert_eq!(&on_off.input_spikes[..64], &on.input_spikes[..]);
        let pixels = split.train.images().image(k);
        for (pixel, &p) in pixels.iter().enumerate() {
            let off = &on_off.input_spikes[64 + pixel];
            if p == 16 {
                assert!(off.is_empty(), "a full pixel has no off spike");
            } else {
                assert_eq!(off, &vec![4.0 * f64::from(p) / 16.0]);
            }
        }
    }
    // Every pixel spikes on at least one of its two channels.
    let sample = split.test.sample(0);
    for pixel in 0..64 {
        assert!(
            !(sample.input_spikes[pixel].is_empty() && sample.input_spikes[64 + pixel].is_empty())
        );
    }
    // The top-left pixel is blank everywhere: its off channel fires at 0.
    assert_eq!(images.image(0)[0], 0);
    assert_eq!(split.train.sample(0).input_spikes[64], vec![0.0]);
}

#[test]
fn an_encoder_for_another_intensity_range_is_rejected() {
    let images = digits_images().unwrap();
    let encoder = IntensityEncoder::try_new(4.0, 255.0).unwrap();
    assert!(matches!(
        images.into_dataset_with(encoder),
        Err(DatasetError::InvalidParameter {
            name: "max_value",
            ..
        })
    ));
}
