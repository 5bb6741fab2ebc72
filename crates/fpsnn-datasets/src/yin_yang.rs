//! The Yin-Yang data set, regenerated bit for bit.

use rand_mt::Mt;

use crate::{DatasetError, FeatureTable, SpikeDataset, SpikeEncoder};

/// Names of the Yin-Yang classes, indexed by label.
pub const YIN_YANG_CLASS_NAMES: [&str; 3] = ["yin", "yang", "dot"];

/// Radius of the big circle, centred at `(0.5, 0.5)`.
const R_BIG: f64 = 0.5;
/// Radius of the two dots, centred at `(0.25, 0.5)` and `(0.75, 0.5)`.
const R_SMALL: f64 = 0.1;

/// One of the three official Yin-Yang sets (sizes and seeds of the reference repository).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum YinYangSplit {
    /// 5000 points, seed 42.
    Train,
    /// 1000 points, seed 41.
    Validation,
    /// 1000 points, seed 40.
    Test,
}

impl YinYangSplit {
    /// Number of points.
    #[must_use]
    pub fn size(self) -> usize {
        match self {
            Self::Train => 5000,
            Self::Validation | Self::Test => 1000,
        }
    }

    /// Seed of numpy's `RandomState`.
    #[must_use]
    pub fn seed(self) -> u32 {
        match self {
            Self::Train => 42,
            Self::Validation => 41,
            Self::Test => 40,
        }
    }
}

/// A labelled point of the Yin-Yang square `[0, 1)²`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YinYangPoint {
    /// First coordinate.
    pub x: f64,
    /// Second coordinate.
    pub y: f64,
    /// 0 = yin, 1 = yang, 2 = dot ([`YIN_YANG_CLASS_NAMES`]).
    pub class: usize,
}

impl YinYangPoint {
    /// The network input used in the literature, `(x, y, 1 - x, 1 - y)`.
    #[must_use]
    pub fn features(&self) -> [f64; 4] {
        [self.x, self.y, 1.0 - self.x, 1.0 - self.y]
    }
}

/// The class of a point inside the big circle (the reference `which_class`).
///
/// With $d_r$, $d_l$ the distances to the right and left dot centres $(0.75, 0.5)$ and
/// $(0.25, 0.5)$: the class is 2 (dot) if $d_r \lt r_{\mathrm{small}}$ or
/// $d_l \lt r_{\mathrm{small}}$; otherwise 1 (yang) if any of $d_r \le r_{\mathrm{small}}$,
/// $r_{\mathrm{small}} \lt d_l \le r_{\mathrm{big}} / 2$, or $y \gt r_{\mathrm{big}}$ and
/// $d_r \gt r_{\mathrm{big}} / 2$ holds; otherwise 0 (yin).
///
/// The reference code names that disjunction `is_yin` and returns `int(is_yin)`, so it
/// yields class **1** (whose name in `class_names` is "yang"); the official CSV files
/// confirm this. (The workspace's `data/yinyang/README.md` states the mapping the other
/// way round.)
#[must_use]
pub fn yin_yang_class(x: f64, y: f64) -> usize {
    let d_right = distance(x, y, 1.5 * R_BIG, R_BIG);
    let d_left = distance(x, y, 0.5 * R_BIG, R_BIG);
    if d_right < R_SMALL || d_left < R_SMALL {
        return 2;
    }
    let criterion = d_right <= R_SMALL
        || (d_left > R_SMALL && d_left <= 0.5 * R_BIG)
        || (y > R_BIG && d_right > 0.5 * R_BIG);
    usize::from(criterion)
}

/// Euclidean distance. numpy squares with `pow(d, 2)`, which can differ from `d * d` by one
/// ulp; for the three official sets both give identical output (checked by the golden test).
fn distance(x: f64, y: f64, cx: f64, cy: f64) -> f64 {
    let (dx, dy) = (x - cx, y - cy);
    (dx * dx + dy * dy).sqrt()
}

/// numpy's legacy `RandomState` stream, counting the 32-bit words it consumes.
struct NumpyStream {
    mt: Mt,
    words: u64,
}

impl NumpyStream {
    /// `RandomState(seed)` for an integer seed: MT19937 `init_genrand(seed)`.
    fn new(seed: u32) -> Self {
        Self {
            mt: Mt::new(seed),
            words: 0,
        }
    }

    /// `genrand_int32`.
    fn next_u32(&mut self) -> u32 {
        self.words += 1;
        self.mt.next_u32()
    }

    /// `random_sample()`: `genrand_res53`, a double in `[0, 1)` with 53 random bits.
    fn next_f64(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }

    /// `randint(3)`: masked rejection sampling with mask 3, one word per attempt.
    fn randint3(&mut self) -> usize {
        loop {
            let value = self.next_u32() & 3;
            if value < 3 {
                return value as usize;
            }
        }
    }
}

/// Raw Yin-Yang points, as produced by the reference generator.
#[derive(Clone, Debug, PartialEq)]
pub struct YinYangPoints {
    points: Vec<YinYangPoint>,
    words_consumed: u64,
}

