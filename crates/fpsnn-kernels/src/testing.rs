//! Conformance suite for [`Kernel`] implementations (feature `testing`).
//!
//! Every kernel must pass [`check_kernel`]: causality ($h(s) = 0$ for $s \le 0$), the
//! derivatives against central finite differences, the closed-form state against the
//! kernels, the peak against the sign change of the slope, and the crossing search against
//! a dense scan of the potential.

use crate::{Crossing, CrossingSearch, Kernel, State};

/// Runs the whole suite; panics with a message naming the failed property.
///
/// # Panics
/// If the kernel violates one of the properties listed in the module docs.
pub fn check_kernel<K: Kernel>(kernel: &K) {
    check_causality(kernel);
    check_derivatives(kernel);
    check_state_matches_kernels(kernel);
    check_crossings(kernel);
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * (1.0 + want.abs()),
        "{what}: got {got}, want {want} (tol {tol})"
    );
}

/// $h(s) = h^{\prime}(s) = h_n(s) = 0$ for $s \le 0$.
pub fn check_causality<K: Kernel>(kernel: &K) {
    for s in [-10.0, -1.0, -1e-12, 0.0] {
        assert_close("psp(s<=0)", kernel.psp(s), 0.0, 0.0);
        assert_close("psp'(s<=0)", kernel.psp_derivative(s), 0.0, 0.0);
        assert_close("reset(s<=0)", kernel.reset(s), 0.0, 0.0);
    }
}

/// Analytic derivatives agree with central differences, step `cbrt(eps) max(1, s)`.
pub fn check_derivatives<K: Kernel>(kernel: &K) {
    for s in [0.05_f64, 0.3, 1.0, 2.5, 7.0] {
        let h = f64::EPSILON.cbrt() * s.max(1.0);
        let fd = (kernel.psp(s + h) - kernel.psp(s - h)) / (2.0 * h);
        // Central differences have truncation error O(h^2) ~ 1e-11 and rounding ~ eps/h.
        assert_close("psp'", kernel.psp_derivative(s), fd, 1e-8);
        let (h0, h1) = kernel.psp_and_derivative(s);
        assert_close("psp_and_derivative.0", h0, kernel.psp(s), 1e-15);
        assert_close("psp_and_derivative.1", h1, kernel.psp_derivative(s), 1e-15);
        let fd = (kernel.reset(s + h) - kernel.reset(s - h)) / (2.0 * h);
        assert_close("reset'", kernel.reset_derivative(s), fd, 1e-8);
        let (r0, r1) = kernel.reset_and_derivative(s);
        assert_close("reset_and_derivative.0", r0, kernel.reset(s), 1e-15);
        assert_close(
            "reset_and_derivative.1",
            r1,
            kernel.reset_derivative(s),
            1e-15,
        );
    }
}

/// The state evolution reproduces the kernels: a unit current gives `h`, a unit potential
/// gives `h_n`, and `slope` is the time derivative of the potential.
pub fn check_state_matches_kernels<K: Kernel>(kernel: &K) {
    for s in [0.1, 1.0, 3.0] {
        let unit_current = State {
            current: 1.0,
            potential: 0.0,
        };
        assert_close(
            "advance(I=1)",
            kernel.advance(unit_current, s).potential,
            kernel.psp(s),
            1e-14,
        );
        let unit_potential = State {
            current: 0.0,
            potential: 1.0,
        };
        assert_close(
            "advance(V=1)",
            kernel.advance(unit_potential, s).potential,
            kernel.reset(s),
            1e-14,
        );
        let st = State {
            current: 0.7,
            potential: 0.2,
        };
        let via = kernel.propagator(s).apply(st);
        let direct = kernel.advance(st, s);
        assert!(
            via.current.to_bits() == direct.current.to_bits()
                && via.potential.to_bits() == direct.potential.to_bits(),
            "propagator must reproduce advance bit for bit"
        );
        // Composition: advancing by a then b equals advancing by a + b.
        let st = State {
            current: 1.7,
            potential: -0.4,
        };
        let two = kernel.advance(kernel.advance(st, 0.3 * s), 0.7 * s);
        let one = kernel.advance(st, s);
        assert_close("advance composition V", two.potential, one.potential, 1e-13);
        assert_close("advance composition I", two.current, one.current, 1e-13);
        let h = f64::EPSILON.cbrt();
        let fd =
            (kernel.advance(st, s + h).potential - kernel.advance(st, s - h).potential) / (2.0 * h);
        assert_close("slope", kernel.slope(kernel.advance(st, s)), fd, 1e-8);
    }
}

/// The crossing search returns a root with $V = \theta$, a positive slope and no crossing
/// before it on a dense grid; when it reports none, the grid finds none either.
pub fn check_crossings<K: Kernel>(kernel: &K) {
    let theta = 1.0;
    let horizon = 20.0;
    let mut spikes = 0;
    for i in 0..60 {
        for v in [-0.5, 0.0, 0.5, 0.9] {
            let current = -1.0 + 0.25 * f64::from(i);
            let st = State {
                current,
                potential: v,
            };
            let grid_first = (1..=20_000)
                .map(|k| horizon * f64::from(k) / 20_000.0)
                .find(|&s| kernel.advance(st, s).potential >= theta);
            match kernel.next_crossing(st, theta, horizon) {
                Crossing::Spike(s) => {
                    spikes += 1;
                    assert!(
                        kernel.crossing_lower_bound(st, theta) <= s,
                        "lower bound above the crossing"
                    );
                    let after = kernel.advance(st, s);
                    assert_close("V(f)", after.potential, theta, 1e-12);
                    assert!(kernel.slope(after) > 0.0, "slope at crossing must be > 0");
                    let g = grid_first.expect("grid must see the crossing the search found");
                    assert!(s <= g + 1e-12, "search {s} is after grid crossing {g}");
                    assert!(
                        s > g - 2.0 * horizon / 20_000.0,
                        "search {s} far before grid {g}"
                    );
                }
                Crossing::None => {
                    assert!(
                        grid_first.is_none(),
                        "missed crossing at {grid_first:?} for {st:?}"
                    );
                }
                Crossing::Tangent(_) => {}
            }
        }
    }
    assert!(spikes > 10, "suite exercised too few crossings ({spikes})");
}
