//! Per-sample and minibatch gradients.

use fpsnn_causal::{
    AssembleOptions, CausalError, CausalGraph, adjoint_gradient, assemble, forward_jacobian,
    spike_gradient,
};
use fpsnn_core::Parallelism;
use fpsnn_datasets::{Dataset, Sample};
use fpsnn_losses::{Loss, predict_first_spike};
use fpsnn_sim::{InputSpikes, Network, SimError, SimOptions, simulate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::TrainError;

/// Which exact driver computes the gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GradientMethod {
    /// The adjoint (transposed) solve: the fast path.
    #[default]
    Adjoint,
    /// Forward propagation (the paper's Algorithm 2): the full Jacobian, then the chain rule.
    ForwardPropagation,
}

/// What to do with a sample whose gradient does not exist or whose simulation ran away:
/// a grazing crossing ([`CausalError::Grazing`]) or the spike cap
/// ([`SimError::SpikeCapExceeded`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SampleFailure {
    /// Leave the sample out of the batch gradient and count it (default).
    #[default]
    Skip,
    /// Stop training with the error.
    Abort,
}

/// Options of the gradient computation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GradientOptions {
    /// Driver.
    pub method: GradientMethod,
    /// Assembly options (grazing tolerance).
    pub assemble: AssembleOptions,
    /// Failure policy.
    pub on_failure: SampleFailure,
}

/// The result of one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleOutcome {
    /// Loss value.
    pub loss: f64,
    /// Whether the first output spike names the label.
    pub correct: bool,
    /// Output neurons that never fired.
    pub silent: usize,
    /// `dL/dW` in flat weight order (absent when only evaluating).
    pub gradient: Option<Vec<f64>>,
}

/// Sums over a minibatch, reduced in sample order (bit-identical for any thread count).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchOutcome {
    /// Sum of sample losses (successful samples).
    pub loss_sum: f64,
    /// Correctly classified samples.
    pub correct: usize,
    /// Silent output neurons, summed.
    pub silent: usize,
    /// Samples that entered the sums.
    pub count: usize,
    /// Samples left out ([`SampleFailure::Skip`]).
    pub skipped: usize,
    /// Sum of the sample gradients (empty when only evaluating).
    pub gradient_sum: Vec<f64>,
}

fn sim_options<L: Loss + ?Sized>(output: usize, loss: &L) -> SimOptions {
    let options = SimOptions::default();
    if loss.first_spike_only() {
        // Nothing after the last output's first spike can reach the loss.
        options.with_first_spike_only(output).with_early_stop()
    } else {
        options
    }
}

/// Simulates one sample and, if `with_gradient`, computes `dL/dW` exactly.
///
/// # Errors
/// Any simulation, gradient or loss error of the sample.
pub fn sample_gradient<L: Loss<Target = usize> + ?Sized>(
    network: &Network,
    output: usize,
    loss: &L,
    sample: &Sample,
    options: &GradientOptions,
    with_gradient: bool,
) -> Result<SampleOutcome, TrainError> {
    let input = InputSpikes::try_new(sample.input_spikes.clone())?;
    let trace = simulate(network, &input, &sim_options(output, loss))?;
    let spikes = &trace.populations[output].spikes;
    let result = loss.evaluate(spikes, &sample.label)?;
    let correct = predict_first_spike(spikes) == Some(sample.label);
    let gradient = if with_gradient {
        let graph = CausalGraph::try_new(network, &input, &trace)?;
        let system = assemble(&graph, &options.assemble)?;
        let d_loss = spike_gradient(&graph, output, &result.d_spikes);
        let grad = match options.method {
            GradientMethod::Adjoint => adjoint_gradient(&system, &d_loss)?,
            GradientMethod::ForwardPropagation => {
                forward_jacobian(&system, Parallelism::Sequential)?.gradient(&d_loss)
            }
        };
        let mut params = grad.params;
        params.truncate(system.layout.num_weights());
        Some(params)
    } else {
        None
    };
    Ok(SampleOutcome {
        loss: result.value,
        correct,
        silent: result.silent,
        gradient,
    })
}

fn is_sample_failure(err: &TrainError) -> bool {
    matches!(
        err,
        TrainError::Causal(CausalError::Grazing { .. })
            | TrainError::Sim(SimError::SpikeCapExceeded { .. })
    )
}

/// Runs the samples `indices` of `data` in parallel (rayon, over samples) and reduces the
/// results in index order.
///
/// # Errors
/// The first error in index order, except sample failures under [`SampleFailure::Skip`].
pub fn batch<L: Loss<Target = usize> + ?Sized>(
    network: &Network,
    output: usize,
    loss: &L,
    data: &dyn Dataset,
    indices: &[usize],
    options: &GradientOptions,
    with_gradient: bool,
) -> Result<BatchOutcome, TrainError> {
    let outcomes: Vec<Result<SampleOutcome, TrainError>> = indices
        .par_iter()
        .map(|&i| {
            let sample = data.get(i).ok_or(TrainError::SampleIndex { index: i })?;
            sample_gradient(network, output, loss, &sample, options, with_gradient)
        })
        .collect();
    let mut total = BatchOutcome {
        gradient_sum: if with_gradient {
            vec![0.0; network.num_weights()]
        } else {
            Vec::new()
        },
        ..BatchOutcome::default()
    };
    for outcome in outcomes {
        match outcome {
            Ok(o) => {
                total.loss_sum += o.loss;
                total.correct += usize::from(o.correct);
                total.silent += o.silent;
                total.count += 1;
                if let Some(g) = o.gradient {
                    for (s, x) in total.gradient_sum.iter_mut().zip(&g) {
                        *s += x;
                    }
                }
            }
            Err(err) if options.on_failure == SampleFailure::Skip && is_sample_failure(&err) => {
                total.skipped += 1;
            }
            Err(err) => return Err(err),
        }
    }
    Ok(total)
}
