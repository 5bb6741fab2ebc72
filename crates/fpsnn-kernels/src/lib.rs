//! SRM kernels for fpsnn: the postsynaptic-potential (PSP) kernel, the reset kernel, the
//! closed-form evolution of a neuron's state between events, and the exact search for the
//! next threshold crossing.
//!
//! # Model
//! The neuron model of the whole workspace, stated here once: current-based leaky
//! integrate-and-fire (LIF) neurons in the form of the spike-response model (SRM). The
//! membrane potential of neuron $i$ is
//!
//! $$
//! V_i(t) = \sum_j W_{ji} \sum_{g \in F_j,\ g \lt t} h(t - g) -
//!     \theta \sum_{m \in F_i,\ m \lt t} h_n(t - m),
//! $$
//!
//! where $F_j$ holds the times at which the spikes of presynaptic neuron $j$ arrive at $i$
//! (its spike times plus the projection's delay, if any), $F_i$ the neuron's own spike
//! times, $W_{ji}$ the weight from $j$ to $i$, $\theta \gt 0$ the threshold, $h$ the
//! postsynaptic-potential (PSP) kernel and $h_n$ the reset kernel, both zero for
//! $s \le 0$. Neuron $i$ emits a spike whenever $V_i$ reaches $\theta$ from below: the reset
//! is by subtraction (the $h_n$ term) and leaves the synaptic current alone.
//!
//! For [`ExpKernel`], with synaptic rate $\alpha = 1/\tau_{\mathrm{syn}}$ and membrane rate
//! $\beta = 1/\tau_{\mathrm{mem}}$, the kernels are, for $s \gt 0$,
//!
//! $$
//! \begin{aligned}
//! h(s) &= \frac{e^{-\alpha s} - e^{-\beta s}}{\beta - \alpha} \quad (\alpha \ne \beta),
//!     \qquad h(s) = s e^{-\alpha s} \quad (\alpha = \beta), \cr
//! h^{\prime}(s) &= e^{-\alpha s} - \beta h(s), \cr
//! h_n(s) &= e^{-\beta s}.
//! \end{aligned}
//! $$
//!
//! [`NonLeakyKernel`] is the limit $\beta = 0$: $h(s) = (1 - e^{-\alpha s})/\alpha$ and
//! $h_n(s) = 1$. A user's [`Kernel`] defines $h$ and $h_n$ through its propagator (see the
//! trait's contract).
//!
//! Between two events the neuron is described by its state $(I, V)$ (synaptic current and
//! membrane potential) at a reference time. An input spike of weight $w$ adds $w$ to $I$, an
//! own spike subtracts $\theta$ from $V$, and advancing by $s$ without events is the linear
//! map of a [`Propagator`]:
//!
//! $$
//! I \leftarrow e^{-\alpha s} I, \qquad V \leftarrow h_n(s) V + h(s) I,
//! $$
//!
//! the solution of $I^{\prime} = -\alpha I$, $V^{\prime} = I - \beta V$ (for a user's kernel,
//! $I \leftarrow a(s) I$ with its own current decay $a$). So
//! $I(t) = \sum_j W_{ji} \sum_{g \in F_j,\ g \lt t} e^{-\alpha (t - g)}$, and $V$ is the SRM
//! sum above.
//!
//! [`ExpKernel`] evaluates $h$ in the cancellation-free form
//! $h(s) = e^{-\alpha s} s \varphi((\beta - \alpha) s)$ with
//! $\varphi(x) = -\operatorname{expm1}(-x)/x = (1 - e^{-x})/x$, so $\alpha = 0.999$,
//! $\beta = 1$ is as accurate as any other setting.
//!
//! # Exact next crossing
//! $V(s) - \theta$ between two events is a sum of two exponentials: it has at most one
//! interior maximum and at most two roots. [`CrossingSearch::next_crossing`] finds the first
//! root in $(0, s_{\mathrm{h}}]$, with $s_{\mathrm{h}}$ the horizon:
//! 1. cheap rejections: $I \le 0$ ($V$ can never reach a positive threshold) or
//!    $V^{\prime}(0) \le 0$ with $I \gt 0$ ($V$ never rises again; for [`ExpKernel`],
//!    $V^{\prime}(0) = I - \beta V$);
//! 2. the maximum $s^{\ast}$ (closed form for [`ExpKernel`], bisection on $V^{\prime}$ by
//!    default); if it lies beyond the horizon, $V$ rises on the whole interval and the root
//!    is bracketed by $V(s_{\mathrm{h}}) \ge \theta$;
//! 3. otherwise the root is bracketed in $(0, s^{\ast}]$ when $V(s^{\ast}) \gt \theta$;
//! 4. safeguarded Newton (bisection fallback) on the bracket, to a few ulps.
//!
//! A maximum that touches the threshold to rounding,
//! $\lvert V(s^{\ast}) - \theta \rvert \le 4 \varepsilon \theta$, is a tangency: no spike is
//! emitted and [`Crossing::Tangent`] reports it. A spike is emitted whenever $V(s^{\ast})$
//! exceeds that band, however small the slope at the crossing; the gradient crates flag
//! such spikes instead of dividing by a vanishing slope.
//!
//! The bracket depends only on the state, the threshold and the horizon, never on where the
//! caller will next interrupt the neuron, so the layer sweep and the event queue of
//! `fpsnn-sim` compute bit-identical spike times.
//!
//! # Kernels
//!
//! [`Kernel`] is the small trait a kernel implements (two required methods: the propagator
//! and the slope); [`CrossingSearch`] is the exact search every kernel gets from it, and
//! [`NeuronKernel`] is what a population of a network holds: a built-in kernel, matched
//! statically, or a user's kernel behind an `Arc`.
//!
//! | kernel | closed-form state | closed-form peak | crossing |
//! |---|---|---|---|
//! | [`ExpKernel`] ($\alpha \ne \beta$) | yes | yes | bracketed Newton (Halley steps) |
//! | [`ExpKernel`] ($\alpha = \beta$) | yes | yes (limit) | bracketed Newton (Halley steps) |
//! | [`NonLeakyKernel`] ($\beta = 0$, Mostafa 2018) | yes | none (monotone) | closed form |
//! | a user's kernel (required methods only) | yes | bisection | bracketed Newton |
//!
//! ```
//! use fpsnn_kernels::{Crossing, CrossingSearch, ExpKernel, Kernel, State};
//! let kernel = ExpKernel::try_new(2.0, 1.0)?;
//! // one input spike of weight 5 at s = 0
//! let state = State { current: 5.0, potential: 0.0 };
//! let Crossing::Spike(s) = kernel.next_crossing(state, 1.0, 10.0) else { panic!() };
//! let v = kernel.advance(state, s).potential;
//! assert!((v - 1.0).abs() < 1e-14);
//! # Ok::<(), fpsnn_kernels::KernelError>(())
//! ```

