//! End-to-end loss gradients `dL/dW` (loss -> spike times -> weights) from both exact
//! drivers against central finite differences of simulate-then-evaluate, for every loss.

use fpsnn::causal::{
    AssembleOptions, CausalGraph, adjoint_gradient, assemble, forward_jacobian, spike_gradient,
};
use fpsnn::core::{NeuronParams, Parallelism};
use fpsnn::kernels::ExpKernel;
use fpsnn::losses::{
    FirstSpikeCrossEntropy, LinearReadout, Loss, Quadrature, ReadoutIntegralLoss,
    ReadoutSampledMse, SpikeTimeMse, VoltageTarget,
};
use fpsnn::sim::{
    InputSpikes, Network, PopulationSpec, ProjectionSpec, SimOptions, Source, simulate,
};
use fpsnn_testkit::{CausalPattern, Tolerance, checked_central_difference};
use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A random 3-6-3 network whose neurons fire several times.
fn network(rng: &mut StdRng) -> Network {
    let params = NeuronParams::try_new(1.0, 0.9, 1.0).unwrap();
    let mut w = |r, c, mean: f64| DMatrix::from_fn(r, c, |_, _| mean + rng.random_range(-1.0..1.0));
    Network::try_new(
        3,
        vec![
            PopulationSpec {
                name: "hidden".into(),
                size: 6,
                params,
            },
            PopulationSpec {
                name: "output".into(),
                size: 3,
                params,
            },
        ],
        vec![
            ProjectionSpec {
                from: Source::Input,
                to: 0,
                weights: w(3, 6, 1.5).into(),
                delay: 0.0,
            },
            ProjectionSpec {
                from: Source::Population(0),
                to: 1,
                weights: w(6, 3, 0.8).into(),
                delay: 0.0,
            },
        ],
        10.0,
        200,
    )
    .unwrap()
}

fn input(rng: &mut StdRng) -> InputSpikes {
    InputSpikes::try_new(
        (0..3)
            .map(|_| {
                let mut t = vec![rng.random_range(0.0..2.0), rng.random_range(2.0..4.0)];
                t.sort_by(f64::total_cmp);
                t
            })
            .collect(),
    )
    .unwrap()
}

/// Causal pattern of a run, for the stability of a finite difference.
fn pattern(net: &Network, inp: &InputSpikes) -> Option<CausalPattern> {
    simulate(net, inp, &SimOptions::default())
        .ok()
        .map(|t| CausalPattern::of(&t))
}

/// Checks `dL/dW` for `loss` on population `read` (`extra`: the loss's own parameters are
/// not perturbed here; the network's weights are).
fn check<L: Loss>(name: &str, loss: &L, target: &L::Target, read: usize, seed: u64) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut checked = 0;
    let mut worst = 0.0_f64;
    for _ in 0..6 {
        let net = network(&mut rng);
        let inp = input(&mut rng);
        let Ok(trace) = simulate(&net, &inp, &SimOptions::default()) else {
            continue;
        };
        let Ok(out) = loss.evaluate(&trace.populations[read].spikes, target) else {
            continue;
        };
        let graph = CausalGraph::try_new(&net, &inp, &trace).unwrap();
        let Ok(system) = assemble(&graph, &AssembleOptions::default()) else {
            continue;
        };
        let g = spike_gradient(&graph, read, &out.d_spikes);
        let adj = adjoint_gradient(&system, &g).unwrap();
        let fp = forward_jacobian(&system, Parallelism::Sequential)
            .unwrap()
            .gradient(&g);
        let base = pattern(&net, &inp);
        for _ in 0..10 {
            let r = rng.random_range(0..2);
            let (rows, cols) = (
                net.projections()[r].pre_size(),
                net.projections()[r].post_size(),
            );
            let (j, i) = (rng.random_range(0..rows), rng.random_range(0..cols));
            let index = if r == 0 {
                j * cols + i
            } else {
                18 + j * cols + i
            };
            let value_at = |d: f64| {
                let mut n = net.clone();
                n.update_weights(r, |w| w[(j, i)] += d).unwrap();
                if pattern(&n, &inp) != base {
                    return None;
                }
                let t = simulate(&n, &inp, &SimOptions::default()).ok()?;
                loss.evaluate(&t.populations[read].spikes, target)
                    .ok()
                    .map(|o| o.value)
            };
            // a difference in the perturbation `d` around 0: the step is `fd_step(0) =
            // cbrt(eps)`, whatever the weight
            let Some(fd) = checked_central_difference(value_at, 0.0) else {
                continue;
            };
            let exact = adj.params[index];
            assert!(
                (exact - fp.params[index]).abs() <= 1e-10 * exact.abs().max(1e-12) + 1e-14,
                "{name}: FP vs adjoint"
            );
            // relative error against max(|exact|, |fd|, 1e-2) (= abs / rel)
            let tol = Tolerance::DEFAULT;
            let err = tol.relative_error(exact, fd);
            assert!(
                err <= tol.rel,
                "{name}: W[{r}][{j}][{i}] exact {exact:e} fd {fd:e}"
            );
            worst = worst.max(err);
            checked += 1;
        }
    }
    println!("{name}: {checked} weights checked, largest relative FD disagreement {worst:e}");
    checked
}

#[test]
fn first_spike_cross_entropy_gradient_matches_finite_differences() {
    let loss = FirstSpikeCrossEntropy::try_new(0.5, 1.0, 0.05, 10.0).unwrap();
    assert!(check("first-spike CE", &loss, &1, 1, 1) > 20);
}

#[test]
fn spike_time_mse_gradient_matches_finite_differences() {
    let loss = SpikeTimeMse::try_new(10.0).unwrap();
    let target = vec![vec![1.0, 2.5], vec![1.5], vec![2.0, 3.0]];
    assert!(check("spike-time MSE", &loss, target.as_slice(), 1, 2) > 20);
}

#[test]
fn readout_losses_gradients_match_finite_differences() {
    // a linear readout of the hidden population (6 -> 2)
    let kernel = ExpKernel::try_new(1.0, 0.9).unwrap();
    let weights: Vec<f64> = (0..12).map(|k| 0.3 * f64::from(k % 5) - 0.5).collect();
    let readout = LinearReadout::try_new(kernel, 6, 2, weights).unwrap();
    let sampled = ReadoutSampledMse::new(readout.clone());
    let targets = vec![
        VoltageTarget {
            time: 2.3,
            output: 0,
            value: 0.5,
        },
        VoltageTarget {
            time: 4.7,
            output: 1,
            value: -0.2,
        },
        VoltageTarget {
            time: 6.1,
            output: 0,
            value: 0.1,
        },
    ];
    assert!(check("readout sampled MSE", &sampled, targets.as_slice(), 0, 3) > 20);
    let integral =
        ReadoutIntegralLoss::try_new(readout, 8.0, Quadrature::GaussLegendre { nodes: 16 })
            .unwrap();
    assert!(check("readout integral", &integral, [0.3, -0.1].as_slice(), 0, 4) > 20);
}
