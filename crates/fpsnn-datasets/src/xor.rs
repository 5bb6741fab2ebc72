//! The XOR problem as four spike patterns.

use fpsnn_core::Time;

use crate::error::check_time;
use crate::{DatasetError, Sample, SpikeDataset};

/// The paper's XOR set-up: 2 inputs, 2 classes, 4 samples; bit `0` spikes at `t = 0.0`,
/// bit `1` at `t = 2.0`.
///
/// Samples in order: `(0, 0) -> 0`, `(0, 1) -> 1`, `(1, 0) -> 1`, `(1, 1) -> 0`.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{Dataset, xor};
/// let data = xor();
/// assert_eq!(data.sample(2).input_spikes, vec![vec![2.0], vec![0.0]]);
/// assert_eq!(data.sample(2).label, 1);
/// ```
#[must_use]
pub fn xor() -> SpikeDataset {
    xor_samples(0.0, 2.0)
}

/// XOR with custom spike times for bit `0` (`t_zero`) and bit `1` (`t_one`).
///
/// # Errors
/// [`DatasetError::InvalidParameter`] unless both times are finite and `>= 0`.
pub fn xor_with_times(t_zero: Time, t_one: Time) -> Result<SpikeDataset, DatasetError> {
    check_time("t_zero", t_zero)?;
    check_time("t_one", t_one)?;
    Ok(xor_samples(t_zero, t_one))
}

fn xor_samples(t_zero: Time, t_one: Time) -> SpikeDataset {
    let time = |bit: usize| if bit == 0 { t_zero } else { t_one };
    let samples = [(0, 0), (0, 1), (1, 0), (1, 1)]
        .into_iter()
        .map(|(a, b)| Sample::new(vec![vec![time(a)], vec![time(b)]], a ^ b))
        .collect();
    SpikeDataset::from_parts_unchecked(samples, 2, 2)
}
