//! Bad input: typed errors, never a panic; the simulator's rows of the bad-input matrix
//! (`docs/robustness.md`).

use fpsnn_core::{CoreError, NeuronParams, SpikeTrain};
use fpsnn_kernels::{ExpKernel, KernelError};
use fpsnn_sim::{
    InputLineError, InputSpikes, Method, Network, PopulationSpec, ProjectionSpec, SimError,
    SimOptions, Source, input_lines, read_input_lines, simulate,
};
use fpsnn_testkit::{INPUT, Matrix, NET, edit_net};
use nalgebra::DMatrix;

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

// ---------------------------------------------------------------------------------------
// The bad-input matrix: the rows of the simulator's error contract (and of the parameter and
// spike-train checks of fpsnn-core and fpsnn-kernels it runs, which cannot use the testkit:
// the testkit depends on them). `docs/robustness.md` lists the families.

fn params(alpha: f64, beta: f64, theta: f64) -> NeuronParams {
    NeuronParams { alpha, beta, theta }
}

/// A one-population network built through `Network::try_new`, with the given pieces.
fn one_pop(
    neuron: NeuronParams,
    weights: DMatrix<f64>,
    t_max: f64,
    delay: f64,
) -> Result<Network, SimError> {
    Network::try_new(
        weights.nrows(),
        vec![PopulationSpec {
            name: "n".into(),
            size: weights.ncols(),
            params: neuron,
        }],
        vec![ProjectionSpec {
            from: Source::Input,
            to: 0,
            weights: weights.into(),
            delay,
        }],
        t_max,
        100,
    )
}

fn good() -> NeuronParams {
    params(1.0, 0.9, 1.0)
}

fn w1(x: f64) -> DMatrix<f64> {
    DMatrix::from_element(1, 1, x)
}

fn is_json(e: &SimError) -> bool {
    matches!(e, SimError::Json { .. })
}

fn is_param(e: &SimError) -> bool {
    matches!(
        e,
        SimError::PopulationParams {
            source: CoreError::InvalidParameter { .. },
            ..
        } | SimError::Core(CoreError::InvalidParameter { .. })
            | SimError::Kernel(_)
    )
}

fn is_time(e: &SimError) -> bool {
    matches!(
        e,
        SimError::InputTrain {
            source: CoreError::InvalidSpikeTime { .. },
            ..
        }
    )
}

