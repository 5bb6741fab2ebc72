//! Both gradient drivers against central finite differences of the simulator, and against
//! each other: the workspace's most important test.

use fpsnn_causal::{
    AdjointWorkspace, AssembleOptions, CausalGraph, Jacobian, ParamLayout, adjoint_accumulate,
    adjoint_gradient, assemble, forward_jacobian, forward_jacobian_layered,
};
use std::sync::Arc;

use fpsnn_core::{NeuronParams, Parallelism, SpikeId};
use fpsnn_kernels::{Kernel, NeuronKernel, NonLeakyKernel};
use fpsnn_sim::{InputSpikes, Network, SimOptions, SimTrace, simulate};
use fpsnn_testkit::{
    CausalPattern, TextbookKernel, Tolerance, fd_step, feed_forward, random_input, recurrent,
    richardson, sparsify, with_kernel,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What is perturbed.
#[derive(Clone, Copy, Debug)]
enum Knob {
    /// Weight `k` of projection `r` in parameter order (a matrix entry or a synapse).
    Weight {
        r: usize,
        k: usize,
    },
    Threshold {
        p: usize,
    },
    Input {
        channel: usize,
        index: usize,
    },
}

fn perturbed(
    net: &Network,
    input: &InputSpikes,
    knob: Knob,
    delta: f64,
) -> Option<(Network, InputSpikes)> {
    let mut net = net.clone();
    let mut trains = input.to_times();
    match knob {
        Knob::Weight { r, k } => {
            let mut w = net.projections()[r].flat_weights();
            w[k] += delta;
            net.set_flat_weights(r, &w).ok()?;
        }
        Knob::Threshold { p } => {
            let theta = net.populations()[p].params().theta;
            net.set_threshold(p, theta + delta).ok()?;
        }
        Knob::Input { channel, index } => trains[channel][index] += delta,
    }
    Some((net, InputSpikes::try_new(trains).ok()?))
}

fn value(net: &Network, input: &InputSpikes, knob: Knob) -> f64 {
    match knob {
        Knob::Weight { r, k } => net.projections()[r].flat_weights()[k],
        Knob::Threshold { p } => net.populations()[p].params().theta,
        Knob::Input { channel, index } => input.channels()[channel].times()[index],
    }
}

fn column(graph: &CausalGraph<'_>, knob: Knob) -> usize {
    let layout = fpsnn_causal::ParamLayout::new(graph.network());
    match knob {
        Knob::Weight { r, k } => layout.weight_offset(r) + k,
        Knob::Threshold { p } => layout.threshold_index(p),
        Knob::Input { channel, index } => layout.len() + graph.input_index(channel, index),
    }
}

/// Spike times of the four Richardson points `x + {-h, -h/2, h/2, h}`, or `None` if the
/// causal pattern changes at any of them.
fn fd_runs(
    net: &Network,
    input: &InputSpikes,
    pattern: &CausalPattern,
    knob: Knob,
    h: f64,
) -> Option<Vec<SimTrace>> {
    let mut runs = Vec::with_capacity(4);
    for delta in [-h, -h / 2.0, h / 2.0, h] {
        let (net_d, in_d) = perturbed(net, input, knob, delta)?;
        let run = simulate(&net_d, &in_d, &SimOptions::default()).ok()?;
        if CausalPattern::of(&run) != *pattern {
            return None;
        }
        runs.push(run);
    }
    Some(runs)
}

/// Checks every spike time's derivative with respect to `knob` against a
/// Richardson-extrapolated central difference; returns `None` if the causal pattern changes
/// within `x +- h`, else the largest relative disagreement.
///
/// The step starts at `8 cbrt(eps) max(1, |x|)`; where a spike far down a causal chain
/// disagrees, the difference is retried with steps 4 and 16 times smaller, and the best
/// agreement counts (the difference converges to the exact value as `h` shrinks until
/// rounding takes over; the exact value does not depend on `h`).
fn check_knob(
    net: &Network,
    input: &InputSpikes,
    trace: &SimTrace,
    jac: &Jacobian,
    graph: &CausalGraph<'_>,
    knob: Knob,
) -> Option<f64> {
    let h0 = 8.0 * fd_step(value(net, input, knob));
    let pattern = CausalPattern::of(trace);
    let steps = [h0, h0 / 4.0, h0 / 16.0];
    let mut all_runs: Vec<Option<Vec<SimTrace>>> = vec![fd_runs(net, input, &pattern, knob, h0)];
    all_runs[0].as_ref()?;
    let col = column(graph, knob);
    let tol = Tolerance::DEFAULT;
    let mut worst = 0.0_f64;
    for k in 0..graph.len() {
        let key = graph.key(SpikeId(k as u32));
        let (p, i, m) = (
            key.population as usize,
            key.neuron as usize,
            key.index as usize,
        );
        let exact = jac.matrix[(k, col)];
        let mut best = f64::INFINITY;
        let mut tried = Vec::new();
        for (s, &h) in steps.iter().enumerate() {
            if all_runs.len() <= s {
                all_runs.push(fd_runs(net, input, &pattern, knob, h));
            }
            let Some(runs) = &all_runs[s] else { continue };
            let at = |r: usize| runs[r].populations[p].spikes[i][m];
            let fd = richardson([at(0), at(1), at(2), at(3)], h);
            tried.push(fd);
            best = best.min(tol.relative_error(exact, fd));
            if tol.is_close(exact, fd) {
                break;
            }
        }
        assert!(
            best <= tol.rel,
            "{knob:?}: spike {k} ({p}/{i}/{m}) exact {exact:e} vs fd {tried:?}"
        );
        worst = worst.max(best);
    }
    Some(worst)
}

struct Report {
    checked: usize,
    skipped: usize,
    worst_fd: f64,
    worst_solver: f64,
}

/// Full check of one network: FD for a sample of knobs of every kind, FP vs adjoint for
/// random loss vectors, and layered FP vs column FP on feed-forward nets.
fn check_network(net: &Network, input: &InputSpikes, rng: &mut StdRng, report: &mut Report) {
    let Ok(trace) = simulate(net, input, &SimOptions::default()) else {
        return;
    };
    let graph = CausalGraph::try_new(net, input, &trace).unwrap();
    if graph.is_empty() {
        return;
    }
    let Ok(system) = assemble(&graph, &AssembleOptions::default()) else {
        return;
    };
    let jac = forward_jacobian(&system, Parallelism::Sequential).unwrap();
    // FP vs adjoint on a random dL/dF
    let d_loss: Vec<f64> = (0..graph.len())
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let fp = jac.gradient(&d_loss);
    let adj = adjoint_gradient(&system, &d_loss).unwrap();
    for (a, b) in fp
        .params
        .iter()
        .chain(&fp.inputs)
        .zip(adj.params.iter().chain(&adj.inputs))
    {
        Tolerance::SOLVER.assert_close("FP vs adjoint", *a, *b);
        report.worst_solver = report
            .worst_solver
            .max(Tolerance::SOLVER.relative_error(*a, *b));
    }
    // the fused adjoint (training's path) vs forward propagation, parameters and inputs
    let mut acc = vec![0.0; ParamLayout::new(net).len()];
    let mut inputs = vec![0.0; graph.num_input_spikes()];
    adjoint_accumulate(
        &graph,
        &d_loss,
        &AssembleOptions::default(),
        &mut AdjointWorkspace::default(),
        &mut acc,
        Some(&mut inputs),
    )
    .unwrap();
    for (a, b) in fp
        .params
        .iter()
        .chain(&fp.inputs)
        .zip(acc.iter().chain(&inputs))
    {
        Tolerance::SOLVER.assert_close("FP vs fused adjoint", *a, *b);
        report.worst_solver = report
            .worst_solver
            .max(Tolerance::SOLVER.relative_error(*a, *b));
    }
    if net.is_feed_forward() {
        let layered = forward_jacobian_layered(&graph, &system, Parallelism::Rayon).unwrap();
        for (a, b) in layered.matrix.iter().zip(jac.matrix.iter()) {
            Tolerance::SOLVER.assert_close("layered FP vs column FP", *a, *b);
        }
    }
    // FD on a sample of knobs
    let mut knobs = Vec::new();
    for (r, proj) in net.projections().iter().enumerate() {
        for _ in 0..4 {
            if proj.num_weights() > 0 {
                let k = rng.random_range(0..proj.num_weights());
                knobs.push(Knob::Weight { r, k });
            }
        }
    }
    for p in 0..net.populations().len() {
        knobs.push(Knob::Threshold { p });
    }
    for (channel, train) in input.channels().iter().enumerate() {
        if !train.is_empty() {
            knobs.push(Knob::Input {
                channel,
                index: rng.random_range(0..train.len()),
            });
        }
    }
    for knob in knobs {
        match check_knob(net, input, &trace, &jac, &graph, knob) {
            Some(worst) => {
                report.checked += 1;
                report.worst_fd = report.worst_fd.max(worst);
            }
            None => report.skipped += 1,
        }
    }
}

fn params(alpha: f64, beta: f64) -> NeuronParams {
    NeuronParams::try_new(alpha, beta, 1.0).unwrap()
}

fn new_report() -> Report {
    Report {
        checked: 0,
        skipped: 0,
        worst_fd: 0.0,
        worst_solver: 0.0,
    }
}

fn finish(name: &str, report: &Report, min_checked: usize) {
    println!(
        "{name}: {} knobs checked, {} skipped (pattern changed); largest relative FD disagreement {:e}, FP vs adjoint {:e}",
        report.checked, report.skipped, report.worst_fd, report.worst_solver
    );
    assert!(
        report.checked >= min_checked,
        "{name}: only {} knobs checked",
        report.checked
    );
}

#[test]
fn two_layer_feed_forward_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut report = new_report();
    let mut multi = 0;
    for _ in 0..12 {
        let net = feed_forward(
            &mut rng,
            3,
            &[5, 3],
            params(1.0, 0.9),
            &[(1.2, 1.0), (1.0, 1.0)],
            8.0,
        );
        let input = random_input(&mut rng, 3, 2, 3.0);
        if let Ok(trace) = simulate(&net, &input, &SimOptions::default()) {
            multi += trace
                .populations
                .iter()
                .flat_map(|p| &p.spikes)
                .filter(|s| s.len() > 1)
                .count();
        }
        check_network(&net, &input, &mut rng, &mut report);
    }
    assert!(multi > 10, "neurons must fire several times ({multi})");
    finish("2-layer", &report, 100);
}