use std::fmt;

use fpsnn_core::{CoreError, NeuronParams, Time};

mod neuron;
mod non_leaky;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use neuron::NeuronKernel;
pub use non_leaky::NonLeakyKernel;

/// Errors of the kernel crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// A kernel parameter is invalid.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// State of a neuron between events: synaptic current `I` and membrane potential `V`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct State {
    /// Synaptic current $I$ (for [`ExpKernel`], $\sum w e^{-\alpha (t - g)}$ over the input
    /// spikes of weight $w$ that arrived at times $g \lt t$).
    pub current: f64,
    /// Membrane potential `V`.
    pub potential: f64,
}

/// The linear map of the state over a fixed time $s$: $I \leftarrow a I$,
/// $V \leftarrow b V + c I$. All neurons of a population that are advanced by the same $s$
/// share it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Propagator {
    /// $a$: decay of the current.
    pub current: f64,
    /// $b$: decay of the potential (the reset kernel $h_n(s)$).
    pub potential: f64,
    /// $c$: potential gained per unit current (the PSP kernel $h(s)$).
    pub cross: f64,
}

impl Propagator {
    /// The map over no time.
    pub const IDENTITY: Self = Self {
        current: 1.0,
        potential: 1.0,
        cross: 0.0,
    };

    /// The state after the step.
    #[inline]
    #[must_use]
    pub fn apply(&self, state: State) -> State {
        State {
            current: state.current * self.current,
            potential: state.potential * self.potential + state.current * self.cross,
        }
    }
}

/// Outcome of a threshold-crossing search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Crossing {
    /// No crossing in the searched interval.
    None,
    /// The potential reaches the threshold from below at this offset (> 0).
    Spike(Time),
    /// The potential's maximum touches the threshold to rounding at this offset: no spike.
    Tangent(Time),
}

/// A bracket `[0, hi]` on which `V` rises and reaches the threshold at `hi`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bracket {
    /// `V` stays below threshold on `(0, horizon]`.
    None,
    /// The maximum touches the threshold to rounding at this offset.
    Tangent(Time),
    /// The first crossing lies in `(0, hi]` and `V` increases on `[0, hi]`.
    Rising(Time),
}

/// Relative band around the threshold within which a maximum counts as a tangency.
pub const TANGENCY_BAND: f64 = 4.0 * f64::EPSILON;

