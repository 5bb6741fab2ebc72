//! Structure of the assembled system and the grazing case.

use fpsnn_causal::{
    AdjointWorkspace, AssembleOptions, CausalError, CausalGraph, ParamLayout, Parent,
    adjoint_accumulate, assemble,
};
use fpsnn_core::SpikeId;
use fpsnn_sim::{InputSpikes, Network, SimOptions, simulate};

#[test]
fn jacobian_matrix_is_lower_triangular_with_positive_diagonal() {
    let mut checked = 0;
    for (net, input, trace) in super::recurrent_cases(5) {
        let graph = CausalGraph::try_new(&net, &input, &trace).unwrap();
        let Ok(system) = assemble(&graph, &AssembleOptions::default()) else {
            continue;
        };
        let dense = system.matrix.to_dense();
        assert!(graph.times().windows(2).all(|w| w[0] <= w[1]), "time order");
        for k in 0..graph.len() {
            assert!(dense[(k, k)] > 0.0, "D_k > 0");
            for q in k + 1..graph.len() {
                assert!(
                    dense[(k, q)].abs() < f64::MIN_POSITIVE,
                    "upper entry ({k},{q})"
                );
            }
            // the stored entries of row k are exactly the network parents of spike k
            let mut parents: Vec<usize> = graph
                .parents(SpikeId(k as u32))
                .filter_map(|p| match p {
                    Parent::Own { spike } | Parent::Presynaptic { spike, .. } => {
                        Some(spike.index())
                    }
                    Parent::Input { .. } => None,
                })
                .collect();
            parents.sort_unstable();
            parents.dedup();
            let stored: Vec<usize> = (0..k)
                .filter(|&q| system.matrix.column(q).0.contains(&k))
                .collect();
            assert_eq!(parents, stored, "row {k}");
        }
        checked += graph.len();
    }
    assert!(checked > 50);
}

/// A single input whose PSP maximum exceeds the threshold by a few ulps: the simulator emits
/// a spike with a vanishing slope, and the assembly reports it instead of dividing by it.
#[test]
fn grazing_crossing_is_a_typed_error() {
    // alpha = 2, beta = 1: V = w (e^{-s} - e^{-2s}) peaks at w/4, so w = 4 theta (1 + k eps).
    let mut found = false;
    for k in 1..64 {
        let w = 4.0 * (1.0 + f64::from(k) * f64::EPSILON);
        let net = Network::from_json(&format!(
            r#"{{"neuron": {{"alpha": 2.0, "beta": 1.0, "theta": 1.0}}, "inputs": 1,
            "populations": [{{"name": "n", "size": 1}}],
            "projections": [{{"from": "input", "to": "n", "weights": [[{w:e}]]}}], "t_max": 10.0}}"#
        ))
        .unwrap();
        let input = InputSpikes::try_new(vec![vec![0.0]]).unwrap();
        let trace = simulate(&net, &input, &SimOptions::default()).unwrap();
        if trace.populations[0].spikes[0].is_empty() {
            continue; // still inside the tangency band: no spike, nothing to differentiate
        }
        let graph = CausalGraph::try_new(&net, &input, &trace).unwrap();
        let err = assemble(&graph, &AssembleOptions::default()).unwrap_err();
        let CausalError::Grazing { slope, .. } = err else {
            panic!("{err}")
        };
        assert!(slope.is_finite() && slope < 1e-6, "{slope:e}");
        // the fused adjoint reports the same spike and adds nothing
        let mut acc = vec![0.0; ParamLayout::new(&net).len()];
        let fused = adjoint_accumulate(
            &graph,
            &[1.0],
            &AssembleOptions::default(),
            &mut AdjointWorkspace::default(),
            &mut acc,
            None,
        );
        assert!(
            matches!(fused, Err(CausalError::Grazing { .. })),
            "{fused:?}"
        );
        assert!(acc.iter().all(|&g| g.abs() < f64::MIN_POSITIVE));
        found = true;
        break;
    }
    assert!(found, "no near-tangent spike was emitted");
}
