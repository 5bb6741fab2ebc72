//! Hardening (issue 6): a table of bad inputs walked through the public API and through the
//! examples' command lines, runaway activity, grazing crossings, and the fuzzers'
//! regression inputs. `docs/robustness.md` explains the matrix and the guarantees.
//!
//! Every row of the matrix must give a typed error whose message names the problem; from an
//! example: a non-zero exit status, exactly one line `error: ...` on stderr, no "panicked",
//! and every output file that existed before the run left intact byte for byte.

mod common;

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::Command;

use fpsnn::causal::{AssembleOptions, CausalError, CausalGraph, assemble};
use fpsnn::core::{CoreError, NeuronParams, SpikeTrain};
use fpsnn::datasets::{
    Dataset, DatasetError, LatencyEncoder, Sample, SpikeDataset, YinYangSplit, yin_yang,
};
use fpsnn::kernels::{ExpKernel, KernelError};
use fpsnn::losses::{FirstSpikeCrossEntropy, Loss, LossError};
use fpsnn::sim::{
    InputSpikes, Method, Network, PopulationSpec, ProjectionSpec, SimError, SimOptions, Source,
    simulate,
};
use fpsnn::train::{
    Adam, AdamConfig, FeedForwardSpec, FitOptions, GradientOptions, LrSchedule, SampleFailure,
    Setup, SgdConfig, Silent, TrainConfig, TrainError, Trainer, sample_gradient, set_weights,
};
use nalgebra::DMatrix;

use common::{INPUT, NET, example};

// ---------------------------------------------------------------------------------------
// The matrix

/// One row of the bad-input matrix.
struct Row {
    /// The family of cases (one line of the table in `docs/robustness.md`).
    family: &'static str,
    /// This instance.
    case: String,
    /// What went wrong, if the row failed.
    failure: Option<String>,
}

#[derive(Default)]
struct Matrix {
    rows: Vec<Row>,
}

impl Matrix {
    /// An API call that must fail with an error `is` accepts and whose message contains
    /// `needle` (case-insensitive).
    fn api<T, E: Display>(
        &mut self,
        family: &'static str,
        case: impl Into<String>,
        result: Result<T, E>,
        is: impl Fn(&E) -> bool,
        needle: &str,
    ) {
        let failure = match result {
            Ok(_) => Some("accepted".to_owned()),
            Err(err) if !is(&err) => Some(format!("wrong error: {err}")),
            Err(err)
                if !err
                    .to_string()
                    .to_lowercase()
                    .contains(&needle.to_lowercase()) =>
            {
                Some(format!("message `{err}` does not mention `{needle}`"))
            }
            Err(err) if err.to_string().contains('\n') => Some(format!("multi-line `{err}`")),
            Err(_) => None,
        };
        self.rows.push(Row {
            family,
            case: case.into(),
            failure,
        });
    }

