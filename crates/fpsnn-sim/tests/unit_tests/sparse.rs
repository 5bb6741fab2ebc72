//! Sparse projections (synapse lists): the same simulation as the dense matrix they
//! describe, layer sweep == event queue, exact spike times, and the JSON format.

use super::bits;
use fpsnn_core::NeuronParams;
use fpsnn_sim::{Method, Network, SimError, SimOptions, membrane_potential, simulate};
use fpsnn_testkit::{feed_forward, random_input, recurrent, sparsify};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Every dense projection as a synapse list of all its pairs, row by row.
fn all_pairs(net: &Network) -> Network {
    let mut file = net.to_file();
    for proj in &mut file.projections {
        let rows = proj.weights.take().unwrap();
        proj.synapses = Some(
            rows.iter()
                .enumerate()
                .flat_map(|(pre, row)| row.iter().enumerate().map(move |(post, &w)| (pre, post, w)))
                .collect(),
        );
    }
    file.try_into_network().unwrap()
}

#[test]
fn a_list_of_every_pair_simulates_like_the_matrix() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut spikes = 0;
    for case in 0..12 {
        let dense = if case % 2 == 0 {
            feed_forward(
                &mut rng,
                4,
                &[10, 3],
                NeuronParams::try_new(1.0, 0.9, 1.0).unwrap(),
                &[(1.0, 1.0), (0.8, 0.8)],
                10.0,
            )
        } else {
            recurrent(
                &mut rng,
                3,
                10,
                2,
                NeuronParams::try_new(2.0, 1.0, 1.0).unwrap(),
                (3.0, 1.0),
                (0.0, 1.0),
                0.25,
                10.0,
            )
        };
        let sparse = all_pairs(&dense);
        assert_eq!(sparse.num_weights(), dense.num_weights());
        let input = random_input(&mut rng, dense.inputs(), 3, 4.0);
        for method in [Method::Auto, Method::EventQueue] {
            let options = SimOptions::default().with_method(method);
            let (Ok(a), Ok(b)) = (
                simulate(&dense, &input, &options),
                simulate(&sparse, &input, &options),
            ) else {
                continue;
            };
            assert_eq!(bits(&a), bits(&b), "case {case} {method:?}");
            assert_eq!(a.populations, b.populations, "case {case} {method:?}");
            spikes += a.num_spikes();
        }
    }
    assert!(spikes > 200, "{spikes}");
}

/// The event queue advances only the neurons an arrival reaches, so a neuron's state jumps
/// over the arrivals that miss it in one step where the sweep takes several: the two agree
/// to rounding (bit for bit where every pair is a synapse, above), with the same spikes
/// and causal record.
#[test]
fn sparse_sweep_and_queue_agree_to_rounding() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut spikes = 0;
    for case in 0..30 {
        let dense = feed_forward(
            &mut rng,
            5,
            &[16, 8, 3],
            NeuronParams::try_new(1.0, 0.9, 1.0).unwrap(),
            &[(1.5, 1.0), (1.0, 1.0), (1.0, 0.8)],
            12.0,
        );
        let net = sparsify(&mut rng, &dense, 0.4, 0.2);
        let input = random_input(&mut rng, 5, 3, 4.0);
        let base = if case % 2 == 0 {
            SimOptions::default().with_early_stop_on(2)
        } else {
            SimOptions::default()
        };
        let sweep = simulate(&net, &input, &base.clone().with_method(Method::LayerSweep));
        let queue = simulate(&net, &input, &base.with_method(Method::EventQueue));
        match (sweep, queue) {
            (Ok(s), Ok(q)) => {
                for (a, b) in s.populations.iter().zip(&q.populations) {
                    assert_eq!(a.prefixes, b.prefixes, "case {case}");
                    for (x, y) in a.spikes.iter().flatten().zip(b.spikes.iter().flatten()) {
                        assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "case {case}");
                    }
                    for (x, y) in a.arrivals.iter().zip(&b.arrivals) {
                        assert_eq!(
                            (x.projection, x.pre, x.spike),
                            (y.projection, y.pre, y.spike)
                        );
                    }
                }
                assert!((s.t_end - q.t_end).abs() <= 1e-12 * s.t_end, "case {case}");
                spikes += s.num_spikes();
            }
            (Err(a), Err(b)) => {
                assert!(matches!(a, SimError::SpikeCapExceeded { .. }), "{a}");
                assert!(matches!(b, SimError::SpikeCapExceeded { .. }), "{b}");
            }
            (a, b) => panic!("case {case}: {:?} vs {:?}", a.err(), b.err()),
        }
    }
    assert!(spikes > 300, "{spikes}");
}

