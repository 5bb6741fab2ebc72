//! The `sim_grad` fuzz property, shared by the fuzz target and the regression tests in
//! `tests/robustness.rs` (which replay the inputs the fuzzer found): a tiny network and its
//! input spikes derived from the bytes, simulated and differentiated.

use fpsnn::causal::{
    AssembleOptions, CausalError, CausalGraph, adjoint_gradient, assemble, forward_jacobian,
};
use fpsnn::core::{NeuronParams, Parallelism};
use fpsnn::datasets::Sample;
use fpsnn::losses::{FirstSpikeCrossEntropy, SilentLabel};
use fpsnn::sim::{
    InputSpikes, Method, Network, PopulationSpec, ProjectionSpec, SimOptions, Source, simulate,
};
use fpsnn::train::{GradientOptions, sample_gradient};
use nalgebra::DMatrix;

/// Reads the fuzz bytes; zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    /// In `[0, 1]`.
    fn unit(&mut self) -> f64 {
        f64::from(u16::from_le_bytes([self.u8(), self.u8()])) / f64::from(u16::MAX)
    }
    fn f64_raw(&mut self) -> f64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        f64::from_le_bytes(b)
    }
}

fn weight(b: &mut Bytes<'_>, scale: f64) -> f64 {
    if b.u8() % 16 == 0 {
        let raw = b.f64_raw();
        if raw.is_finite() && raw.abs() < 1e4 {
            return raw;
        }
    }
    (2.0 * b.unit() - 1.0) * scale
}

fn build(b: &mut Bytes<'_>) -> Option<(Network, InputSpikes)> {
    let inputs = 1 + usize::from(b.u8() % 3);
    let npop = 1 + usize::from(b.u8() % 3);
    let mut populations = Vec::new();
    for p in 0..npop {
        let alpha = 0.1 + 4.9 * b.unit();
        let beta = if b.u8() % 4 == 0 {
            alpha
        } else {
            0.1 + 4.9 * b.unit()
        };
        let theta = 0.2 + 2.8 * b.unit();
        populations.push(PopulationSpec {
            name: format!("p{p}"),
            size: 1 + usize::from(b.u8() % 4),
            params: NeuronParams { alpha, beta, theta },
        });
    }
    let size = |s: Source| match s {
        Source::Input => inputs,
        Source::Population(p) => populations[p].size,
    };
    let mut edges: Vec<(Source, usize)> = (0..npop)
        .map(|p| {
            let from = if p == 0 {
                Source::Input
            } else {
                Source::Population(p - 1)
            };
            (from, p)
        })
        .collect();
    for _ in 0..b.u8() % 3 {
        let from = match b.u8() as usize % (npop + 1) {
            0 => Source::Input,
            q => Source::Population(q - 1),
        };
        edges.push((from, b.u8() as usize % npop));
    }
    let mut projections = Vec::new();
    for (from, to) in edges {
        let scale = [1.0, 4.0, 10.0, 50.0][usize::from(b.u8() % 4)];
        let (rows, cols) = (size(from), populations[to].size);
        let mut weights = DMatrix::zeros(rows, cols);
        for j in 0..rows {
            for i in 0..cols {
                weights[(j, i)] = weight(b, scale);
            }
        }
        let delay = if b.u8() % 4 == 0 { 2.0 * b.unit() } else { 0.0 };
        projections.push(ProjectionSpec {
            from,
            to,
            weights: weights.into(),
            delay,
        });
    }
    let t_max = 0.5 + 19.5 * b.unit();
    let cap = 1 + usize::from(b.u8() % 64);
    let network = Network::try_new(inputs, populations, projections, t_max, cap).ok()?;
    let channels = (0..inputs)
        .map(|_| {
            let mut t = 0.0;
            (0..b.u8() % 4)
                .map(|_| {
                    t += if b.u8() % 4 == 0 { 0.0 } else { 3.0 * b.unit() };
                    t
                })
                .collect()
        })
        .collect();
    Some((network, InputSpikes::try_new(channels).ok()?))
}

fn assert_finite(what: &str, values: &[f64]) {
    assert!(
        values.iter().all(|v| v.is_finite()),
        "{what} reported as valid but not finite: {values:?}"
    );
}

/// The `sim_grad` property: builds a network from `data`, simulates it, and checks that
/// nothing panics, the two simulation algorithms agree bit for bit (spike times and causal
/// prefixes) on feed-forward networks, and every gradient returned as `Ok` is finite.
pub(crate) fn check(data: &[u8]) {
    let mut b = Bytes(data);
    let Some((network, input)) = build(&mut b) else {
        return;
    };
    let Ok(trace) = simulate(&network, &input, &SimOptions::default()) else {
        return;
    };
    if network.is_feed_forward() {
        let queue = simulate(
            &network,
            &input,
            &SimOptions::default().with_method(Method::EventQueue),
        )
        .expect("the event queue runs what the layer sweep ran");
        for (a, q) in trace.populations.iter().zip(&queue.populations) {
            let bits = |s: &[Vec<f64>]| -> Vec<Vec<u64>> {
                s.iter()
                    .map(|n| n.iter().map(|t| t.to_bits()).collect())
                    .collect()
            };
            assert!(
                bits(&a.spikes) == bits(&q.spikes) && a.prefixes == q.prefixes,
                "sweep and queue differ on\n{}\ninput {:?}",
                network.to_json(),
                input.channels()
            );
        }
    }
    let graph =
        CausalGraph::try_new(&network, &input, &trace).expect("a simulated trace is causal");
    match assemble(&graph, &AssembleOptions::default()) {
        Ok(system) => {
            let d_loss = vec![1.0; graph.len()];
            let grad = adjoint_gradient(&system, &d_loss).expect("adjoint after assembly");
            assert_finite("adjoint params", &grad.params);
            assert_finite("adjoint inputs", &grad.inputs);
            let jac =
                forward_jacobian(&system, Parallelism::Sequential).expect("FP after assembly");
            assert_finite("jacobian", jac.matrix.as_slice());
        }
        Err(CausalError::Grazing { .. }) => {}
        Err(err) => panic!("unexpected assembly error: {err}"),
    }
    let output = network.populations().len() - 1;
    let label = usize::from(b.u8()) % network.populations()[output].size();
    let Ok(inner) = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, network.t_max()) else {
        return;
    };
    let weight = if b.u8() % 2 == 0 { 0.0 } else { 0.5 };
    let Ok(loss) = SilentLabel::try_new(inner, weight) else {
        return;
    };
    let options = GradientOptions::default();
    let sample = Sample::new(
        input
            .channels()
            .iter()
            .map(|c| c.times().to_vec())
            .collect(),
        label,
    );
    if let Ok(out) = sample_gradient(&network, output, &loss, &sample, &options, true) {
        assert!(out.loss.is_finite(), "loss {}", out.loss);
        assert_finite("loss gradient", out.gradient.as_deref().unwrap_or(&[]));
    }
}
