//! The non-leaky neuron with an exponentially decaying synaptic current ($\beta = 0$,
//! Mostafa 2018): spike times in closed form.

use fpsnn_core::{Time, check_positive};

use crate::{Kernel, KernelError, Propagator, State};

/// A neuron that integrates its synaptic current without leak: $I^{\prime} = -\alpha I$,
/// $V^{\prime} = I$. For $s \gt 0$ (both kernels are zero for $s \le 0$), the PSP kernel, its
/// derivative and the reset kernel are
///
/// $$
/// h(s) = \frac{1 - e^{-\alpha s}}{\alpha}, \qquad h^{\prime}(s) = e^{-\alpha s},
///     \qquad h_n(s) = 1,
/// $$
///
/// so a spike lowers $V$ for good. With $I \gt 0$ the potential rises for ever towards
/// $V + I / \alpha$, so the first crossing of $\theta$ from $(I, V)$ has the closed form
/// (Mostafa 2018)
///
/// $$
/// s^{\ast} = -\frac{1}{\alpha} \ln\left(1 - \frac{\alpha (\theta - V)}{I}\right),
///     \qquad \text{if } \alpha (\theta - V) \lt I.
/// $$
///
/// [`Kernel::solve_crossing`] evaluates it with `ln_1p`; there is no interior maximum and no
/// tangency. It is the $\beta \to 0$ limit of [`crate::ExpKernel`].
///
/// ```
/// use fpsnn_kernels::{Crossing, CrossingSearch, Kernel, NonLeakyKernel, State};
/// let kernel = NonLeakyKernel::try_new(1.0)?;
/// let state = State { current: 2.0, potential: 0.0 };
/// let Crossing::Spike(s) = kernel.next_crossing(state, 1.0, 10.0) else { panic!() };
/// assert!((s - 2.0_f64.ln()).abs() < 1e-15); // 1 - e^{-s} = 1/2
/// # Ok::<(), fpsnn_kernels::KernelError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NonLeakyKernel {
    alpha: f64,
}

impl NonLeakyKernel {
    /// Kernel with synaptic rate `alpha`.
    ///
    /// # Errors
    /// [`KernelError::Core`] if `alpha` is not finite and strictly positive.
    pub fn try_new(alpha: f64) -> Result<Self, KernelError> {
        check_positive("alpha", alpha)?;
        Ok(Self { alpha })
    }

    /// Synaptic rate.
    #[must_use]
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
}

impl Kernel for NonLeakyKernel {
    #[inline]
    fn propagator(&self, s: Time) -> Propagator {
        // `e^{-alpha s}` directly: `1 + expm1` would lose it to cancellation for large `s`
        Propagator {
            current: (-self.alpha * s).exp(),
            potential: 1.0,
            cross: -(-self.alpha * s).exp_m1() / self.alpha,
        }
    }

    #[inline]
    fn slope(&self, state: State) -> f64 {
        state.current
    }

    /// $V^{\prime\prime} = -\alpha I$.
    #[inline]
    fn curvature(&self, state: State) -> Option<f64> {
        Some(-self.alpha * state.current)
    }

    /// $V$ has no interior maximum: it rises for ever where $I \gt 0$.
    fn peak(&self, _state: State, _horizon: Time) -> Option<Time> {
        None
    }

    /// $V$ is concave where it rises, so the Newton step from 0, $(\theta - V) / I$, is below
    /// the root.
    fn crossing_lower_bound(&self, state: State, theta: f64) -> Time {
        if state.current > 0.0 {
            ((theta - state.potential) / state.current * (1.0 - 1e-12)).max(0.0)
        } else {
            Time::INFINITY
        }
    }

    /// The closed form $s^{\ast} = -\operatorname{ln1p}(-\alpha (\theta - V) / I) / \alpha$.
    /// Where $V$ creeps up to $\theta$ so flatly ($\alpha (\theta - V) / I$ within rounding of
    /// 1: the asymptote $V + I / \alpha$ is the threshold) that the closed form finds no root
    /// in the bracket while the propagator's rounding reaches $\theta$, the safeguarded search
    /// of the default returns a point where the propagator's $V$ reaches $\theta$; it may lie
    /// anywhere along the flat approach, and its slope is about 0, so the gradient code
    /// reports the spike as grazing.
    fn solve_crossing(&self, state: State, theta: f64, hi: Time) -> Time {
        let x = self.alpha * (theta - state.potential) / state.current;
        let s = -(-x).ln_1p() / self.alpha;
        if s > 0.0 && s <= hi {
            s
        } else {
            crate::solve_rising(self, state, theta, hi)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Crossing, CrossingSearch, ExpKernel, testing};

    #[test]
    fn conformance() {
        // rates for which no state of the suite has its asymptote `V + I / alpha` exactly at
        // the threshold (a crossing only by rounding; see `solve_crossing`)
        for alpha in [0.7, 1.3, 2.9] {
            testing::check_kernel(&NonLeakyKernel::try_new(alpha).unwrap());
        }
    }

    #[test]
    fn is_the_limit_of_a_slow_leak() {
        let k = NonLeakyKernel::try_new(2.0).unwrap();
        let leaky = ExpKernel::try_new(2.0, 1e-9).unwrap();
        for s in [0.01, 0.5, 2.0, 7.0] {
            assert!((k.psp(s) - leaky.psp(s)).abs() < 1e-8);
            assert!((k.psp_derivative(s) - leaky.psp_derivative(s)).abs() < 1e-8);
            assert!((k.reset(s) - 1.0).abs() < f64::EPSILON);
            assert!(k.reset_derivative(s).abs() < f64::MIN_POSITIVE);
        }
        assert!(k.psp(0.0).abs() < f64::MIN_POSITIVE);
    }

    #[test]
    fn crossing_is_the_closed_form() {
        let k = NonLeakyKernel::try_new(1.5).unwrap();
        for (current, potential) in [(3.0, 0.0), (1.6, 0.0), (10.0, -2.0), (2.0, 0.9)] {
            let state = State { current, potential };
            let Crossing::Spike(s) = k.next_crossing(state, 1.0, 50.0) else {
                panic!("{state:?} must cross");
            };
            let v = k.advance(state, s).potential;
            assert!((v - 1.0).abs() < 1e-13, "{state:?}: V(s*) = {v}");
        }
        // the asymptote V + I / alpha stays below theta: no crossing
        let state = State {
            current: 1.4,
            potential: 0.0,
        };
        assert_eq!(k.next_crossing(state, 1.0, 1e6), Crossing::None);
        assert!(NonLeakyKernel::try_new(0.0).is_err());
    }
}