#[test]
fn bad_input_matrix() {
    let mut m = Matrix::default();
    assert!(Network::from_json(NET).is_ok() && InputSpikes::from_json(INPUT).is_ok());

    // --- network JSON: malformed and truncated
    for (case, text) in [
        ("empty", ""),
        ("not JSON", "hello"),
        ("an array", "[1, 2]"),
        ("trailing garbage", &format!("{NET} x")),
        ("NaN literal", &edit_net("3.5", "NaN")),
        ("string weight", &edit_net("3.5", "\"3.5\"")),
        (
            "negative inputs",
            &edit_net("\"inputs\": 2", "\"inputs\": -2"),
        ),
        (
            "fractional size",
            &edit_net("\"size\": 2}, {", "\"size\": 2.5}, {"),
        ),
    ] {
        m.api(
            "malformed network JSON",
            case,
            Network::from_json(text),
            is_json,
            "json",
        );
    }
    m.api(
        "unknown field (typo)",
        "thetaa",
        Network::from_json(&edit_net("\"theta\"", "\"thetaa\"")),
        is_json,
        "unknown field",
    );
    m.api(
        "missing field",
        "no t_max",
        Network::from_json(&edit_net(",\n  \"t_max\": 10.0", "")),
        is_json,
        "missing field",
    );
    for cut in 0..NET.len() {
        if NET.is_char_boundary(cut) {
            m.api(
                "network JSON truncated at every byte",
                format!("cut {cut}"),
                Network::from_json(&NET[..cut]),
                is_json,
                "json",
            );
        }
    }

    // --- network structure
    m.api(
        "unknown population",
        "to",
        Network::from_json(&edit_net("\"to\": \"o\"", "\"to\": \"nope\"")),
        |e| matches!(e, SimError::UnknownPopulation { name, .. } if name == "nope"),
        "unknown population `nope`",
    );
    m.api(
        "unknown population",
        "from",
        Network::from_json(&edit_net("\"from\": \"h\"", "\"from\": \"hh\"")),
        |e| matches!(e, SimError::UnknownPopulation { .. }),
        "unknown population `hh`",
    );
    m.api(
        "unknown population",
        "index (API)",
        Network::try_new(
            1,
            vec![],
            vec![ProjectionSpec {
                from: Source::Input,
                to: 0,
                weights: w1(1.0).into(),
                delay: 0.0,
            }],
            1.0,
            10,
        ),
        |e| matches!(e, SimError::UnknownPopulation { .. }),
        "unknown population",
    );
    m.api(
        "projection into the input",
        "to input",
        Network::from_json(&edit_net("\"to\": \"o\"", "\"to\": \"input\"")),
        |e| matches!(e, SimError::ProjectionToInput { .. }),
        "input",
    );
    m.api(
        "duplicate or reserved population name",
        "duplicate",
        Network::from_json(&edit_net("\"name\": \"o\"", "\"name\": \"h\"")),
        |e| matches!(e, SimError::DuplicatePopulation { .. }),
        "used twice",
    );
    m.api(
        "duplicate or reserved population name",
        "input",
        Network::from_json(&edit_net("\"name\": \"o\"", "\"name\": \"input\"")),
        |e| matches!(e, SimError::DuplicatePopulation { .. }),
        "reserved",
    );
    m.api(
        "empty population",
        "size 0",
        Network::from_json(&edit_net("\"size\": 2}]", "\"size\": 0}]")),
        |e| matches!(e, SimError::EmptyPopulation { .. }),
        "size 0",
    );
    for (case, from, to) in [
        ("missing row", "[[2.0, 1.5], [1.5, 2.0]]", "[[2.0, 1.5]]"),
        (
            "extra row",
            "[[2.0, 1.5], [1.5, 2.0]]",
            "[[2.0, 1.5], [1.5, 2.0], [1.0, 1.0]]",
        ),
        (
            "missing column",
            "[[2.0, 1.5], [1.5, 2.0]]",
            "[[2.0], [1.5]]",
        ),
        ("ragged", "[[2.0, 1.5], [1.5, 2.0]]", "[[2.0, 1.5], [1.5]]"),
        ("empty matrix", "[[2.0, 1.5], [1.5, 2.0]]", "[]"),
    ] {
        m.api(
            "weights of the wrong shape",
            case,
            Network::from_json(&edit_net(from, to)),
            |e| matches!(e, SimError::WeightShape { .. }),
            "expected",
        );
    }
    m.api(
        "weights of the wrong shape",
        "set_weights",
        Network::from_json(NET)
            .unwrap()
            .set_weights(1, DMatrix::zeros(3, 2)),
        |e| matches!(e, SimError::WeightShape { .. }),
        "expected 2x2",
    );
    for (case, w) in [
        ("NaN", f64::NAN),
        ("+inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
    ] {
        m.api(
            "NaN/inf weights",
            format!("{case} (try_new)"),
            one_pop(good(), w1(w), 5.0, 0.0),
            |e| matches!(e, SimError::NonFiniteWeight { .. }),
            "not finite",
        );
        let mut net = Network::from_json(NET).unwrap();
        let before = net.clone();
        m.api(
            "NaN/inf weights",
            format!("{case} (update_weights)"),
            net.update_weights(0, |w| w[(1, 1)] = f64::NAN),
            |e| {
                matches!(
                    e,
                    SimError::NonFiniteWeight {
                        pre: 1,
                        post: 1,
                        ..
                    }
                )
            },
            "weight [1][1]",
        );
        assert_eq!(net, before, "a rejected update changed the network");
    }
    m.api(
        "NaN/inf weights",
        "1e999 in JSON",
        Network::from_json(&edit_net("3.5", "1e999")),
        |e| matches!(e, SimError::Json { .. } | SimError::NonFiniteWeight { .. }),
        "",
    );

    // --- neuron parameters
    for name in ["alpha", "beta", "theta"] {
        for value in ["0.0", "-1.0", "-0.0", "1e999"] {
            let text = NET.replacen(
                &format!("\"{name}\": {}", if name == "beta" { "0.9" } else { "1.0" }),
                &format!("\"{name}\": {value}"),
                1,
            );
            m.api(
                "alpha, beta, theta <= 0 or non-finite",
                format!("{name} = {value} (JSON)"),
                Network::from_json(&text),
                |e| is_param(e) || is_json(e),
                if value == "1e999" { "" } else { name },
            );
        }
        for value in [f64::NAN, f64::INFINITY, 0.0, -2.0] {
            let mut p = good();
            match name {
                "alpha" => p.alpha = value,
                "beta" => p.beta = value,
                _ => p.theta = value,
            }
            m.api(
                "alpha, beta, theta <= 0 or non-finite",
                format!("{name} = {value} (try_new)"),
                one_pop(p, w1(1.0), 5.0, 0.0),
                is_param,
                name,
            );
            m.api(
                "alpha, beta, theta <= 0 or non-finite",
                format!("{name} = {value} (NeuronParams)"),
                NeuronParams::try_new(p.alpha, p.beta, p.theta),
                |e| matches!(e, CoreError::InvalidParameter { .. }),
                name,
            );
        }
    }
    m.api(
        "alpha, beta, theta <= 0 or non-finite",
        "population override theta = 0",
        Network::from_json(&edit_net(
            "\"size\": 2}]",
            "\"size\": 2, \"neuron\": {\"alpha\": 1.0, \"beta\": 1.0, \"theta\": 0.0}}]",
        )),
        |e| matches!(e, SimError::PopulationParams { population, .. } if population == "o"),
        "population `o`",
    );
    m.api(
        "alpha, beta, theta <= 0 or non-finite",
        "set_threshold NaN",
        Network::from_json(NET).unwrap().set_threshold(0, f64::NAN),
        is_param,
        "theta",
    );
    m.api(
        "alpha, beta, theta <= 0 or non-finite",
        "kernel beta = 0",
        ExpKernel::try_new(1.0, 0.0),
        |_: &KernelError| true,
        "beta",
    );

    // --- horizon, delays, spike cap
    for value in ["0.0", "-1.0", "1e999"] {
        m.api(
            "t_max <= 0 or non-finite",
            format!("t_max = {value} (JSON)"),
            Network::from_json(&edit_net("\"t_max\": 10.0", &format!("\"t_max\": {value}"))),
            |e| matches!(e, SimError::InvalidHorizon { .. }) || is_json(e),
            if value == "1e999" { "" } else { "t_max" },
        );
    }
    for value in [f64::NAN, f64::INFINITY, -0.0, 0.0] {
        m.api(
            "t_max <= 0 or non-finite",
            format!("t_max = {value} (try_new)"),
            one_pop(good(), w1(1.0), value, 0.0),
            |e| matches!(e, SimError::InvalidHorizon { .. }),
            "t_max",
        );
    }
    for value in [f64::NAN, -1.0, f64::INFINITY] {
        m.api(
            "delay < 0 or non-finite",
            format!("delay = {value}"),
            one_pop(good(), w1(1.0), 5.0, value),
            |e| matches!(e, SimError::InvalidDelay { .. }),
            "delay",
        );
    }
    m.api(
        "spike cap 0",
        "max_spikes_per_neuron = 0",
        Network::from_json(&edit_net(
            "\"t_max\": 10.0",
            "\"t_max\": 10.0, \"max_spikes_per_neuron\": 0",
        )),
        |e| matches!(e, SimError::InvalidSpikeCap),
        "max_spikes_per_neuron",
    );
    m.api(
        "network too large for 32-bit ids",
        "size 2^32",
        Network::from_json(&edit_net("\"size\": 2}]", "\"size\": 4294967296}]")),
        |e| matches!(e, SimError::TooLarge { .. }),
        "size",
    );
    m.api(
        "network too large for 32-bit ids",
        "inputs 2^32",
        Network::try_new(1 << 32, vec![], vec![], 1.0, 10),
        |e| matches!(e, SimError::TooLarge { .. }),
        "inputs",
    );

    // --- input spikes
    for (case, text) in [
        ("empty", ""),
        ("wrong key", r#"{"spikes": [[0.0]]}"#),
        ("string time", r#"{"input_spikes": [["0.5"]]}"#),
        ("NaN literal", r#"{"input_spikes": [[NaN]]}"#),
        ("extra field", r#"{"input_spikes": [[0.0]], "x": 1}"#),
    ] {
        m.api(
            "malformed input JSON",
            case,
            InputSpikes::from_json(text),
            is_json,
            "json",
        );
    }
    for cut in 0..INPUT.len() {
        m.api(
            "input JSON truncated at every byte",
            format!("cut {cut}"),
            InputSpikes::from_json(&INPUT[..cut]),
            is_json,
            "json",
        );
    }
    for (case, t) in [
        ("NaN", f64::NAN),
        ("+inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
        ("negative", -1e-300),
    ] {
        m.api(
            "NaN/inf/negative spike times",
            format!("{case} (API)"),
            InputSpikes::try_new(vec![vec![0.0], vec![0.5, t]]),
            |e| is_time(e) && matches!(e, SimError::InputTrain { channel: 1, .. }),
            "input channel 1",
        );
        m.api(
            "NaN/inf/negative spike times",
            format!("{case} (SpikeTrain)"),
            SpikeTrain::try_new(vec![t]),
            |e| matches!(e, CoreError::InvalidSpikeTime { .. }),
            "finite and >= 0",
        );
    }
    m.api(
        "NaN/inf/negative spike times",
        "negative (JSON)",
        InputSpikes::from_json(r#"{"input_spikes": [[-1.0], [1.0]]}"#),
        is_time,
        "must be finite and >= 0",
    );
    m.api(
        "NaN/inf/negative spike times",
        "1e999 (JSON)",
        InputSpikes::from_json(r#"{"input_spikes": [[1e999], [1.0]]}"#),
        |e| is_time(e) || is_json(e),
        "",
    );
    for (case, train) in [
        ("descending", vec![1.0, 0.5]),
        ("late dip", vec![0.0, 1.0, 2.0, 1.5]),
        ("ulp", vec![1.0, f64::from_bits(1.0f64.to_bits() - 1)]),
    ] {
        m.api(
            "unsorted spike times",
            case,
            InputSpikes::try_new(vec![vec![], train]),
            |e| {
                matches!(
                    e,
                    SimError::InputTrain {
                        channel: 1,
                        source: CoreError::UnsortedSpikeTrain { .. }
                    }
                )
            },
            "sorted",
        );
    }
    let net = Network::from_json(NET).unwrap();
    for channels in [0usize, 1, 3] {
        m.api(
            "wrong number of input channels",
            format!("{channels} channels"),
            simulate(
                &net,
                &InputSpikes::try_new(vec![vec![0.0]; channels]).unwrap(),
                &SimOptions::default(),
            ),
            |e| matches!(e, SimError::InputCount { .. }),
            "channels",
        );
    }

    // --- simulation options
    let input = InputSpikes::from_json(INPUT).unwrap();
    m.api(
        "bad simulation options",
        "first-spike population out of range",
        simulate(
            &net,
            &input,
            &SimOptions::default().with_first_spike_only(2),
        ),
        |e| matches!(e, SimError::PopulationIndex { index: 2, .. }),
        "out of range",
    );
    m.api(
        "bad simulation options",
        "early-stop population out of range",
        simulate(&net, &input, &SimOptions::default().with_early_stop_on(7)),
        |e| matches!(e, SimError::PopulationIndex { index: 7, .. }),
        "out of range",
    );
    let recurrent = Network::from_json(&edit_net(
        "\"t_max\"",
        "\"max_spikes_per_neuron\": 5, \"t_max\"",
    ))
    .unwrap();
    let mut rec_file = recurrent.to_file();
    rec_file.projections.push(fpsnn_sim::ProjectionFile {
        from: "o".into(),
        to: "h".into(),
        weights: Some(vec![vec![0.1, 0.1]; 2]),
        synapses: None,
        delay: None,
    });
    m.api(
        "bad simulation options",
        "layer sweep on a recurrent network",
        simulate(
            &rec_file.try_into_network().unwrap(),
            &input,
            &SimOptions::default().with_method(Method::LayerSweep),
        ),
        |e| matches!(e, SimError::NotFeedForward),
        "feed-forward",
    );

    m.finish("fpsnn-sim");
}

#[test]
fn json_lines_batch_reads_labels_and_skips_blank_lines() {
    let net = Network::from_json(&net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#)).unwrap();
    let text = "{\"input_spikes\": [[0.1], [0.2, 0.3]], \"label\": 0}\n  \n\n{\"input_spikes\": [[], [1.0]]}\n";
    let lines = read_input_lines(text, &net).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[0].line, lines[0].label), (1, Some(0)));
    assert_eq!(
        lines[0].input,
        InputSpikes::try_new(vec![vec![0.1], vec![0.2, 0.3]]).unwrap()
    );
    assert_eq!((lines[1].line, lines[1].label), (4, None));
    assert_eq!(lines[1].input.num_spikes(), 1);
    assert!(read_input_lines("\n \n", &net).unwrap().is_empty());
}

#[test]
fn bad_json_lines_are_typed_errors_naming_the_line() {
    let net = Network::from_json(&net_json(GOOD_NEURON, GOOD_W, r#", "t_max": 5.0"#)).unwrap();
    let good = "{\"input_spikes\": [[0.1], [0.2]]}";
    let first_error = |bad: &str| {
        let text = format!("{good}\n\n{bad}\n{good}\n");
        read_input_lines(&text, &net).unwrap_err()
    };
    let kind = |e: SimError| match e {
        SimError::InputLine { line: 3, source } => source,
        other => panic!("expected an error on line 3, got {other:?}"),
    };
    assert!(matches!(
        kind(first_error("{\"input_spikes\": [[0.1]")),
        InputLineError::Json { .. }
    ));
    assert_eq!(kind(first_error("[1]")), InputLineError::NotObject);
    assert_eq!(
        kind(first_error(
            "{\"input_spikes\": [[0.1], [0.2]], \"label\": -1}"
        )),
        InputLineError::Label { value: "-1".into() }
    );
    assert!(matches!(
        kind(first_error(
            "{\"input_spikes\": [[0.1], [0.2]], \"foo\": 1}"
        )),
        InputLineError::Fields { .. }
    ));
    assert!(matches!(
        kind(first_error("{\"label\": 1}")),
        InputLineError::Fields { .. }
    ));
    assert!(matches!(
        kind(first_error("{\"input_spikes\": [[0.3, 0.1], [0.2]]}")),
        InputLineError::Train {
            channel: 0,
            source: CoreError::UnsortedSpikeTrain { .. }
        }
    ));
    assert_eq!(
        kind(first_error("{\"input_spikes\": [[0.1]]}")),
        InputLineError::Channels {
            got: 1,
            expected: 2
        }
    );
    // the message: serde's column within the line, no "line 1" of serde's own
    assert_eq!(
        first_error("{\"input_spikes\": [[0.1]").to_string(),
        "line 3: EOF while parsing a list at column 23"
    );
    // lazily: the items before a bad line are good, and it is the first error
    let text = format!("{good}\n[1]\n{{\"input_spikes\": [[0.1]]}}\n");
    let items: Vec<_> = input_lines(&text, &net).collect();
    assert!(items[0].is_ok());
    assert_eq!(
        items[1],
        Err(SimError::InputLine {
            line: 2,
            source: InputLineError::NotObject
        })
    );
    assert!(matches!(items[2], Err(SimError::InputLine { line: 3, .. })));
}
