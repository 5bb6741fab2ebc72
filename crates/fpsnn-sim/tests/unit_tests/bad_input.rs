//! Bad input: typed errors, never a panic.

use fpsnn_sim::{InputSpikes, Method, Network, SimError, SimOptions, simulate};

fn net_json(neuron: &str, weights: &str, extra: &str) -> String {
    format!(
        r#"{{"neuron": {neuron}, "inputs": 2,
        "populations": [{{"name": "h", "size": 2}}, {{"name": "o", "size": 1}}],
        "projections": [{{"from": "input", "to": "h", "weights": {weights}}},
                        {{"from": "h", "to": "o", "weights": [[1.0], [1.0]]}}]
        {extra}}}"#
    )
}

const GOOD_NEURON: &str = r#"{"alpha": 1.0, "beta": 0.9, "theta": 1.0}"#;
const GOOD_W: &str = "[[1.0, -2.0], [0.5, 3.0]]";

#[test]
fn good_network_parses() {
    let net = Network::from_json(&net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#)).unwrap();
    assert_eq!(net.num_weights(), 6);
    // negative weights are valid
    assert!(net.projections()[0].weight(0, 1) < 0.0);
    // round trip
    assert_eq!(Network::from_json(&net.to_json()).unwrap(), net);
}

#[test]
fn bad_parameters_are_typed_errors() {
    for neuron in [
        r#"{"alpha": 0.0, "beta": 0.9, "theta": 1.0}"#,
        r#"{"alpha": 1.0, "beta": -1.0, "theta": 1.0}"#,
        r#"{"alpha": 1.0, "beta": 0.9, "theta": 0.0}"#,
        r#"{"alpha": 1.0, "beta": 0.9, "theta": -2.0}"#,
    ] {
        let err = Network::from_json(&net_json(neuron, GOOD_W, r#", "t_max": 5.0"#)).unwrap_err();
        assert!(matches!(err, SimError::PopulationParams { .. }), "{err}");
    }
    for t_max in ["0.0", "-1.0"] {
        let err = Network::from_json(&net_json(
            GOOD_NEURON,
            GOOD_W,
            &format!(r#", "t_max": {t_max}"#),
        ))
        .unwrap_err();
        assert!(matches!(err, SimError::InvalidHorizon { .. }), "{err}");
    }
}

#[test]
fn bad_weights_are_typed_errors() {
    let err = Network::from_json(&net_json(GOOD_NEURON, "[[1.0, 2.0]]", r#", "t_max": 5.0"#))
        .unwrap_err();
    assert!(
        matches!(err, SimError::WeightShape { projection: 0, .. }),
        "{err}"
    );
    let err = Network::from_json(&net_json(
        GOOD_NEURON,
        "[[1.0, 2.0], [1.0]]",
        r#", "t_max": 5.0"#,
    ))
    .unwrap_err();
    assert!(matches!(err, SimError::WeightShape { .. }), "{err}");
    // JSON has no NaN literal; 1e999 parses to infinity
    let err = Network::from_json(&net_json(
        GOOD_NEURON,
        "[[1e999, 2.0], [1.0, 1.0]]",
        r#", "t_max": 5.0"#,
    ))
    .unwrap_err();
    assert!(
        matches!(
            err,
            SimError::Json { .. } | SimError::NonFiniteWeight { .. }
        ),
        "{err}"
    );
    let mut net = Network::from_json(&net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#)).unwrap();
    let err = net.update_weights(0, |w| w[(1, 1)] = f64::NAN).unwrap_err();
    assert!(
        matches!(
            err,
            SimError::NonFiniteWeight {
                pre: 1,
                post: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        net.projections()[0].weight(1, 1).is_finite(),
        "network unchanged"
    );
}

#[test]
fn unknown_names_and_malformed_json_are_typed_errors() {
    let text = net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#)
        .replace(r#""to": "o""#, r#""to": "nope""#);
    let err = Network::from_json(&text).unwrap_err();
    assert!(
        matches!(err, SimError::UnknownPopulation { ref name, .. } if name == "nope"),
        "{err}"
    );
    for text in [
        "",
        "{",
        "[]",
        r#"{"neuron": 3}"#,
        &net_json(GOOD_NEURON, GOOD_W, ""),
    ] {
        assert!(
            matches!(Network::from_json(text), Err(SimError::Json { .. })),
            "{text}"
        );
    }
    let dup = net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#)
        .replace(r#""name": "o""#, r#""name": "h""#);
    assert!(matches!(
        Network::from_json(&dup),
        Err(SimError::DuplicatePopulation { .. })
    ));
    let neg_delay = net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#).replace(
        r#""weights": [[1.0], [1.0]]"#,
        r#""weights": [[1.0], [1.0]], "delay": -1.0"#,
    );
    assert!(matches!(
        Network::from_json(&neg_delay),
        Err(SimError::InvalidDelay { .. })
    ));
}

#[test]
fn bad_spike_trains_are_typed_errors() {
    for trains in [
        vec![vec![0.5, 0.1], vec![]],
        vec![vec![-0.1], vec![]],
        vec![vec![f64::NAN], vec![]],
        vec![vec![], vec![f64::INFINITY]],
    ] {
        let err = InputSpikes::try_new(trains).unwrap_err();
        assert!(matches!(err, SimError::InputTrain { .. }), "{err}");
    }
    assert!(matches!(
        InputSpikes::from_json(r#"{"input_spikes": [[1.0, 0.5]]}"#),
        Err(SimError::InputTrain { channel: 0, .. })
    ));
    assert!(matches!(
        InputSpikes::from_json(r#"{"spikes": []}"#),
        Err(SimError::Json { .. })
    ));
    let net = Network::from_json(&net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#)).unwrap();
    let one = InputSpikes::try_new(vec![vec![0.1]]).unwrap();
    assert!(matches!(
        simulate(&net, &one, &SimOptions::default()),
        Err(SimError::InputCount {
            got: 1,
            expected: 2
        })
    ));
}

#[test]
fn runaway_recurrent_activity_hits_the_spike_cap() {
    let text = r#"{"neuron": {"alpha": 1.0, "beta": 1.0, "theta": 1.0}, "inputs": 1,
        "populations": [{"name": "r", "size": 3}],
        "projections": [{"from": "input", "to": "r", "weights": [[5.0, 5.0, 5.0]]},
                        {"from": "r", "to": "r", "weights": [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]}],
        "t_max": 1000.0, "max_spikes_per_neuron": 50}"#;
    let net = Network::from_json(text).unwrap();
    let input = InputSpikes::try_new(vec![vec![0.0]]).unwrap();
    let err = simulate(&net, &input, &SimOptions::default()).unwrap_err();
    assert!(
        matches!(err, SimError::SpikeCapExceeded { cap: 50, .. }),
        "{err}"
    );
    assert!(matches!(
        simulate(
            &net,
            &input,
            &SimOptions::default().with_method(Method::LayerSweep)
        ),
        Err(SimError::NotFeedForward)
    ));
    assert!(matches!(
        simulate(
            &net,
            &input,
            &SimOptions::default().with_first_spike_only(3)
        ),
        Err(SimError::PopulationIndex { index: 3, .. })
    ));
}
