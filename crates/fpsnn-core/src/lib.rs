//! Shared vocabulary of the fpsnn workspace: time, identifiers, neuron parameters and
//! spike trains.
//!
//! fpsnn simulates current-based leaky integrate-and-fire neurons (the spike-response model
//! with exponential kernels) exactly and differentiates their spike times with the implicit
//! function theorem. The neuron model (the membrane potential $V_i(t)$ of neuron $i$, the
//! kernels and the state between events) is stated once, in the section "Model" of the
//! crate docs of `fpsnn-kernels`: neuron $i$ emits a spike whenever $V_i$ reaches the
//! threshold $\theta$ from below.
//!
//! # Units
//! Time is dimensionless (the paper's set-ups use unit time constants:
//! $\alpha = 1/\tau_{\mathrm{syn}}$, $\beta = 1/\tau_{\mathrm{mem}}$ in inverse time units).
//! Weights and the threshold are dimensionless potentials. All scalars are `f64`.
//!
//! This crate holds only vocabulary types; algorithms live in the crates above it.
//!
//! ```
//! use fpsnn_core::{NeuronParams, SpikeTrain};
//! let params = NeuronParams::try_new(1.0, 0.9, 1.0)?;
//! assert!(params.theta > 0.0);
//! let train = SpikeTrain::try_new(vec![0.1, 0.5, 2.0])?;
//! assert_eq!(train.len(), 3);
//! # Ok::<(), fpsnn_core::CoreError>(())
//! ```

mod simd;
pub use simd::vectorized;

use serde::{Deserialize, Serialize};

/// A point in time (dimensionless; see the crate docs for units).
pub type Time = f64;

/// Index of a neuron inside its population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NeuronId(pub u32);

/// Index of a spike in the time-sorted list of all spikes of one simulated sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SpikeId(pub u32);

impl NeuronId {
    /// The index as `usize`.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SpikeId {
    /// The index as `usize`.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How much parallelism a computation may use. Results never depend on it: parallel work
/// is split by independent items (neurons of a layer, samples of a batch) and combined in a
/// fixed order. The size of the rayon pool is the caller's choice; [`check_threads`] is the
/// rule every example applies to a requested thread count before building one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Parallelism {
    /// Run on the calling thread.
    #[default]
    Sequential,
    /// Split independent work across the current rayon thread pool.
    Rayon,
}

/// How many threads a thread count may ask for, per available core: see [`check_threads`].
pub const THREADS_PER_CORE_LIMIT: usize = 4;

/// The largest thread count [`check_threads`] accepts on this machine:
/// [`THREADS_PER_CORE_LIMIT`] x [`std::thread::available_parallelism`] (1 core when the
/// machine cannot tell).
#[must_use]
pub fn thread_limit() -> usize {
    thread_limit_for(available_cores())
}

/// Checks a requested thread count (the examples' `--threads N`) before a thread pool is
/// built, and returns it unchanged.
///
/// `0` means "all available cores" (rayon's default) and is always accepted; `1..=`
/// [`thread_limit()`] is accepted; anything larger is an error. The limit is
/// [`THREADS_PER_CORE_LIMIT`] (4) times the cores [`std::thread::available_parallelism`]
/// reports. fpsnn's parallel work is CPU-bound and its results never depend on the thread
/// count, so threads beyond the cores only add spawning and switching; a factor of 4 still
/// leaves room to oversubscribe on purpose (checking thread-count independence, a core
/// count undercounted by a container quota), while spawning that many threads takes
/// milliseconds. Without a limit, `--threads 100000` spent over a minute spawning threads
/// before any work began. The rule is relative to the machine because a fixed cap (say
/// 1024) would still allow hundreds of idle threads on a laptop and refuse nothing useful
/// on a large server.
///
/// # Errors
/// [`CoreError::TooManyThreads`] when `threads` exceeds [`thread_limit()`].
///
/// # Examples
/// ```
/// use fpsnn_core::{CoreError, check_threads, thread_limit};
/// assert_eq!(check_threads(0)?, 0); // all available cores
/// assert_eq!(check_threads(1)?, 1);
/// assert_eq!(check_threads(thread_limit())?, thread_limit());
/// assert!(matches!(
///     check_threads(100_000),
///     Err(CoreError::TooManyThreads { requested: 100_000, .. })
/// ));
/// # Ok::<(), CoreError>(())
/// ```
pub fn check_threads(threads: usize) -> Result<usize, CoreError> {
    check_threads_for(threads, available_cores())
}

fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn thread_limit_for(cores: usize) -> usize {
    cores.max(1).saturating_mul(THREADS_PER_CORE_LIMIT)
}

fn check_threads_for(threads: usize, cores: usize) -> Result<usize, CoreError> {
    let limit = thread_limit_for(cores);
    if threads <= limit {
        Ok(threads)
    } else {
        Err(CoreError::TooManyThreads {
            requested: threads,
            limit,
            cores: cores.max(1),
        })
    }
}

/// Errors of the core vocabulary types.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A neuron parameter is not finite or not strictly positive.
    #[error("neuron parameter `{name}` must be finite and > 0, got {value}")]
    InvalidParameter {
        /// Name of the parameter (`alpha`, `beta`, `theta`, ...).
        name: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A spike time is NaN, infinite or negative.
    #[error("spike {index} has time {time}: spike times must be finite and >= 0")]
    InvalidSpikeTime {
        /// Position of the spike in its train.
        index: usize,
        /// The offending time.
        time: f64,
    },
    /// A spike train is not sorted in non-decreasing order.
    #[error(
        "spike {index} at time {time} comes before the previous spike at {previous}: spike trains must be sorted"
    )]
    UnsortedSpikeTrain {
        /// Position of the first out-of-order spike.
        index: usize,
        /// Its time.
        time: f64,
        /// The time of the spike before it.
        previous: f64,
    },
    /// A thread count above [`thread_limit()`] (see [`check_threads`]).
    #[error(
        "thread count {requested} exceeds the limit of {limit} ({THREADS_PER_CORE_LIMIT} x the {cores} available cores)"
    )]
    TooManyThreads {
        /// The thread count asked for.
        requested: usize,
        /// The largest count accepted on this machine.
        limit: usize,
        /// The cores available to the process.
        cores: usize,
    },
}

/// Parameters of a current-based LIF neuron: synaptic rate `alpha`
/// ($\alpha = 1/\tau_{\mathrm{syn}}$), membrane rate `beta` ($\beta = 1/\tau_{\mathrm{mem}}$)
/// and threshold `theta` ($\theta$).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuronParams {
    /// Inverse synaptic time constant, > 0.
    pub alpha: f64,
    /// Inverse membrane time constant, > 0.
    pub beta: f64,
    /// Firing threshold, > 0.
    pub theta: f64,
}

impl NeuronParams {
    /// Checked constructor.
    ///
    /// # Errors
    /// [`CoreError::InvalidParameter`] if a value is not finite or not strictly positive.
    pub fn try_new(alpha: f64, beta: f64, theta: f64) -> Result<Self, CoreError> {
        let params = Self { alpha, beta, theta };
        params.validate()?;
        Ok(params)
    }

    /// Checks that every parameter is finite and strictly positive.
    ///
    /// # Errors
    /// [`CoreError::InvalidParameter`] naming the first bad parameter.
    pub fn validate(&self) -> Result<(), CoreError> {
        for (name, value) in [
            ("alpha", self.alpha),
            ("beta", self.beta),
            ("theta", self.theta),
        ] {
            check_positive(name, value)?;
        }
        Ok(())
    }
}

/// Checks that `value` is finite and strictly positive.
///
/// # Errors
/// [`CoreError::InvalidParameter`] otherwise.
pub fn check_positive(name: &'static str, value: f64) -> Result<(), CoreError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(CoreError::InvalidParameter { name, value })
    }
}

/// A sorted list of finite, non-negative spike times.
///
/// Unsorted input is rejected rather than silently sorted: an out-of-order train usually
/// means a bug upstream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Time>", into = "Vec<Time>")]
pub struct SpikeTrain(Vec<Time>);

impl SpikeTrain {
    /// Checked constructor.
    ///
    /// # Errors
    /// [`CoreError::InvalidSpikeTime`] for a NaN, infinite or negative time,
    /// [`CoreError::UnsortedSpikeTrain`] if the times decrease anywhere.
    pub fn try_new(times: Vec<Time>) -> Result<Self, CoreError> {
        validate_times(&times)?;
        Ok(Self(times))
    }

    /// An empty train.
    #[must_use]
    pub fn empty() -> Self {
        Self(Vec::new())
    }

