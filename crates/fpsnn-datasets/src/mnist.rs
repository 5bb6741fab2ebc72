//! MNIST from user-supplied IDX files.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;

use crate::{DatasetError, ImageSet, Split};

/// Magic number of an IDX file of unsigned bytes with `ndims` dimensions
/// (`0x00 0x00 0x08 ndims`, big-endian).
fn idx_magic(ndims: u8) -> u32 {
    0x0800 | u32::from(ndims)
}

/// The MNIST files [`load_mnist`] reads, in order: train images, train labels, test images,
/// test labels.
pub const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Loads MNIST from the four IDX files [`MNIST_FILES`] in `dir`: 60000 training and 10000
/// test images of 28x28 pixels (intensities `0..=255`), labels `0..=9`.
///
/// Each file is read as given or, if it is absent, from the same name with `.gz` appended
/// (gzip-compressed). Turn the sets into spike datasets with
/// [`ImageSet::into_dataset`]. MNIST is not embedded (it is about 50 MB); download it
/// yourself.
///
/// # Errors
/// [`DatasetError::Io`] if a file is missing or unreadable, and the errors of
/// [`load_idx_image_set`]; [`DatasetError::ImageShapeMismatch`] if the train and test
/// images differ in size.
pub fn load_mnist(dir: impl AsRef<Path>) -> Result<Split<ImageSet>, DatasetError> {
    let dir = dir.as_ref();
    let [train_images, train_labels, test_images, test_labels] =
        MNIST_FILES.map(|name| locate(dir, name));
    let train = load_idx_image_set(&train_images, &train_labels)?;
    let test = load_idx_image_set(&test_images, &test_labels)?;
    if (train.rows(), train.cols()) != (test.rows(), test.cols()) {
        return Err(DatasetError::ImageShapeMismatch {
            expected_rows: train.rows(),
            expected_cols: train.cols(),
            found_rows: test.rows(),
            found_cols: test.cols(),
        });
    }
    Ok(Split { train, test })
}

/// `dir/name` if it exists, else `dir/name.gz` if that exists, else `dir/name` (whose
/// opening then fails with "not found").
fn locate(dir: &Path, name: &str) -> PathBuf {
    let plain = dir.join(name);
    let gz = dir.join(format!("{name}.gz"));
    if !plain.exists() && gz.exists() {
        gz
    } else {
        plain
    }
}

/// Loads one labelled image set from an IDX3 image file (magic `0x00000803`: count, rows,
/// cols, then the pixels) and an IDX1 label file (magic `0x00000801`: count, then the
/// labels), as in MNIST and Fashion-MNIST. A path ending in `.gz` is decompressed. Pixels
/// may take any byte value (`max_value = 255`); labels must be below 10.
///
/// Sizes are checked before anything large is allocated: an uncompressed file must be
/// exactly as long as its header declares, and a gzip stream is read at most one byte past
/// the declared length into a buffer that grows only with the data actually present.
///
/// # Errors
/// [`DatasetError::Io`] for I/O failures (including a corrupt gzip stream),
/// [`DatasetError::IdxBadMagic`], [`DatasetError::IdxBadDimensions`] (zero rows or columns,
/// or sizes that overflow), [`DatasetError::IdxLengthMismatch`] (truncated or trailing
/// data), [`DatasetError::IdxCountMismatch`], [`DatasetError::Empty`] for zero images, and
/// [`DatasetError::LabelOutOfRange`].
pub fn load_idx_image_set(
    images_path: &Path,
    labels_path: &Path,
) -> Result<ImageSet, DatasetError> {
    let (dims, pixels) = read_idx(images_path, 3)?;
    let (rows, cols) = (dims[1], dims[2]);
    let (label_dims, labels) = read_idx(labels_path, 1)?;
    if label_dims[0] != dims[0] {
        return Err(DatasetError::IdxCountMismatch {
            labels_path: labels_path.to_owned(),
            images: dims[0],
            labels: label_dims[0],
        });
    }
    ImageSet::try_new(rows, cols, u8::MAX, 10, pixels, labels)
}

/// Reads an IDX file of unsigned bytes with `ndims` dimensions: returns the dimensions and
/// the data. Every dimension but the first (the item count) must be non-zero.
fn read_idx(path: &Path, ndims: u8) -> Result<(Vec<usize>, Vec<u8>), DatasetError> {
    let io_error = |source| DatasetError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let gzipped = path.extension().is_some_and(|ext| ext == "gz");
    // The on-disk length bounds every allocation for an uncompressed file.
    let disk_len = if gzipped {
        None
    } else {
        Some(file.metadata().map_err(io_error)?.len())
    };
    let mut reader: Box<dyn Read> = if gzipped {
        Box::new(GzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };

    let header_len = 4 + 4 * usize::from(ndims);
    let mut header = vec![0_u8; header_len];
    let got = read_up_to(&mut reader, &mut header).map_err(io_error)?;
    let length_mismatch = |expected: u64, found: u64| DatasetError::IdxLengthMismatch {
        path: path.to_owned(),
        expected,
        found,
    };
    if got < 4 {
        return Err(length_mismatch(header_len as u64, got as u64));
    }
    let word =
        |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let found_magic = word(0);
    if found_magic != idx_magic(ndims) {
        return Err(DatasetError::IdxBadMagic {
            path: path.to_owned(),
            expected: idx_magic(ndims),
            found: found_magic,
        });
    }
    if got < header_len {
        return Err(length_mismatch(header_len as u64, got as u64));
    }
    let raw_dims: Vec<u32> = (0..usize::from(ndims)).map(|d| word(4 + 4 * d)).collect();
    let bad_dims = || DatasetError::IdxBadDimensions {
        path: path.to_owned(),
        dims: raw_dims.clone(),
    };
    if raw_dims.iter().skip(1).any(|&d| d == 0) {
        return Err(bad_dims());
    }
    let payload_len = raw_dims
        .iter()
        .try_fold(1_u64, |acc, &d| acc.checked_mul(u64::from(d)))
        .ok_or_else(bad_dims)?;
    let expected_len = payload_len
        .checked_add(header_len as u64)
        .ok_or_else(bad_dims)?;
    let payload_capacity = usize::try_from(payload_len).map_err(|_| bad_dims())?;
    let dims = raw_dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| bad_dims()))
        .collect::<Result<Vec<_>, _>>()?;

    let payload = match disk_len {
        Some(disk_len) => {
            if disk_len != expected_len {
                return Err(length_mismatch(expected_len, disk_len));
            }
            let mut payload = vec![0_u8; payload_capacity];
            reader.read_exact(&mut payload).map_err(io_error)?;
            payload
        }
        None => {
            // Grows with the decompressed data, never to a size the header merely claims.
            let mut payload = Vec::new();
            reader
                .take(payload_len.saturating_add(1))
                .read_to_end(&mut payload)
                .map_err(io_error)?;
            if payload.len() != payload_capacity {
                return Err(length_mismatch(
                    expected_len,
                    header_len as u64 + payload.len() as u64,
                ));
            }
            payload
        }
    };
    Ok((dims, payload))
}

/// Reads into `buf` until it is full or the reader is exhausted; returns the bytes read.
fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_match_the_idx_spec() {
        assert_eq!(idx_magic(3), 2051);
        assert_eq!(idx_magic(1), 2049);
    }
}
