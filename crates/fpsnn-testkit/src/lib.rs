//! Test helpers shared by the fpsnn crates (not published): one tolerance type, central
//! finite differences with the `cbrt(eps)` step, random networks and inputs, the causal
//! pattern that decides whether a finite difference of spike times means anything, and the
//! bad-input [`Matrix`] with its small network fixtures ([`NET`], [`INPUT`]).
//!
//! Spike times are only piecewise smooth in the parameters: a finite difference is valid
//! only where `x - h`, `x` and `x + h` give the same causal pattern (same spike counts and the
//! same parents for every spike). [`CausalPattern`] captures that; tests draw another point
//! when it changes.
//!
//! ```
//! use fpsnn_testkit::{central_difference, Tolerance};
//! let d = central_difference(|x| x.sin(), 0.3);
//! Tolerance::DEFAULT.assert_close("d sin", d, 0.3f64.cos());
//! ```

mod fixtures;
mod matrix;

pub use fixtures::{INPUT, NET, edit_net};
pub use matrix::{Matrix, Row, documented_rows};

use fpsnn_core::{NeuronParams, Time};
use fpsnn_kernels::{Kernel, NeuronKernel, Propagator, State};
use fpsnn_sim::{InputSpikes, Network, PopulationSpec, ProjectionSpec, SimTrace, Source};
use nalgebra::DMatrix;
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// Absolute plus relative tolerance: `|got - want| <= abs + rel * max(|got|, |want|)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Absolute part.
    pub abs: f64,
    /// Relative part.
    pub rel: f64,
}

impl Tolerance {
    /// Rounding-level agreement of two exact computations of the same quantity (`1e-12`).
    pub const STRICT: Self = Self {
        abs: 1e-12,
        rel: 1e-12,
    };
    /// Agreement of two exact solvers of one linear system (`1e-10`).
    pub const SOLVER: Self = Self {
        abs: 1e-12,
        rel: 1e-10,
    };
    /// Analytic derivative versus central finite difference: truncation `O(h^2)` with
    /// `h = cbrt(eps)` gives about `1e-10`, rounding `eps / h` about `1e-11`, amplified by
    /// conditioning; `1e-6` relative with a `1e-8` floor is the design's figure.
    pub const DEFAULT: Self = Self {
        abs: 1e-8,
        rel: 1e-6,
    };
    /// For quantities assembled from many ill-conditioned terms.
    pub const LOOSE: Self = Self {
        abs: 1e-6,
        rel: 1e-4,
    };

    /// Whether `got` and `want` agree.
    #[must_use]
    pub fn is_close(&self, got: f64, want: f64) -> bool {
        (got - want).abs() <= self.abs + self.rel * got.abs().max(want.abs())
    }

    /// Relative disagreement `|got - want| / max(|got|, |want|, abs/rel)`, for reports.
    #[must_use]
    pub fn relative_error(&self, got: f64, want: f64) -> f64 {
        (got - want).abs() / got.abs().max(want.abs()).max(self.abs / self.rel)
    }

    /// Scales the tolerance by `factor` (e.g. `k * n` for a size-`n` solve).
    #[must_use]
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            abs: self.abs * factor,
            rel: self.rel * factor,
        }
    }

    /// Panics with `what` if `got` and `want` disagree.
    ///
    /// # Panics
    /// On disagreement.
    #[track_caller]
    pub fn assert_close(&self, what: &str, got: f64, want: f64) {
        assert!(
            self.is_close(got, want),
            "{what}: got {got:e}, want {want:e} (diff {:e}, tol {self:?})",
            (got - want).abs()
        );
    }
}

/// Finite-difference step for a variable of size `x`: `cbrt(eps) max(1, |x|)`.
#[must_use]
pub fn fd_step(x: f64) -> f64 {
    f64::EPSILON.cbrt() * x.abs().max(1.0)
}

/// Central difference `(f(x + h) - f(x - h)) / 2h` with `h = fd_step(x)`.
pub fn central_difference(mut f: impl FnMut(f64) -> f64, x: f64) -> f64 {
    checked_central_difference(|x| Some(f(x)), x).expect("f is defined at both points")
}

/// [`central_difference`] of a function defined only on part of its domain: `None` where
/// `f(x + h)` or `f(x - h)` is `None`. Spike times are only piecewise smooth, so `f` returns
/// `None` where the causal pattern differs from the one at `x` (see [`CausalPattern`]), and the
/// caller skips the point or draws another. Both points are evaluated, `x + h` first.
pub fn checked_central_difference(mut f: impl FnMut(f64) -> Option<f64>, x: f64) -> Option<f64> {
    let h = fd_step(x);
    let (plus, minus) = (f(x + h), f(x - h));
    Some((plus? - minus?) / (2.0 * h))
}