/// A spike-response-model kernel pair with a two-dimensional linear state $(I, V)$: the
/// neuron model (see [the crate docs](crate#model)) the simulator, the causal graph and both
/// gradient drivers run on.
///
/// # Contract
/// An input spike of weight $w$ adds $w$ to $I$, an own spike subtracts $\theta$ from $V$, and
/// between events the state evolves by a linear map that depends only on the elapsed time
/// ([`Kernel::propagator`]: $I \leftarrow a(s) I$, $V \leftarrow b(s) V + c(s) I$, composing
/// exactly: advancing by $s_1$ then $s_2$ is advancing by $s_1 + s_2$), with
/// $V^{\prime} = \operatorname{slope}(I, V)$ linear in the state. With a positive current $V$
/// rises to at most one maximum between events and then falls (the crossing search and the
/// layer sweep's cheap test rely on it). Then $h(s) = c(s)$ is the PSP kernel and
/// $h_n(s) = b(s)$ the reset kernel.
///
/// # What to implement
/// Two methods are required: [`Kernel::propagator`] and [`Kernel::slope`]. Everything else
/// has a default built on them; a kernel overrides what it knows in closed form or computes
/// more accurately: the PSP and reset kernels, the maximum ([`Kernel::peak`], default
/// bisection on the slope), a lower bound of the next crossing
/// ([`Kernel::crossing_lower_bound`], default `0`), the curvature (Halley steps instead of
/// Newton steps) and the root itself ([`Kernel::solve_crossing`], default safeguarded
/// Newton). The search that uses them ([`CrossingSearch`]) is not part of the trait: every
/// kernel gets the same one, so every simulation method finds the same bits.
/// `testing::check_kernel` (feature `testing`) checks an implementation.
///
/// ```
/// use fpsnn_kernels::{CrossingSearch, Crossing, Kernel, Propagator, State};
/// /// A leaky neuron with instantaneous synapses smoothed over `1/alpha` (alpha = 2, beta = 1).
/// #[derive(Debug)]
/// struct Mine;
/// impl Kernel for Mine {
///     fn propagator(&self, s: f64) -> Propagator {
///         let (ea, eb) = ((-2.0 * s).exp(), (-s).exp());
///         Propagator { current: ea, potential: eb, cross: eb - ea }
///     }
///     fn slope(&self, state: State) -> f64 {
///         state.current - state.potential
///     }
/// }
/// let state = State { current: 5.0, potential: 0.0 };
/// let Crossing::Spike(s) = Mine.next_crossing(state, 1.0, 10.0) else { panic!() };
/// assert!((Mine.advance(state, s).potential - 1.0).abs() < 1e-12);
/// ```
pub trait Kernel: Send + Sync + fmt::Debug {
    /// The propagator over $s \gt 0$ (required).
    fn propagator(&self, s: Time) -> Propagator;
    /// $dV/dt$ in this state, linear in $(I, V)$ (required).
    fn slope(&self, state: State) -> f64;

    /// The state after $s \ge 0$ time units without events: `propagator(s).apply(state)`
    /// (the state itself for $s \le 0$). Overrides must keep that identity bit for bit.
    #[inline]
    fn advance(&self, state: State, s: Time) -> State {
        if s <= 0.0 {
            return state;
        }
        self.propagator(s).apply(state)
    }
    /// PSP kernel $h(s)$ (the propagator's `cross`); zero for $s \le 0$.
    fn psp(&self, s: Time) -> f64 {
        self.psp_and_derivative(s).0
    }
    /// Derivative $h^{\prime}(s)$; zero for $s \le 0$.
    fn psp_derivative(&self, s: Time) -> f64 {
        self.psp_and_derivative(s).1
    }
    /// $(h(s), h^{\prime}(s))$ together: $h^{\prime}$ is the slope of the state a unit current
    /// reaches.
    fn psp_and_derivative(&self, s: Time) -> (f64, f64) {
        if s > 0.0 {
            let p = self.propagator(s);
            let slope = self.slope(State {
                current: p.current,
                potential: p.cross,
            });
            (p.cross, slope)
        } else {
            (0.0, 0.0)
        }
    }
    /// Reset kernel $h_n(s)$ (the propagator's `potential`; multiplied by $\theta$); zero for
    /// $s \le 0$.
    fn reset(&self, s: Time) -> f64 {
        self.reset_and_derivative(s).0
    }
    /// Derivative $h_n^{\prime}(s)$ of the reset kernel; zero for $s \le 0$.
    fn reset_derivative(&self, s: Time) -> f64 {
        self.reset_and_derivative(s).1
    }
    /// $(h_n(s), h_n^{\prime}(s))$ together.
    fn reset_and_derivative(&self, s: Time) -> (f64, f64) {
        if s > 0.0 {
            let b = self.propagator(s).potential;
            let slope = self.slope(State {
                current: 0.0,
                potential: b,
            });
            (b, slope)
        } else {
            (0.0, 0.0)
        }
    }
    /// $d^2V/dt^2$ in this state, if the kernel knows it; the crossing search then takes
    /// Halley steps (cubic convergence) instead of Newton steps. Default `None`.
    fn curvature(&self, _state: State) -> Option<f64> {
        None
    }

