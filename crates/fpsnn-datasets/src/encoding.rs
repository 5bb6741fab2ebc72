//! Spike encoders: real-valued features to input spike trains.

use fpsnn_core::Time;

use crate::DatasetError;
use crate::error::{check_positive, check_time};

/// Turns a feature vector into one spike train per input channel.
///
/// | encoder | spikes per feature | rule | extra channel |
/// |---|---|---|---|
/// | [`LatencyEncoder`] | 1 | $t = t_{\mathrm{early}} + (t_{\mathrm{late}} - t_{\mathrm{early}}) v$, $v \in [0, 1]$ | optional bias spike |
/// | [`MinMaxEncoder`] | 1 | $t = T \bigl(1 - \frac{x - x^{\min}}{x^{\max} - x^{\min}}\bigr)$, clamped to $[0, T]$ | none |
/// | [`IntensityEncoder`] | 0 or 1 | $t = T (1 - p / p_{\max})$ for $p \gt 0$, no spike for $p = 0$ | optional "off" channel per feature: $t = T p / p_{\max}$ for $p \lt p_{\max}$ |
pub trait SpikeEncoder: Send + Sync {
    /// Number of input channels produced for `num_features` features.
    fn num_channels(&self, num_features: usize) -> usize;

    /// Encodes one feature vector; the result has [`num_channels`](Self::num_channels)
    /// sorted trains.
    ///
    /// # Errors
    /// [`DatasetError::NonFiniteFeature`], [`DatasetError::FeatureOutOfRange`] or
    /// [`DatasetError::FeatureCountMismatch`] (all with `sample: None`).
    fn encode(&self, features: &[f64]) -> Result<Vec<Vec<Time>>, DatasetError>;
}

impl<E: SpikeEncoder + ?Sized> SpikeEncoder for &E {
    fn num_channels(&self, num_features: usize) -> usize {
        (**self).num_channels(num_features)
    }
    fn encode(&self, features: &[f64]) -> Result<Vec<Vec<Time>>, DatasetError> {
        (**self).encode(features)
    }
}

fn check_finite(feature: usize, value: f64) -> Result<f64, DatasetError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DatasetError::NonFiniteFeature {
            sample: None,
            feature,
            value,
        })
    }
}

fn check_range(feature: usize, value: f64, min: f64, max: f64) -> Result<f64, DatasetError> {
    check_finite(feature, value)?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(DatasetError::FeatureOutOfRange {
            sample: None,
            feature,
            value,
            min,
            max,
        })
    }
}

/// Time-to-first-spike latency coding of values in `[0, 1]`.
///
/// Each feature $v$ becomes one spike at
///
/// $$
/// t(v) = t_{\mathrm{early}} + (t_{\mathrm{late}} - t_{\mathrm{early}}) v, \qquad
///     0 \le t_{\mathrm{early}} \le t_{\mathrm{late}},
/// $$
///
/// so $v = 0$ fires first. An optional bias channel, appended after the feature channels,
/// fires once at a fixed time for every sample (a reference spike that lets a network
/// learn offsets). [`LatencyEncoder::yin_yang`] gives the paper's Yin-Yang set-up,
/// $t = 0.15 + 1.85 v$ with a bias spike at 0.9.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{LatencyEncoder, SpikeEncoder};
/// let encoder = LatencyEncoder::try_new(0.0, 2.0)?.with_bias(0.5)?;
/// assert_eq!(encoder.encode(&[0.0, 1.0])?, vec![vec![0.0], vec![2.0], vec![0.5]]);
/// assert!(encoder.encode(&[1.5, 0.0]).is_err()); // outside [0, 1]
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencyEncoder {
    t_early: Time,
    t_late: Time,
    bias: Option<Time>,
}

impl LatencyEncoder {
    /// Encoder mapping $v = 0$ to `t_early` and $v = 1$ to `t_late`, without bias channel.
    ///
    /// # Errors
    /// [`DatasetError::InvalidParameter`] unless `0 <= t_early <= t_late` and both are finite.
    pub fn try_new(t_early: Time, t_late: Time) -> Result<Self, DatasetError> {
        check_time("t_early", t_early)?;
        check_time("t_late", t_late)?;
        if t_late < t_early {
            return Err(DatasetError::InvalidParameter {
                name: "t_late",
                value: t_late,
                expected: "a time >= t_early",
            });
        }
        Ok(Self {
            t_early,
            t_late,
            bias: None,
        })
    }

    /// The Yin-Yang encoding of the paper: $t = 0.15 + 1.85 v$ and a bias spike at 0.9.
    #[must_use]
    pub fn yin_yang() -> Self {
        Self {
            t_early: 0.15,
            t_late: 2.0,
            bias: Some(0.9),
        }
    }