/// Richardson-extrapolated central difference from the four values
/// `f(x - h), f(x - h/2), f(x + h/2), f(x + h)`: `(4 D(h/2) - D(h)) / 3`, truncation error
/// `O(h^4)` instead of `O(h^2)`. Spike times far down a causal chain have large third
/// derivatives, where the plain central difference is the less accurate side of the check.
#[must_use]
pub fn richardson(values: [f64; 4], h: f64) -> f64 {
    let [m1, m2, p2, p1] = values;
    let d_h = (p1 - m1) / (2.0 * h);
    let d_half = (p2 - m2) / h;
    (4.0 * d_half - d_h) / 3.0
}

/// The causal structure of a simulation: spike counts, arrival order and every spike's
/// parent prefix. Equal patterns mean the spike-time equations have the same form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CausalPattern {
    populations: Vec<PopulationPattern>,
}

/// Per population: parent prefixes per neuron and spike, and the identity
/// `(projection, pre, spike)` of every arrival in order.
type PopulationPattern = (Vec<Vec<u32>>, Vec<(u32, u32, u32)>);

impl CausalPattern {
    /// The pattern of a trace.
    #[must_use]
    pub fn of(trace: &SimTrace) -> Self {
        Self {
            populations: trace
                .populations
                .iter()
                .map(|p| {
                    (
                        p.prefixes.clone(),
                        p.arrivals
                            .iter()
                            .map(|a| (a.projection, a.pre, a.spike))
                            .collect(),
                    )
                })
                .collect(),
        }
    }
}

/// Normal weights with the given mean and standard deviation.
pub fn normal_matrix<R: Rng + ?Sized>(
    rng: &mut R,
    rows: usize,
    cols: usize,
    mean: f64,
    sd: f64,
) -> DMatrix<f64> {
    let normal = Normal::new(mean, sd).expect("valid normal");
    DMatrix::from_fn(rows, cols, |_, _| normal.sample(rng))
}

/// A random layered feed-forward network `inputs - sizes[0] - ... - sizes[n-1]` whose
/// populations are called `l0`, `l1`, ...; weights of layer `l` are normal with
/// `weight[l] = (mean, sd)`.
///
/// # Panics
/// If the parameters are invalid or `weight` is shorter than `sizes`.
#[track_caller]
pub fn feed_forward<R: Rng + ?Sized>(
    rng: &mut R,
    inputs: usize,
    sizes: &[usize],
    params: NeuronParams,
    weight: &[(f64, f64)],
    t_max: Time,
) -> Network {
    let populations = sizes
        .iter()
        .enumerate()
        .map(|(l, &size)| PopulationSpec {
            name: format!("l{l}"),
            size,
            params,
        })
        .collect();
    let mut projections = Vec::new();
    let mut pre = inputs;
    for (l, &size) in sizes.iter().enumerate() {
        let (mean, sd) = weight[l];
        projections.push(ProjectionSpec {
            from: if l == 0 {
                Source::Input
            } else {
                Source::Population(l - 1)
            },
            to: l,
            weights: normal_matrix(rng, pre, size, mean, sd).into(),
            delay: 0.0,
        });
        pre = size;
    }
    Network::try_new(inputs, populations, projections, t_max, 200).expect("valid network")
}

/// A random network with one input projection into population `rec` and a recurrent
/// projection `rec -> rec` (self connections included), plus an optional readout population
/// `out` (readout weights normal with mean 0.3, sd 0.8); `delay` applies to the recurrent
/// projection.
///
/// # Panics
/// If the parameters are invalid.
#[allow(clippy::too_many_arguments)]
#[track_caller]
pub fn recurrent<R: Rng + ?Sized>(
    rng: &mut R,
    inputs: usize,
    size: usize,
    outputs: usize,
    params: NeuronParams,
    input_weight: (f64, f64),
    recurrent_weight: (f64, f64),
    delay: Time,
    t_max: Time,
) -> Network {
    let mut populations = vec![PopulationSpec {
        name: "rec".into(),
        size,
        params,
    }];
    let mut projections = vec![
        ProjectionSpec {
            from: Source::Input,
            to: 0,
            weights: normal_matrix(rng, inputs, size, input_weight.0, input_weight.1).into(),
            delay: 0.0,
        },
        ProjectionSpec {
            from: Source::Population(0),
            to: 0,
            weights: normal_matrix(rng, size, size, recurrent_weight.0, recurrent_weight.1).into(),
            delay,
        },
    ];
    if outputs > 0 {
        populations.push(PopulationSpec {
            name: "out".into(),
            size: outputs,
            params,
        });
        projections.push(ProjectionSpec {
            from: Source::Population(0),
            to: 1,
            weights: normal_matrix(rng, size, outputs, 0.3, 0.8).into(),
            delay: 0.0,
        });
    }
    Network::try_new(inputs, populations, projections, t_max, 200).expect("valid network")
}

