//! Simulates a network from JSON files exactly and prints the spike times as JSON; with
//! `--grad` adds the Jacobian of every spike time with respect to the weights, and with
//! `--loss first-spike-ce` the loss and its gradient. Formats: `docs/formats.md`.
//!
//! ```text
//! cargo run --release --example simulate -- --net NET.json (--input IN.json | --inputs IN.jsonl)
//!     [--grad] [--method fp|adjoint] [--loss first-spike-ce [--label L] [--batch-gradient]
//!      [--population NAME] [--tau0 0.2] [--tau1 1] [--gamma 0.005]] [--threads N]
//! ```
//!
//! `--input IN.json` is one sample, `{"input_spikes": [[t, ...], ...]}`, and prints one
//! pretty-printed JSON object. `--inputs IN.jsonl` is a batch: one such object per line,
//! with an optional `"label"` that overrides `--label` for that line (blank lines are
//! skipped); the network is parsed once and each line gives one output line, the compact
//! form of what `--input` prints for it, in file order. A bad line (malformed JSON, wrong
//! channel count, bad label) is an error naming its line number, and nothing is printed.
//! `--inputs ... --loss first-spike-ce --batch-gradient` prints instead one object: the
//! mean loss and mean weight gradient over the lines, computed by `fpsnn::train::batch`,
//! the trainer's minibatch gradient (a line whose gradient does not exist, a grazing
//! crossing or the spike cap, is skipped and counted, as in training); the result is the
//! same for any `--threads`. `--threads N` accepts 0 (all cores) to 4 x the available
//! cores (`fpsnn::core::check_threads`).

mod common;

use std::collections::BTreeMap;
use std::process::ExitCode;

use common::{Args, CliError};
use fpsnn::datasets::{Sample, SpikeDataset};
use fpsnn::prelude::*;
use fpsnn::sim::{InputLine, input_lines};
use fpsnn::train::{GradientMethod, GradientOptions, batch};
use rayon::prelude::*;
use serde_json::{Map, Value, json};

fn main() -> ExitCode {
    common::run(real_main)
}

/// What to compute for each sample.
struct Settings {
    /// `--method fp` (else the adjoint).
    forward: bool,
    /// `--grad`: print the Jacobian.
    grad: bool,
    /// `--loss`: the loss, the population it reads, and `--label`.
    loss: Option<LossSettings>,
}

