//! Per-sample and minibatch gradients.

use fpsnn_causal::{
    AssembleOptions, CausalError, CausalGraph, ParamLayout, adjoint_gradient, assemble,
    forward_jacobian, spike_gradient,
};
use fpsnn_core::{Parallelism, Time};
use fpsnn_datasets::{Dataset, Sample};
use fpsnn_kernels::{Kernel, State};
use fpsnn_losses::{Loss, predict_first_spike};
use fpsnn_sim::{Arrival, Source};
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
    /// Weight `lambda` of the silent-label term: when the label's output neuron never
    /// fires, the sample's loss gains `lambda (theta - V_max)`, `V_max` the neuron's highest
    /// membrane potential before `t_max`. Its gradient is exact (envelope theorem: at the
    /// maximum `V' = 0`, so `dV_max/dp = dV/dp` at the fixed peak time) and reaches the
    /// output weights and, through the adjoint, every upstream spike. Without it a silent
    /// label passes no gradient at all and training can drift into silence. `0` (default)
    /// is the plain loss.
    pub silent_label_penalty: f64,
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
    let silent_label = spikes.get(sample.label).is_some_and(Vec::is_empty);
    let lambda = options.silent_label_penalty;
    let peak = (silent_label && lambda > 0.0)
        .then(|| potential_peak(network, &trace, output, sample.label));
    let penalty = peak.map_or(0.0, |peak| {
        lambda * (network.populations()[output].params().theta - peak.value)
    });
    let gradient = if with_gradient {
        let graph = CausalGraph::try_new(network, &input, &trace)?;
        let system = assemble(&graph, &options.assemble)?;
        let mut d_loss = spike_gradient(&graph, output, &result.d_spikes);
        let mut direct = Vec::new();
        if let Some(peak) = peak {
            silent_label_gradient(
                &graph,
                output,
                sample.label,
                &peak,
                lambda,
                &mut d_loss,
                &mut direct,
            );
        }
        let grad = match options.method {
            GradientMethod::Adjoint => adjoint_gradient(&system, &d_loss)?,
            GradientMethod::ForwardPropagation => {
                forward_jacobian(&system, Parallelism::Sequential)?.gradient(&d_loss)
            }
        };
        let mut params = grad.params;
        params.truncate(system.layout.num_weights());
        for (index, value) in direct {
            params[index] += value;
        }
        Some(params)
    } else {
        None
    };
    Ok(SampleOutcome {
        loss: result.value + penalty,
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

/// The highest membrane potential of a neuron that never fired, over `[0, t_end]`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Peak {
    time: Time,
    value: f64,
    /// The peak sits on arrival `k` (a negative weight turned the potential down there):
    /// `(k, V'(g-))`.
    kink: Option<(usize, f64)>,
}

/// Finds the peak exactly: between two arrivals the potential has at most one interior
/// maximum (closed form); a maximum can also sit on an arrival or on the horizon.
fn potential_peak(network: &Network, trace: &fpsnn_sim::SimTrace, p: usize, i: usize) -> Peak {
    let kernel = network.populations()[p].kernel();
    let record = &trace.populations[p];
    let mut best = Peak {
        time: 0.0,
        value: 0.0,
        kink: None,
    };
    let mut consider = |time: Time, value: f64, kink: Option<(usize, f64)>| {
        if value > best.value {
            best = Peak { time, value, kink };
        }
    };
    let mut state = State::default();
    let mut t = 0.0;
    for (k, a) in record.arrivals.iter().enumerate() {
        let len = a.time - t;
        if len > 0.0 {
            if let Some(s) = kernel.peak(state, len) {
                consider(t + s, kernel.advance(state, s).potential, None);
            }
            state = kernel.advance(state, len);
            t = a.time;
        }
        consider(t, state.potential, Some((k, kernel.slope(state))));
        state.current += arrival_weight(network, a, i);
    }
    if trace.t_end > t {
        let len = trace.t_end - t;
        if let Some(s) = kernel.peak(state, len) {
            consider(t + s, kernel.advance(state, s).potential, None);
        }
        consider(trace.t_end, kernel.advance(state, len).potential, None);
    }
    best
}

fn arrival_weight(network: &Network, a: &Arrival, i: usize) -> f64 {
    network.projections()[a.projection as usize].weights()[(a.pre as usize, i)]
}

/// The gradient of the silent-label term `lambda (theta - V_max)` of neuron `i` of
/// population `p`: with respect to upstream spike times into `d_loss`, with respect to the
/// neuron's input weights into `direct` (flat weight index, value). At an interior maximum
/// `V' = 0`, so `dV_max/dp = dV/dp(t*)` (envelope theorem); on an arrival `g` the peak time
/// moves with `g`, adding `dV_max/dg = V'(g-)`.
fn silent_label_gradient(
    graph: &CausalGraph<'_>,
    p: usize,
    i: usize,
    peak: &Peak,
    lambda: f64,
    d_loss: &mut [f64],
    direct: &mut Vec<(usize, f64)>,
) {
    let network = graph.network();
    let kernel = network.populations()[p].kernel();
    let record = &graph.trace().populations[p];
    let layout = ParamLayout::new(network);
    for a in &record.arrivals {
        if a.time >= peak.time {
            break;
        }
        let (h, dh) = kernel.psp_and_derivative(peak.time - a.time);
        direct.push((
            layout.weight_index(a.projection as usize, a.pre as usize, i),
            -lambda * h,
        ));
        // dV/dg = -W h'(t* - g)
        add_arrival_gradient(
            graph,
            a,
            lambda * arrival_weight(network, a, i) * dh,
            d_loss,
        );
    }
    if let Some((k, left_slope)) = peak.kink {
        add_arrival_gradient(graph, &record.arrivals[k], -lambda * left_slope, d_loss);
    }
}

/// Adds `value` to `dL/df` of the network spike behind arrival `a` (input spikes are data).
fn add_arrival_gradient(graph: &CausalGraph<'_>, a: &Arrival, value: f64, d_loss: &mut [f64]) {
    if let Source::Population(q) = graph.network().projections()[a.projection as usize].from() {
        d_loss[graph.spike_id(q, a.pre as usize, a.spike as usize).index()] += value;
    }
}