#[test]
fn three_layer_feed_forward_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(2);
    let mut report = new_report();
    for _ in 0..26 {
        let net = feed_forward(
            &mut rng,
            4,
            &[6, 5, 3],
            params(0.999, 1.0),
            &[(2.0, 1.0), (0.8, 1.0), (0.5, 1.0)],
            8.0,
        );
        let input = random_input(&mut rng, 4, 2, 3.0);
        check_network(&net, &input, &mut rng, &mut report);
    }
    finish("3-layer", &report, 100);
}

#[test]
fn recurrent_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut report = new_report();
    for case in 0..14 {
        let delay = [0.0, 0.2][case % 2];
        let net = recurrent(
            &mut rng,
            3,
            6,
            2,
            params(2.0, 1.0),
            (2.5, 1.0),
            (0.0, 0.8),
            delay,
            8.0,
        );
        let input = random_input(&mut rng, 3, 2, 3.0);
        check_network(&net, &input, &mut rng, &mut report);
    }
    finish("recurrent", &report, 100);
}

/// Sparse projections (synapse lists with missing and repeated pairs), feed-forward and
/// recurrent, through both solvers and the fused adjoint.
#[test]
fn sparse_projection_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut report = new_report();
    for case in 0..16 {
        let dense = if case % 2 == 0 {
            feed_forward(
                &mut rng,
                4,
                &[8, 3],
                params(1.0, 0.9),
                &[(1.8, 1.0), (1.4, 1.0)],
                8.0,
            )
        } else {
            recurrent(
                &mut rng,
                3,
                8,
                2,
                params(2.0, 1.0),
                (3.0, 1.0),
                (0.0, 1.2),
                [0.0, 0.3][case % 4 / 2],
                8.0,
            )
        };
        let net = sparsify(&mut rng, &dense, 0.6, 0.2);
        assert!(net.projections().iter().all(|p| p.is_sparse()));
        let input = random_input(&mut rng, net.inputs(), 2, 3.0);
        check_network(&net, &input, &mut rng, &mut report);
    }
    finish("sparse", &report, 80);
}