    /// Offset of the interior maximum of $V$ in `(0, horizon)`, if $V$ rises at 0 and turns
    /// before the horizon. Default: bisection on the sign of $V^{\prime}$.
    fn peak(&self, state: State, horizon: Time) -> Option<Time> {
        if self.slope(state) <= 0.0 || self.slope(self.advance(state, horizon)) >= 0.0 {
            return None;
        }
        let (mut lo, mut hi) = (0.0, horizon);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.slope(self.advance(state, mid)) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }

    /// A lower bound on the offset of the first crossing from a state with $V \lt \theta$
    /// (any crossing lies at or after it). Event-driven simulators use it to defer the exact
    /// root solve until nothing can interrupt it any more. Default `0` (always valid).
    fn crossing_lower_bound(&self, _state: State, _theta: f64) -> Time {
        0.0
    }

    /// The root of $V(s) = \theta$ on a bracket $[0, s_{\mathrm{hi}}]$ where $V$ rises and
    /// $V(0) \lt \theta \le V(s_{\mathrm{hi}})$, to a few ulps, in $(0, s_{\mathrm{hi}}]$
    /// ($s_{\mathrm{hi}}$ is `hi`). Default: safeguarded Newton
    /// (Halley where [`Kernel::curvature`] is known) from the lower bound; kernels with a
    /// closed-form root override it.
    fn solve_crossing(&self, state: State, theta: f64, hi: Time) -> Time {
        solve_rising(self, state, theta, hi)
    }
}

/// $(\gamma, \beta)$ with $V^{\prime} = \gamma I - \beta V$ for `kernel` (read off
/// [`Kernel::slope`] on the unit states; exact for a linear slope). The layer sweep's
/// vectorised test and the gradients' magnitude scales use them.
#[must_use]
pub fn slope_coefficients<K: Kernel + ?Sized>(kernel: &K) -> (f64, f64) {
    let gamma = kernel.slope(State {
        current: 1.0,
        potential: 0.0,
    });
    let beta = -kernel.slope(State {
        current: 0.0,
        potential: 1.0,
    });
    (gamma, beta)
}

/// The exact crossing search every [`Kernel`] gets (steps 1-4 of the crate docs), built on
/// the kernel's methods and the same for every caller, so the layer sweep and the event
/// queue find the same bits. Implemented for every kernel; not meant to be implemented.
pub trait CrossingSearch: Kernel {
    /// The canonical bracket of the first crossing in `(0, horizon]` (steps 1-3 of the
    /// crate docs). Depends only on the state, `theta` and `horizon`.
    fn bracket(&self, state: State, theta: f64, horizon: Time) -> Bracket {
        if horizon.is_nan() || horizon <= 0.0 || state.current <= 0.0 || self.slope(state) <= 0.0 {
            return Bracket::None;
        }
        match self.peak(state, horizon) {
            Some(peak) => {
                let top = self.advance(state, peak).potential;
                if top > theta * (1.0 + TANGENCY_BAND) {
                    Bracket::Rising(peak)
                } else if top >= theta * (1.0 - TANGENCY_BAND) {
                    Bracket::Tangent(peak)
                } else {
                    Bracket::None
                }
            }
            None => {
                if self.advance(state, horizon).potential >= theta {
                    Bracket::Rising(horizon)
                } else {
                    Bracket::None
                }
            }
        }
    }

    /// First offset in `(0, horizon]` where `V` reaches `theta` from below.
    ///
    /// The state must satisfy `V < theta`.
    fn next_crossing(&self, state: State, theta: f64, horizon: Time) -> Crossing {
        match self.bracket(state, theta, horizon) {
            Bracket::None => Crossing::None,
            Bracket::Tangent(s) => Crossing::Tangent(s),
            Bracket::Rising(hi) => Crossing::Spike(self.solve_crossing(state, theta, hi)),
        }
    }

    /// As [`CrossingSearch::next_crossing`] but reports only a crossing at or before
    /// `limit` (`limit <= horizon`), skipping the root solve when the crossing lies beyond
    /// it. A reported spike time is bit-identical to the one
    /// [`CrossingSearch::next_crossing`] returns.
    fn next_crossing_before(
        &self,
        state: State,
        theta: f64,
        limit: Time,
        horizon: Time,
    ) -> Crossing {
        if state.current <= 0.0 || self.slope(state) <= 0.0 {
            return Crossing::None;
        }
        if limit < horizon {
            // V rises to one maximum and then decays: if it still rises at `limit` and is
            // below threshold there, it stayed below on the whole of (0, limit]. One state
            // advance instead of locating the peak.
            let at = self.advance(state, limit);
            if at.potential < theta && self.slope(at) > 0.0 {
                return Crossing::None;
            }
        }
        match self.bracket(state, theta, horizon) {
            Bracket::None => Crossing::None,
            Bracket::Tangent(s) if s <= limit => Crossing::Tangent(s),
            Bracket::Tangent(_) => Crossing::None,
            Bracket::Rising(hi) => {
                if limit < hi && self.advance(state, limit).potential < theta {
                    Crossing::None
                } else {
                    let s = self.solve_crossing(state, theta, hi);
                    if s <= limit {
                        Crossing::Spike(s)
                    } else {
                        Crossing::None
                    }
                }
            }
        }
    }
}