    /// The same encoder with a bias channel that always spikes once at `time`.
    ///
    /// # Errors
    /// [`DatasetError::InvalidParameter`] unless `time` is finite and `>= 0`.
    pub fn with_bias(self, time: Time) -> Result<Self, DatasetError> {
        check_time("bias", time)?;
        Ok(Self {
            bias: Some(time),
            ..self
        })
    }

    /// The same encoder without bias channel.
    #[must_use]
    pub fn without_bias(self) -> Self {
        Self { bias: None, ..self }
    }

    /// Spike time of the value `0`.
    #[must_use]
    pub fn t_early(&self) -> Time {
        self.t_early
    }

    /// Spike time of the value `1`.
    #[must_use]
    pub fn t_late(&self) -> Time {
        self.t_late
    }

    /// Time of the bias spike, if there is a bias channel.
    #[must_use]
    pub fn bias(&self) -> Option<Time> {
        self.bias
    }

    /// Spike time of one value.
    ///
    /// # Errors
    /// [`DatasetError::NonFiniteFeature`] or [`DatasetError::FeatureOutOfRange`] (reported as
    /// feature 0) unless `v` is in `[0, 1]`.
    pub fn time_of(&self, v: f64) -> Result<Time, DatasetError> {
        check_range(0, v, 0.0, 1.0)?;
        Ok(self.time_unchecked(v))
    }

    fn time_unchecked(&self, v: f64) -> Time {
        self.t_early + (self.t_late - self.t_early) * v
    }
}

impl SpikeEncoder for LatencyEncoder {
    fn num_channels(&self, num_features: usize) -> usize {
        num_features + usize::from(self.bias.is_some())
    }

    fn encode(&self, features: &[f64]) -> Result<Vec<Vec<Time>>, DatasetError> {
        let mut trains = Vec::with_capacity(self.num_channels(features.len()));
        for (feature, &v) in features.iter().enumerate() {
            check_range(feature, v, 0.0, 1.0)?;
            trains.push(vec![self.time_unchecked(v)]);
        }
        trains.extend(self.bias.map(|t| vec![t]));
        Ok(trains)
    }
}

/// Min/max latency coding (the paper's Iris set-up): feature $i$ with value $x$ spikes at
///
/// $$
/// t = T (1 - u), \qquad
///     u = \operatorname{clamp}\Bigl(\frac{x - x_i^{\min}}{x_i^{\max} - x_i^{\min}}, 0, 1\Bigr),
/// $$
///
/// so the largest value fires first (at 0) and the smallest last (at $T$). $x_i^{\min}$ and
/// $x_i^{\max}$ come from [`MinMaxEncoder::fit`] on the training data. A value outside the
/// fitted range (possible on test data) is clamped, so every spike time stays in $[0, T]$.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{MinMaxEncoder, SpikeEncoder};
/// let encoder = MinMaxEncoder::fit(&[vec![1.0, 0.0], vec![3.0, 10.0]], 16.0)?;
/// assert_eq!(encoder.encode(&[2.0, 10.0])?, vec![vec![8.0], vec![0.0]]);
/// assert_eq!(encoder.encode(&[0.0, 20.0])?, vec![vec![16.0], vec![0.0]]); // clamped
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MinMaxEncoder {
    t_max: Time,
    min: Vec<f64>,
    max: Vec<f64>,
}

impl MinMaxEncoder {
    /// Encoder with explicit per-feature ranges.
    ///
    /// # Errors
    /// [`DatasetError::InvalidParameter`] unless `t_max` is finite and `> 0`;
    /// [`DatasetError::NoInputs`] if there is no feature;
    /// [`DatasetError::FeatureCountMismatch`] if `min` and `max` differ in length;
    /// [`DatasetError::NonFiniteFeature`] for a non-finite bound;
    /// [`DatasetError::ConstantFeature`] unless `min[i] < max[i]`.
    pub fn try_new(t_max: Time, min: Vec<f64>, max: Vec<f64>) -> Result<Self, DatasetError> {
        check_positive("t_max", t_max)?;
        if min.is_empty() {
            return Err(DatasetError::NoInputs);
        }
        if min.len() != max.len() {
            return Err(DatasetError::FeatureCountMismatch {
                sample: None,
                expected: min.len(),
                found: max.len(),
            });
        }
        for (feature, (&lo, &hi)) in min.iter().zip(&max).enumerate() {
            check_finite(feature, lo)?;
            check_finite(feature, hi)?;
            if lo >= hi {
                return Err(DatasetError::ConstantFeature { feature, value: lo });
            }
        }
        Ok(Self { t_max, min, max })
    }