    /// The spike times.
    #[must_use]
    pub fn times(&self) -> &[Time] {
        &self.0
    }

    /// Number of spikes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the train has no spike.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first spike, if any.
    #[must_use]
    pub fn first(&self) -> Option<Time> {
        self.0.first().copied()
    }

    /// The times, by value.
    #[must_use]
    pub fn into_inner(self) -> Vec<Time> {
        self.0
    }
}

impl TryFrom<Vec<Time>> for SpikeTrain {
    type Error = CoreError;
    fn try_from(times: Vec<Time>) -> Result<Self, CoreError> {
        Self::try_new(times)
    }
}

impl From<SpikeTrain> for Vec<Time> {
    fn from(train: SpikeTrain) -> Self {
        train.0
    }
}

/// Checks that `times` are finite, non-negative and sorted.
///
/// # Errors
/// As [`SpikeTrain::try_new`].
pub fn validate_times(times: &[Time]) -> Result<(), CoreError> {
    let mut previous = 0.0_f64;
    for (index, &time) in times.iter().enumerate() {
        if !time.is_finite() || time < 0.0 {
            return Err(CoreError::InvalidSpikeTime { index, time });
        }
        if time < previous {
            return Err(CoreError::UnsortedSpikeTrain {
                index,
                time,
                previous,
            });
        }
        previous = time;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_parameters() {
        assert!(NeuronParams::try_new(0.0, 1.0, 1.0).is_err());
        assert!(NeuronParams::try_new(1.0, -1.0, 1.0).is_err());
        assert!(NeuronParams::try_new(1.0, 1.0, f64::NAN).is_err());
        assert!(NeuronParams::try_new(1.0, 1.0, f64::INFINITY).is_err());
        assert!(NeuronParams::try_new(0.999, 1.0, 1.0).is_ok());
    }

    #[test]
    fn rejects_bad_spike_trains() {
        assert!(matches!(
            SpikeTrain::try_new(vec![1.0, 0.5]),
            Err(CoreError::UnsortedSpikeTrain { index: 1, .. })
        ));
        assert!(matches!(
            SpikeTrain::try_new(vec![-0.1]),
            Err(CoreError::InvalidSpikeTime { index: 0, .. })
        ));
        assert!(SpikeTrain::try_new(vec![f64::NAN]).is_err());
        assert!(SpikeTrain::try_new(vec![f64::INFINITY]).is_err());
        assert!(SpikeTrain::try_new(vec![0.0, 0.0, 1.0]).is_ok());
    }

    #[test]
    fn thread_counts_up_to_four_per_core_are_accepted() {
        for threads in [0, 1, 2, 7, 8] {
            assert_eq!(check_threads_for(threads, 2), Ok(threads));
        }
        assert_eq!(check_threads_for(4, 1), Ok(4));
        // a machine that reports no core is treated as one core
        assert_eq!(check_threads_for(4, 0), Ok(4));
        assert_eq!(check_threads_for(usize::MAX, usize::MAX), Ok(usize::MAX));
        assert_eq!(check_threads(0), Ok(0));
        assert_eq!(check_threads(1), Ok(1));
        assert_eq!(check_threads(thread_limit()), Ok(thread_limit()));
        assert!(thread_limit() >= THREADS_PER_CORE_LIMIT);
    }

    #[test]
    fn thread_counts_above_the_limit_are_rejected_with_the_rule() {
        let err = check_threads_for(100_000, 2).unwrap_err();
        assert_eq!(
            err,
            CoreError::TooManyThreads {
                requested: 100_000,
                limit: 8,
                cores: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "thread count 100000 exceeds the limit of 8 (4 x the 2 available cores)"
        );
        assert!(check_threads_for(9, 2).is_err());
        assert!(check_threads_for(usize::MAX, 2).is_err());
        assert!(matches!(
            check_threads_for(5, 0),
            Err(CoreError::TooManyThreads {
                limit: 4,
                cores: 1,
                ..
            })
        ));
        assert!(matches!(
            check_threads(thread_limit() + 1),
            Err(CoreError::TooManyThreads { .. })
        ));
    }

    #[test]
    fn spike_train_deserialises_with_validation() {
        let ok: SpikeTrain = serde_json::from_str("[0.1, 0.2]").unwrap();
        assert_eq!(ok.len(), 2);
        assert!(serde_json::from_str::<SpikeTrain>("[0.2, 0.1]").is_err());
    }
}
