//! Per-sample and per-batch reports: what one simulated sample (its spikes, optionally its
//! Jacobian and a loss with its gradient) or one batch (its mean loss and mean weight
//! gradient) gives, as serde-serialisable values. The JSON layout is the one
//! `docs/formats.md` gives for the `simulate` example's output: fields are declared in
//! alphabetical order, and absent optional fields are left out.

use std::collections::BTreeMap;

use fpsnn_causal::SampleDerivatives;
use fpsnn_core::Parallelism;
use fpsnn_datasets::{DatasetError, Sample, SpikeDataset};
use fpsnn_losses::Loss;
use fpsnn_sim::{InputLine, InputSpikes, Network, SimOptions, simulate};
use serde::Serialize;

use crate::{GradientMethod, GradientOptions, TrainError, batch};

/// A loss to report: the loss, the index of the population it reads, and the label.
#[derive(Clone, Copy, Debug)]
pub struct ReportLoss<'a, L: ?Sized> {
    /// The loss.
    pub loss: &'a L,
    /// Index of the population whose spikes the loss reads.
    pub population: usize,
    /// The sample's label (required by [`SampleReport::try_new`]).
    pub label: Option<usize>,
}

/// What [`SampleReport::try_new`] computes beyond the spikes.
#[derive(Clone, Copy, Debug)]
pub struct ReportOptions<'a, L: ?Sized> {
    /// Include the Jacobian of every spike time with respect to the weights (needs
    /// [`GradientMethod::ForwardPropagation`]; ignored with the adjoint).
    pub jacobian: bool,
    /// How the loss gradient is computed: through the Jacobian (forward propagation) or
    /// by the adjoint.
    pub method: GradientMethod,
    /// The loss to evaluate, if any.
    pub loss: Option<ReportLoss<'a, L>>,
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The batch's samples do not form a dataset (a label out of range).
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// The simulation, the derivatives, the loss or the batch gradient failed
    /// ([`TrainError::Sim`], [`TrainError::Causal`], [`TrainError::Loss`], ...).
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A loss was asked for without a label (for a batch: `line` is the input line).
    #[error("no label for the loss")]
    NoLabel {
        /// The input line without a label (batch reports only).
        line: Option<usize>,
    },
    /// The loss's population index is out of range.
    #[error("population index {index} is out of range for {count} populations")]
    Population {
        /// The index asked for.
        index: usize,
        /// The network's population count.
        count: usize,
    },
    /// A batch report over no lines.
    #[error("no input lines, so no mean gradient (blank lines are skipped)")]
    NoLines,
    /// Every line of a batch was skipped, so there is no mean.
    #[error(
        "every line was skipped (a grazing crossing or the spike cap); run without --batch-gradient to see which"
    )]
    AllSkipped,
}

/// [`ReportError::Population`] unless `index` names one of `network`'s populations.
fn check_population(network: &Network, index: usize) -> Result<(), ReportError> {
    let count = network.populations().len();
    if index < count {
        Ok(())
    } else {
        Err(ReportError::Population { index, count })
    }
}

/// One sample's report: its spikes and, on request, the Jacobian of its spike times and a
/// loss with its gradient with respect to the weights, the thresholds and the input times.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleReport {
    /// Per population name, per neuron and spike, `d(spike time)/d(weights)` (one row of
    /// the Jacobian, [`ParamLayout`](fpsnn_causal::ParamLayout) weight order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jacobian: Option<BTreeMap<String, Vec<Vec<Vec<f64>>>>>,
    /// The loss value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    /// `dL/d(weights)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_grad: Option<Vec<f64>>,
    /// `dL/d(input spike time)`, flat input index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_grad_input: Option<Vec<f64>>,
    /// `dL/d(thresholds)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_grad_threshold: Option<Vec<f64>>,
    /// Output neurons that never fired ([`LossOutput::silent`](fpsnn_losses::LossOutput)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silent_outputs: Option<usize>,
    /// Per population name, per neuron, the spike times.
    pub spikes: BTreeMap<String, Vec<Vec<f64>>>,
}

