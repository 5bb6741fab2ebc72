//! Conformance suite for [`Loss`] implementations (feature `testing`).
//!
//! Every loss must pass [`check_loss`] on representative inputs: output shapes, a finite
//! value, the first-spike promise, and $\partial L / \partial f$ (per spike time $f$)
//! against central finite differences. Losses with parameters additionally check
//! $\partial L / \partial p$ (per parameter $p$) with [`check_param_gradient`].
//!
//! Finite differences use the central quotient with step
//! $h = \varepsilon^{1/3} \max(1, \lvert x \rvert)$, which balances truncation error
//! $O(h^2 f^{(3)}) \approx 4 \cdot 10^{-11} f^{(3)}$ against rounding
//! $O(\varepsilon \lvert L \rvert / h) \approx 4 \cdot 10^{-11} \lvert L \rvert$; the
//! comparison tolerance [`FD_RELATIVE`] relative with an absolute floor of [`FD_ABSOLUTE`]
//! times $\max(1, \lvert L \rvert)$ leaves a wide margin over both.
//!
//! A finite difference means something only where the loss is smooth: the suite skips a
//! spike whose perturbation would reach a neighbouring spike of the same train (the order
//! would change). Spikes placed within `h` of a kink of the loss that the suite cannot
//! see (a readout sample time, a loss horizon) are the caller's responsibility.

use crate::{Loss, NoPotentials, Potentials};

/// Relative tolerance of the finite-difference comparisons.
pub const FD_RELATIVE: f64 = 1e-6;
/// Absolute floor of the finite-difference comparisons, scaled by `max(1, |L|)`.
pub const FD_ABSOLUTE: f64 = 1e-8;

/// The finite-difference step for a variable at `x`: `cbrt(eps) max(1, |x|)`.
#[must_use]
pub fn fd_step(x: f64) -> f64 {
    f64::EPSILON.cbrt() * x.abs().max(1.0)
}

/// Central difference $(f(x + h) - f(x - h)) / (2h)$ with $h$ = `fd_step(x)`.
pub fn central_difference(x: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
    let h = fd_step(x);
    // Use the representable step actually taken, so the quotient is not biased by rounding.
    let (up, down) = (x + h, x - h);
    (f(up) - f(down)) / (up - down)
}

/// Whether `analytic` and `numeric` agree within the suite's tolerance at loss scale
/// `value`.
#[must_use]
pub fn fd_agrees(analytic: f64, numeric: f64, value: f64) -> bool {
    let floor = FD_ABSOLUTE * value.abs().max(1.0);
    (analytic - numeric).abs() <= floor + FD_RELATIVE * analytic.abs().max(numeric.abs())
}

/// Runs the suite on one input, without potentials ([`NoPotentials`]).
///
/// # Panics
/// As [`check_loss_with`].
#[track_caller]
pub fn check_loss<L: Loss>(loss: &L, spikes: &[Vec<f64>], target: &L::Target) {
    check_loss_with(loss, spikes, &NoPotentials, target);
}

