//! MNIST and Fashion-MNIST from user-supplied IDX files.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

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

/// Where Debian's package `dataset-fashion-mnist` installs the four Fashion-MNIST files
/// ([`MNIST_FILES`] with `.gz` appended).
pub const FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The classes of Fashion-MNIST, by label (Xiao, Rasul & Vollgraf, 2017).
pub const FASHION_MNIST_CLASS_NAMES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The image collections stored as the four IDX files of [`MNIST_FILES`] (28x28 grey
/// pixels, 10 classes, 60000 training and 10000 test images): what [`load_mnist`] reads
/// for either, told apart only for class names and where the files come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdxCollection {
    /// Handwritten digits (LeCun, Cortes & Burges), labels `0..=9` the digits.
    Mnist,
    /// Zalando's article images (Xiao, Rasul & Vollgraf, 2017), classes
    /// [`FASHION_MNIST_CLASS_NAMES`].
    FashionMnist,
}

impl IdxCollection {
    /// The collection's name (`"MNIST"`, `"Fashion-MNIST"`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Mnist => "MNIST",
            Self::FashionMnist => "Fashion-MNIST",
        }
    }

    /// The class names, by label.
    #[must_use]
    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            Self::Mnist => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            Self::FashionMnist => FASHION_MNIST_CLASS_NAMES,
        }
    }

    /// Where the files come from, in one sentence (for a message about missing files).
    #[must_use]
    pub fn source(self) -> &'static str {
        match self {
            Self::Mnist => {
                "MNIST's four IDX files come from the original MNIST distribution \
                 (http://yann.lecun.com/exdb/mnist/ and its mirrors)"
            }
            Self::FashionMnist => {
                "on Debian and Ubuntu `apt-get install dataset-fashion-mnist` installs them \
                 in /usr/share/datasets/fashion-mnist; otherwise download them from \
                 https://github.com/zalandoresearch/fashion-mnist (data/fashion)"
            }
        }
    }
}

/// The files of [`MNIST_FILES`] that are in `dir` neither as given nor with `.gz`
/// appended (what [`load_mnist`] would fail to open), in that order.
#[must_use]
pub fn missing_mnist_files(dir: impl AsRef<Path>) -> Vec<&'static str> {
    let dir = dir.as_ref();
    MNIST_FILES
        .into_iter()
        .filter(|name| !dir.join(name).is_file() && !dir.join(format!("{name}.gz")).is_file())
        .collect()
}

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

/// Writes `set` as an IDX3 image file and an IDX1 label file, the format
/// [`load_idx_image_set`] reads (which gives the set back, up to `max_value`, which IDX
/// does not store: it reads 255). A path ending in `.gz` is gzip-compressed. Useful for
/// subsets and for test fixtures.
///
/// # Errors
/// [`DatasetError::InvalidParameter`] if the count, rows or columns exceed `u32::MAX`
/// (IDX stores them as 32-bit numbers); [`DatasetError::Io`] if a file cannot be written.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{ImageSet, load_idx_image_set, write_idx_image_set};
/// let set = ImageSet::try_new(2, 2, 255, 10, vec![0, 9, 80, 255, 1, 2, 3, 4], vec![3, 7])?;
/// let dir = std::env::temp_dir().join(format!("fpsnn-idx-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let (images, labels) = (dir.join("images.gz"), dir.join("labels"));
/// write_idx_image_set(&set, &images, &labels)?;
/// assert_eq!(load_idx_image_set(&images, &labels)?, set);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_idx_image_set(
    set: &ImageSet,
    images_path: &Path,
    labels_path: &Path,
) -> Result<(), DatasetError> {
    let dim = |value: usize| {
        u32::try_from(value).map_err(|_| DatasetError::InvalidParameter {
            name: "IDX dimension",
            value: value as f64,
            expected: "at most 2^32 - 1 images, rows and columns",
        })
    };
    let (count, rows, cols) = (dim(set.len())?, dim(set.rows())?, dim(set.cols())?);
    let pixels = (0..set.len()).flat_map(|index| set.image(index).iter().copied());
    write_idx(images_path, 3, &[count, rows, cols], pixels)?;
    write_idx(labels_path, 1, &[count], set.labels().iter().copied())
}

/// Writes one IDX file of unsigned bytes (gzipped if the path ends in `.gz`).
fn write_idx(
    path: &Path,
    ndims: u8,
    dims: &[u32],
    data: impl Iterator<Item = u8>,
) -> Result<(), DatasetError> {
    let io_error = |source| DatasetError::Io {
        path: path.to_owned(),
        source,
    };
    let mut bytes = idx_magic(ndims).to_be_bytes().to_vec();
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend(data);
    let mut file = BufWriter::new(File::create(path).map_err(io_error)?);
    if path.extension().is_some_and(|ext| ext == "gz") {
        let mut encoder = GzEncoder::new(file, Compression::default());
        encoder.write_all(&bytes).map_err(io_error)?;
        // `finish` writes the gzip trailer (a drop would too, but hide its errors)
        file = encoder.finish().map_err(io_error)?;
    } else {
        file.write_all(&bytes).map_err(io_error)?;
    }
    file.flush().map_err(io_error)
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
