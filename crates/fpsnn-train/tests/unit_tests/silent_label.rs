//! The silent-label term (the `SilentLabel` loss wrapper, which reads the label neuron's
//! membrane-potential peak): its exact gradient through the trainer's gradient path
//! against central finite differences of the sample loss.

use fpsnn_core::NeuronParams;
use fpsnn_datasets::Sample;
use fpsnn_losses::{FirstSpikeCrossEntropy, SilentLabel};
use fpsnn_sim::{
    InputSpikes, Network, PopulationSpec, ProjectionSpec, SimOptions, Source, simulate,
};
use fpsnn_train::{GradientOptions, sample_gradient};

use super::check_loss_gradient;
use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn network(rng: &mut StdRng) -> Network {
    let params = NeuronParams::try_new(1.0, 0.9, 1.0).unwrap();
    let hidden = DMatrix::from_fn(3, 8, |_, _| rng.random_range(0.5..2.5));
    // output 0 (the label) gets weak, mixed-sign input and stays silent
    let output = DMatrix::from_fn(8, 2, |_, c| {
        if c == 0 {
            rng.random_range(-0.3..0.35)
        } else {
            rng.random_range(0.5..1.5)
        }
    });
    Network::try_new(
        3,
        vec![
            PopulationSpec {
                name: "hidden".into(),
                size: 8,
                params,
            },
            PopulationSpec {
                name: "output".into(),
                size: 2,
                params,
            },
        ],
        vec![
            ProjectionSpec {
                from: Source::Input,
                to: 0,
                weights: hidden.into(),
                delay: 0.0,
            },
            ProjectionSpec {
                from: Source::Population(0),
                to: 1,
                weights: output.into(),
                delay: 0.0,
            },
        ],
        8.0,
        100,
    )
    .unwrap()
}

#[test]
fn silent_label_term_gradient_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(4);
    let inner = FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.01, 8.0).unwrap();
    let loss = SilentLabel::try_new(inner, 0.7).unwrap();
    let options = GradientOptions::default();
    let mut checked = 0;
    for _ in 0..8 {
        let net = network(&mut rng);
        let sample = Sample::new(vec![vec![0.2], vec![0.9], vec![1.4]], 0);
        let Ok(base) = sample_gradient(&net, 1, &loss, &sample, &options, true) else {
            continue;
        };
        let grad = base.gradient.unwrap();
        checked += check_loss_gradient(&net, 1, &loss, &sample, &options, &grad);
    }
    assert!(checked > 50, "{checked}");
}

/// The peak the term uses is the true maximum of the closed-form potential (dense check).
#[test]
fn silent_label_term_uses_the_true_peak() {
    let mut rng = StdRng::seed_from_u64(4);
    let net = network(&mut rng);
    let input = InputSpikes::try_new(vec![vec![0.2], vec![0.9], vec![1.4]]).unwrap();
    let trace = simulate(
        &net,
        &input,
        &SimOptions::default()
            .with_first_spike_only(1)
            .with_early_stop(),
    )
    .unwrap();
    assert!(
        trace.populations[1].spikes[0].is_empty(),
        "the label must stay silent"
    );
    let dense = (0..=80_000)
        .map(|k| fpsnn_sim::membrane_potential(&net, &trace, 1, 0, 8.0 * f64::from(k) / 80_000.0))
        .fold(f64::MIN, f64::max);
    let loss = FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.01, 8.0).unwrap();
    let sample = Sample::new(vec![vec![0.2], vec![0.9], vec![1.4]], 0);
    let plain =
        sample_gradient(&net, 1, &loss, &sample, &GradientOptions::default(), false).unwrap();
    let with_term = SilentLabel::try_new(loss, 1.0).unwrap();
    let options = GradientOptions::default();
    let with = sample_gradient(&net, 1, &with_term, &sample, &options, false).unwrap();
    let v_max = 1.0 - (with.loss - plain.loss);
    // the exact peak is at least the sampled maximum and within its resolution
    assert!(
        v_max >= dense - 1e-12 && v_max - dense < 1e-8,
        "{v_max} vs {dense}"
    );
}
