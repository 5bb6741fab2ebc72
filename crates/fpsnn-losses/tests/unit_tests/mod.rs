//! Gradient checks use `fpsnn_losses::testing` (enabled for the tests through the crate's
//! dev-dependency on itself with the `testing` feature): central differences with step
//! `h = cbrt(eps) max(1, |x|)`, compared with relative tolerance 1e-6 and an absolute
//! floor of 1e-8 max(1, |L|). The central quotient's truncation error is O(h^2) ~ 4e-11 and
//! its rounding error O(eps |L| / h) ~ 4e-11 |L|, so the tolerance leaves a margin of more
//! than 100x while still catching any wrong term (which shows up at O(1) relative). The
//! absolute floor covers gradients that are exactly zero or cancel to ~1e-12.

mod bad_input;
mod cross_entropy;
mod mse;
mod predict;
mod properties;
mod readout;