/// The same network with every projection turned into a synapse list: each `(pre, post)`
/// pair of the dense matrix is kept with probability `keep`, and a kept pair is split into
/// two synapses (weights `w/3` and `2w/3`, a repeated pair) with probability `repeat`;
/// synapses are listed in a shuffled order.
///
/// # Panics
/// Never for a valid network.
pub fn sparsify<R: Rng + ?Sized>(
    rng: &mut R,
    network: &Network,
    keep: f64,
    repeat: f64,
) -> Network {
    let mut file = network.to_file();
    for proj in &mut file.projections {
        let rows = proj.weights.take().unwrap_or_default();
        let mut synapses = Vec::new();
        for (pre, row) in rows.iter().enumerate() {
            for (post, &w) in row.iter().enumerate() {
                if rng.random::<f64>() < keep {
                    if rng.random::<f64>() < repeat {
                        synapses.push((pre, post, w / 3.0));
                        synapses.push((pre, post, 2.0 * w / 3.0));
                    } else {
                        synapses.push((pre, post, w));
                    }
                }
            }
        }
        for k in (1..synapses.len()).rev() {
            synapses.swap(k, rng.random_range(0..=k));
        }
        proj.synapses = Some(synapses);
    }
    file.try_into_network().expect("valid network")
}

/// Random sorted input trains: `per_channel` spikes per channel, uniform in `[0, t_end)`.
///
/// # Panics
/// Never for `t_end > 0`.
pub fn random_input<R: Rng + ?Sized>(
    rng: &mut R,
    channels: usize,
    per_channel: usize,
    t_end: Time,
) -> InputSpikes {
    let trains = (0..channels)
        .map(|_| {
            let mut t: Vec<Time> = (0..per_channel)
                .map(|_| rng.random::<f64>() * t_end)
                .collect();
            t.sort_by(f64::total_cmp);
            t
        })
        .collect();
    InputSpikes::try_new(trains).expect("valid input")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_rejects_and_accepts() {
        assert!(Tolerance::DEFAULT.is_close(1.0, 1.0 + 1e-7));
        assert!(!Tolerance::DEFAULT.is_close(1.0, 1.0 + 1e-5));
        assert!(!Tolerance::STRICT.is_close(0.0, 1e-11));
    }

    #[test]
    fn richardson_is_fourth_order() {
        let x = 0.7_f64;
        let h = 1e-2;
        let d = richardson(
            [
                (x - h).exp(),
                (x - h / 2.0).exp(),
                (x + h / 2.0).exp(),
                (x + h).exp(),
            ],
            h,
        );
        assert!((d - x.exp()).abs() < 1e-9, "{}", (d - x.exp()).abs());
    }

    #[test]
    fn central_difference_is_second_order() {
        let d = central_difference(f64::exp, 1.0);
        assert!((d - 1f64.exp()).abs() < 1e-9);
    }

    #[test]
    fn checked_central_difference_is_none_where_f_is() {
        let exp = checked_central_difference(|x| Some(x.exp()), 1.0);
        assert_eq!(exp, Some(central_difference(f64::exp, 1.0)));
        assert_eq!(
            checked_central_difference(|x| (x < 1.0).then_some(x), 1.0),
            None
        );
        assert_eq!(
            checked_central_difference(|x| (x > 1.0).then_some(x), 1.0),
            None
        );
    }
}

/// The network with `kernel` in every population.
#[must_use]
pub fn with_kernel(mut network: Network, kernel: &NeuronKernel) -> Network {
    for p in 0..network.populations().len() {
        network.set_kernel(p, kernel.clone());
    }
    network
}

/// A kernel as a user writes one: only the two required methods of [`Kernel`], for the
/// current-based LIF neuron with rates `alpha != beta` in the textbook form
/// `h(s) = (e^{-alpha s} - e^{-beta s}) / (beta - alpha)`, no overrides (default peak
/// bisection, Newton steps, no lower bound).
#[derive(Clone, Copy, Debug)]
pub struct TextbookKernel {
    /// Synaptic rate.
    pub alpha: f64,
    /// Membrane rate.
    pub beta: f64,
}

impl Kernel for TextbookKernel {
    fn propagator(&self, s: Time) -> Propagator {
        let (ea, eb) = ((-self.alpha * s).exp(), (-self.beta * s).exp());
        Propagator {
            current: ea,
            potential: eb,
            cross: (ea - eb) / (self.beta - self.alpha),
        }
    }

    fn slope(&self, state: State) -> f64 {
        state.current - self.beta * state.potential
    }
}
