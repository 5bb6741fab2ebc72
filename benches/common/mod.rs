//! Shared bench fixtures: seeded random networks and inputs built from the public API only
//! (the benches may not use `fpsnn-testkit`).
//!
//! Everything here runs outside the timed closures.
#![allow(dead_code)]

use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;
use fpsnn::datasets::{LatencyEncoder, SpikeEncoder};
use fpsnn::prelude::*;
use fpsnn::sim::{PopulationSpec, ProjectionSpec, Source};
use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use std::time::Duration;

/// Yin-Yang horizon used by the benches (the paper's set-up stops at 2).
pub(crate) const YIN_YANG_T_MAX: Time = 4.0;

/// The paper's Yin-Yang set-up (`Setup::yin_yang_paper`) simulated to [`YIN_YANG_T_MAX`]:
/// the neuron (alpha = 0.999, beta = 1, theta = 1), the initial weights N(1.5, 0.8) of the
/// first hidden layer and N(2, 0.1) of the output, and the loss.
pub(crate) fn yin_yang_setup() -> Setup {
    let mut setup = Setup::yin_yang_paper();
    setup.network.t_max = YIN_YANG_T_MAX;
    setup
}

/// The Yin-Yang neuron parameters of the paper.
pub(crate) fn yin_yang_params() -> NeuronParams {
    yin_yang_setup().network.neuron
}

/// Weights of the first hidden layer (mean, sd), as in the paper.
fn hidden_weights() -> (f64, f64) {
    yin_yang_setup().network.init[0]
}

/// Output weights (mean, sd), as in the paper.
fn output_weights() -> (f64, f64) {
    yin_yang_setup().network.init[1]
}

/// The paper's Yin-Yang loss, silent outputs counted at [`YIN_YANG_T_MAX`].
pub(crate) fn yin_yang_loss() -> FirstSpikeCrossEntropy {
    *yin_yang_setup().loss().expect("valid loss").inner()
}

/// Modest criterion settings: the bench machine is small and shared.
pub(crate) fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
}

/// A seeded generator; every fixture takes its own seed.
pub(crate) fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A `rows x cols` matrix of independent normal weights.
pub(crate) fn normal_matrix(
    rng: &mut StdRng,
    rows: usize,
    cols: usize,
    mean: f64,
    sd: f64,
) -> DMatrix<f64> {
    let normal = Normal::new(mean, sd).expect("valid normal");
    DMatrix::from_fn(rows, cols, |_, _| normal.sample(rng))
}

/// Weights (mean, sd) of hidden layer `l >= 1` fed by `pre` hidden neurons: about the first
/// layer's mean drive (5 inputs of weight 1.5) spread over `pre` neurons that each fire about
/// four times, with `sd = 2 mean` so that some weights are negative. This keeps every hidden
/// layer at roughly four spikes per neuron.
pub(crate) fn deep_hidden_weights(pre: usize) -> (f64, f64) {
    let mean = 5.0 * hidden_weights().0 / (4.0 * pre as f64);
    (mean, 2.0 * mean)
}

/// A `5 - hidden[0] - ... - hidden[n-1] - 3` feed-forward network with the Yin-Yang
/// parameters: populations `h0`, `h1`, ..., `out`; first hidden layer normal
/// [`hidden_weights`], deeper hidden layers [`deep_hidden_weights`], output
/// [`output_weights`]; at most `cap` spikes per neuron.
pub(crate) fn yin_yang_network(rng: &mut StdRng, hidden: &[usize], cap: usize) -> Network {
    let mut populations = Vec::new();
    let mut projections = Vec::new();
    let mut pre = 5;
    for (l, &size) in hidden.iter().enumerate() {
        let (mean, sd) = if l == 0 {
            hidden_weights()
        } else {
            deep_hidden_weights(pre)
        };
        populations.push(PopulationSpec {
            name: format!("h{l}"),
            size,
            params: yin_yang_params(),
        });
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
    let out = hidden.len();
    populations.push(PopulationSpec {
        name: "out".to_owned(),
        size: 3,
        params: yin_yang_params(),
    });
    projections.push(ProjectionSpec {
        from: if out == 0 {
            Source::Input
        } else {
            Source::Population(out - 1)
        },
        to: out,
        weights: normal_matrix(rng, pre, 3, output_weights().0, output_weights().1).into(),
        delay: 0.0,
    });
    Network::try_new(5, populations, projections, YIN_YANG_T_MAX, cap).expect("valid network")
}

/// `count` Yin-Yang-like inputs: 5 channels with one spike each, `(x, y, 1 - x, 1 - y)`
/// for a point uniform in the unit square in the paper's encoding
/// (`LatencyEncoder::yin_yang`: `t = 0.15 + 1.85 v`, a bias spike at 0.9).
pub(crate) fn yin_yang_inputs(rng: &mut StdRng, count: usize) -> Vec<InputSpikes> {
    let encoder = LatencyEncoder::yin_yang();
    (0..count)
        .map(|_| {
            let (x, y): (f64, f64) = (rng.random(), rng.random());
            let trains = encoder
                .encode(&[x, y, 1.0 - x, 1.0 - y])
                .expect("features in [0, 1]");
            InputSpikes::try_new(trains).expect("valid input")
        })
        .collect()
}

/// The recurrent fixture: one population of `size` neurons with a dense self projection
/// (normal, mean 0, sd `recurrent_sd`) and `inputs` input channels projecting onto it
/// (normal `input_weights`).
pub(crate) fn recurrent_network(
    rng: &mut StdRng,
    size: usize,
    inputs: usize,
    input_weights: (f64, f64),
    recurrent_sd: f64,
    t_max: Time,
) -> Network {
    let params = NeuronParams {
        alpha: 2.0,
        beta: 1.0,
        theta: 1.0,
    };
    let populations = vec![PopulationSpec {
        name: "rec".to_owned(),
        size,
        params,
    }];
    let projections = vec![
        ProjectionSpec {
            from: Source::Input,
            to: 0,
            weights: normal_matrix(rng, inputs, size, input_weights.0, input_weights.1).into(),
            delay: 0.0,
        },
        ProjectionSpec {
            from: Source::Population(0),
            to: 0,
            weights: normal_matrix(rng, size, size, 0.0, recurrent_sd).into(),
            delay: 0.0,
        },
    ];
    Network::try_new(inputs, populations, projections, t_max, 1000).expect("valid network")
}

/// `channels` input channels with `per_channel` spikes each, uniform in `[0, until)`
/// (`fpsnn::datasets::uniform_trains`).
pub(crate) fn uniform_input(
    rng: &mut StdRng,
    channels: usize,
    per_channel: usize,
    until: Time,
) -> InputSpikes {
    let trains = fpsnn::datasets::uniform_trains(rng, channels, per_channel, until)
        .expect("a positive horizon");
    InputSpikes::try_new(trains).expect("valid input")
}
