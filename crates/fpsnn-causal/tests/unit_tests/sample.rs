//! `SampleDerivatives` is the free functions in sequence: the same bits.

use fpsnn_causal::{
    AssembleOptions, CausalGraph, SampleDerivatives, adjoint_gradient, assemble, forward_jacobian,
    spike_gradient,
};
use fpsnn_core::Parallelism;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Bit equality of two float slices (`to_bits`, so `-0.0` and `0.0` differ).
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn sample_derivatives_match_the_free_functions_bit_for_bit() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut checked = 0;
    for (net, input, trace) in super::recurrent_cases(11) {
        let graph = CausalGraph::try_new(&net, &input, &trace).unwrap();
        let Ok(system) = assemble(&graph, &AssembleOptions::default()) else {
            assert!(SampleDerivatives::try_new(&net, &input, &trace).is_err());
            continue;
        };
        let sample = SampleDerivatives::try_new(&net, &input, &trace).unwrap();
        assert_eq!(sample.graph().times(), graph.times());
        assert_eq!(sample.num_weights(), system.layout.num_weights());
        let expected = forward_jacobian(&system, Parallelism::Sequential).unwrap();
        for parallelism in [Parallelism::Sequential, Parallelism::Rayon] {
            let jacobian = sample.jacobian(parallelism).unwrap();
            assert!(same_bits(
                jacobian.matrix.as_slice(),
                expected.matrix.as_slice()
            ));
        }
        // spike order: (population, neuron, spike), each id the graph's
        let order = sample.spike_order();
        assert_eq!(order.len(), graph.len());
        assert!(order.windows(2).all(|w| w[0].0 < w[1].0));
        for &([p, i, m], id) in &order {
            assert_eq!(id, graph.spike_id(p, i, m));
        }
        // a random dL/df on every population
        for p in 0..net.populations().len() {
            let d_spikes: Vec<Vec<f64>> = trace.populations[p]
                .spikes
                .iter()
                .map(|s| s.iter().map(|_| rng.random::<f64>() - 0.5).collect())
                .collect();
            let d_loss = spike_gradient(&graph, p, &d_spikes);
            let adjoint = adjoint_gradient(&system, &d_loss).unwrap();
            let got = sample.loss_gradient(p, &d_spikes, None).unwrap();
            assert!(same_bits(&got.params, &adjoint.params));
            assert!(same_bits(&got.inputs, &adjoint.inputs));
            let forward = expected.gradient(&d_loss);
            let got = sample.loss_gradient(p, &d_spikes, Some(&expected)).unwrap();
            assert!(same_bits(&got.params, &forward.params));
            assert!(same_bits(&got.inputs, &forward.inputs));
        }
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} networks checked");
}

#[test]
fn sample_derivatives_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SampleDerivatives<'static>>();
}