impl SampleReport {
    /// Simulates `input` on `network` (rayon over neurons) and computes what `options`
    /// asks for.
    ///
    /// # Errors
    /// [`ReportError::Train`] from the simulation, the derivatives or the loss; [`ReportError::NoLabel`] for a loss without a label;
    /// [`ReportError::Population`] for a loss population out of range.
    ///
    /// # Example
    /// ```
    /// use fpsnn_losses::FirstSpikeCrossEntropy;
    /// use fpsnn_sim::{InputSpikes, Network};
    /// use fpsnn_train::{GradientMethod, ReportLoss, ReportOptions, SampleReport};
    /// let text = std::fs::read_to_string("../../examples/data/xor_net.json")?;
    /// let network = Network::from_json(&text)?;
    /// let input = InputSpikes::from_json(&std::fs::read_to_string("../../examples/data/xor_input.json")?)?;
    /// let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, network.t_max())?;
    /// let options = ReportOptions {
    ///     jacobian: false,
    ///     method: GradientMethod::Adjoint,
    ///     loss: Some(ReportLoss { loss: &loss, population: network.populations().len() - 1, label: Some(0) }),
    /// };
    /// let report = SampleReport::try_new(&network, &input, &options)?;
    /// assert!(report.loss.is_some() && report.jacobian.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_new<L>(
        network: &Network,
        input: &InputSpikes,
        options: &ReportOptions<'_, L>,
    ) -> Result<Self, ReportError>
    where
        L: Loss<Target = usize> + ?Sized,
    {
        let trace = simulate(
            network,
            input,
            &SimOptions::default().with_parallelism(Parallelism::Rayon),
        )
        .map_err(TrainError::from)?;
        let names = network.populations().iter().map(|p| p.name().to_owned());
        let mut report = Self {
            jacobian: None,
            loss: None,
            loss_grad: None,
            loss_grad_input: None,
            loss_grad_threshold: None,
            silent_outputs: None,
            spikes: names
                .clone()
                .zip(trace.populations.iter().map(|t| t.spikes.clone()))
                .collect(),
        };
        let forward = matches!(options.method, GradientMethod::ForwardPropagation);
        if !(options.jacobian && forward) && options.loss.is_none() {
            return Ok(report);
        }
        let sample =
            SampleDerivatives::try_new(network, input, &trace).map_err(TrainError::from)?;
        let num_weights = sample.num_weights();
        let jacobian = if forward {
            Some(
                sample
                    .jacobian(Parallelism::Rayon)
                    .map_err(TrainError::from)?,
            )
        } else {
            None
        };
        if let (true, Some(jac)) = (options.jacobian, &jacobian) {
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
            report.jacobian = Some(names.zip(rows).collect());
        }
        if let Some(loss) = &options.loss {
            check_population(network, loss.population)?;
            let label = loss.label.ok_or(ReportError::NoLabel { line: None })?;
            let result = loss
                .loss
                .evaluate(&trace.populations[loss.population].spikes, &label)
                .map_err(TrainError::from)?;
            let gradient = sample
                .loss_gradient(loss.population, &result.d_spikes, jacobian.as_ref())
                .map_err(TrainError::from)?;
            report.loss = Some(result.value);
            report.silent_outputs = Some(result.silent);
            report.loss_grad = Some(gradient.params[..num_weights].to_vec());
            report.loss_grad_threshold = Some(gradient.params[num_weights..].to_vec());
            report.loss_grad_input = Some(gradient.inputs);
        }
        Ok(report)
    }
}

/// A batch's mean loss and mean weight gradient, by the trainer's minibatch function
/// ([`batch`]): a sample whose gradient does not exist (a grazing crossing or the spike
/// cap) is skipped and counted, as in training. The result does not depend on the thread
/// count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BatchGradientReport {
    /// Mean loss over the samples that entered.
    pub loss: f64,
    /// Mean `dL/d(weights)` over the samples that entered (the trainer's gradient:
    /// weights only, in [`ParamLayout`](fpsnn_causal::ParamLayout) order).
    pub loss_grad: Vec<f64>,
    /// Samples that entered the means.
    pub samples: usize,
    /// Samples skipped.
    pub skipped: usize,
}