impl<K: Kernel + ?Sized> CrossingSearch for K {}

#[cfg(test)]
thread_local! {
    static ITERATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Safeguarded Newton for the root of `V(s) = theta` on `[0, hi]`, where `V` rises,
/// `V(0) < theta <= V(hi)`.
pub(crate) fn solve_rising<K: Kernel + ?Sized>(
    kernel: &K,
    state: State,
    theta: f64,
    hi: Time,
) -> Time {
    let (mut lo, mut hi) = (0.0_f64, hi);
    // Start from the kernel's lower bound of the root (for ExpKernel: the Newton step from
    // 0). `V` is concave where it rises, so Newton iterates from the left stay left of the
    // root and converge monotonically; the bracket guards other kernels.
    let mut x = kernel.crossing_lower_bound(state, theta);
    if !(x > lo && x < hi) {
        x = 0.5 * (lo + hi);
    }
    for _iteration in 0..100 {
        #[cfg(test)]
        ITERATIONS.with(|c| c.set(c.get() + 1));
        let s = kernel.advance(state, x);
        let f = s.potential - theta;
        if f < 0.0 {
            lo = x;
        } else if f > 0.0 {
            hi = x;
        } else {
            return x;
        }
        let slope = kernel.slope(s);
        // Halley's correction 1 / (1 - f f'' / (2 f'^2)) where the curvature is known
        let newton = match kernel.curvature(s) {
            Some(c) => {
                let denom = 1.0 - f * c / (2.0 * slope * slope);
                if denom > 0.5 {
                    x - f / slope / denom
                } else {
                    x - f / slope
                }
            }
            None => x - f / slope,
        };
        let next = if slope > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 2.0 * f64::EPSILON * x || next <= lo || next >= hi {
            return if next > lo && next < hi { next } else { x };
        }
        x = next;
    }
    x
}

/// The exponential PSP kernel of current-based LIF neurons (see the crate docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExpKernel {
    alpha: f64,
    beta: f64,
    /// `beta - alpha`.
    delta: f64,
}

impl ExpKernel {
    /// Kernel with synaptic rate `alpha` and membrane rate `beta`.
    ///
    /// # Errors
    /// [`KernelError::Core`] if either rate is not finite and strictly positive.
    pub fn try_new(alpha: f64, beta: f64) -> Result<Self, KernelError> {
        fpsnn_core::check_positive("alpha", alpha)?;
        fpsnn_core::check_positive("beta", beta)?;
        Ok(Self {
            alpha,
            beta,
            delta: beta - alpha,
        })
    }

    /// Kernel of a neuron with these parameters.
    ///
    /// # Errors
    /// As [`ExpKernel::try_new`].
    pub fn from_params(params: &NeuronParams) -> Result<Self, KernelError> {
        Self::try_new(params.alpha, params.beta)
    }

    /// Synaptic rate.
    #[must_use]
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Membrane rate.
    #[must_use]
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// `(e^{-alpha s}, h(s), e^{-beta s})` for `s > 0`, from one `exp` and one `expm1`:
    /// with `x = (beta - alpha) s`, `h = e^{-alpha s} s (-expm1(-x) / x)` and
    /// `e^{-beta s} = e^{-alpha s} (1 + expm1(-x))`.
    #[inline]
    fn decays(&self, s: Time) -> (f64, f64, f64) {
        let ea = (-self.alpha * s).exp();
        let x = self.delta * s;
        if x == 0.0 {
            return (ea, ea * s, ea);
        }
        let em = (-x).exp_m1();
        (ea, ea * s * (-em / x), ea + ea * em)
    }

    /// `(e^{-alpha s}, h(s))` for `s > 0`.
    #[inline]
    fn decay_and_psp(&self, s: Time) -> (f64, f64) {
        let (ea, h, _) = self.decays(s);
        (ea, h)
    }
}

/// $e^{-\alpha t}$ and $e^{-\beta t}$ of a spike time $t$ ([`ExpKernel::decays_at`]), or
/// $e^{\alpha t}$ and $e^{\beta t}$ of an arrival time ([`ExpKernel::growths_at`]): the two
/// factors of $e^{-r (f - g)} = e^{-r f} e^{r g}$ for a rate $r$ (DESIGN section 7).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Factors {
    /// The $\alpha$ factor.
    pub alpha: f64,
    /// The $\beta$ factor.
    pub beta: f64,
}

