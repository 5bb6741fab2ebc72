//! The IDX loader on small files written to a temporary directory.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use fpsnn_datasets::{
    Dataset, DatasetError, IdxCollection, ImageSet, MNIST_FILES, load_idx_image_set, load_mnist,
    missing_mnist_files, write_idx_image_set,
};
use proptest::prelude::*;

fn idx(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

fn images(count: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    idx(0x0803, &[count, rows, cols], pixels)
}

fn labels(values: &[u8]) -> Vec<u8> {
    idx(0x0801, &[values.len() as u32], values)
}

/// Train: 3 images of 2x3; test: 2 images.
fn write_valid(dir: &Path) {
    let train: Vec<u8> = (0..18).map(|i| i * 10).collect();
    let files = [
        images(3, 2, 3, &train),
        labels(&[7, 0, 9]),
        images(2, 2, 3, &[255; 12]),
        labels(&[1, 2]),
    ];
    for (name, bytes) in MNIST_FILES.iter().zip(files) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn overwrite(dir: &Path, index: usize, bytes: &[u8]) {
    std::fs::write(dir.join(MNIST_FILES[index]), bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn loads_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    let mnist = load_mnist(dir.path()).unwrap();
    assert_eq!((mnist.train.len(), mnist.test.len()), (3, 2));
    assert_eq!((mnist.train.rows(), mnist.train.cols()), (2, 3));
    assert_eq!(mnist.train.image(1), &[60, 70, 80, 90, 100, 110]);
    assert_eq!(mnist.train.labels(), &[7, 0, 9]);
    assert_eq!(mnist.test.labels(), &[1, 2]);

    let data = mnist.train.into_dataset(1.0).unwrap();
    assert_eq!((data.num_inputs(), data.num_classes()), (6, 10));
    let sample = data.sample(0);
    assert!(sample.input_spikes[0].is_empty()); // pixel 0
    assert_eq!(sample.input_spikes[1], vec![1.0 - 10.0 / 255.0]);
    assert_eq!(sample.label, 7);
}

#[test]
fn loads_gzipped_files() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    let plain = load_mnist(dir.path()).unwrap();
    for name in MNIST_FILES {
        let path = dir.path().join(name);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(dir.path().join(format!("{name}.gz")), gzip(&bytes)).unwrap();
        std::fs::remove_file(path).unwrap();
    }
    assert_eq!(load_mnist(dir.path()).unwrap(), plain);
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    std::fs::remove_file(dir.path().join(MNIST_FILES[3])).unwrap();
    match load_mnist(dir.path()) {
        Err(DatasetError::Io { path, source }) => {
            assert!(path.ends_with(MNIST_FILES[3]));
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn bad_magic_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    // A label file where an image file belongs.
    overwrite(dir.path(), 0, &labels(&[1, 2, 3]));
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::IdxBadMagic {
            expected: 0x0803,
            found: 0x0801,
            ..
        })
    ));
}

#[test]
fn truncated_and_overlong_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    let full = images(3, 2, 3, &[0; 18]);
    overwrite(dir.path(), 0, &full[..full.len() - 1]);
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::IdxLengthMismatch {
            expected: 34,
            found: 33,
            ..
        })
    ));
    let mut long = full.clone();
    long.push(0);
    overwrite(dir.path(), 0, &long);
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::IdxLengthMismatch {
            expected: 34,
            found: 35,
            ..
        })
    ));
    // Cut inside the header.
    overwrite(dir.path(), 0, &full[..10]);
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::IdxLengthMismatch {
            expected: 16,
            found: 10,
            ..
        })
    ));
}

#[test]
fn truncated_gzip_files_and_label_files_of_the_wrong_kind_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    // a gzip stream cut in the middle: the decoder reports the early end
    let full = gzip(&images(3, 2, 3, &[7; 18]));
    std::fs::remove_file(dir.path().join(MNIST_FILES[0])).unwrap();
    let gz = dir.path().join(format!("{}.gz", MNIST_FILES[0]));
    std::fs::write(&gz, &full[..full.len() / 2]).unwrap();
    match load_mnist(dir.path()) {
        Err(DatasetError::Io { path, source }) => {
            assert_eq!(path, gz);
            assert_eq!(source.kind(), std::io::ErrorKind::UnexpectedEof);
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    // a complete gzip stream holding a truncated file
    let short = images(3, 2, 3, &[7; 17]);
    std::fs::write(&gz, gzip(&short)).unwrap();
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::IdxLengthMismatch {
            expected: 34,
            found: 33,
            ..
        })
    ));
    // an image file where the labels belong
    write_valid(dir.path());
    std::fs::remove_file(&gz).unwrap();
    overwrite(dir.path(), 3, &images(2, 1, 1, &[1, 2]));
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::IdxBadMagic {
            expected: 0x0801,
            found: 0x0803,
            ..
        })
    ));
}

#[test]
fn written_sets_load_back_plain_and_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    let pixels: Vec<u8> = (0..4 * 6).map(|i| (i * 11) as u8).collect();
    let set = ImageSet::try_new(2, 3, 255, 10, pixels, vec![9, 0, 4, 4]).unwrap();
    for (images, labels) in [("i", "l"), ("i.gz", "l.gz")] {
        let (images, labels) = (dir.path().join(images), dir.path().join(labels));
        write_idx_image_set(&set, &images, &labels).unwrap();
        assert_eq!(load_idx_image_set(&images, &labels).unwrap(), set);
    }
    // the gzipped file really is compressed IDX
    let bytes = std::fs::read(dir.path().join("i.gz")).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    assert!(matches!(
        write_idx_image_set(&set, &dir.path().join("no/dir/i"), &dir.path().join("l")),
        Err(DatasetError::Io { .. })
    ));
}

