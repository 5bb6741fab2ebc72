//! Simulates a network from JSON files exactly and prints the spike times as JSON; with
//! `--grad` adds the Jacobian of every spike time with respect to the weights, and with
//! `--loss first-spike-ce` the loss and its gradient. Formats: `docs/formats.md`.
//!
//! ```text
//! cargo run --release --example simulate -- --net NET.json --input IN.json
//!     [--grad] [--method fp|adjoint] [--loss first-spike-ce --label L
//!      [--population NAME] [--tau0 0.2] [--tau1 1] [--gamma 0.005]] [--threads N]
//! ```

mod common;

use std::collections::BTreeMap;
use std::process::ExitCode;

use common::{Args, CliError};
use fpsnn::prelude::*;
use serde_json::{Value, json};

fn main() -> ExitCode {
    common::run(real_main)
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse(
        &["grad"],
        &[
            "net",
            "input",
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
    let input = InputSpikes::from_json(&common::read(args.required("input")?)?)?;
    let threads: usize = args.parse_or("threads", 0)?;
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()?;
    }
    let method = args.get("method").unwrap_or("fp");
    if !matches!(method, "fp" | "adjoint") {
        return Err(CliError(format!("--method must be fp or adjoint, got `{method}`")).into());
    }
    let grad = args.flag("grad");
    if grad && method != "fp" {
        return Err(CliError("--grad prints the Jacobian, which needs --method fp".into()).into());
    }
    let trace = simulate(
        &network,
        &input,
        &SimOptions::default().with_parallelism(Parallelism::Rayon),
    )?;
    let mut out = serde_json::Map::new();
    let spikes: BTreeMap<&str, &Vec<Vec<f64>>> = network
        .populations()
        .iter()
        .zip(&trace.populations)
        .map(|(p, t)| (p.name(), &t.spikes))
        .collect();
    out.insert("spikes".into(), json!(spikes));
    let loss_name = args.get("loss");
    if grad || loss_name.is_some() {
        let graph = CausalGraph::try_new(&network, &input, &trace)?;
        let system = assemble(&graph, &AssembleOptions::default())?;
        let num_weights = system.layout.num_weights();
        let jacobian = if method == "fp" {
            Some(forward_jacobian(&system, Parallelism::Rayon)?)
        } else {
            None
        };
        if let (true, Some(jac)) = (grad, &jacobian) {
            let mut per_pop = serde_json::Map::new();
            for (p, pop) in network.populations().iter().enumerate() {
                let rows: Vec<Vec<Vec<f64>>> = trace.populations[p]
                    .spikes
                    .iter()
                    .enumerate()
                    .map(|(i, spikes)| {
                        (0..spikes.len())
                            .map(|m| {
                                let k = graph.spike_id(p, i, m).index();
                                (0..num_weights).map(|j| jac.matrix[(k, j)]).collect()
                            })
                            .collect()
                    })
                    .collect();
                per_pop.insert(pop.name().to_owned(), json!(rows));
            }
            out.insert("jacobian".into(), Value::Object(per_pop));
        }
        if let Some(name) = loss_name {
            if name != "first-spike-ce" {
                return Err(
                    CliError(format!("unknown loss `{name}` (known: first-spike-ce)")).into(),
                );
            }
            let population = match args.get("population") {
                Some(name) => network.population_index(name).ok_or_else(|| {
                    CliError(format!("--population: unknown population `{name}`"))
                })?,
                None => network.populations().len() - 1,
            };
            let label: usize = args
                .required("label")?
                .parse()
                .map_err(|_| CliError("--label must be a non-negative integer".into()))?;
            let loss = FirstSpikeCrossEntropy::try_new(
                args.parse_or("tau0", 0.2)?,
                args.parse_or("tau1", 1.0)?,
                args.parse_or("gamma", 0.005)?,
                network.t_max(),
            )?;
            let result = loss.evaluate(&trace.populations[population].spikes, &label)?;
            let d_loss = spike_gradient(&graph, population, &result.d_spikes);
            let gradient = match &jacobian {
                Some(jac) => jac.gradient(&d_loss),
                None => adjoint_gradient(&system, &d_loss)?,
            };
            out.insert("loss".into(), json!(result.value));
            out.insert("silent_outputs".into(), json!(result.silent));
            out.insert("loss_grad".into(), json!(&gradient.params[..num_weights]));
            out.insert(
                "loss_grad_threshold".into(),
                json!(&gradient.params[num_weights..]),
            );
            out.insert("loss_grad_input".into(), json!(gradient.inputs));
        }
    }
    println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
    Ok(())
}
