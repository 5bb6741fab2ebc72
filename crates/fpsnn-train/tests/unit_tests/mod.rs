mod api;
mod bad_input;
mod checkpoints;
mod determinism;
mod distributed;
mod first_spike_hidden;
mod fixtures;
mod kernels;
mod silent_label;

use fpsnn_datasets::Sample;
use fpsnn_losses::Loss;
use fpsnn_sim::{InputSpikes, Network, simulate};
use fpsnn_testkit::{CausalPattern, Tolerance, checked_central_difference};
use fpsnn_train::{
    GradientOptions, flatten_weights, sample_gradient, set_weights, training_sim_options,
};

/// Checks `grad`, the exact `dL/dW` of `sample` under `options`, against a central
/// difference of the sample loss, weight by weight, wherever `+-h` leaves the causal pattern
/// of the simulation training runs unchanged; returns the number of weights checked.
fn check_loss_gradient<L: Loss<Target = usize>>(
    net: &Network,
    output: usize,
    loss: &L,
    sample: &Sample,
    options: &GradientOptions,
    grad: &[f64],
) -> usize {
    let sim = training_sim_options(net, output, loss, options);
    let input = InputSpikes::try_new(sample.input_spikes.clone()).unwrap();
    let pattern = |n: &Network| CausalPattern::of(&simulate(n, &input, &sim).unwrap());
    let base = pattern(net);
    let w = flatten_weights(net);
    let mut checked = 0;
    for k in 0..w.len() {
        let value = |x: f64| {
            let mut n = net.clone();
            let mut v = w.clone();
            v[k] = x;
            set_weights(&mut n, &v).unwrap();
            let out = sample_gradient(&n, output, loss, sample, options, false).unwrap();
            (pattern(&n) == base).then_some(out.loss)
        };
        let Some(fd) = checked_central_difference(value, w[k]) else {
            continue;
        };
        // relative error against max(|exact|, |fd|, 1e-2) (= abs / rel)
        let tol = Tolerance::DEFAULT;
        assert!(
            tol.relative_error(grad[k], fd) <= tol.rel,
            "weight {k}: exact {:e} fd {fd:e}",
            grad[k]
        );
        checked += 1;
    }
    checked
}
