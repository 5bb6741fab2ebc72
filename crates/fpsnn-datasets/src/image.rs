//! Labelled grey-scale images and their lazily encoded spike dataset.

use fpsnn_core::Time;

use crate::{
    Dataset, DatasetError, IntensityEncoder, Sample, SpikeEncoder, Split, stratified_split,
};

/// A labelled set of grey-scale images of one size, one byte per pixel.
///
/// Invariants (checked by [`ImageSet::try_new`]): at least one image and one pixel per
/// image, every pixel `<= max_value`, every label below `num_classes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSet {
    rows: usize,
    cols: usize,
    max_value: u8,
    num_classes: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl ImageSet {
    /// Checked constructor. `pixels` holds the images one after another, each row-major
    /// (`rows * cols` bytes per image); `labels` holds one label per image.
    ///
    /// # Errors
    /// [`DatasetError::Empty`] without labels, [`DatasetError::NoInputs`] if
    /// `rows * cols == 0` or `max_value == 0`, [`DatasetError::LengthMismatch`] if
    /// `pixels.len() != labels.len() * rows * cols`, [`DatasetError::PixelOutOfRange`] and
    /// [`DatasetError::LabelOutOfRange`].
    pub fn try_new(
        rows: usize,
        cols: usize,
        max_value: u8,
        num_classes: usize,
        pixels: Vec<u8>,
        labels: Vec<u8>,
    ) -> Result<Self, DatasetError> {
        if labels.is_empty() {
            return Err(DatasetError::Empty);
        }
        let num_pixels = rows.checked_mul(cols).unwrap_or(0);
        if num_pixels == 0 || max_value == 0 {
            return Err(DatasetError::NoInputs);
        }
        let expected = labels.len().saturating_mul(num_pixels);
        if pixels.len() != expected {
            return Err(DatasetError::LengthMismatch {
                what: "pixels",
                expected,
                found: pixels.len(),
            });
        }
        if let Some((position, &value)) = pixels.iter().enumerate().find(|(_, p)| **p > max_value) {
            return Err(DatasetError::PixelOutOfRange {
                image: position / num_pixels,
                pixel: position % num_pixels,
                value,
                max: max_value,
            });
        }
        if let Some((sample, &label)) = labels
            .iter()
            .enumerate()
            .find(|(_, l)| usize::from(**l) >= num_classes)
        {
            return Err(DatasetError::LabelOutOfRange {
                sample,
                label: usize::from(label),
                num_classes,
            });
        }
        Ok(Self {
            rows,
            cols,
            max_value,
            num_classes,
            pixels,
            labels,
        })
    }

    /// Number of images.
    #[must_use]
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always `false`: an image set has at least one image.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixel rows per image.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Pixel columns per image.
    #[must_use]
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Pixels per image, `rows * cols`.
    #[must_use]
    pub fn num_pixels(&self) -> usize {
        self.rows * self.cols
    }

    /// The largest intensity (16 for the 8x8 digits, 255 for MNIST).
    #[must_use]
    pub fn max_value(&self) -> u8 {
        self.max_value
    }

    /// Number of classes.
    #[must_use]
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// The pixels of image `index`, row-major.
    ///
    /// # Panics
    /// If `index >= len()`.
    #[must_use]
    #[track_caller]
    pub fn image(&self, index: usize) -> &[u8] {
        assert!(
            index < self.len(),
            "image {index} out of range for a set of {} images",
            self.len()
        );
        let n = self.num_pixels();
        &self.pixels[index * n..(index + 1) * n]
    }

    /// The label of image `index`.
    ///
    /// # Panics
    /// If `index >= len()`.
    #[must_use]
    #[track_caller]
    pub fn label(&self, index: usize) -> usize {
        assert!(
            index < self.len(),
            "image {index} out of range for a set of {} images",
            self.len()
        );
        usize::from(self.labels[index])
    }

    /// The labels, in image order.
    #[must_use]
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Number of images of each class.
    #[must_use]
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes];
        for &label in &self.labels {
            counts[usize::from(label)] += 1;
        }
        counts
    }

    /// The images at `indices`, in that order.
    ///
    /// # Errors
    /// [`DatasetError::Empty`] if `indices` is empty.
    ///
    /// # Panics
    /// If an index is `>= len()`.
    #[track_caller]
    pub fn select(&self, indices: &[usize]) -> Result<Self, DatasetError> {
        if indices.is_empty() {
            return Err(DatasetError::Empty);
        }
        let mut pixels = Vec::with_capacity(indices.len() * self.num_pixels());
        for &index in indices {
            pixels.extend_from_slice(self.image(index));
        }
        Ok(Self {
            pixels,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            ..*self
        })
    }

    /// Seeded stratified train/test split by the rule of
    /// [`stratified_split`](crate::stratified_split).
    ///
    /// # Errors
    /// As [`stratified_split`](crate::stratified_split), and [`DatasetError::Empty`] if
    /// either part would be empty.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<Split<Self>, DatasetError> {
        let labels: Vec<usize> = self.labels.iter().map(|&l| usize::from(l)).collect();
        stratified_split(&labels, self.num_classes, test_fraction, seed)?
            .try_map(|indices| self.select(&indices))
    }

    /// The spike dataset of these images under [`IntensityEncoder`] with latest time
    /// `t_max` and $p_{\max}$ = `max_value()`: pixel $p$ spikes at
    /// $t_{\max} (1 - p / p_{\max})$, and a zero pixel does not spike.
    ///
    /// # Errors
    /// [`DatasetError::InvalidParameter`] unless `t_max` is finite and `> 0`.
    pub fn into_dataset(self, t_max: Time) -> Result<ImageDataset, DatasetError> {
        let encoder = IntensityEncoder::try_new(t_max, f64::from(self.max_value))?;
        self.into_dataset_with(encoder)
    }

    /// The spike dataset of these images under `encoder` (for example one
    /// [`with_off_channels`](IntensityEncoder::with_off_channels)).
    ///
    /// # Errors
    /// [`DatasetError::InvalidParameter`] if the encoder's `max_value` is not this set's
    /// `max_value()` (pixels would fall outside its range, or never reach its top).
    pub fn into_dataset_with(
        self,
        encoder: IntensityEncoder,
    ) -> Result<ImageDataset, DatasetError> {
        if encoder.max_value().to_bits() != f64::from(self.max_value).to_bits() {
            return Err(DatasetError::InvalidParameter {
                name: "max_value",
                value: encoder.max_value(),
                expected: "the image set's largest intensity",
            });
        }
        Ok(ImageDataset {
            images: self,
            encoder,
        })
    }
}