impl YinYangPoints {
    /// Runs the reference generator (`YinYangDataset(size=size, seed=seed)` of
    /// `lkriener/yin_yang_data_set`) on numpy's `RandomState(seed)` stream. For each point:
    /// draw the goal class with `randint(3)`, then draw `x`, `y` (two `genrand_res53`
    /// doubles) until the point lies in the big circle and has the goal class.
    #[must_use]
    pub fn generate(size: usize, seed: u32) -> Self {
        let mut rng = NumpyStream::new(seed);
        let mut points = Vec::with_capacity(size);
        for _ in 0..size {
            let goal = rng.randint3();
            loop {
                // `rng.rand(2) * 2 * r_big`: multiplying by 1.0 is exact.
                let x = rng.next_f64() * 2.0 * R_BIG;
                let y = rng.next_f64() * 2.0 * R_BIG;
                if distance(x, y, R_BIG, R_BIG) > R_BIG {
                    continue;
                }
                let class = yin_yang_class(x, y);
                if class == goal {
                    points.push(YinYangPoint { x, y, class });
                    break;
                }
            }
        }
        Self {
            points,
            words_consumed: rng.words,
        }
    }

    /// One of the official sets (bit-identical to the reference CSV and `.npy` files).
    #[must_use]
    pub fn official(split: YinYangSplit) -> Self {
        Self::generate(split.size(), split.seed())
    }

    /// The points, in generation order.
    #[must_use]
    pub fn points(&self) -> &[YinYangPoint] {
        &self.points
    }

    /// Number of 32-bit MT19937 words the generator consumed (5000 points with seed 42 use
    /// 141579).
    #[must_use]
    pub fn words_consumed(&self) -> u64 {
        self.words_consumed
    }

    /// Number of points of each class.
    #[must_use]
    pub fn class_counts(&self) -> [usize; 3] {
        let mut counts = [0; 3];
        for point in &self.points {
            counts[point.class] += 1;
        }
        counts
    }

    /// The features `(x, y, 1 - x, 1 - y)` and classes as a table.
    ///
    /// # Errors
    /// [`DatasetError::Empty`] if there is no point.
    pub fn to_table(&self) -> Result<FeatureTable, DatasetError> {
        let rows: Vec<[f64; 4]> = self.points.iter().map(YinYangPoint::features).collect();
        let labels = self.points.iter().map(|p| p.class).collect();
        FeatureTable::try_new(&rows, labels, YIN_YANG_CLASS_NAMES.len())
    }

    /// Encodes the features `(x, y, 1 - x, 1 - y)` of every point with `encoder`
    /// (usually [`LatencyEncoder::yin_yang`](crate::LatencyEncoder::yin_yang)).
    ///
    /// # Errors
    /// [`DatasetError::Empty`] if there is no point, and the encoder's errors.
    pub fn encode(&self, encoder: &dyn SpikeEncoder) -> Result<SpikeDataset, DatasetError> {
        self.to_table()?.encode(encoder)
    }
}

/// An official Yin-Yang set as spikes: the features `(x, y, 1 - x, 1 - y)` of each point,
/// encoded by `encoder`. With [`LatencyEncoder::yin_yang`](crate::LatencyEncoder::yin_yang)
/// (the paper's set-up) that is $t = 0.15 + 1.85 v$ per feature plus a bias spike at 0.9:
/// 5 input channels, 3 classes.
///
/// # Errors
/// The encoder's errors (none for a [`LatencyEncoder`](crate::LatencyEncoder): all features
/// lie in `[0, 1]`).
///
/// # Examples
/// ```
/// use fpsnn_datasets::{Dataset, LatencyEncoder, YinYangSplit, yin_yang};
/// let test = yin_yang(YinYangSplit::Test, &LatencyEncoder::yin_yang())?;
/// assert_eq!((test.len(), test.num_inputs(), test.num_classes()), (1000, 5, 3));
/// assert_eq!(test.sample(0).input_spikes[4], vec![0.9]);
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
pub fn yin_yang(
    split: YinYangSplit,
    encoder: &dyn SpikeEncoder,
) -> Result<SpikeDataset, DatasetError> {
    YinYangPoints::official(split).encode(encoder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_is_init_genrand() {
        // The first output of mt19937ar.c after init_genrand(5489) (also the first output of
        // C++ `std::mt19937` with its default seed).
        let mut rng = NumpyStream::new(5489);
        assert_eq!(rng.next_u32(), 3_499_211_612);
        assert_eq!(rng.words, 1);
    }

    #[test]
    fn class_rule_on_landmarks() {
        assert_eq!(yin_yang_class(0.75, 0.5), 2); // right dot centre
        assert_eq!(yin_yang_class(0.25, 0.5), 2); // left dot centre
        assert_eq!(yin_yang_class(0.25, 0.3), 1); // the ring around the left dot
        assert_eq!(yin_yang_class(0.5, 0.9), 1); // top of the circle
        assert_eq!(yin_yang_class(0.75, 0.7), 0); // the ring around the right dot
        assert_eq!(yin_yang_class(0.5, 0.1), 0); // bottom of the circle
    }

    #[test]
    fn features_mirror_the_axes() {
        let point = YinYangPoint {
            x: 0.25,
            y: 0.75,
            class: 0,
        };
        let bits = |a: [f64; 4]| a.map(f64::to_bits);
        assert_eq!(bits(point.features()), bits([0.25, 0.75, 0.75, 0.25]));
    }
}