/// $\lvert x \rvert = \lvert (\beta - \alpha) s \rvert$ below which the factorised kernel uses
/// the series of $\varphi(x) = (1 - e^{-x}) / x$ instead of the difference of two
/// exponentials.
pub const SERIES_LIMIT: f64 = 0.1;

/// `(-1)^n / (n + 1)!`: the series of `phi`.
const PHI: [f64; 11] = [
    1.0,
    -1.0 / 2.0,
    1.0 / 6.0,
    -1.0 / 24.0,
    1.0 / 120.0,
    -1.0 / 720.0,
    1.0 / 5040.0,
    -1.0 / 40320.0,
    1.0 / 362_880.0,
    -1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
];

/// `(h(s), h'(s))` from factors, branch-free so that loops over many pairs vectorise: the
/// first `TERMS` terms of the series of `phi` (truncation below `|x|^TERMS / (TERMS + 1)!`),
/// and with `MIXED` the difference of exponentials where `|x| >= SERIES_LIMIT` (otherwise
/// the caller guarantees `|x| < SERIES_LIMIT` for every pair). `(0, 0)` for `s <= 0`.
/// [`ExpKernel::factored_series_terms`] chooses `TERMS` and `MIXED` for a range of `s`.
#[inline(always)]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn factored_pair<const TERMS: usize, const MIXED: bool>(
    delta: f64,
    beta: f64,
    s: Time,
    spike_alpha: f64,
    spike_beta: f64,
    arrival_alpha: f64,
    arrival_beta: f64,
) -> (f64, f64) {
    let ea = spike_alpha * arrival_alpha;
    let x = delta * s;
    let mut phi = 0.0;
    for &c in PHI[..TERMS].iter().rev() {
        phi = phi * x + c;
    }
    let series = ea * s * phi;
    let h = if MIXED && x.abs() >= SERIES_LIMIT {
        (ea - spike_beta * arrival_beta) / delta
    } else {
        series
    };
    let dh = ea - beta * h;
    if s > 0.0 { (h, dh) } else { (0.0, 0.0) }
}

impl ExpKernel {
    /// Largest `max(alpha, beta) t` for which times are factorised: `e^{300}` is far from
    /// overflow, and the relative error of a factor, about `eps rate t`, stays below 1e-13.
    pub const FACTOR_LIMIT: f64 = 300.0;

    /// Whether every time in `[0, t_end]` can be factorised ([`ExpKernel::FACTOR_LIMIT`]).
    #[must_use]
    pub fn factorises(&self, t_end: Time) -> bool {
        self.alpha.max(self.beta) * t_end <= Self::FACTOR_LIMIT
    }

    /// $(e^{-\alpha t}, e^{-\beta t})$ of a spike time.
    #[must_use]
    #[inline]
    pub fn decays_at(&self, t: Time) -> Factors {
        Factors {
            alpha: (-self.alpha * t).exp(),
            beta: (-self.beta * t).exp(),
        }
    }

    /// $(e^{\alpha t}, e^{\beta t})$ of an arrival time.
    #[must_use]
    #[inline]
    pub fn growths_at(&self, t: Time) -> Factors {
        Factors {
            alpha: (self.alpha * t).exp(),
            beta: (self.beta * t).exp(),
        }
    }

    /// $(h(s), h^{\prime}(s))$ for $s = f - g \gt 0$ from the factors of $f$
    /// ([`ExpKernel::decays_at`]) and $g$ ([`ExpKernel::growths_at`]), without a
    /// transcendental function: one per spike and one per arrival instead of two per causal
    /// edge. $e^{-\alpha s}$ is the product of the $\alpha$ factors;
    /// $h = e^{-\alpha s} s \varphi((\beta - \alpha) s)$ by a series where
    /// $\lvert (\beta - \alpha) s \rvert \lt 0.1$ (no cancellation near $\alpha = \beta$),
    /// otherwise $(e^{-\alpha s} - e^{-\beta s}) / (\beta - \alpha)$, whose relative rounding
    /// error is then below about $20 \varepsilon$. Agrees with [`Kernel::psp_and_derivative`]
    /// to about $\varepsilon (2 + r (f + g))$ relative for the larger rate $r$ (tested to 1e-13
    /// on [`ExpKernel::factorises`] ranges). Zero for $s \le 0$.
    #[must_use]
    #[inline]
    pub fn psp_and_derivative_factored(
        &self,
        s: Time,
        spike: Factors,
        arrival: Factors,
    ) -> (f64, f64) {
        factored_pair::<11, true>(
            self.delta,
            self.beta,
            s,
            spike.alpha,
            spike.beta,
            arrival.alpha,
            arrival.beta,
        )
    }

    /// `beta - alpha`.
    #[must_use]
    pub fn delta(&self) -> f64 {
        self.delta
    }