/// An [`ImageSet`] seen as a spike [`Dataset`]: one input channel per pixel, encoded by an
/// [`IntensityEncoder`] each time a sample is requested (so MNIST needs no spike storage).
#[derive(Clone, Debug, PartialEq)]
pub struct ImageDataset {
    images: ImageSet,
    encoder: IntensityEncoder,
}

impl ImageDataset {
    /// The underlying images.
    #[must_use]
    pub fn images(&self) -> &ImageSet {
        &self.images
    }

    /// The encoder.
    #[must_use]
    pub fn encoder(&self) -> &IntensityEncoder {
        &self.encoder
    }

    /// The images, by value.
    #[must_use]
    pub fn into_images(self) -> ImageSet {
        self.images
    }
}

impl Dataset for ImageDataset {
    fn len(&self) -> usize {
        self.images.len()
    }

    fn num_inputs(&self) -> usize {
        self.encoder.num_channels(self.images.num_pixels())
    }

    fn num_classes(&self) -> usize {
        self.images.num_classes
    }

    fn get(&self, index: usize) -> Option<Sample> {
        if index >= self.len() {
            return None;
        }
        // Pixels are within [0, max_value] by the `ImageSet` invariant.
        let trains = self
            .encoder
            .trains_unchecked(self.images.image(index).iter().map(|&p| f64::from(p)));
        Some(Sample::new(trains, self.images.label(index)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate_dataset;

    fn tiny() -> ImageSet {
        ImageSet::try_new(1, 2, 4, 2, vec![0, 4, 2, 1, 4, 4], vec![0, 1, 1]).unwrap()
    }

    #[test]
    fn try_new_validates_lengths_pixels_and_labels() {
        assert!(matches!(
            ImageSet::try_new(1, 2, 4, 2, vec![0, 4, 2], vec![0, 1]),
            Err(DatasetError::LengthMismatch {
                what: "pixels",
                expected: 4,
                found: 3
            })
        ));
        assert!(matches!(
            ImageSet::try_new(1, 2, 4, 2, vec![0, 4, 5, 0], vec![0, 1]),
            Err(DatasetError::PixelOutOfRange {
                image: 1,
                pixel: 0,
                value: 5,
                max: 4
            })
        ));
        assert!(matches!(
            ImageSet::try_new(1, 2, 4, 2, vec![0, 4, 1, 0], vec![0, 2]),
            Err(DatasetError::LabelOutOfRange { sample: 1, .. })
        ));
        assert!(matches!(
            ImageSet::try_new(0, 2, 4, 2, vec![], vec![0]),
            Err(DatasetError::NoInputs)
        ));
    }

    #[test]
    fn dataset_encodes_pixels_lazily() {
        let data = tiny().into_dataset(4.0).unwrap();
        validate_dataset(&data).unwrap();
        assert_eq!(data.num_inputs(), 2);
        assert_eq!(data.sample(0), Sample::new(vec![vec![], vec![0.0]], 0));
        assert_eq!(data.sample(1), Sample::new(vec![vec![2.0], vec![3.0]], 1));
        assert!(data.get(3).is_none());
        assert!(tiny().into_dataset(0.0).is_err());
    }

    #[test]
    fn select_keeps_images_with_their_labels() {
        let set = tiny().select(&[2, 0]).unwrap();
        assert_eq!(set.image(0), &[4, 4]);
        assert_eq!(set.labels(), &[1, 0]);
        assert!(tiny().select(&[]).is_err());
    }
}
