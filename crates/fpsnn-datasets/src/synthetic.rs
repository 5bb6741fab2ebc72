//! Synthetic inputs of a realistic size for benchmarks and scaling studies.

use fpsnn_core::Time;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::{DatasetError, Sample, SpikeDataset};

/// `count` latency-coded "images" shaped like Fashion-MNIST's: each of `channels` input
/// channels fires once with probability 1/2 (Fashion-MNIST has about half of its 784 pixels
/// non-zero, so about 390 spikes per image), at a time uniform in `[0, t_end)`; labels cycle
/// through `classes`. Seeded (`StdRng::seed_from_u64(seed)`), so every run sees the same
/// data. The inputs carry no class information: they measure cost, not accuracy.
///
/// # Errors
/// [`DatasetError::Empty`] if `count == 0`, [`DatasetError::NoInputs`] if `channels == 0`,
/// and an error if `classes == 0` or `t_end` is not finite and positive.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{Dataset, image_like};
/// let data = image_like(8, 784, 10, 2.0, 7)?;
/// let spikes: usize = (0..8).map(|i| data.get(i).unwrap().num_spikes()).sum();
/// assert!(spikes > 8 * 300 && spikes < 8 * 480);
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
pub fn image_like(
    count: usize,
    channels: usize,
    classes: usize,
    t_end: Time,
    seed: u64,
) -> Result<SpikeDataset, DatasetError> {
    if !(t_end.is_finite() && t_end > 0.0) {
        return Err(DatasetError::InvalidParameter {
            name: "t_end",
            value: t_end,
            expected: "finite and > 0",
        });
    }
    if classes == 0 {
        return Err(DatasetError::InvalidParameter {
            name: "classes",
            value: 0.0,
            expected: ">= 1",
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let samples = (0..count)
        .map(|k| {
            let trains = (0..channels)
                .map(|_| {
                    if rng.random::<bool>() {
                        vec![t_end * rng.random::<f64>()]
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            Sample::new(trains, k % classes)
        })
        .collect();
    SpikeDataset::try_new(samples, channels, classes)
}
