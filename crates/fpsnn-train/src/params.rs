//! Network construction, seeded initialisation and the flat parameter vector.

use fpsnn_core::{NeuronParams, Time};
use fpsnn_sim::{Network, PopulationSpec, ProjectionSpec, Source};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};

use crate::TrainError;

/// A layered feed-forward architecture `inputs - hidden... - outputs` with normal
/// initialisation per layer.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedForwardSpec {
    /// Input channels.
    pub inputs: usize,
    /// Hidden layer sizes (populations `hidden0`, `hidden1`, ...).
    pub hidden: Vec<usize>,
    /// Output neurons (population `output`).
    pub outputs: usize,
    /// Neuron parameters of every layer.
    pub neuron: NeuronParams,
    /// `(mean, sd)` of the initial weights into each layer (hidden layers, then output).
    pub init: Vec<(f64, f64)>,
    /// Simulation horizon.
    pub t_max: Time,
    /// Per-neuron spike cap.
    pub max_spikes_per_neuron: usize,
}

impl FeedForwardSpec {
    /// `784 - hidden - 10` for latency-coded 28x28 images (about 390 input spikes in
    /// `[0, 2)`, as `fpsnn_datasets::image_like` makes them): the Yin-Yang neuron
    /// (alpha 0.999, beta 1, theta 1), hidden weights N(0.025, 0.05) (enough for a hidden
    /// neuron to fire once or twice), output weights N(0.04, 0.03), `t_max` 4, spike cap
    /// 1000. The network of the throughput benchmarks (`docs/benchmarks.md`).
    #[must_use]
    pub fn latency_images(hidden: usize) -> Self {
        Self {
            inputs: 784,
            hidden: vec![hidden],
            outputs: 10,
            neuron: NeuronParams {
                alpha: 0.999,
                beta: 1.0,
                theta: 1.0,
            },
            init: vec![(0.025, 0.05), (0.04, 0.03)],
            t_max: 4.0,
            max_spikes_per_neuron: 1000,
        }
    }

    /// Builds the network with weights drawn from `StdRng::seed_from_u64(seed)`, layer by
    /// layer, each matrix row-major.
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] if `init` does not have one entry per layer or a
    /// standard deviation is negative; otherwise as [`Network::try_new`].
    pub fn build(&self, seed: u64) -> Result<Network, TrainError> {
        let layers: Vec<usize> = self.hidden.iter().copied().chain([self.outputs]).collect();
        if self.init.len() != layers.len() {
            return Err(TrainError::InvalidConfig {
                name: "init",
                value: self.init.len() as f64,
                requirement: "one (mean, sd) per layer",
            });
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut populations = Vec::with_capacity(layers.len());
        let mut projections = Vec::with_capacity(layers.len());
        let mut pre = self.inputs;
        for (l, &size) in layers.iter().enumerate() {
            let name = if l + 1 == layers.len() {
                "output".to_owned()
            } else {
                format!("hidden{l}")
            };
            populations.push(PopulationSpec {
                name,
                size,
                params: self.neuron,
            });
            let (mean, sd) = self.init[l];
            if !(mean.is_finite() && sd.is_finite() && sd >= 0.0) {
                return Err(TrainError::InvalidConfig {
                    name: "init (mean, sd)",
                    value: sd,
                    requirement: "finite mean and finite sd >= 0",
                });
            }
            let normal = Normal::new(mean, sd).map_err(|_| TrainError::InvalidConfig {
                name: "init sd",
                value: sd,
                requirement: "finite and >= 0",
            })?;
            // row-major draw order, so the weights do not depend on nalgebra's storage
            let mut values = Vec::with_capacity(pre * size);
            for _ in 0..pre * size {
                values.push(normal.sample(&mut rng));
            }
            projections.push(ProjectionSpec {
                from: if l == 0 {
                    Source::Input
                } else {
                    Source::Population(l - 1)
                },
                to: l,
                weights: DMatrix::from_row_slice(pre, size, &values).into(),
                delay: 0.0,
            });
            pre = size;
        }
        Ok(Network::try_new(
            self.inputs,
            populations,
            projections,
            self.t_max,
            self.max_spikes_per_neuron,
        )?)
    }
}

/// The weights of every projection, flattened in file order, each dense matrix row-major
/// `[pre][post]`, each synapse list in its order (the layout of `fpsnn_causal::ParamLayout`).
#[must_use]
pub fn flatten_weights(network: &Network) -> Vec<f64> {
    let mut out = Vec::with_capacity(network.num_weights());
    for proj in network.projections() {
        out.extend(proj.flat_weights());
    }
    out
}

/// Writes a flat weight vector (as [`flatten_weights`]) back into the network.
///
/// # Errors
/// [`TrainError::ParamCount`] for a wrong length, [`TrainError::Sim`] for a non-finite
/// weight; the network keeps its previous weights for the projections not yet written.
pub fn set_weights(network: &mut Network, params: &[f64]) -> Result<(), TrainError> {
    if params.len() != network.num_weights() {
        return Err(TrainError::ParamCount {
            expected: network.num_weights(),
            got: params.len(),
        });
    }
    let mut offset = 0;
    for r in 0..network.projections().len() {
        let n = network.projections()[r].num_weights();
        network.set_flat_weights(r, &params[offset..offset + n])?;
        offset += n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> FeedForwardSpec {
        FeedForwardSpec {
            inputs: 3,
            hidden: vec![4],
            outputs: 2,
            neuron: NeuronParams::try_new(1.0, 0.9, 1.0).unwrap(),
            init: vec![(1.0, 0.5), (2.0, 0.1)],
            t_max: 5.0,
            max_spikes_per_neuron: 100,
        }
    }

    #[test]
    fn same_seed_same_weights_and_round_trip() {
        let a = spec().build(3).unwrap();
        let b = spec().build(3).unwrap();
        let c = spec().build(4).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let flat = flatten_weights(&a);
        assert_eq!(flat.len(), 3 * 4 + 4 * 2);
        // row-major: entry (1, 2) of the first projection is flat[1 * 4 + 2]
        assert_eq!(flat[6].to_bits(), a.projections()[0].weight(1, 2).to_bits());
        let mut d = c.clone();
        set_weights(&mut d, &flat).unwrap();
        assert_eq!(flatten_weights(&d), flat);
    }

    #[test]
    fn bad_init_is_an_error() {
        let mut s = spec();
        s.init.pop();
        assert!(s.build(0).is_err());
        let mut s = spec();
        s.init[0].1 = -1.0;
        assert!(s.build(0).is_err());
    }
}
