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
//! `--input IN.json` is one sample and prints one pretty-printed JSON object
//! (`fpsnn::train::SampleReport`); `--inputs IN.jsonl` is a batch, one compact line per input
//! line, and with `--batch-gradient` one mean loss and gradient
//! (`fpsnn::train::BatchGradientReport`, the trainer's minibatch gradient). Labels, bad
//! lines and `--threads` (0 = all cores): `docs/formats.md`.

mod common;

use std::process::ExitCode;

use common::{Args, CliError};
use fpsnn::prelude::*;
use fpsnn::sim::{InputLine, input_lines};
use fpsnn::train::{
    BatchGradientReport, GradientMethod, ReportError, ReportLoss, ReportOptions, SampleReport,
};
use rayon::prelude::*;

fn main() -> ExitCode {
    common::run(real_main)
}

/// `--loss`: the loss, the index of the population it reads, and `--label`.
type LossSettings = (FirstSpikeCrossEntropy, usize, Option<usize>);

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
    let method = if method == "fp" {
        GradientMethod::ForwardPropagation
    } else {
        GradientMethod::Adjoint
    };
    // the report options for a sample with `label` (a line's own, else --label)
    let options = |label: Option<usize>| ReportOptions {
        jacobian: grad,
        method,
        loss: loss.as_ref().map(|(loss, population, default)| ReportLoss {
            loss,
            population: *population,
            label: label.or(*default),
        }),
    };
    let Some(path) = inputs_path else {
        let input = input.expect("--input was given");
        let report = SampleReport::try_new(&network, &input, &options(None))
            .map_err(|e| CliError(e.to_string()))?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    };
    let lines = read_lines(path, &common::read(path)?, &network, options(None).loss)?;
    if batch_gradient {
        let loss = options(None).loss.expect("checked above");
        let report =
            BatchGradientReport::try_new(&network, &lines, &loss, method).map_err(|e| match e {
                ReportError::NoLines | ReportError::AllSkipped => {
                    CliError(format!("{path}: {e}")).into()
                }
                e => Box::<dyn std::error::Error>::from(e),
            })?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    // Lines run in parallel; the first error in file order is reported and nothing printed.
    let outputs: Vec<Result<String, String>> = lines
        .par_iter()
        .map(|line| {
            SampleReport::try_new(&network, &line.input, &options(line.label))
                .map_err(|e| e.to_string())
                .and_then(|report| serde_json::to_string(&report).map_err(|e| e.to_string()))
                .map_err(|e| format!("{path} line {}: {e}", line.line))
        })
        .collect();
    for out in outputs
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError)?
    {
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
    Ok((loss, population, label))
}

/// Reads an `--inputs` file ([`input_lines`]) and, with a loss, checks that every line has a
/// label in range; the first bad line in file order is the error.
fn read_lines(
    path: &str,
    text: &str,
    network: &Network,
    loss: Option<ReportLoss<'_, FirstSpikeCrossEntropy>>,
) -> Result<Vec<InputLine>, CliError> {
    let mut lines = Vec::new();
    for line in input_lines(text, network) {
        let line = line.map_err(|e| CliError(format!("{path} {e}")))?;
        if let Some(loss) = &loss {
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