impl BatchGradientReport {
    /// The mean loss and gradient of `loss` on `population` over `lines` (read by
    /// [`fpsnn_sim::input_lines`]); a line without its own label takes `label`.
    ///
    /// # Errors
    /// [`ReportError::NoLines`] for no lines, [`ReportError::Population`] for a loss
    /// population out of range, [`ReportError::NoLabel`] for a line with no
    /// label, [`ReportError::Dataset`] for a label out of range, [`ReportError::Train`]
    /// from [`batch`], [`ReportError::AllSkipped`] when every line was skipped.
    pub fn try_new<L>(
        network: &Network,
        lines: &[InputLine],
        loss: &ReportLoss<'_, L>,
        method: GradientMethod,
    ) -> Result<Self, ReportError>
    where
        L: Loss<Target = usize> + ?Sized,
    {
        if lines.is_empty() {
            return Err(ReportError::NoLines);
        }
        let samples = lines
            .iter()
            .map(|line| {
                let label = line.label.or(loss.label).ok_or(ReportError::NoLabel {
                    line: Some(line.line),
                })?;
                Ok(Sample::new(line.input.to_times(), label))
            })
            .collect::<Result<Vec<Sample>, ReportError>>()?;
        check_population(network, loss.population)?;
        let classes = network.populations()[loss.population].size();
        let data = SpikeDataset::try_new(samples, network.inputs(), classes)?;
        let options = GradientOptions {
            method,
            ..GradientOptions::default()
        };
        let indices: Vec<usize> = (0..lines.len()).collect();
        let out = batch(
            network,
            loss.population,
            loss.loss,
            &data,
            &indices,
            &options,
            true,
        )?;
        let (Some(mean_loss), Some(gradient)) = (out.mean_loss(), out.mean_gradient()) else {
            return Err(ReportError::AllSkipped);
        };
        Ok(Self {
            loss: mean_loss,
            loss_grad: gradient,
            samples: out.count,
            skipped: out.skipped,
        })
    }
}

#[cfg(test)]
mod tests {
    use fpsnn_losses::FirstSpikeCrossEntropy;
    use fpsnn_sim::read_input_lines;

    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("../../examples/data/{name}")).unwrap()
    }

    #[test]
    fn sample_report_fp_and_adjoint_agree_and_serialise_in_layout() {
        let network = Network::from_json(&fixture("xor_net.json")).unwrap();
        let input = InputSpikes::from_json(&fixture("xor_input.json")).unwrap();
        let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, network.t_max()).unwrap();
        let population = network.populations().len() - 1;
        let options = |jacobian, method| ReportOptions {
            jacobian,
            method,
            loss: Some(ReportLoss {
                loss: &loss,
                population,
                label: Some(0),
            }),
        };
        let fp = SampleReport::try_new(
            &network,
            &input,
            &options(true, GradientMethod::ForwardPropagation),
        )
        .unwrap();
        let adj = SampleReport::try_new(&network, &input, &options(true, GradientMethod::Adjoint))
            .unwrap();
        assert!(fp.jacobian.is_some() && adj.jacobian.is_none());
        assert_eq!(fp.spikes, adj.spikes);
        assert_eq!(fp.loss, adj.loss);
        for (a, b) in fp.loss_grad.unwrap().iter().zip(adj.loss_grad.unwrap()) {
            assert!((a - b).abs() <= 1e-9 * (1.0 + a.abs()), "{a} vs {b}");
        }
        let plain = SampleReport::try_new(
            &network,
            &input,
            &ReportOptions::<FirstSpikeCrossEntropy> {
                jacobian: false,
                method: GradientMethod::ForwardPropagation,
                loss: None,
            },
        )
        .unwrap();
        let json = serde_json::to_value(&plain).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["spikes"]);
        let mut no_label = options(false, GradientMethod::Adjoint);
        no_label.loss.as_mut().unwrap().label = None;
        assert!(matches!(
            SampleReport::try_new(&network, &input, &no_label),
            Err(ReportError::NoLabel { line: None })
        ));
    }

    #[test]
    fn batch_report_means_and_errors() {
        let network = Network::from_json(&fixture("xor_net.json")).unwrap();
        let lines = read_input_lines(&fixture("xor_inputs.jsonl"), &network).unwrap();
        let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, network.t_max()).unwrap();
        let report_loss = ReportLoss {
            loss: &loss,
            population: network.populations().len() - 1,
            label: Some(0),
        };
        let report =
            BatchGradientReport::try_new(&network, &lines, &report_loss, GradientMethod::Adjoint)
                .unwrap();
        assert_eq!(report.samples + report.skipped, lines.len());
        assert!(!report.loss_grad.is_empty() && report.loss_grad.iter().all(|g| g.is_finite()));
        let json = serde_json::to_value(&report).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["loss", "loss_grad", "samples", "skipped"]);
        assert!(matches!(
            BatchGradientReport::try_new(&network, &[], &report_loss, GradientMethod::Adjoint),
            Err(ReportError::NoLines)
        ));
        let bad = ReportLoss {
            population: 9,
            ..report_loss
        };
        assert!(matches!(
            BatchGradientReport::try_new(&network, &lines, &bad, GradientMethod::Adjoint),
            Err(ReportError::Population { index: 9, .. })
        ));
    }
}
