//! The explicit parallelism argument, [`Par`].

use std::num::NonZeroUsize;

/// How much parallelism a multi-right-hand-side solve may use.
///
/// There is no global setting: every function that can run in parallel takes a `Par`. The work
/// runs on the current rayon thread pool (install your own with `ThreadPool::install` to bound
/// it). Results never depend on the choice: each right-hand side is solved by the same
/// sequential arithmetic, whichever task it lands on.
///
/// # Examples
///
/// ```
/// use fpsnn_trisolve::Par;
///
/// assert_eq!(Par::default(), Par::Seq);
/// assert_eq!(Par::rayon(4).degree(), 4);
/// assert!(Par::rayon(0).degree() >= 1); // 0 means "as many as the current pool has threads"
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Par {
    /// Run on the calling thread.
    #[default]
    Seq,
    /// Split the work into at most this many rayon tasks.
    Rayon(NonZeroUsize),
}

impl Par {
    /// `Par::Rayon` with `tasks` tasks, where `0` means
    /// [`rayon::current_num_threads`].
    #[must_use]
    pub fn rayon(tasks: usize) -> Self {
        let tasks = NonZeroUsize::new(tasks)
            .or_else(|| NonZeroUsize::new(rayon::current_num_threads()))
            .unwrap_or(NonZeroUsize::MIN);
        Self::Rayon(tasks)
    }

    /// The number of tasks the work may be split into (`1` for [`Par::Seq`]).
    #[must_use]
    pub fn degree(self) -> usize {
        match self {
            Self::Seq => 1,
            Self::Rayon(tasks) => tasks.get(),
        }
    }
}