/// The non-leaky kernel (closed-form crossings, no factorised pairs) and a user's kernel
/// (only the two required methods), feed-forward and recurrent, through both solvers and
/// the fused adjoint.
#[test]
fn other_kernels_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(5);
    let user: Arc<dyn Kernel> = Arc::new(TextbookKernel {
        alpha: 2.0,
        beta: 1.0,
    });
    let kernels = [
        NeuronKernel::from(NonLeakyKernel::try_new(1.0).unwrap()),
        NeuronKernel::Custom(user),
    ];
    let mut reports = [new_report(), new_report()];
    for case in 0..24 {
        let k = case % 2;
        // non-leaky neurons integrate for ever: weaker weights
        let scale = if k == 0 { 0.5 } else { 1.0 };
        let net = if case % 4 < 2 {
            feed_forward(
                &mut rng,
                3,
                &[5, 3],
                params(2.0, 1.0),
                &[(1.5 * scale, scale), (1.0 * scale, scale)],
                8.0,
            )
        } else {
            recurrent(
                &mut rng,
                3,
                6,
                2,
                params(2.0, 1.0),
                (2.5 * scale, scale),
                (0.0, 0.8 * scale),
                [0.0, 0.2][case % 8 / 4],
                8.0,
            )
        };
        let net = with_kernel(net, &kernels[k]);
        let input = random_input(&mut rng, 3, 2, 3.0);
        check_network(&net, &input, &mut rng, &mut reports[k]);
    }
    finish("non-leaky", &reports[0], 80);
    finish("user kernel", &reports[1], 80);
}