struct LossSettings {
    loss: FirstSpikeCrossEntropy,
    population: usize,
    label: Option<usize>,
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse(
        &["grad", "batch-gradient"],
        &[
            "net",
            "input",
            "inputs",
            "method",
            "loss",
            "label",
            "population",
            "tau0",
            "tau1",
            "gamma",
            "threads",
        ],
    )?;
    let network = Network::from_json(&common::read(args.required("net")?)?)?;
    let inputs_path = match (args.get("input"), args.get("inputs")) {
        (Some(_), Some(_)) => {
            return Err(CliError(
                "--input and --inputs are mutually exclusive: give one sample (--input IN.json) or a batch (--inputs IN.jsonl)".into(),
            )
            .into());
        }
        (None, None) => {
            return Err(CliError("missing --input IN.json (or --inputs IN.jsonl)".into()).into());
        }
        (_, inputs) => inputs,
    };
    let input = match args.get("input") {
        Some(path) => Some(InputSpikes::from_json(&common::read(path)?)?),
        None => None,
    };
    common::set_threads(args.parse_or("threads", 0)?)?;
    let method = args.get("method").unwrap_or("fp");
    if !matches!(method, "fp" | "adjoint") {
        return Err(CliError(format!("--method must be fp or adjoint, got `{method}`")).into());
    }
    let grad = args.flag("grad");
    if grad && method != "fp" {
        return Err(CliError("--grad prints the Jacobian, which needs --method fp".into()).into());
    }
    let batch_gradient = args.flag("batch-gradient");
    if batch_gradient {
        if inputs_path.is_none() {
            return Err(CliError("--batch-gradient needs --inputs IN.jsonl".into()).into());
        }
        if args.get("loss").is_none() {
            return Err(CliError("--batch-gradient needs --loss first-spike-ce".into()).into());
        }
        if grad {
            return Err(CliError(
                "--batch-gradient prints one mean gradient, not per-line Jacobians: drop --grad"
                    .into(),
            )
            .into());
        }
    }
    let loss = match args.get("loss") {
        Some(name) => Some(loss_settings(&args, &network, name, inputs_path.is_none())?),
        None => None,
    };
    let settings = Settings {
        forward: method == "fp",
        grad,
        loss,
    };
    let Some(path) = inputs_path else {
        let input = input.expect("--input was given");
        let label = settings.loss.as_ref().and_then(|l| l.label);
        let out = evaluate(&network, &input, &settings, label).map_err(CliError)?;
        println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
        return Ok(());
    };
    let lines = read_lines(path, &common::read(path)?, &network, settings.loss.as_ref())?;
    if batch_gradient {
        let loss = settings.loss.as_ref().expect("checked above");
        let out = mean_gradient(&network, path, &lines, loss, settings.forward)?;
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    // Lines run in parallel; the first error in file order is reported and nothing printed.
    let outputs: Vec<Result<String, String>> = lines
        .par_iter()
        .map(|line| {
            let label = line
                .label
                .or_else(|| settings.loss.as_ref().and_then(|l| l.label));
            evaluate(&network, &line.input, &settings, label)
                .and_then(|out| {
                    serde_json::to_string(&Value::Object(out)).map_err(|e| e.to_string())
                })
                .map_err(|e| format!("{path} line {}: {e}", line.line))
        })
        .collect();
    let outputs = outputs
        .into_iter()
        .collect::<Result<Vec<String>, String>>()
        .map_err(CliError)?;
    for out in outputs {
        println!("{out}");
    }
    Ok(())
}

/// `--loss NAME` with its options; `--label` is required for a single `--input`, optional
/// for `--inputs` (a line's own label overrides it).
fn loss_settings(
    args: &Args,
    network: &Network,
    name: &str,
    label_required: bool,
) -> Result<LossSettings, CliError> {
    if name != "first-spike-ce" {
        return Err(CliError(format!(
            "unknown loss `{name}` (known: first-spike-ce)"
        )));
    }
    let population = match args.get("population") {
        Some(name) => network
            .population_index(name)
            .ok_or_else(|| CliError(format!("--population: unknown population `{name}`")))?,
        None => network.populations().len() - 1,
    };
    let label = match args.get("label") {
        Some(text) => Some(
            text.parse::<usize>()
                .map_err(|_| CliError("--label must be a non-negative integer".into()))?,
        ),
        None if label_required => return Err(CliError("missing --label".into())),
        None => None,
    };
    let loss = FirstSpikeCrossEntropy::try_new(
        args.parse_or("tau0", 0.2)?,
        args.parse_or("tau1", 1.0)?,
        args.parse_or("gamma", 0.005)?,
        network.t_max(),
    )
    .map_err(|e| CliError(e.to_string()))?;
    Ok(LossSettings {
        loss,
        population,
        label,
    })
}

/// Reads an `--inputs` file ([`input_lines`]) and, with a loss, checks that every line has a
/// label in range; the first bad line in file order is the error.
fn read_lines(
    path: &str,
    text: &str,
    network: &Network,
    loss: Option<&LossSettings>,
) -> Result<Vec<InputLine>, CliError> {
    let mut lines = Vec::new();
    for line in input_lines(text, network) {
        let line = line.map_err(|e| CliError(format!("{path} {e}")))?;
        if let Some(loss) = loss {
            let at = |message: String| CliError(format!("{path} line {}: {message}", line.line));
            let classes = network.populations()[loss.population].size();
            match line.label.or(loss.label) {
                None => return Err(at("no label: give \"label\" in the line or --label".into())),
                Some(l) if l >= classes => {
                    return Err(at(format!(
                        "label {l} is out of range for {classes} output neurons"
                    )));
                }
                Some(_) => {}
            }
        }
        lines.push(line);
    }
    Ok(lines)
}

/// The mean loss and mean weight gradient over `lines`, by the trainer's minibatch function.
fn mean_gradient(
    network: &Network,
    path: &str,
    lines: &[InputLine],
    loss: &LossSettings,
    forward: bool,
) -> Result<Value, Box<dyn std::error::Error>> {
    if lines.is_empty() {
        return Err(CliError(format!(
            "{path}: no input lines, so no mean gradient (blank lines are skipped)"
        ))
        .into());
    }
    let samples: Vec<Sample> = lines
        .iter()
        .map(|line| {
            // read_lines checked that every line has a label, its own or --label
            let label = line.label.or(loss.label).expect("label checked");
            Sample::new(line.input.to_times(), label)
        })
        .collect();
    let classes = network.populations()[loss.population].size();
    let data = SpikeDataset::try_new(samples, network.inputs(), classes)?;
    let options = GradientOptions {
        method: if forward {
            GradientMethod::ForwardPropagation
        } else {
            GradientMethod::Adjoint
        },
        ..GradientOptions::default()
    };
    let indices: Vec<usize> = (0..lines.len()).collect();
    let out = batch(
        network,
        loss.population,
        &loss.loss,
        &data,
        &indices,
        &options,
        true,
    )?;
    let (Some(loss), Some(gradient)) = (out.mean_loss(), out.mean_gradient()) else {
        return Err(CliError(format!(
            "{path}: every line was skipped (a grazing crossing or the spike cap); run without --batch-gradient to see which"
        ))
        .into());
    };
    Ok(json!({
        "samples": out.count,
        "skipped": out.skipped,
        "loss": loss,
        "loss_grad": gradient,
    }))
}

/// Simulates one sample and computes what `settings` asks for (`label` is the sample's
/// label when a loss is set).
fn evaluate(
    network: &Network,
    input: &InputSpikes,
    settings: &Settings,
    label: Option<usize>,
) -> Result<Map<String, Value>, String> {
    let trace = simulate(
        network,
        input,
        &SimOptions::default().with_parallelism(Parallelism::Rayon),
    )
    .map_err(|e| e.to_string())?;
    let mut out = Map::new();
    let spikes: BTreeMap<&str, &Vec<Vec<f64>>> = network
        .populations()
        .iter()
        .zip(&trace.populations)
        .map(|(p, t)| (p.name(), &t.spikes))
        .collect();
    out.insert("spikes".into(), json!(spikes));
    if !settings.grad && settings.loss.is_none() {
        return Ok(out);
    }
    let sample = SampleDerivatives::try_new(network, input, &trace).map_err(|e| e.to_string())?;
    let num_weights = sample.num_weights();
    let jacobian = if settings.forward {
        Some(
            sample
                .jacobian(Parallelism::Rayon)
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    if let (true, Some(jac)) = (settings.grad, &jacobian) {
        // rows[population][neuron][spike], filled in (population, neuron, spike) order
        let mut rows: Vec<Vec<Vec<Vec<f64>>>> = trace
            .populations
            .iter()
            .map(|t| vec![Vec::new(); t.spikes.len()])
            .collect();
        for ([p, i, _], id) in sample.spike_order() {
            let k = id.index();
            rows[p][i].push((0..num_weights).map(|j| jac.matrix[(k, j)]).collect());
        }
        let per_pop: Map<String, Value> = network
            .populations()
            .iter()
            .zip(rows)
            .map(|(pop, rows)| (pop.name().to_owned(), json!(rows)))
            .collect();
        out.insert("jacobian".into(), Value::Object(per_pop));
    }
    if let Some(loss) = &settings.loss {
        let label = label.ok_or("no label for the loss")?;
        let result = loss
            .loss
            .evaluate(&trace.populations[loss.population].spikes, &label)
            .map_err(|e| e.to_string())?;
        let gradient = sample
            .loss_gradient(loss.population, &result.d_spikes, jacobian.as_ref())
            .map_err(|e| e.to_string())?;
        out.insert("loss".into(), json!(result.value));
        out.insert("silent_outputs".into(), json!(result.silent));
        out.insert("loss_grad".into(), json!(&gradient.params[..num_weights]));
        out.insert(
            "loss_grad_threshold".into(),
            json!(&gradient.params[num_weights..]),
        );
        out.insert("loss_grad_input".into(), json!(gradient.inputs));
    }
    Ok(out)
}