/// On a sparse recurrent network every spike sits on the threshold (closed form of the
/// potential from the trace) and the potential stays below it between spikes.
#[test]
fn sparse_recurrent_spikes_are_exact_threshold_crossings() {
    let mut rng = StdRng::seed_from_u64(13);
    let mut checked = 0;
    for _ in 0..6 {
        let dense = recurrent(
            &mut rng,
            4,
            30,
            0,
            NeuronParams::try_new(2.0, 1.0, 1.0).unwrap(),
            (3.0, 1.0),
            (0.0, 1.5),
            0.1,
            10.0,
        );
        let net = sparsify(&mut rng, &dense, 0.2, 0.1);
        let input = random_input(&mut rng, 4, 3, 5.0);
        let Ok(trace) = simulate(&net, &input, &SimOptions::default()) else {
            continue;
        };
        for (i, spikes) in trace.populations[0].spikes.iter().enumerate() {
            let mut last = 0.0;
            for &f in spikes {
                let v = membrane_potential(&net, &trace, 0, i, f);
                assert!((v - 1.0).abs() < 1e-10, "neuron {i} at {f}: V = {v}");
                for k in 1..20 {
                    let t = last + (f - last) * f64::from(k) / 20.0;
                    assert!(membrane_potential(&net, &trace, 0, i, t) < 1.0 + 1e-10);
                }
                last = f;
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn the_synapse_list_format_round_trips_and_rejects_bad_lists() {
    let text = r#"{"neuron": {"alpha": 2.0, "beta": 1.0, "theta": 1.0}, "inputs": 2,
        "populations": [{"name": "a", "size": 3}],
        "projections": [
          {"from": "input", "to": "a", "synapses": [[0, 2, 1.5], [1, 0, 0.5], [0, 2, 0.25]]},
          {"from": "a", "to": "a", "synapses": [[2, 1, -0.5]], "delay": 0.5}],
        "t_max": 5.0}"#;
    let net = Network::from_json(text).unwrap();
    assert_eq!(net.num_weights(), 4);
    let input = &net.projections()[0];
    assert!(input.is_sparse() && input.dense_weights().is_none());
    // repeated pairs add up; a missing pair weighs nothing
    assert!((input.weight(0, 2) - 1.75).abs() < 1e-15);
    assert!(input.weight(1, 1).abs() < f64::MIN_POSITIVE);
    assert_eq!(input.synapse_indices(0, 2).collect::<Vec<_>>(), vec![0, 2]);
    assert_eq!(input.flat_weights(), vec![1.5, 0.5, 0.25]);
    let again = Network::from_json(&net.to_json()).unwrap();
    assert_eq!(again, net);
    let bad = |projection: &str| {
        Network::from_json(&format!(
            r#"{{"neuron": {{"alpha": 2.0, "beta": 1.0, "theta": 1.0}}, "inputs": 2,
            "populations": [{{"name": "a", "size": 3}}], "projections": [{projection}],
            "t_max": 5.0}}"#
        ))
        .unwrap_err()
    };
    assert!(matches!(
        bad(r#"{"from": "input", "to": "a", "weights": [[1, 1, 1], [1, 1, 1]], "synapses": []}"#),
        SimError::WeightsOrSynapses { projection: 0 }
    ));
    assert!(matches!(
        bad(r#"{"from": "input", "to": "a"}"#),
        SimError::WeightsOrSynapses { projection: 0 }
    ));
    assert!(matches!(
        bad(r#"{"from": "input", "to": "a", "synapses": [[0, 0, 1.0], [2, 0, 1.0]]}"#),
        SimError::SynapseOutOfRange {
            index: 1,
            pre: 2,
            ..
        }
    ));
    assert!(matches!(
        bad(r#"{"from": "input", "to": "a", "synapses": [[0, 3, 1.0]]}"#),
        SimError::SynapseOutOfRange { post: 3, .. }
    ));
    assert!(matches!(
        bad(r#"{"from": "input", "to": "a", "synapses": [[0, 1, 1e999]]}"#),
        SimError::Json { .. } | SimError::NonFiniteWeight { .. }
    ));
    // dense-only setters refuse a synapse list; the flat setter checks its length
    let mut net = net;
    assert!(matches!(
        net.update_weights(0, |w| w[(0, 0)] = 1.0),
        Err(SimError::NotDense { projection: 0 })
    ));
    assert!(matches!(
        net.set_flat_weights(0, &[1.0]),
        Err(SimError::WeightCount {
            got: 1,
            expected: 3,
            ..
        })
    ));
    net.set_flat_weights(0, &[1.0, 2.0, 3.0]).unwrap();
    assert!((net.projections()[0].weight(0, 2) - 4.0).abs() < 1e-15);
}
