mod finite_differences;
mod sample;
mod structure;

use fpsnn_core::NeuronParams;
use fpsnn_sim::{InputSpikes, Network, SimOptions, SimTrace, simulate};
use fpsnn_testkit::{random_input, recurrent};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Ten seeded draws of a small random recurrent network (3 inputs, 2 populations of 8)
/// with an input, each with its trace; a draw whose simulation fails is left out.
fn recurrent_cases(seed: u64) -> Vec<(Network, InputSpikes, SimTrace)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let params = NeuronParams::try_new(1.0, 0.9, 1.0).unwrap();
    (0..10)
        .filter_map(|_| {
            let net = recurrent(&mut rng, 3, 8, 2, params, (2.5, 1.0), (0.0, 0.8), 0.0, 8.0);
            let input = random_input(&mut rng, 3, 2, 3.0);
            let trace = simulate(&net, &input, &SimOptions::default()).ok()?;
            Some((net, input, trace))
        })
        .collect()
}