    /// An example run that must fail: status != 0, one stderr line `error: ...` naming
    /// `needle`, no panic, and every file in `keep` unchanged.
    fn cli(
        &mut self,
        family: &'static str,
        case: impl Into<String>,
        example_name: &str,
        args: &[&str],
        needle: &str,
        keep: &[&Path],
    ) {
        let before: Vec<Option<Vec<u8>>> = keep.iter().map(|p| std::fs::read(p).ok()).collect();
        let out = Command::new(example(example_name))
            .args(args)
            .output()
            .expect("example runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        let mut problems = Vec::new();
        if out.status.success() {
            problems.push("exit status 0".to_owned());
        }
        if stderr.contains("panicked") {
            problems.push("panicked".to_owned());
        }
        if lines.len() != 1 || !lines[0].starts_with("error: ") {
            problems.push(format!("stderr is not one `error:` line: {stderr:?}"));
        } else if !lines[0].to_lowercase().contains(&needle.to_lowercase()) {
            problems.push(format!("`{}` does not mention `{needle}`", lines[0]));
        }
        for (path, old) in keep.iter().zip(before) {
            if std::fs::read(path).ok() != old {
                problems.push(format!("{} changed", path.display()));
            }
        }
        self.rows.push(Row {
            family,
            case: case.into(),
            failure: (!problems.is_empty()).then(|| problems.join("; ")),
        });
    }

    /// Prints the per-family counts and fails on any failed row.
    fn finish(self, layer: &str) -> usize {
        let mut families: Vec<(&str, usize)> = Vec::new();
        for row in &self.rows {
            match families.iter_mut().find(|(f, _)| *f == row.family) {
                Some((_, n)) => *n += 1,
                None => families.push((row.family, 1)),
            }
        }
        for (family, n) in &families {
            println!("  {layer} | {family} | {n}");
        }
        let failed: Vec<String> = self
            .rows
            .iter()
            .filter_map(|r| {
                r.failure
                    .as_ref()
                    .map(|f| format!("[{}] {}: {f}", r.family, r.case))
            })
            .collect();
        println!(
            "bad-input matrix, {layer}: {} rows in {} families, {} pass",
            self.rows.len(),
            families.len(),
            self.rows.len() - failed.len()
        );
        assert!(failed.is_empty(), "failed rows:\n{}", failed.join("\n"));
        self.rows.len()
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures

fn edit(from: &str, to: &str) -> String {
    assert!(NET.contains(from), "fixture lacks {from}");
    NET.replacen(from, to, 1)
}

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

/// The paper's Yin-Yang set-up with a 5-3-3 network simulated to t_max 4, Adam 5e-3.
fn small_setup() -> Setup {
    let mut setup = Setup::yin_yang_paper();
    setup.network.hidden = vec![3];
    setup.network.t_max = 4.0;
    setup.optimizer.lr = 5e-3;
    setup
}

fn loss() -> FirstSpikeCrossEntropy {
    small_setup().loss().unwrap()
}

fn config(batch_size: usize) -> TrainConfig {
    TrainConfig {
        batch_size,
        ..TrainConfig::default()
    }
}

/// A 5-3-3 network for Yin-Yang input (what `yinyang --resume` expects).
fn small_spec() -> FeedForwardSpec {
    small_setup().network
}

fn small_trainer() -> Trainer<FirstSpikeCrossEntropy, Adam> {
    let network = small_spec().build(1).unwrap();
    let adam = small_setup().optimizer.build().unwrap();
    Trainer::builder(network, loss(), adam)
        .config(config(8))
        .build()
        .unwrap()
}

fn first_yin_yang(n: usize) -> SpikeDataset {
    let full = yin_yang(YinYangSplit::Train, &LatencyEncoder::yin_yang()).unwrap();
    full.select(&(0..n).collect::<Vec<_>>()).unwrap()
}

/// A small checkpoint (a 5-3-3 network after one epoch on 16 Yin-Yang samples).
fn small_checkpoint() -> Vec<u8> {
    let mut t = small_trainer();
    t.fit(&first_yin_yang(16), FitOptions::new(1)).unwrap();
    t.checkpoint_bytes().unwrap()
}

fn load(bytes: &[u8]) -> Result<Trainer<FirstSpikeCrossEntropy, Adam>, TrainError> {
    Trainer::from_checkpoint_bytes(
        bytes,
        loss(),
        AdamConfig::with_lr(5e-3).build().unwrap(),
        config(8),
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Recomputes the checkpoint header's length and checksum after the payload was edited.
fn reframe(bytes: &mut [u8]) {
    let len = (bytes.len() - 28) as u64;
    bytes[12..20].copy_from_slice(&len.to_le_bytes());
    let sum = fnv1a(&bytes[28..]);
    bytes[20..28].copy_from_slice(&sum.to_le_bytes());
}

/// A dataset that does not validate what it yields (a user's own `Dataset`).
struct Raw {
    samples: Vec<Sample>,
    inputs: usize,
    classes: usize,
}

impl Dataset for Raw {
    fn len(&self) -> usize {
        self.samples.len()
    }
    fn num_inputs(&self) -> usize {
        self.inputs
    }
    fn num_classes(&self) -> usize {
        self.classes
    }
    fn get(&self, index: usize) -> Option<Sample> {
        self.samples.get(index).cloned()
    }
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

// ---------------------------------------------------------------------------------------
// The API side of the matrix

#[test]
fn bad_input_matrix_through_the_api() {
    let mut m = Matrix::default();
    assert!(Network::from_json(NET).is_ok() && InputSpikes::from_json(INPUT).is_ok());

    // --- network JSON: malformed and truncated
    for (case, text) in [
        ("empty", ""),
        ("not JSON", "hello"),
        ("an array", "[1, 2]"),
        ("trailing garbage", &format!("{NET} x")),
        ("NaN literal", &edit("3.5", "NaN")),
        ("string weight", &edit("3.5", "\"3.5\"")),
        ("negative inputs", &edit("\"inputs\": 2", "\"inputs\": -2")),
        (
            "fractional size",
            &edit("\"size\": 2}, {", "\"size\": 2.5}, {"),
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
        Network::from_json(&edit("\"theta\"", "\"thetaa\"")),
        is_json,
        "unknown field",
    );
    m.api(
        "missing field",
        "no t_max",
        Network::from_json(&edit(",\n  \"t_max\": 10.0", "")),
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
        Network::from_json(&edit("\"to\": \"o\"", "\"to\": \"nope\"")),
        |e| matches!(e, SimError::UnknownPopulation { name, .. } if name == "nope"),
        "unknown population `nope`",
    );
    m.api(
        "unknown population",
        "from",
        Network::from_json(&edit("\"from\": \"h\"", "\"from\": \"hh\"")),
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
        Network::from_json(&edit("\"to\": \"o\"", "\"to\": \"input\"")),
        |e| matches!(e, SimError::ProjectionToInput { .. }),
        "input",
    );
    m.api(
        "duplicate or reserved population name",
        "duplicate",
        Network::from_json(&edit("\"name\": \"o\"", "\"name\": \"h\"")),
        |e| matches!(e, SimError::DuplicatePopulation { .. }),
        "used twice",
    );
    m.api(
        "duplicate or reserved population name",
        "input",
        Network::from_json(&edit("\"name\": \"o\"", "\"name\": \"input\"")),
        |e| matches!(e, SimError::DuplicatePopulation { .. }),
        "reserved",
    );
    m.api(
        "empty population",
        "size 0",
        Network::from_json(&edit("\"size\": 2}]", "\"size\": 0}]")),
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
            Network::from_json(&edit(from, to)),
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
        Network::from_json(&edit("3.5", "1e999")),
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
        Network::from_json(&edit(
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
            Network::from_json(&edit("\"t_max\": 10.0", &format!("\"t_max\": {value}"))),
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
        Network::from_json(&edit(
            "\"t_max\": 10.0",
            "\"t_max\": 10.0, \"max_spikes_per_neuron\": 0",
        )),
        |e| matches!(e, SimError::InvalidSpikeCap),
        "max_spikes_per_neuron",
    );
    m.api(
        "network too large for 32-bit ids",
        "size 2^32",
        Network::from_json(&edit("\"size\": 2}]", "\"size\": 4294967296}]")),
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
    let recurrent = Network::from_json(&edit(
        "\"t_max\"",
        "\"max_spikes_per_neuron\": 5, \"t_max\"",
    ))
    .unwrap();
    let mut rec_file = recurrent.to_file();
    rec_file.projections.push(fpsnn::sim::ProjectionFile {
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

    // --- losses and labels
    for (case, (tau0, tau1, gamma, t_max)) in [
        ("t_max = 0", (0.2, 1.0, 0.0, 0.0)),
        ("t_max < 0", (0.2, 1.0, 0.0, -4.0)),
        ("t_max NaN", (0.2, 1.0, 0.0, f64::NAN)),
        ("t_max inf", (0.2, 1.0, 0.0, f64::INFINITY)),
        ("tau0 = 0", (0.0, 1.0, 0.0, 4.0)),
        ("tau1 NaN", (0.2, f64::NAN, 0.0, 4.0)),
        ("gamma inf", (0.2, 1.0, f64::INFINITY, 4.0)),
    ] {
        m.api(
            "bad loss parameters",
            case,
            FirstSpikeCrossEntropy::try_new(tau0, tau1, gamma, t_max),
            |e| matches!(e, LossError::InvalidParameter { .. }),
            "invalid",
        );
    }
    m.api(
        "labels out of range",
        "loss evaluate",
        loss().evaluate(&[vec![1.0], vec![2.0], vec![]], &3),
        |e| matches!(e, LossError::LabelOutOfRange { .. }),
        "label 3",
    );
    m.api(
        "labels out of range",
        "SpikeDataset",
        SpikeDataset::try_new(vec![Sample::new(vec![vec![0.0]; 5], 3)], 5, 3),
        |e| matches!(e, DatasetError::LabelOutOfRange { label: 3, .. }),
        "label 3",
    );
    let ff = small_spec().build(0).unwrap();
    m.api(
        "labels out of range",
        "sample_gradient",
        sample_gradient(
            &ff,
            1,
            &loss(),
            &Sample::new(vec![vec![0.5]; 5], 7),
            &GradientOptions::default(),
            true,
        ),
        |e| matches!(e, TrainError::Loss(LossError::LabelOutOfRange { .. })),
        "label 7",
    );
    let raw_bad_label = Raw {
        samples: vec![Sample::new(vec![vec![0.5]; 5], 9)],
        inputs: 5,
        classes: 3,
    };
    m.api(
        "labels out of range",
        "training on an unvalidated dataset",
        small_trainer().fit(&raw_bad_label, FitOptions::new(1)),
        |e| matches!(e, TrainError::Loss(LossError::LabelOutOfRange { .. })),
        "label 9",
    );

    // --- datasets
    let empty = Raw {
        samples: vec![],
        inputs: 5,
        classes: 3,
    };
    m.api(
        "empty datasets",
        "SpikeDataset",
        SpikeDataset::try_new(vec![], 5, 3),
        |e| matches!(e, DatasetError::Empty),
        "no sample",
    );
    m.api(
        "empty datasets",
        "Trainer::fit",
        small_trainer().fit(&empty, FitOptions::new(1)),
        |e| matches!(e, TrainError::EmptyDataset),
        "empty",
    );
    m.api(
        "empty datasets",
        "Trainer::evaluate",
        small_trainer().evaluate(&empty),
        |e| matches!(e, TrainError::EmptyDataset),
        "empty",
    );
    m.api(
        "empty datasets",
        "empty validation set",
        small_trainer().fit(&first_yin_yang(4), FitOptions::new(1).validation(&empty)),
        |e| matches!(e, TrainError::EmptyDataset),
        "empty",
    );
    m.api(
        "bad samples",
        "channel count",
        SpikeDataset::try_new(vec![Sample::new(vec![vec![0.0]; 4], 0)], 5, 3),
        |e| matches!(e, DatasetError::ChannelCountMismatch { .. }),
        "channels",
    );
    m.api(
        "bad samples",
        "NaN spike in a sample",
        SpikeDataset::try_new(
            vec![Sample::new(
                vec![vec![0.0], vec![f64::NAN], vec![], vec![], vec![]],
                0,
            )],
            5,
            3,
        ),
        |e| matches!(e, DatasetError::InvalidSpikeTrain { channel: 1, .. }),
        "channel 1",
    );
    m.api(
        "bad samples",
        "unsorted spike in an unvalidated sample",
        sample_gradient(
            &ff,
            1,
            &loss(),
            &Sample::new(vec![vec![1.0, 0.0], vec![], vec![], vec![], vec![]], 0),
            &GradientOptions::default(),
            true,
        ),
        |e| matches!(e, TrainError::Sim(SimError::InputTrain { .. })),
        "sorted",
    );
    m.api(
        "bad encoder parameters",
        "latency window reversed",
        LatencyEncoder::try_new(2.0, 1.0),
        |e| matches!(e, DatasetError::InvalidParameter { .. }),
        "invalid",
    );

    // --- training configuration
    m.api(
        "bad training configuration",
        "batch size 0",
        Trainer::try_new(
            small_spec().build(0).unwrap(),
            1,
            loss(),
            AdamConfig::with_lr(1e-3).build().unwrap(),
            config(0),
        ),
        |e| {
            matches!(
                e,
                TrainError::InvalidConfig {
                    name: "batch_size",
                    ..
                }
            )
        },
        "batch_size",
    );
    m.api(
        "bad training configuration",
        "loss horizon is not the network's t_max",
        Trainer::builder(
            small_spec().build(0).unwrap(),
            FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, 2.0).unwrap(),
            AdamConfig::with_lr(1e-3).build().unwrap(),
        )
        .build(),
        |e| matches!(e, TrainError::HorizonMismatch { .. }),
        "t_max",
    );
    m.api(
        "bad training configuration",
        "set-up network does not fit its data",
        Setup {
            network: FeedForwardSpec {
                inputs: 4,
                ..small_spec()
            },
            ..small_setup()
        }
        .trainer(),
        |e| {
            matches!(
                e,
                TrainError::SetupMismatch {
                    network: 4,
                    data: 5,
                    ..
                }
            )
        },
        "input channels",
    );
    m.api(
        "bad samples",
        "prediction for an input with a missing channel",
        small_trainer().predict(&Sample::new(vec![vec![0.5]; 4], 0)),
        |e| matches!(e, TrainError::Sim(_)),
        "channel",
    );
    m.api(
        "bad training configuration",
        "output index",
        Trainer::try_new(
            small_spec().build(0).unwrap(),
            2,
            loss(),
            AdamConfig::with_lr(1e-3).build().unwrap(),
            config(1),
        ),
        |e| matches!(e, TrainError::InvalidConfig { name: "output", .. }),
        "output",
    );
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        m.api(
            "bad training configuration",
            format!("Adam lr {lr}"),
            AdamConfig::with_lr(lr).build(),
            |e| matches!(e, TrainError::InvalidConfig { name: "lr", .. }),
            "lr",
        );
    }
    m.api(
        "bad training configuration",
        "SGD lr NaN",
        SgdConfig {
            lr: f64::NAN,
            momentum: 0.9,
        }
        .build(),
        |e| matches!(e, TrainError::InvalidConfig { .. }),
        "lr",
    );
    for (case, schedule) in [
        (
            "staircase factor NaN",
            LrSchedule::Step {
                factor: f64::NAN,
                every: 1,
            },
        ),
        (
            "staircase factor 0",
            LrSchedule::Step {
                factor: 0.0,
                every: 1,
            },
        ),
        (
            "staircase factor 2",
            LrSchedule::Step {
                factor: 2.0,
                every: 1,
            },
        ),
    ] {
        m.api(
            "bad training configuration",
            case,
            Trainer::try_new(
                small_spec().build(0).unwrap(),
                1,
                loss(),
                AdamConfig::with_lr(1e-3).build().unwrap(),
                TrainConfig {
                    schedule,
                    ..config(1)
                },
            ),
            |e| matches!(e, TrainError::InvalidConfig { .. }),
            "factor",
        );
    }
    for (case, tweak) in [
        ("silent penalty NaN", (f64::NAN, 1e-7)),
        ("grazing tolerance NaN", (0.0, f64::NAN)),
        ("grazing tolerance < 0", (0.0, -1.0)),
    ] {
        let mut gradient = GradientOptions {
            silent_label_penalty: tweak.0,
            ..GradientOptions::default()
        };
        gradient.assemble.grazing_tolerance = tweak.1;
        m.api(
            "bad training configuration",
            case,
            Trainer::try_new(
                small_spec().build(0).unwrap(),
                1,
                loss(),
                AdamConfig::with_lr(1e-3).build().unwrap(),
                TrainConfig {
                    gradient,
                    ..config(1)
                },
            ),
            |e| matches!(e, TrainError::InvalidConfig { .. }),
            if case.starts_with("silent") {
                "silent"
            } else {
                "grazing"
            },
        );
    }
    let mut spec = small_spec();
    spec.hidden = vec![0];
    m.api(
        "bad training configuration",
        "hidden layer of size 0",
        spec.build(0),
        |e| matches!(e, TrainError::Sim(SimError::EmptyPopulation { .. })),
        "size 0",
    );
    let mut spec = small_spec();
    spec.init.pop();
    m.api(
        "bad training configuration",
        "one init per layer",
        spec.build(0),
        |e| matches!(e, TrainError::InvalidConfig { name: "init", .. }),
        "init",
    );
    let mut spec = small_spec();
    spec.t_max = 0.0;
    m.api(
        "t_max <= 0 or non-finite",
        "FeedForwardSpec t_max = 0",
        spec.build(0),
        |e| matches!(e, TrainError::Sim(SimError::InvalidHorizon { .. })),
        "t_max",
    );
    let mut spec = small_spec();
    spec.init[0].1 = f64::NAN;
    m.api(
        "NaN/inf weights",
        "initialiser sd NaN",
        spec.build(0),
        |e| {
            matches!(
                e,
                TrainError::InvalidConfig { .. }
                    | TrainError::Sim(SimError::NonFiniteWeight { .. })
            )
        },
        "",
    );
    let mut net = small_spec().build(0).unwrap();
    m.api(
        "NaN/inf weights",
        "set_weights with a NaN",
        set_weights(&mut net, &[f64::NAN; 24]),
        |e| matches!(e, TrainError::Sim(SimError::NonFiniteWeight { .. })),
        "not finite",
    );
    m.api(
        "weights of the wrong shape",
        "flat parameter count",
        set_weights(&mut net, &[1.0; 7]),
        |e| {
            matches!(
                e,
                TrainError::ParamCount {
                    expected: 24,
                    got: 7
                }
            )
        },
        "expected 24",
    );

    // --- checkpoints
    let bytes = small_checkpoint();
    assert!(load(&bytes).is_ok(), "the fixture checkpoint loads");
    let is_ckpt = |e: &TrainError| matches!(e, TrainError::Checkpoint { .. });
    for cut in 0..bytes.len() {
        m.api(
            "checkpoint truncated at every byte",
            format!("cut {cut} of {}", bytes.len()),
            load(&bytes[..cut]),
            is_ckpt,
            "checkpoint",
        );
    }
    for bit in 0..bytes.len() * 8 {
        let mut bad = bytes.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let needle = match bit / 8 {
            0..8 => "magic",
            8..12 => "version",
            12..20 => "payload claims",
            _ => "checksum",
        };
        m.api(
            "checkpoint with one bit flipped (every bit)",
            format!("bit {bit}"),
            load(&bad),
            is_ckpt,
            needle,
        );
    }
    for version in [0u32, 1, 3, u32::MAX] {
        let mut bad = bytes.clone();
        bad[8..12].copy_from_slice(&version.to_le_bytes());
        m.api(
            "checkpoint of another format version",
            format!("version {version}"),
            load(&bad),
            is_ckpt,
            &format!("format version {version}"),
        );
    }
    let body = (bytes.len() - 28) as u64;
    for claim in [u64::MAX, 1 << 40, body + 1, body - 1, 0] {
        let mut bad = bytes.clone();
        bad[12..20].copy_from_slice(&claim.to_le_bytes());
        m.api(
            "checkpoint claiming an absurd length",
            format!("claims {claim}"),
            load(&bad),
            is_ckpt,
            "payload claims",
        );
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 16]);
    m.api(
        "checkpoint claiming an absurd length",
        "16 bytes appended",
        load(&longer),
        is_ckpt,
        "payload claims",
    );
    let mut garbage = bytes.clone();
    for b in &mut garbage[28..] {
        *b = 0xff;
    }
    reframe(&mut garbage);
    m.api(
        "checkpoint with valid framing, bad payload",
        "payload all 0xff",
        load(&garbage),
        is_ckpt,
        "decode",
    );
    let mut trailing = bytes.clone();
    trailing.push(0);
    reframe(&mut trailing);
    m.api(
        "checkpoint with valid framing, bad payload",
        "one trailing byte",
        load(&trailing),
        is_ckpt,
        "trailing",
    );
    let mut short = bytes[..bytes.len() - 1].to_vec();
    reframe(&mut short);
    m.api(
        "checkpoint with valid framing, bad payload",
        "payload cut by one byte",
        load(&short),
        is_ckpt,
        "decode",
    );
    let needle = b"\"t_max\": 4.0";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the payload holds the network JSON");
    let mut bad_net = bytes.clone();
    bad_net[at..at + needle.len()].copy_from_slice(b"\"t_max\": 0.0");
    reframe(&mut bad_net);
    m.api(
        "checkpoint with valid framing, bad payload",
        "stored network has t_max = 0",
        load(&bad_net),
        |e| matches!(e, TrainError::Sim(SimError::InvalidHorizon { .. })),
        "t_max",
    );
    m.api(
        "checkpoint for another optimiser",
        "Adam state into SGD",
        Trainer::from_checkpoint_bytes(
            &bytes,
            loss(),
            SgdConfig {
                lr: 0.1,
                momentum: 0.0,
            }
            .build()
            .unwrap(),
            config(8),
        ),
        is_ckpt,
        "optimiser",
    );
    m.api(
        "checkpoint files",
        "missing file",
        Trainer::resume(
            Path::new("/nonexistent/ckpt.bin"),
            loss(),
            AdamConfig::with_lr(5e-3).build().unwrap(),
            config(8),
        ),
        |e| matches!(e, TrainError::Io { .. }),
        "/nonexistent/ckpt.bin",
    );
    m.api(
        "checkpoint files",
        "a foreign file",
        load(NET.as_bytes()),
        is_ckpt,
        "magic",
    );

    // a failed save leaves the previous checkpoint as it was
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ckpt.bin");
    std::fs::write(&target, b"previous").unwrap();
    std::fs::create_dir(dir.path().join("ckpt.bin.tmp")).unwrap();
    m.api(
        "checkpoint files",
        "save while the temp path is blocked",
        small_trainer().save(&target),
        |e| matches!(e, TrainError::Io { .. }),
        "ckpt.bin",
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"previous");

    let n = m.finish("API");
    assert!(n > 1000, "{n}");
}

// ---------------------------------------------------------------------------------------
// The command-line side of the matrix

#[test]
fn bad_input_matrix_through_the_examples() {
    let mut m = Matrix::default();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(path(name), bytes).unwrap();
        path(name).display().to_string()
    };
    let net = write("net.json", NET.as_bytes());
    let input = write("in.json", INPUT.as_bytes());

    // --- simulate: networks
    let nets: Vec<(&str, &str, String, &str)> = vec![
        ("malformed network JSON", "one brace", "{".into(), "json"),
        (
            "malformed network JSON",
            "truncated at 1/3",
            NET[..NET.len() / 3].into(),
            "json",
        ),
        (
            "malformed network JSON",
            "truncated before the last brace",
            NET[..NET.len() - 1].into(),
            "json",
        ),
        (
            "malformed network JSON",
            "binary",
            "\u{0}\u{1}\u{2}".into(),
            "json",
        ),
        (
            "unknown population",
            "to",
            edit("\"to\": \"o\"", "\"to\": \"nope\""),
            "nope",
        ),
        (
            "unknown population",
            "name with a newline",
            edit("\"to\": \"o\"", "\"to\": \"a\\nb\""),
            "unknown population",
        ),
        (
            "weights of the wrong shape",
            "missing row",
            edit("[[2.0, 1.5], [1.5, 2.0]]", "[[2.0, 1.5]]"),
            "expected 2x2",
        ),
        ("NaN/inf weights", "1e999", edit("3.5", "1e999"), ""),
        (
            "alpha, beta, theta <= 0 or non-finite",
            "alpha 0",
            edit("\"alpha\": 1.0", "\"alpha\": 0.0"),
            "alpha",
        ),
        (
            "alpha, beta, theta <= 0 or non-finite",
            "beta -1",
            edit("\"beta\": 0.9", "\"beta\": -1"),
            "beta",
        ),
        (
            "alpha, beta, theta <= 0 or non-finite",
            "theta 0",
            edit("\"theta\": 1.0", "\"theta\": 0"),
            "theta",
        ),
        (
            "t_max <= 0 or non-finite",
            "t_max -1",
            edit("\"t_max\": 10.0", "\"t_max\": -1"),
            "t_max",
        ),
        (
            "network too large for 32-bit ids",
            "size 2^40",
            edit("\"size\": 2}]", "\"size\": 1099511627776}]"),
            "size",
        ),
    ];
    for (family, case, text, needle) in &nets {
        let file = write(&format!("net_{}.json", m.rows.len()), text.as_bytes());
        m.cli(
            family,
            format!("simulate: {case}"),
            "simulate",
            &["--net", &file, "--input", &input],
            needle,
            &[],
        );
    }
    // --- simulate: inputs and options
    let inputs: Vec<(&str, &str, &str, &str)> = vec![
        (
            "malformed input JSON",
            "truncated",
            r#"{"input_spikes": [[0.0"#,
            "json",
        ),
        (
            "NaN/inf/negative spike times",
            "negative",
            r#"{"input_spikes": [[-0.5], [1.0]]}"#,
            "input channel 0",
        ),
        (
            "NaN/inf/negative spike times",
            "1e999",
            r#"{"input_spikes": [[1e999], [1.0]]}"#,
            "",
        ),
        (
            "unsorted spike times",
            "descending",
            r#"{"input_spikes": [[0.0], [2.0, 1.0]]}"#,
            "sorted",
        ),
        (
            "wrong number of input channels",
            "three",
            r#"{"input_spikes": [[0.0], [1.0], []]}"#,
            "channels",
        ),
    ];
    for (family, case, text, needle) in &inputs {
        let file = write(&format!("in_{}.json", m.rows.len()), text.as_bytes());
        m.cli(
            family,
            format!("simulate: {case}"),
            "simulate",
            &["--net", &net, "--input", &file],
            needle,
            &[],
        );
    }
    for (family, case, extra, needle) in [
        (
            "labels out of range",
            "--label 2",
            &["--loss", "first-spike-ce", "--label", "2"][..],
            "label",
        ),
        (
            "bad command line",
            "--population nope",
            &[
                "--loss",
                "first-spike-ce",
                "--label",
                "0",
                "--population",
                "nope",
            ][..],
            "nope",
        ),
        (
            "bad command line",
            "--tau0 0",
            &["--loss", "first-spike-ce", "--label", "0", "--tau0", "0"][..],
            "tau0",
        ),
        (
            "bad command line",
            "--label -1",
            &["--loss", "first-spike-ce", "--label", "-1"][..],
            "label",
        ),
        (
            "bad command line",
            "--threads x",
            &["--threads", "x"][..],
            "threads",
        ),
    ] {
        let mut args = vec!["--net", net.as_str(), "--input", input.as_str()];
        args.extend_from_slice(extra);
        m.cli(
            family,
            format!("simulate: {case}"),
            "simulate",
            &args,
            needle,
            &[],
        );
    }

    // --- yinyang --resume: bad checkpoints, with existing outputs that must survive
    let bytes = small_checkpoint();
    let good = write("good.ckpt", &bytes);
    let save = write("save.ckpt", b"the previous checkpoint");
    let history = write("history.csv", b"epoch,lr\n1,0.1\n");
    let keep = [path("save.ckpt"), path("history.csv"), path("good.ckpt")];
    let keep: Vec<&Path> = keep.iter().map(PathBuf::as_path).collect();
    let mut ckpts: Vec<(&str, String, Vec<u8>, &str)> = Vec::new();
    for cut in [0, 7, 20, 27, 28, bytes.len() / 2, bytes.len() - 1] {
        ckpts.push((
            "checkpoint truncated at every byte",
            format!("cut {cut}"),
            bytes[..cut].to_vec(),
            "invalid checkpoint",
        ));
    }
    for at in [3, 9, 15, 22, 40, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x04;
        ckpts.push((
            "checkpoint with one bit flipped (every bit)",
            format!("byte {at}"),
            bad,
            "invalid checkpoint",
        ));
    }
    let mut v1 = bytes.clone();
    v1[8] = 1;
    ckpts.push((
        "checkpoint of another format version",
        "version 1".into(),
        v1,
        "format version 1",
    ));
    let mut huge = bytes.clone();
    huge[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    ckpts.push((
        "checkpoint claiming an absurd length",
        "u64::MAX".into(),
        huge,
        "payload claims",
    ));
    for (family, case, data, needle) in &ckpts {
        let file = write("bad.ckpt", data);
        m.cli(
            family,
            format!("yinyang --resume: {case}"),
            "yinyang",
            &[
                "--resume",
                &file,
                "--epochs",
                "1",
                "--quiet",
                "--save",
                &save,
                "--history",
                &history,
            ],
            needle,
            &keep,
        );
    }
    // the checkpoint is its own --save target: a failed resume leaves it as it was
    let file = write("self.ckpt", &bytes[..bytes.len() - 3]);
    let own = path("self.ckpt");
    m.cli(
        "checkpoint truncated at every byte",
        "yinyang --resume X --save X",
        "yinyang",
        &[
            "--resume", &file, "--save", &file, "--epochs", "1", "--quiet",
        ],
        "invalid checkpoint",
        &[own.as_path()],
    );
    m.cli(
        "checkpoint files",
        "yinyang --resume of a missing file",
        "yinyang",
        &[
            "--resume",
            "/nonexistent/x.ckpt",
            "--quiet",
            "--save",
            &save,
        ],
        "/nonexistent/x.ckpt",
        &keep,
    );
    let net_file = write("not_a_ckpt.json", NET.as_bytes());
    m.cli(
        "checkpoint files",
        "yinyang --resume of a JSON file",
        "yinyang",
        &["--resume", &net_file, "--quiet", "--save", &save],
        "magic",
        &keep,
    );
    // a run that fails after evaluating (history into a missing directory) leaves --save as it was
    m.cli(
        "output files",
        "yinyang --history into a missing directory",
        "yinyang",
        &[
            "--resume",
            &good,
            "--t-max",
            "4",
            "--epochs",
            "1",
            "--quiet",
            "--save",
            &save,
            "--history",
            "/nonexistent/dir/h.csv",
        ],
        "/nonexistent/dir/h.csv",
        &keep,
    );
    // the checkpoint's network simulates to t_max 4; the preset's loss counts silence at 2
    m.cli(
        "checkpoint files",
        "yinyang --resume with another --t-max",
        "yinyang",
        &[
            "--resume", &good, "--epochs", "1", "--quiet", "--save", &save,
        ],
        "t_max",
        &keep,
    );

    // --- yinyang: bad settings (rejected before any training)
    for (family, case, args, needle) in [
        (
            "bad training configuration",
            "--batch 0",
            &["--batch", "0"][..],
            "batch_size",
        ),
        (
            "bad training configuration",
            "--lr nan",
            &["--lr", "nan"][..],
            "lr",
        ),
        (
            "bad training configuration",
            "--lr -1",
            &["--lr", "-1"][..],
            "lr",
        ),
        (
            "bad training configuration",
            "--hidden 0",
            &["--hidden", "0"][..],
            "size 0",
        ),
        (
            "alpha, beta, theta <= 0 or non-finite",
            "--alpha 0",
            &["--alpha", "0"][..],
            "alpha",
        ),
        (
            "alpha, beta, theta <= 0 or non-finite",
            "--beta inf",
            &["--beta", "inf"][..],
            "beta",
        ),
        (
            "t_max <= 0 or non-finite",
            "--t-max 0",
            &["--t-max", "0"][..],
            "t_max",
        ),
        (
            "t_max <= 0 or non-finite",
            "--t-max -inf",
            &["--t-max", "-inf"][..],
            "t_max",
        ),
        (
            "bad loss parameters",
            "--tau0 0",
            &["--tau0", "0"][..],
            "tau0",
        ),
        (
            "bad command line",
            "--epochs x",
            &["--epochs", "x"][..],
            "epochs",
        ),
        ("bad command line", "--runs 0", &["--runs", "0"][..], "runs"),
        (
            "bad command line",
            "--preset nope",
            &["--preset", "nope"][..],
            "nope",
        ),
    ] {
        let mut all = vec![
            "--epochs",
            "1",
            "--quiet",
            "--save",
            &save,
            "--history",
            &history,
        ];
        all.extend_from_slice(args);
        m.cli(
            family,
            format!("yinyang {case}"),
            "yinyang",
            &all,
            needle,
            &keep,
        );
    }

    // control: the good checkpoint resumes (no training with --epochs 0) and saves
    let out_path = path("out.ckpt");
    let status = Command::new(example("yinyang"))
        .args([
            "--resume", &good, "--t-max", "4", "--epochs", "0", "--quiet", "--save",
        ])
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(
        std::fs::read(&out_path).unwrap(),
        bytes,
        "resume + save is not exact"
    );

    m.finish("examples");
}

// ---------------------------------------------------------------------------------------
// Runaway activity

/// A strongly excitatory recurrent population reaches the spike cap and stops with a typed
/// error. The bound is on work, not wall time: a neuron is stopped at its `cap + 1`-th
/// spike, so the run processes at most `N (cap + 1)` spikes and `N^2 (cap + 1)` arrivals.
#[test]
fn runaway_recurrent_activity_stops_at_the_spike_cap() {
    for (size, cap) in [(1usize, 1usize), (3, 10), (8, 100), (4, 5000)] {
        let mut net = Network::try_new(
            1,
            vec![PopulationSpec {
                name: "r".into(),
                size,
                params: params(1.0, 1.0, 1.0),
            }],
            vec![
                ProjectionSpec {
                    from: Source::Input,
                    to: 0,
                    weights: DMatrix::from_element(1, size, 5.0).into(),
                    delay: 0.0,
                },
                ProjectionSpec {
                    from: Source::Population(0),
                    to: 0,
                    weights: DMatrix::from_element(size, size, 4.0).into(),
                    delay: 0.0,
                },
            ],
            1e9,
            cap,
        )
        .unwrap();
        let input = InputSpikes::try_new(vec![vec![0.0]]).unwrap();
        for options in [
            SimOptions::default(),
            SimOptions::default().with_method(Method::EventQueue),
        ] {
            let err = simulate(&net, &input, &options).unwrap_err();
            let SimError::SpikeCapExceeded {
                population,
                cap: c,
                time,
                ..
            } = &err
            else {
                panic!("{err}")
            };
            assert_eq!((population.as_str(), *c), ("r", cap));
            assert!(time.is_finite() && *time < 1e9, "{time}");
            assert!(err.to_string().contains(&format!("exceeded {cap} spikes")));
        }
        // the cap is the only thing that ends the run: doubling it moves the error later
        let err_small = match simulate(&net, &input, &SimOptions::default()) {
            Err(SimError::SpikeCapExceeded { time, .. }) => time,
            other => panic!("{other:?}"),
        };
        let mut file = net.to_file();
        file.max_spikes_per_neuron = Some(cap * 2);
        net = file.try_into_network().unwrap();
        match simulate(&net, &input, &SimOptions::default()) {
            Err(SimError::SpikeCapExceeded { time, .. }) => assert!(time > err_small),
            other => panic!("{other:?}"),
        }
    }
    // the trainer counts a runaway sample as a failure: skipped, or the error under Abort
    let runaway = Network::from_json(
        r#"{"neuron": {"alpha": 1.0, "beta": 1.0, "theta": 1.0}, "inputs": 1,
        "populations": [{"name": "r", "size": 2}, {"name": "out", "size": 2}],
        "projections": [{"from": "input", "to": "r", "weights": [[5.0, 5.0]]},
                        {"from": "r", "to": "r", "weights": [[4.0, 4.0], [4.0, 4.0]]},
                        {"from": "r", "to": "out", "weights": [[0.01, 0.01], [0.01, 0.01]]}],
        "t_max": 1000.0, "max_spikes_per_neuron": 20}"#,
    )
    .unwrap();
    let data = SpikeDataset::try_new(vec![Sample::new(vec![vec![0.0]], 0)], 1, 2).unwrap();
    let (skip, abort) = train_both_policies(&runaway, 1, &data);
    assert_eq!(skip.unwrap(), 1, "skipped samples");
    assert!(matches!(
        abort,
        Err(TrainError::Sim(SimError::SpikeCapExceeded { .. }))
    ));
}

/// One epoch under `Skip` (returns the skipped count) and under `Abort`.
fn train_both_policies(
    network: &Network,
    output: usize,
    data: &dyn Dataset,
) -> (Result<usize, TrainError>, Result<usize, TrainError>) {
    let run = |on_failure| {
        let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.0, network.t_max()).unwrap();
        let config = TrainConfig {
            gradient: GradientOptions {
                on_failure,
                ..GradientOptions::default()
            },
            ..config(4)
        };
        let mut t = Trainer::try_new(
            network.clone(),
            output,
            loss,
            AdamConfig::with_lr(1e-3).build().unwrap(),
            config,
        )
        .unwrap();
        let before = fpsnn::train::flatten_weights(t.network());
        let record = t.train_epoch(data, &mut Silent)?;
        if record.skipped == data.len() {
            let after = fpsnn::train::flatten_weights(t.network());
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&before),
                bits(&after),
                "a skipped batch moved the weights"
            );
        }
        Ok(record.skipped)
    };
    (run(SampleFailure::Skip), run(SampleFailure::Abort))
}

// ---------------------------------------------------------------------------------------
// Grazing

/// One input spike at `t = 0` into one neuron with `alpha = 2c`, `beta = c`: the potential
/// `w (e^{-cs} - e^{-2cs}) / c` peaks at `s* = ln 2 / c` with value `w / (4c)`, so
/// `w = 4 c theta` touches the threshold exactly (closed form).
fn touch_net(c: f64, w: f64) -> Network {
    Network::try_new(
        1,
        vec![PopulationSpec {
            name: "n".into(),
            size: 1,
            params: params(2.0 * c, c, 1.0),
        }],
        vec![ProjectionSpec {
            from: Source::Input,
            to: 0,
            weights: w1(w).into(),
            delay: 0.0,
        }],
        10.0 / c,
        10,
    )
    .unwrap()
}

#[test]
fn exact_tangent_touch_is_not_a_spike_and_has_a_finite_gradient() {
    let input = InputSpikes::try_new(vec![vec![0.0]]).unwrap();
    for c in [1.0, 1e-4] {
        let net = touch_net(c, 4.0 * c);
        let peak = fpsnn::sim::membrane_potential(
            &net,
            &simulate(&net, &input, &SimOptions::default()).unwrap(),
            0,
            0,
            std::f64::consts::LN_2 / c,
        );
        assert!((peak - 1.0).abs() <= 4.0 * f64::EPSILON, "peak {peak}");
        for method in [Method::LayerSweep, Method::EventQueue] {
            let trace = simulate(&net, &input, &SimOptions::default().with_method(method)).unwrap();
            assert!(
                trace.populations[0].spikes[0].is_empty(),
                "c = {c}: a spike"
            );
            assert_eq!(trace.tangencies, 1, "c = {c}: the touch is reported");
            // no spike: nothing to differentiate, no error
            let graph = CausalGraph::try_new(&net, &input, &trace).unwrap();
            assert_eq!(graph.len(), 0);
            assert!(assemble(&graph, &AssembleOptions::default()).is_ok());
        }
        // the training gradient (silent output, with the silent-label term) is finite; the
        // loss's time scales follow the kernel's
        let loss = FirstSpikeCrossEntropy::try_new(0.2 / c, 1.0 / c, 0.005, net.t_max()).unwrap();
        for lambda in [0.0, 0.5] {
            let out = sample_gradient(
                &net,
                0,
                &loss,
                &Sample::new(vec![vec![0.0]], 0),
                &GradientOptions {
                    silent_label_penalty: lambda,
                    on_failure: SampleFailure::Abort,
                    ..GradientOptions::default()
                },
                true,
            )
            .unwrap();
            assert_eq!(out.silent, 1);
            let g = out.gradient.unwrap();
            assert!(
                out.loss.is_finite() && g.iter().all(|x| x.is_finite()),
                "{g:?}"
            );
            if lambda > 0.0 {
                assert!(g[0] < 0.0, "the silent-label term pushes w up: {g:?}");
            }
        }
    }
}

/// Above the tangency band by a few ulps, with slow kernels (`c = 1e-4`), the crossing has
/// a slope of about `1e-12`: the simulator emits the spike (it is above the band), the
/// assembly reports `CausalError::Grazing` instead of dividing by the slope, and the
/// trainer skips the sample under `Skip` and stops under `Abort`.
#[test]
fn near_tangent_crossing_spikes_and_its_gradient_is_a_typed_error() {
    let c = 1e-4;
    let input = InputSpikes::try_new(vec![vec![0.0]]).unwrap();
    let mut outcomes = Vec::new();
    let mut grazing = None;
    for k in -8i32..=64 {
        let w = 4.0 * c * (1.0 + f64::from(k) * f64::EPSILON);
        let net = touch_net(c, w);
        let trace = simulate(&net, &input, &SimOptions::default()).unwrap();
        let spikes = trace.populations[0].spikes[0].len();
        outcomes.push((k, spikes, trace.tangencies));
        if k <= 0 {
            assert_eq!(spikes, 0, "k = {k}: at or below the touch, no spike");
        }
        if spikes > 0 && grazing.is_none() {
            let graph = CausalGraph::try_new(&net, &input, &trace).unwrap();
            let err = assemble(&graph, &AssembleOptions::default()).unwrap_err();
            let CausalError::Grazing { slope, .. } = err else {
                panic!("{err}")
            };
            let t = trace.populations[0].spikes[0][0];
            let direct = fpsnn::sim::membrane_slope(&net, &trace, 0, 0, t);
            assert!(slope.is_finite() && slope > 0.0, "{slope:e}");
            assert!(
                slope < 1e-10,
                "k = {k}: slope {slope:e} is not near-tangent"
            );
            assert!((slope - direct).abs() <= 1e-6 * direct.abs() + 1e-20);
            assert!(err.to_string().contains("grazes the threshold"));
            grazing = Some((k, net, slope));
        }
    }
    let (k, net, slope) = grazing.expect("some weight above the band spikes");
    println!("near-tangent: first spike at w = 4c(1 + {k} eps), slope {slope:e}; {outcomes:?}");
    // a looser tolerance (0) accepts it: the gradient is then huge but finite
    let trace = simulate(&net, &input, &SimOptions::default()).unwrap();
    let graph = CausalGraph::try_new(&net, &input, &trace).unwrap();
    let lax = AssembleOptions {
        grazing_tolerance: 0.0,
    };
    assert!(assemble(&graph, &lax).is_ok());

    // training: Skip leaves the sample out (weights unchanged), Abort stops with the error
    let data = SpikeDataset::try_new(vec![Sample::new(vec![vec![0.0]], 0)], 1, 1).unwrap();
    let (skip, abort) = train_both_policies(&net, 0, &data);
    assert_eq!(skip.unwrap(), 1);
    assert!(
        matches!(abort, Err(TrainError::Causal(CausalError::Grazing { .. }))),
        "{abort:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Fuzz regressions: inputs the fuzzers found (see docs/robustness.md), replayed here since
// the fuzzers do not run in CI.

#[path = "../fuzz/fuzz_targets/sim_grad_check.rs"]
mod sim_grad_check;

/// Found by the `sim_grad` fuzzer: a neuron of `p1` crosses threshold at exactly the time
/// the first `p0` spikes arrive. The event queue (tie rule: the crossing comes first) and the
/// layer sweep (which compared offsets, not times, and applied the arrivals first) then
/// differed by an ulp in every later spike of that neuron. Both now compare absolute times.
#[test]
fn crossing_at_an_arrival_time_is_bit_identical_in_sweep_and_queue() {
    let net = Network::from_json(
        r#"{"neuron": {"alpha": 5.0, "beta": 4.693745326924544, "theta": 3.0}, "inputs": 1,
        "populations": [{"name": "p0", "size": 4}, {"name": "p1", "size": 4}],
        "projections": [
          {"from": "input", "to": "p0", "weights": [[50.0, 50.0, -43.751430533302816, 50.0]]},
          {"from": "p0", "to": "p1", "weights": [[50.0, 50.0, 50.0, -30.86060883497368],
            [50.0, 11.904325932707716, 50.0, 50.0], [21.166552224002444, 35.39864194705119, 50.0, 50.0],
            [50.0, 49.688715953307394, 50.0, 50.0]]},
          {"from": "input", "to": "p1", "weights": [[-31.625085831998167, 11.904325932707716, 50.0, 50.0]]}],
        "t_max": 14.377477683680477, "max_spikes_per_neuron": 58}"#,
    )
    .unwrap();
    let t = 0.011673151750972763;
    let input = InputSpikes::try_new(vec![vec![t, t]]).unwrap();
    let run = |method| simulate(&net, &input, &SimOptions::default().with_method(method)).unwrap();
    let (sweep, queue) = (run(Method::LayerSweep), run(Method::EventQueue));
    let p1 = (&sweep.populations[1], &queue.populations[1]);
    // the first spike of p1/3 coincides with the arrival of p0's first spikes ...
    let p0_first = sweep.populations[0].spikes[0][0];
    assert_eq!(p1.0.spikes[3][0].to_bits(), p0_first.to_bits());
    // ... and precedes them: only the two input spikes are its parents
    assert_eq!((p1.0.prefixes[3][0], p1.1.prefixes[3][0]), (2, 2));
    for (a, b) in sweep.populations.iter().zip(&queue.populations) {
        assert_eq!(a.prefixes, b.prefixes);
        for (x, y) in a.spikes.iter().zip(&b.spikes) {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(x), bits(y));
        }
    }
}

/// Replays every input under `tests/fuzz_regressions/<target>/` through the fuzz target's
/// own property.
#[test]
fn fuzz_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut replayed = 0;
    for (target, check) in [("sim_grad", sim_grad_check::check as fn(&[u8]))] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(target))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        for file in files {
            println!("replaying {}", file.display());
            check(&std::fs::read(&file).unwrap());
            replayed += 1;
        }
    }
    println!("fuzz regressions replayed: {replayed}");
}

/// Writes the fuzzers' seed inputs: a tool, not a check, so it is ignored by default
/// (`FPSNN_WRITE_FUZZ_SEEDS=fuzz/seeds cargo test --test robustness write_fuzz_seeds --
/// --ignored`); without the variable it does nothing.
#[test]
#[ignore = "writes the fuzz seeds; run with FPSNN_WRITE_FUZZ_SEEDS=DIR and --ignored"]
fn write_fuzz_seeds() {
    let Ok(root) = std::env::var("FPSNN_WRITE_FUZZ_SEEDS") else {
        return;
    };
    let root = Path::new(&root);
    let put = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    put(
        "json",
        "net_and_input",
        format!("{NET}\n%\n{INPUT}").as_bytes(),
    );
    put(
        "json",
        "recurrent_delay",
        format!(
            "{}\n%\n{INPUT}",
            edit(
                "\"t_max\"",
                "\"max_spikes_per_neuron\": 20, \"t_max\""
            )
            .replace(
                "\"weights\": [[2.0, 1.5], [1.5, 2.0]]}",
                "\"weights\": [[2.0, 1.5], [1.5, 2.0]], \"delay\": 0.5},\n {\"from\": \"o\", \"to\": \"h\", \"weights\": [[1.0, -1.0], [0.5, 0.5]]}"
            )
        )
        .as_bytes(),
    );
    let ckpt = small_checkpoint();
    put("checkpoint", "raw", &[[0u8].as_slice(), &ckpt].concat());
    put(
        "checkpoint",
        "payload",
        &[[1u8].as_slice(), &ckpt[28..]].concat(),
    );
    put("sim_grad", "zeros", &[0u8; 64]);
    put(
        "sim_grad",
        "ramp",
        &(0..=255u8).map(|b| b.wrapping_mul(37)).collect::<Vec<_>>(),
    );
}
