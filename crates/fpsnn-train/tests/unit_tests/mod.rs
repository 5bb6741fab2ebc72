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
use fpsnn_testkit::CausalPattern;
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
        let value = |d: f64| {
            let mut n = net.clone();
            let mut v = w.clone();
            v[k] += d;
            set_weights(&mut n, &v).unwrap();
            let out = sample_gradient(&n, output, loss, sample, options, false).unwrap();
            (out.loss, pattern(&n) == base)
        };
        let h = f64::EPSILON.cbrt() * w[k].abs().max(1.0);
        let ((p, ok_p), (m, ok_m)) = (value(h), value(-h));
        if !(ok_p && ok_m) {
            continue;
        }
        let fd = (p - m) / (2.0 * h);
        let tol = 1e-6 * grad[k].abs().max(fd.abs()).max(1e-2);
        assert!(
            (grad[k] - fd).abs() <= tol,
            "weight {k}: exact {:e} fd {fd:e}",
            grad[k]
        );
        checked += 1;
    }
    checked
}