#[test]
fn missing_files_are_listed_by_name() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(missing_mnist_files(dir.path()), MNIST_FILES);
    write_valid(dir.path());
    assert!(missing_mnist_files(dir.path()).is_empty());
    let gz = format!("{}.gz", MNIST_FILES[2]);
    std::fs::rename(dir.path().join(MNIST_FILES[2]), dir.path().join(gz)).unwrap();
    std::fs::remove_file(dir.path().join(MNIST_FILES[1])).unwrap();
    assert_eq!(missing_mnist_files(dir.path()), [MNIST_FILES[1]]);
    for collection in [IdxCollection::Mnist, IdxCollection::FashionMnist] {
        assert_eq!(collection.class_names().len(), 10);
        assert!(!collection.source().is_empty());
    }
    assert!(
        IdxCollection::FashionMnist
            .source()
            .contains("apt-get install dataset-fashion-mnist")
    );
    assert_eq!(IdxCollection::FashionMnist.class_names()[9], "Ankle boot");
}

#[test]
fn absurd_dimensions_never_allocate() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    let path = dir.path().join(MNIST_FILES[0]);
    let labels_path = dir.path().join(MNIST_FILES[1]);
    // 2^96 bytes: the product overflows u64.
    std::fs::write(&path, images(u32::MAX, u32::MAX, u32::MAX, &[0; 8])).unwrap();
    assert!(matches!(
        load_idx_image_set(&path, &labels_path),
        Err(DatasetError::IdxBadDimensions { .. })
    ));
    // ~10^15 bytes claimed by a 24-byte file: rejected by length, before any allocation.
    let claim = images(1_000_000_000, 1000, 1000, &[0; 8]);
    std::fs::write(&path, &claim).unwrap();
    assert!(matches!(
        load_idx_image_set(&path, &labels_path),
        Err(DatasetError::IdxLengthMismatch { found: 24, .. })
    ));
    // The same claim gzipped: the buffer only grows with the data present.
    let gz_path = dir.path().join("claim.gz");
    std::fs::write(&gz_path, gzip(&claim)).unwrap();
    assert!(matches!(
        load_idx_image_set(&gz_path, &labels_path),
        Err(DatasetError::IdxLengthMismatch {
            expected: 1_000_000_000_000_016,
            found: 24,
            ..
        })
    ));
    // Zero columns.
    std::fs::write(&path, images(3, 2, 0, &[])).unwrap();
    assert!(matches!(
        load_idx_image_set(&path, &labels_path),
        Err(DatasetError::IdxBadDimensions { .. })
    ));
}

#[test]
fn inconsistent_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write_valid(dir.path());
    overwrite(dir.path(), 1, &labels(&[1, 2]));
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::IdxCountMismatch {
            images: 3,
            labels: 2,
            ..
        })
    ));
    overwrite(dir.path(), 1, &labels(&[1, 10, 2]));
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::LabelOutOfRange {
            sample: 1,
            label: 10,
            num_classes: 10
        })
    ));
    write_valid(dir.path());
    overwrite(dir.path(), 2, &images(2, 3, 2, &[0; 12]));
    assert!(matches!(
        load_mnist(dir.path()),
        Err(DatasetError::ImageShapeMismatch {
            expected_rows: 2,
            found_rows: 3,
            ..
        })
    ));
    write_valid(dir.path());
    overwrite(dir.path(), 2, &images(0, 2, 3, &[]));
    overwrite(dir.path(), 3, &labels(&[]));
    assert!(matches!(load_mnist(dir.path()), Err(DatasetError::Empty)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn idx_round_trips(
        rows in 1_u32..6,
        cols in 1_u32..6,
        content in prop::collection::vec((any::<u8>(), 0_u8..10), 1..8),
        gzipped in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let n = (rows * cols) as usize;
        let pixels: Vec<u8> = content
            .iter()
            .flat_map(|&(p, _)| (0..n).map(move |i| p.wrapping_add(i as u8)))
            .collect();
        let label_values: Vec<u8> = content.iter().map(|&(_, l)| l).collect();
        let mut image_bytes = images(content.len() as u32, rows, cols, &pixels);
        let mut label_bytes = labels(&label_values);
        let (image_name, label_name) = if gzipped {
            image_bytes = gzip(&image_bytes);
            label_bytes = gzip(&label_bytes);
            ("i.gz", "l.gz")
        } else {
            ("i", "l")
        };
        std::fs::write(dir.path().join(image_name), image_bytes).unwrap();
        std::fs::write(dir.path().join(label_name), label_bytes).unwrap();
        let set = load_idx_image_set(&dir.path().join(image_name), &dir.path().join(label_name))
            .unwrap();
        prop_assert_eq!((set.rows(), set.cols(), set.len()), (rows as usize, cols as usize, content.len()));
        prop_assert_eq!(set.labels(), &label_values[..]);
        for index in 0..set.len() {
            prop_assert_eq!(set.image(index), &pixels[index * n..(index + 1) * n]);
        }
    }
}