    /// Fits the per-feature minimum and maximum to `rows` (the training data).
    ///
    /// # Errors
    /// [`DatasetError::Empty`] without rows, [`DatasetError::FeatureCountMismatch`] if the
    /// rows differ in length, [`DatasetError::NonFiniteFeature`] (with the row index), and
    /// the errors of [`MinMaxEncoder::try_new`] (a feature constant over all rows).
    pub fn fit<R: AsRef<[f64]>>(rows: &[R], t_max: Time) -> Result<Self, DatasetError> {
        let first = rows.first().ok_or(DatasetError::Empty)?.as_ref();
        let mut min = vec![f64::INFINITY; first.len()];
        let mut max = vec![f64::NEG_INFINITY; first.len()];
        for (index, row) in rows.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != first.len() {
                return Err(DatasetError::FeatureCountMismatch {
                    sample: Some(index),
                    expected: first.len(),
                    found: row.len(),
                });
            }
            for (feature, &x) in row.iter().enumerate() {
                check_finite(feature, x).map_err(|e| e.in_sample(index))?;
                min[feature] = min[feature].min(x);
                max[feature] = max[feature].max(x);
            }
        }
        Self::try_new(t_max, min, max)
    }

    /// The latest spike time `T`.
    #[must_use]
    pub fn t_max(&self) -> Time {
        self.t_max
    }

    /// Per-feature minimum $x_i^{\min}$ (mapped to $t = T$).
    #[must_use]
    pub fn min(&self) -> &[f64] {
        &self.min
    }

    /// Per-feature maximum $x_i^{\max}$ (mapped to $t = 0$).
    #[must_use]
    pub fn max(&self) -> &[f64] {
        &self.max
    }
}

impl SpikeEncoder for MinMaxEncoder {
    fn num_channels(&self, num_features: usize) -> usize {
        num_features
    }

    fn encode(&self, features: &[f64]) -> Result<Vec<Vec<Time>>, DatasetError> {
        if features.len() != self.min.len() {
            return Err(DatasetError::FeatureCountMismatch {
                sample: None,
                expected: self.min.len(),
                found: features.len(),
            });
        }
        features
            .iter()
            .zip(self.min.iter().zip(&self.max))
            .enumerate()
            .map(|(feature, (&x, (&lo, &hi)))| {
                check_finite(feature, x)?;
                let u = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
                Ok(vec![self.t_max * (1.0 - u)])
            })
            .collect()
    }
}

/// Latency coding of intensities in $[0, p_{\max}]$ (image pixels): a pixel $p$ spikes once
/// at
///
/// $$
/// t = T \Bigl(1 - \frac{p}{p_{\max}}\Bigr) \quad \text{for } p \gt 0, \qquad
///     \text{no spike for } p = 0,
/// $$
///
/// so the brightest pixels fire first (at 0) and background pixels stay silent, which
/// keeps the number of input spikes (and the simulation cost) proportional to the ink.
///
/// With [`IntensityEncoder::with_off_channels`] every feature gets a second, "off"
/// channel that codes the complement, as the on/off cells of a retina do:
///
/// $$
/// t_{\mathrm{off}} = T \frac{p}{p_{\max}} \quad \text{for } p \lt p_{\max}, \qquad
///     \text{no spike for } p = p_{\max},
/// $$
///
/// so a blank pixel is positive evidence (an early spike) instead of an absence. The off
/// channels follow all the on channels: channel `k` is feature `k` on, `n + k` off.
///
/// # Examples
/// ```
/// use fpsnn_datasets::{IntensityEncoder, SpikeEncoder};
/// let encoder = IntensityEncoder::try_new(4.0, 16.0)?;
/// assert_eq!(encoder.encode(&[0.0, 4.0, 16.0])?, vec![vec![], vec![3.0], vec![0.0]]);
/// let on_off = encoder.with_off_channels();
/// assert_eq!(on_off.num_channels(3), 6);
/// assert_eq!(
///     on_off.encode(&[0.0, 4.0, 16.0])?,
///     vec![vec![], vec![3.0], vec![0.0], vec![0.0], vec![1.0], vec![]]
/// );
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntensityEncoder {
    t_max: Time,
    max_value: f64,
    off_channels: bool,
}

impl IntensityEncoder {
    /// Encoder with latest spike time `t_max` for intensities up to `max_value`.
    ///
    /// # Errors
    /// [`DatasetError::InvalidParameter`] unless both are finite and `> 0`.
    pub fn try_new(t_max: Time, max_value: f64) -> Result<Self, DatasetError> {
        check_positive("t_max", t_max)?;
        check_positive("max_value", max_value)?;
        Ok(Self {
            t_max,
            max_value,
            off_channels: false,
        })
    }

    /// The same encoder with an "off" channel per feature (see the type's docs).
    #[must_use]
    pub fn with_off_channels(self) -> Self {
        Self {
            off_channels: true,
            ..self
        }
    }

    /// Whether every feature also has an "off" channel.
    #[must_use]
    pub fn has_off_channels(&self) -> bool {
        self.off_channels
    }

