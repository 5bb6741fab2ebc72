mod api;
mod bad_input;
mod checkpoints;
mod determinism;
mod distributed;
mod first_spike_hidden;
mod fixtures;
mod kernels;
mod loss_seam;
mod silent_label;

use std::borrow::Borrow;

use fpsnn_datasets::Sample;
use fpsnn_losses::Loss;
use fpsnn_sim::{InputSpikes, Network, simulate};
use fpsnn_testkit::{CausalPattern, Tolerance, checked_central_difference};
use fpsnn_train::{
    GradientOptions, TrainTarget, flatten_weights, sample_gradient, set_weights,
    training_sim_options,
};

/// Checks `grad`, the exact `dL/dW` of `sample` under `options`, against a central
/// difference of the sample loss, weight by weight, wherever `+-h` leaves the causal pattern
/// of the simulation training runs unchanged; returns the number of weights checked.
fn check_loss_gradient<L, T>(
    net: &Network,
    output: usize,
    loss: &L,
    sample: &Sample<T>,
    options: &GradientOptions,
    grad: &[f64],
) -> usize
where
    L: Loss + ?Sized,
    T: TrainTarget + Borrow<L::Target>,
{
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

/// Checks the loss-parameter part of `grad` (the entries after the network's weights, in
/// [`Loss::params`] order) against central differences of the sample loss in each loss
/// parameter (the simulation does not depend on them, so the causal pattern cannot
/// change); returns the number of parameters checked.
fn check_loss_param_gradient<L, T>(
    net: &Network,
    output: usize,
    loss: &L,
    sample: &Sample<T>,
    options: &GradientOptions,
    grad: &[f64],
) -> usize
where
    L: Loss + Clone,
    T: TrainTarget + Borrow<L::Target>,
{
    let num_weights = net.num_weights();
    assert_eq!(grad.len(), num_weights + loss.num_params());
    let params = loss.params().to_vec();
    for (k, &p) in params.iter().enumerate() {
        let value = |x: f64| {
            let mut perturbed = loss.clone();
            let mut v = params.clone();
            v[k] = x;
            perturbed.set_params(&v).unwrap();
            Some(
                sample_gradient(net, output, &perturbed, sample, options, false)
                    .unwrap()
                    .loss,
            )
        };
        let fd =
            checked_central_difference(value, p).expect("the loss is smooth in its parameters");
        let tol = Tolerance::DEFAULT;
        let exact = grad[num_weights + k];
        assert!(
            tol.relative_error(exact, fd) <= tol.rel,
            "loss parameter {k}: exact {exact:e} fd {fd:e}"
        );
    }
    params.len()
}
