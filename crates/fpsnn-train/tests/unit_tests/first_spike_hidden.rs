//! Time-to-first-spike networks (`GradientOptions::hidden_first_spike_only`): hidden neurons
//! stop after their first spike, and the gradient is exact for that model.

use fpsnn_core::NeuronParams;
use fpsnn_datasets::Sample;
use fpsnn_losses::FirstSpikeCrossEntropy;
use fpsnn_sim::{InputSpikes, simulate};
use fpsnn_train::{
    FeedForwardSpec, GradientMethod, GradientOptions, sample_gradient, training_sim_options,
};

use super::check_loss_gradient;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[test]
fn time_to_first_spike_gradient_matches_finite_differences() {
    let spec = FeedForwardSpec {
        inputs: 4,
        hidden: vec![10, 6],
        outputs: 3,
        neuron: NeuronParams::try_new(1.0, 0.9, 1.0).unwrap(),
        init: vec![(1.6, 0.8), (1.2, 0.6), (1.5, 0.5)],
        t_max: 10.0,
        max_spikes_per_neuron: 50,
    };
    let loss = FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.01, 10.0).unwrap();
    let mut rng = StdRng::seed_from_u64(31);
    let (mut checked, mut multi) = (0, 0);
    for seed in 0..6 {
        let net = spec.build(seed).unwrap();
        let out = net.populations().len() - 1;
        let trains: Vec<Vec<f64>> = (0..4).map(|_| vec![rng.random_range(0.0..2.0)]).collect();
        let sample = Sample::new(trains.clone(), seed as usize % 3);
        let input = InputSpikes::try_new(trains).unwrap();
        let ttfs = GradientOptions {
            hidden_first_spike_only: true,
            ..GradientOptions::default()
        };
        let sim = training_sim_options(&net, out, &loss, &ttfs);
        // the model differs: without the option some hidden neuron fires more than once
        let full = simulate(
            &net,
            &input,
            &training_sim_options(&net, out, &loss, &GradientOptions::default()),
        )
        .unwrap();
        if full.populations[..out]
            .iter()
            .any(|p| p.spikes.iter().any(|s| s.len() > 1))
        {
            multi += 1;
        }
        let trace = simulate(&net, &input, &sim).unwrap();
        assert!(
            trace.populations[..out]
                .iter()
                .all(|p| p.spikes.iter().all(|s| s.len() <= 1))
        );
        let Ok(adjoint) = sample_gradient(&net, out, &loss, &sample, &ttfs, true) else {
            continue;
        };
        let fp = sample_gradient(
            &net,
            out,
            &loss,
            &sample,
            &GradientOptions {
                method: GradientMethod::ForwardPropagation,
                ..ttfs
            },
            true,
        )
        .unwrap();
        let (grad, grad_fp) = (adjoint.gradient.unwrap(), fp.gradient.unwrap());
        for (k, (a, b)) in grad.iter().zip(&grad_fp).enumerate() {
            let rel = (a - b).abs() / a.abs().max(b.abs()).max(1e-3);
            assert!(rel < 1e-10, "weight {k}: adjoint {a} vs FP {b}");
        }
        checked += check_loss_gradient(&net, out, &loss, &sample, &ttfs, &grad);
    }
    assert!(checked > 200, "{checked}");
    assert!(multi > 0, "no case where the option changes the model");
}
