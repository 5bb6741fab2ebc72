//! The kernel a population of a network runs: a built-in kernel (static dispatch) or a
//! user's kernel behind an `Arc`.

use std::sync::Arc;

use fpsnn_core::Time;

use crate::{ExpKernel, Kernel, NonLeakyKernel, Propagator, State};

/// The kernel of a population: [`ExpKernel`] (the default, built from the population's
/// `alpha` and `beta`), [`NonLeakyKernel`], or any [`Kernel`] a user implements.
///
/// The built-in kernels are matched statically (no virtual call in the simulator's inner
/// loops); a custom kernel is called through its vtable.
#[derive(Clone, Debug)]
pub enum NeuronKernel {
    /// The current-based LIF kernel.
    Exp(ExpKernel),
    /// The non-leaky kernel ($\beta = 0$).
    NonLeaky(NonLeakyKernel),
    /// A user's kernel.
    Custom(Arc<dyn Kernel>),
}

impl NeuronKernel {
    /// The exponential kernel, if this is one (the gradient code factorises its pairs).
    #[must_use]
    pub fn as_exp(&self) -> Option<&ExpKernel> {
        match self {
            Self::Exp(k) => Some(k),
            _ => None,
        }
    }

    /// `"exp"`, `"non-leaky"` or `"custom"` (the JSON names, `docs/formats.md`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Exp(_) => "exp",
            Self::NonLeaky(_) => "non-leaky",
            Self::Custom(_) => "custom",
        }
    }
}

impl PartialEq for NeuronKernel {
    /// Built-in kernels by value, custom kernels by identity.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Exp(a), Self::Exp(b)) => a == b,
            (Self::NonLeaky(a), Self::NonLeaky(b)) => a == b,
            (Self::Custom(a), Self::Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<ExpKernel> for NeuronKernel {
    fn from(kernel: ExpKernel) -> Self {
        Self::Exp(kernel)
    }
}

impl From<NonLeakyKernel> for NeuronKernel {
    fn from(kernel: NonLeakyKernel) -> Self {
        Self::NonLeaky(kernel)
    }
}

impl From<Arc<dyn Kernel>> for NeuronKernel {
    fn from(kernel: Arc<dyn Kernel>) -> Self {
        Self::Custom(kernel)
    }
}

/// Forwards one method to the variant's kernel.
macro_rules! forward {
    ($self:ident, $k:ident => $call:expr) => {
        match $self {
            NeuronKernel::Exp($k) => $call,
            NeuronKernel::NonLeaky($k) => $call,
            NeuronKernel::Custom($k) => $call,
        }
    };
}

impl Kernel for NeuronKernel {
    #[inline]
    fn propagator(&self, s: Time) -> Propagator {
        forward!(self, k => k.propagator(s))
    }
    #[inline]
    fn slope(&self, state: State) -> f64 {
        forward!(self, k => k.slope(state))
    }
    #[inline]
    fn advance(&self, state: State, s: Time) -> State {
        forward!(self, k => k.advance(state, s))
    }
    #[inline]
    fn psp(&self, s: Time) -> f64 {
        forward!(self, k => k.psp(s))
    }
    #[inline]
    fn psp_derivative(&self, s: Time) -> f64 {
        forward!(self, k => k.psp_derivative(s))
    }
    #[inline]
    fn psp_and_derivative(&self, s: Time) -> (f64, f64) {
        forward!(self, k => k.psp_and_derivative(s))
    }
    #[inline]
    fn reset(&self, s: Time) -> f64 {
        forward!(self, k => k.reset(s))
    }
    #[inline]
    fn reset_derivative(&self, s: Time) -> f64 {
        forward!(self, k => k.reset_derivative(s))
    }
    #[inline]
    fn reset_and_derivative(&self, s: Time) -> (f64, f64) {
        forward!(self, k => k.reset_and_derivative(s))
    }
    #[inline]
    fn curvature(&self, state: State) -> Option<f64> {
        forward!(self, k => k.curvature(state))
    }
    #[inline]
    fn peak(&self, state: State, horizon: Time) -> Option<Time> {
        forward!(self, k => k.peak(state, horizon))
    }
    #[inline]
    fn crossing_lower_bound(&self, state: State, theta: f64) -> Time {
        forward!(self, k => k.crossing_lower_bound(state, theta))
    }
    #[inline]
    fn solve_crossing(&self, state: State, theta: f64, hi: Time) -> Time {
        forward!(self, k => k.solve_crossing(state, theta, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Crossing, CrossingSearch};

    #[test]
    fn forwards_bit_for_bit() {
        let exp = ExpKernel::try_new(0.999, 1.0).unwrap();
        let custom: Arc<dyn Kernel> = Arc::new(exp);
        let state = State {
            current: 3.0,
            potential: 0.2,
        };
        for kernel in [NeuronKernel::Exp(exp), NeuronKernel::Custom(custom)] {
            assert_eq!(kernel.advance(state, 0.7), exp.advance(state, 0.7));
            assert_eq!(
                kernel.next_crossing(state, 1.0, 5.0),
                exp.next_crossing(state, 1.0, 5.0)
            );
            assert_eq!(kernel.psp_and_derivative(0.3), exp.psp_and_derivative(0.3));
        }
        assert_eq!(NeuronKernel::Exp(exp).name(), "exp");
        assert!(NeuronKernel::Exp(exp).as_exp().is_some());
        let k = NeuronKernel::from(NonLeakyKernel::try_new(1.0).unwrap());
        assert!(k.as_exp().is_none() && k == k.clone());
    }

    #[test]
    fn no_crossing_without_current() {
        let k = NeuronKernel::from(NonLeakyKernel::try_new(1.0).unwrap());
        let state = State {
            current: -1.0,
            potential: 0.0,
        };
        assert_eq!(k.next_crossing(state, 1.0, 10.0), Crossing::None);
    }
}