/// Runs the suite on one input through [`Loss::evaluate_run`] with `potentials` (held
/// fixed while the spike times move: the check is of $\partial L / \partial f$ at fixed
/// potentials; the trainer's tests check the potentials' part through the network). Also
/// checks that [`Loss::params`] has [`Loss::num_params`] entries and that a clone of the
/// loss accepts them back through [`Loss::set_params`] and rejects one more.
///
/// # Panics
/// If evaluation fails, a shape is wrong, the value is not finite, a first-spike-only loss
/// depends on a later spike, a spike gradient disagrees with its finite difference, or the
/// parameter accessors disagree.
#[track_caller]
pub fn check_loss_with<L: Loss>(
    loss: &L,
    spikes: &[Vec<f64>],
    potentials: &dyn Potentials,
    target: &L::Target,
) {
    let evaluate = |spikes: &[Vec<f64>]| loss.evaluate_run(spikes, potentials, target);
    let out = evaluate(spikes).unwrap_or_else(|e| panic!("evaluate failed: {e}"));
    assert_eq!(loss.params().len(), loss.num_params(), "params length");
    assert!(out.value.is_finite(), "non-finite value {}", out.value);
    assert_eq!(
        out.d_spikes.len(),
        spikes.len(),
        "d_spikes: one row per neuron"
    );
    for (i, (d, train)) in out.d_spikes.iter().zip(spikes).enumerate() {
        assert_eq!(d.len(), train.len(), "d_spikes[{i}]: one entry per spike");
    }
    assert_eq!(out.d_params.len(), loss.num_params(), "d_params length");

    if loss.first_spike_only() {
        for (i, d) in out.d_spikes.iter().enumerate() {
            for (k, g) in d.iter().enumerate().skip(1) {
                assert!(g.abs() <= 0.0, "first-spike loss: d_spikes[{i}][{k}] = {g}");
            }
        }
        let firsts: Vec<Vec<f64>> = spikes
            .iter()
            .map(|train| train.iter().take(1).copied().collect())
            .collect();
        let value = evaluate(&firsts)
            .unwrap_or_else(|e| panic!("evaluate on first spikes failed: {e}"))
            .value;
        assert!(
            fd_agrees(value, out.value, out.value),
            "first-spike loss changed when later spikes were dropped: {} vs {value}",
            out.value
        );
    }

    let mut perturbed = spikes.to_vec();
    for (i, train) in spikes.iter().enumerate() {
        for (k, &x) in train.iter().enumerate() {
            let h = fd_step(x);
            let lo = if k > 0 {
                train[k - 1]
            } else {
                f64::NEG_INFINITY
            };
            let hi = train.get(k + 1).copied().unwrap_or(f64::INFINITY);
            if x - h <= lo || x + h >= hi {
                continue;
            }
            let numeric = central_difference(x, |y| {
                perturbed[i][k] = y;
                let value = evaluate(&perturbed)
                    .unwrap_or_else(|e| panic!("evaluate failed at perturbed input: {e}"))
                    .value;
                perturbed[i][k] = x;
                value
            });
            let analytic = out.d_spikes[i][k];
            assert!(
                fd_agrees(analytic, numeric, out.value),
                "dL/df[{i}][{k}] = {analytic}, central difference {numeric}"
            );
        }
    }
}

/// Checks $\partial L / \partial p$ (per parameter $p$) of a loss built from a parameter vector by `build` against central
/// differences at `params`.
///
/// # Panics
/// If building or evaluating fails, the gradient has the wrong length, or an entry
/// disagrees with its finite difference.
#[track_caller]
pub fn check_param_gradient<L: Loss>(
    build: impl Fn(&[f64]) -> L,
    params: &[f64],
    spikes: &[Vec<f64>],
    target: &L::Target,
) {
    let out = build(params)
        .evaluate(spikes, target)
        .unwrap_or_else(|e| panic!("evaluate failed: {e}"));
    assert_eq!(out.d_params.len(), params.len(), "d_params length");
    // the parameters the gradient is for are the ones `params` reports and `set_params` sets
    let mut loss = build(params);
    assert_eq!(loss.params(), params, "params() of the built loss");
    let shifted: Vec<f64> = params.iter().map(|x| x + 0.5).collect();
    loss.set_params(&shifted)
        .unwrap_or_else(|e| panic!("set_params failed: {e}"));
    assert_eq!(loss.params(), &shifted[..], "params() after set_params");
    assert!(
        loss.set_params(&vec![0.0; params.len() + 1]).is_err(),
        "set_params accepted a parameter too many"
    );
    let mut p = params.to_vec();
    for (n, &x) in params.iter().enumerate() {
        let numeric = central_difference(x, |y| {
            p[n] = y;
            let value = build(&p)
                .evaluate(spikes, target)
                .unwrap_or_else(|e| panic!("evaluate failed at perturbed parameters: {e}"))
                .value;
            p[n] = x;
            value
        });
        assert!(
            fd_agrees(out.d_params[n], numeric, out.value),
            "dL/dp[{n}] = {}, central difference {numeric}",
            out.d_params[n]
        );
    }
}
