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

/// Dense random input trains, drawn from `rng`: `channels` channels with `per_channel`
/// spikes each, every time uniform in `[0, t_end)`, each train sorted. For cost studies
/// that scale the number of input spikes (the scaling example's `input_spikes` study). The
/// draws are channel by channel, `t_end * u` for `u` from `rng.random::<f64>()`, so a
/// seeded `rng` gives the same trains on every run.
///
/// # Errors
/// [`DatasetError::InvalidParameter`] if `t_end` is not finite and positive.
///
/// # Examples
/// ```
/// use fpsnn_datasets::uniform_trains;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
/// let trains = uniform_trains(&mut rng, 20, 4, 2.0)?;
/// assert_eq!(trains.len(), 20);
/// assert!(trains.iter().all(|t| t.len() == 4 && t.is_sorted() && t[3] < 2.0));
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
pub fn uniform_trains<R: Rng + ?Sized>(
    rng: &mut R,
    channels: usize,
    per_channel: usize,
    t_end: Time,
) -> Result<Vec<Vec<Time>>, DatasetError> {
    if !(t_end.is_finite() && t_end > 0.0) {
        return Err(DatasetError::InvalidParameter {
            name: "t_end",
            value: t_end,
            expected: "finite and > 0",
        });
    }
    Ok((0..channels)
        .map(|_| {
            let mut times: Vec<Time> = (0..per_channel)
                .map(|_| t_end * rng.random::<f64>())
                .collect();
            times.sort_by(f64::total_cmp);
            times
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_trains_are_the_seeded_draws_sorted() {
        let trains = uniform_trains(&mut StdRng::seed_from_u64(3), 5, 7, 2.0).unwrap();
        let mut rng = StdRng::seed_from_u64(3);
        for train in &trains {
            let mut expected: Vec<u64> = (0..7)
                .map(|_| (2.0 * rng.random::<f64>()).to_bits())
                .collect();
            // positive floats sort like their bits
            expected.sort_unstable();
            assert_eq!(
                train.iter().map(|t| t.to_bits()).collect::<Vec<_>>(),
                expected
            );
            assert!(train.iter().all(|&t| (0.0..2.0).contains(&t)));
        }
        assert_eq!(uniform_trains(&mut rng, 0, 3, 1.0).unwrap().len(), 0);
        assert!(
            uniform_trains(&mut rng, 2, 0, 1.0)
                .unwrap()
                .iter()
                .all(Vec::is_empty)
        );
    }

    #[test]
    fn uniform_trains_reject_a_bad_horizon() {
        let mut rng = StdRng::seed_from_u64(0);
        for t_end in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                uniform_trains(&mut rng, 1, 1, t_end),
                Err(DatasetError::InvalidParameter { name: "t_end", .. })
            ));
        }
    }
}