    /// The cheapest exact choice of [`factored_pair`]'s parameters for offsets `s` in
    /// `(0, s_max]`: `(terms, mixed)` with `terms` 7 where `|beta - alpha| s_max <= 0.01`
    /// (truncation below `0.01^7 / 8! ~ 2.5e-19`), else 11 and `mixed` where
    /// `|beta - alpha| s_max >= SERIES_LIMIT`.
    #[must_use]
    pub fn factored_series_terms(&self, s_max: Time) -> (usize, bool) {
        let x = self.delta.abs() * s_max;
        if x <= 0.01 {
            (7, false)
        } else {
            (11, x >= SERIES_LIMIT)
        }
    }
}

impl Kernel for ExpKernel {
    #[inline]
    fn psp(&self, s: Time) -> f64 {
        if s > 0.0 {
            self.decay_and_psp(s).1
        } else {
            0.0
        }
    }

    #[inline]
    fn psp_derivative(&self, s: Time) -> f64 {
        if s > 0.0 {
            let (ea, h) = self.decay_and_psp(s);
            ea - self.beta * h
        } else {
            0.0
        }
    }

    #[inline]
    fn psp_and_derivative(&self, s: Time) -> (f64, f64) {
        if s > 0.0 {
            let (ea, h) = self.decay_and_psp(s);
            (h, ea - self.beta * h)
        } else {
            (0.0, 0.0)
        }
    }

    #[inline]
    fn reset(&self, s: Time) -> f64 {
        if s > 0.0 { (-self.beta * s).exp() } else { 0.0 }
    }

    #[inline]
    fn reset_derivative(&self, s: Time) -> f64 {
        if s > 0.0 {
            -self.beta * (-self.beta * s).exp()
        } else {
            0.0
        }
    }

    #[inline]
    fn reset_and_derivative(&self, s: Time) -> (f64, f64) {
        let decay = self.reset(s);
        (decay, -self.beta * decay)
    }

    #[inline]
    fn propagator(&self, s: Time) -> Propagator {
        let (ea, h, eb) = self.decays(s);
        Propagator {
            current: ea,
            potential: eb,
            cross: h,
        }
    }

    #[inline]
    fn slope(&self, state: State) -> f64 {
        state.current - self.beta * state.potential
    }

    /// $V^{\prime\prime} = -\alpha I - \beta V^{\prime}$.
    #[inline]
    fn curvature(&self, state: State) -> Option<f64> {
        Some(-self.alpha * state.current - self.beta * self.slope(state))
    }

    /// Before its first crossing $V$ rises from $V(0)$, so
    /// $V^{\prime}(s) = I e^{-\alpha s} - \beta V(s) \le I - \beta V(0) = V^{\prime}(0)$ and the
    /// crossing is no earlier than $(\theta - V(0)) / V^{\prime}(0)$.
    fn crossing_lower_bound(&self, state: State, theta: f64) -> Time {
        let slope = self.slope(state);
        if slope > 0.0 {
            // rounding: shave a relative 1e-12 so the bound never exceeds the exact root
            ((theta - state.potential) / slope * (1.0 - 1e-12)).max(0.0)
        } else {
            Time::INFINITY
        }
    }