    /// The time a vanishingly faint pixel would spike at.
    #[must_use]
    pub fn t_max(&self) -> Time {
        self.t_max
    }

    /// The intensity that spikes at `0`.
    #[must_use]
    pub fn max_value(&self) -> f64 {
        self.max_value
    }

    /// Train of one intensity already known to lie in `[0, max_value]`.
    pub(crate) fn train_unchecked(&self, p: f64) -> Vec<Time> {
        if p > 0.0 {
            vec![self.t_max * (1.0 - p / self.max_value)]
        } else {
            Vec::new()
        }
    }

    /// "Off" train of one intensity already known to lie in `[0, max_value]`.
    fn off_train_unchecked(&self, p: f64) -> Vec<Time> {
        if p < self.max_value {
            vec![self.t_max * (p / self.max_value)]
        } else {
            Vec::new()
        }
    }

    /// All trains of intensities already known to lie in `[0, max_value]`: the on
    /// channels, then (if enabled) the off channels.
    pub(crate) fn trains_unchecked(
        &self,
        values: impl Iterator<Item = f64> + Clone,
    ) -> Vec<Vec<Time>> {
        let on = values.clone().map(|p| self.train_unchecked(p));
        if self.off_channels {
            on.chain(values.map(|p| self.off_train_unchecked(p)))
                .collect()
        } else {
            on.collect()
        }
    }
}

impl SpikeEncoder for IntensityEncoder {
    fn num_channels(&self, num_features: usize) -> usize {
        if self.off_channels {
            2 * num_features
        } else {
            num_features
        }
    }

    fn encode(&self, features: &[f64]) -> Result<Vec<Vec<Time>>, DatasetError> {
        for (feature, &p) in features.iter().enumerate() {
            check_range(feature, p, 0.0, self.max_value)?;
        }
        Ok(self.trains_unchecked(features.iter().copied()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_rejects_bad_parameters() {
        assert!(LatencyEncoder::try_new(-0.1, 1.0).is_err());
        assert!(LatencyEncoder::try_new(1.0, 0.5).is_err());
        assert!(LatencyEncoder::try_new(0.0, f64::INFINITY).is_err());
        assert!(
            LatencyEncoder::try_new(0.0, 1.0)
                .unwrap()
                .with_bias(f64::NAN)
                .is_err()
        );
    }

    #[test]
    fn yin_yang_encoder_matches_the_paper() {
        let encoder = LatencyEncoder::yin_yang();
        assert_eq!(
            encoder,
            LatencyEncoder::try_new(0.15, 2.0)
                .unwrap()
                .with_bias(0.9)
                .unwrap()
        );
        // 2.0 - 0.15 rounds to the f64 nearest 1.85, so this is exactly 0.15 + 1.85 v.
        for v in [0.0, 0.25, 0.5, 0.123_456_789, 1.0] {
            assert_eq!(
                encoder.time_of(v).unwrap().to_bits(),
                (0.15 + 1.85 * v).to_bits()
            );
        }
        assert_eq!(encoder.num_channels(4), 5);
    }

    #[test]
    fn non_finite_features_are_typed_errors() {
        let latency = LatencyEncoder::yin_yang();
        assert!(matches!(
            latency.encode(&[0.1, f64::NAN]),
            Err(DatasetError::NonFiniteFeature {
                sample: None,
                feature: 1,
                ..
            })
        ));
        let minmax = MinMaxEncoder::try_new(16.0, vec![0.0], vec![1.0]).unwrap();
        assert!(matches!(
            minmax.encode(&[f64::INFINITY]),
            Err(DatasetError::NonFiniteFeature { feature: 0, .. })
        ));
        assert!(matches!(
            minmax.encode(&[0.0, 1.0]),
            Err(DatasetError::FeatureCountMismatch {
                expected: 1,
                found: 2,
                ..
            })
        ));
        let intensity = IntensityEncoder::try_new(4.0, 16.0).unwrap();
        assert!(matches!(
            intensity.encode(&[17.0]),
            Err(DatasetError::FeatureOutOfRange { feature: 0, .. })
        ));
    }

    #[test]
    fn fit_reports_constant_and_non_finite_features() {
        assert!(matches!(
            MinMaxEncoder::fit(&[[1.0, 2.0], [1.0, 3.0]], 16.0),
            Err(DatasetError::ConstantFeature { feature: 0, .. })
        ));
        assert!(matches!(
            MinMaxEncoder::fit(&[[1.0, 2.0], [f64::NAN, 3.0]], 16.0),
            Err(DatasetError::NonFiniteFeature {
                sample: Some(1),
                feature: 0,
                ..
            })
        ));
        assert!(matches!(
            MinMaxEncoder::fit::<[f64; 1]>(&[], 16.0),
            Err(DatasetError::Empty)
        ));
    }
}
