//! Golden test: the Rust generator against the official Yin-Yang sets.
//!
//! `tests/data/yinyang/*.csv` were produced by the reference generator
//! (`lkriener/yin_yang_data_set` `dataset.py` at commit `e6eef96`, numpy 2.4.6); see
//! `tests/data/yinyang/README.md`.

use fpsnn_datasets::{
    Dataset, LatencyEncoder, YinYangPoint, YinYangPoints, YinYangSplit, class_counts, yin_yang,
    yin_yang_class,
};

fn reference(name: &str) -> Vec<YinYangPoint> {
    let path = format!(
        "{}/tests/data/yinyang/{name}.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("x,y,class"));
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 3, "{line}");
            YinYangPoint {
                x: fields[0].parse().unwrap(),
                y: fields[1].parse().unwrap(),
                class: fields[2].parse().unwrap(),
            }
        })
        .collect()
}

fn assert_bit_identical(split: YinYangSplit, name: &str, counts: [usize; 3], words: u64) {
    let expected = reference(name);
    let generated = YinYangPoints::official(split);
    assert_eq!(generated.points().len(), expected.len());
    for (index, (got, want)) in generated.points().iter().zip(&expected).enumerate() {
        assert_eq!(got.x.to_bits(), want.x.to_bits(), "{name} point {index}: x");
        assert_eq!(got.y.to_bits(), want.y.to_bits(), "{name} point {index}: y");
        assert_eq!(got.class, want.class, "{name} point {index}: class");
    }
    assert_eq!(generated.class_counts(), counts);
    assert_eq!(generated.words_consumed(), words);
}

#[test]
fn train_set_is_bit_identical_to_the_reference() {
    assert_bit_identical(YinYangSplit::Train, "train", [1681, 1702, 1617], 141_579);
}

#[test]
fn validation_set_is_bit_identical_to_the_reference() {
    assert_bit_identical(
        YinYangSplit::Validation,
        "validation",
        [316, 336, 348],
        31_380,
    );
}

#[test]
fn test_set_is_bit_identical_to_the_reference() {
    assert_bit_identical(YinYangSplit::Test, "test", [350, 316, 334], 29_489);
}

#[test]
fn every_reference_point_satisfies_the_class_rule() {
    for name in ["train", "validation", "test"] {
        for point in reference(name) {
            let (dx, dy) = (point.x - 0.5, point.y - 0.5);
            assert!((dx * dx + dy * dy).sqrt() <= 0.5);
            assert_eq!(yin_yang_class(point.x, point.y), point.class);
        }
    }
}

#[test]
fn paper_encoding_gives_five_channels_with_a_bias_spike() {
    let data = yin_yang(YinYangSplit::Validation, &LatencyEncoder::yin_yang()).unwrap();
    assert_eq!(
        (data.len(), data.num_inputs(), data.num_classes()),
        (1000, 5, 3)
    );
    assert_eq!(class_counts(&data), vec![316, 336, 348]);
    let points = reference("validation");
    for (index, point) in points.iter().enumerate() {
        let sample = data.sample(index);
        let values = [point.x, point.y, 1.0 - point.x, 1.0 - point.y];
        for (channel, v) in values.into_iter().enumerate() {
            let want = 0.15 + 1.85 * v;
            assert_eq!(sample.input_spikes[channel].len(), 1);
            assert_eq!(sample.input_spikes[channel][0].to_bits(), want.to_bits());
        }
        assert_eq!(sample.input_spikes[4], vec![0.9]);
        assert_eq!(sample.label, point.class);
    }
}

#[test]
fn encoding_is_configurable() {
    let encoder = LatencyEncoder::try_new(0.0, 1.0).unwrap();
    let data = yin_yang(YinYangSplit::Test, &encoder).unwrap();
    assert_eq!(data.num_inputs(), 4);
    let point = reference("test")[0];
    assert_eq!(data.sample(0).input_spikes[1], vec![point.y]);
}

#[test]
fn other_sizes_and_seeds_are_prefixes_of_the_same_stream() {
    // The stream is consumed point by point, so a shorter set is a prefix of a longer one.
    let short = YinYangPoints::generate(10, 42);
    let long = YinYangPoints::official(YinYangSplit::Train);
    assert_eq!(short.points(), &long.points()[..10]);
    assert!(YinYangPoints::generate(0, 1).points().is_empty());
    assert!(YinYangPoints::generate(0, 1).to_table().is_err());
}