    /// Closed form, with $\delta = \beta - \alpha$:
    /// $e^{\delta s^{\ast}} = (\beta/\alpha)(1 - \delta V/I)$, so
    /// $s^{\ast} = (\operatorname{ln1p}(\delta/\alpha) + \operatorname{ln1p}(-\delta V/I)) / \delta$,
    /// with the limit $1/\alpha - V/I$ at $\delta = 0$.
    fn peak(&self, state: State, horizon: Time) -> Option<Time> {
        let (i0, v0) = (state.current, state.potential);
        if i0 <= 0.0 || self.slope(state) <= 0.0 {
            return None;
        }
        let d = self.delta;
        let arg = -d * v0 / i0;
        if arg <= -1.0 {
            // No finite maximum: V rises towards its asymptote for ever.
            return None;
        }
        let s = if d == 0.0 {
            1.0 / self.alpha - v0 / i0
        } else {
            ((d / self.alpha).ln_1p() + arg.ln_1p()) / d
        };
        (s > 0.0 && s < horizon).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn psp_matches_textbook_form() {
        let k = ExpKernel::try_new(2.0, 1.0).unwrap();
        for s in [0.01_f64, 0.5, 1.0, 3.0, 10.0] {
            let direct = ((-2.0 * s).exp() - (-s).exp()) / (1.0 - 2.0);
            assert!(close(k.psp(s), direct, 1e-15), "{s}");
        }
        assert!(k.psp(0.0).abs() < f64::MIN_POSITIVE);
        assert!(k.psp(-1.0).abs() < f64::MIN_POSITIVE);
    }

    #[test]
    fn equal_rates_is_the_limit() {
        let k0 = ExpKernel::try_new(1.0, 1.0).unwrap();
        let k1 = ExpKernel::try_new(1.0 - 1e-9, 1.0).unwrap();
        for s in [0.1_f64, 1.0, 5.0] {
            assert!(close(k0.psp(s), s * (-s).exp(), 1e-15));
            assert!(close(k0.psp(s), k1.psp(s), 1e-8));
            assert!(close(k0.psp_derivative(s), k1.psp_derivative(s), 1e-8));
        }
    }

    #[test]
    fn near_equal_rates_do_not_cancel() {
        // alpha = 0.999, beta = 1: the naive difference quotient loses ~3 digits; the phi
        // form must agree with a high-order series to rounding.
        let k = ExpKernel::try_new(0.999, 1.0).unwrap();
        for s in [1e-6, 0.3, 1.0, 4.0] {
            let x: f64 = 1e-3 * s;
            // phi(x) = 1 - x/2 + x^2/6 - x^3/24 + x^4/120
            let phi = 1.0 - x / 2.0 + x * x / 6.0 - x * x * x / 24.0 + x.powi(4) / 120.0;
            let series = (-0.999 * s).exp() * s * phi;
            assert!(close(k.psp(s), series, 4.0 * f64::EPSILON), "{s}");
        }
    }

    #[test]
    fn peak_is_where_slope_vanishes() {
        for (a, b) in [(2.0, 1.0), (1.0, 1.0), (0.999, 1.0), (1.0, 3.0)] {
            let k = ExpKernel::try_new(a, b).unwrap();
            let st = State {
                current: 2.0,
                potential: 0.3,
            };
            let p = k.peak(st, 100.0).unwrap();
            assert!(k.slope(k.advance(st, p)).abs() < 1e-13, "{a} {b}");
        }
    }

    #[test]
    fn newton_converges_in_few_iterations() {
        let k = ExpKernel::try_new(0.999, 1.0).unwrap();
        let mut calls = 0;
        for i in 1..200 {
            let st = State {
                current: 2.0 + 0.05 * f64::from(i),
                potential: 0.1,
            };
            if let Crossing::Spike(_) = k.next_crossing(st, 1.0, 10.0) {
                calls += 1;
            }
        }
        let its = ITERATIONS.with(std::cell::Cell::get);
        println!("{calls} solves, {its} iterations");
        assert!(its <= 5 * calls, "{its} iterations for {calls} solves");
    }

    #[test]
    fn factored_kernel_matches_the_direct_form() {
        for (a, b) in [
            (0.999, 1.0),
            (1.0, 1.0),
            (2.0, 1.0),
            (1.0, 0.9),
            (0.2, 0.05),
            (1.0, 4.0),
        ] {
            let k = ExpKernel::try_new(a, b).unwrap();
            let t_end: f64 = ExpKernel::FACTOR_LIMIT / a.max(b);
            assert!(k.factorises(t_end) && !k.factorises(1.01 * t_end));
            for g in [0.0, 0.37, 1.9, 0.25 * t_end, 0.9 * t_end] {
                for s in [1e-9, 1e-4, 0.05, 0.5, 1.7, 6.0, 40.0] {
                    let f = g + s;
                    if f > t_end {
                        continue;
                    }
                    let s = f - g;
                    let (h, dh) = k.psp_and_derivative_factored(s, k.decays_at(f), k.growths_at(g));
                    let (h0, dh0) = k.psp_and_derivative(s);
                    // the natural scales: h's own size and e^{-alpha s}, which h' is the
                    // difference of
                    let scale_h = h0.abs() * 1e-13 + f64::MIN_POSITIVE;
                    let scale_dh = (-a * s).exp().max(b * h0.abs()) * 1e-13 + f64::MIN_POSITIVE;
                    assert!(
                        (h - h0).abs() <= scale_h,
                        "{a} {b} g {g} s {s}: {h} vs {h0}"
                    );
                    assert!(
                        (dh - dh0).abs() <= scale_dh,
                        "{a} {b} g {g} s {s}: {dh} vs {dh0}"
                    );
                }
            }
            let z = k.psp_and_derivative_factored(0.0, k.decays_at(1.0), k.growths_at(1.0));
            assert!(z.0.abs() < f64::MIN_POSITIVE && z.1.abs() < f64::MIN_POSITIVE);
        }
    }

    #[test]
    fn rejects_bad_rates() {
        assert!(ExpKernel::try_new(0.0, 1.0).is_err());
        assert!(ExpKernel::try_new(1.0, f64::NAN).is_err());
    }

    #[test]
    fn conformance() {
        testing::check_kernel(&ExpKernel::try_new(2.0, 1.0).unwrap());
        testing::check_kernel(&ExpKernel::try_new(1.0, 1.0).unwrap());
        testing::check_kernel(&ExpKernel::try_new(0.999, 1.0).unwrap());
        testing::check_kernel(&ExpKernel::try_new(1.0, 4.0).unwrap());
    }
}
