//! Training with another kernel than the default: XOR with non-leaky neurons
//! (`NonLeakyKernel`, closed-form spike times).

use fpsnn_core::NeuronParams;
use fpsnn_datasets::{Dataset, xor};
use fpsnn_kernels::{NeuronKernel, NonLeakyKernel};
use fpsnn_losses::{FirstSpikeCrossEntropy, predict_first_spike};
use fpsnn_sim::{InputSpikes, Network, SimOptions, simulate};
use fpsnn_testkit::with_kernel;
use fpsnn_train::{AdamConfig, FeedForwardSpec, Silent, TrainConfig, Trainer};

fn all_correct(network: &Network, data: &dyn Dataset) -> bool {
    (0..data.len()).all(|i| {
        let sample = data.sample(i);
        let input = InputSpikes::try_new(sample.input_spikes).unwrap();
        let options = SimOptions::default().with_first_spike_only(1);
        let trace = simulate(network, &input, &options).unwrap();
        predict_first_spike(&trace.populations[1].spikes) == Some(sample.label)
    })
}

#[test]
fn xor_trains_with_non_leaky_neurons() {
    let data = xor();
    let t_max = 8.0;
    let kernel = NeuronKernel::from(NonLeakyKernel::try_new(1.0).unwrap());
    let mut converged = Vec::new();
    for seed in 0..10 {
        let spec = FeedForwardSpec {
            inputs: 2,
            hidden: vec![4],
            outputs: 2,
            neuron: NeuronParams::try_new(1.0, 1.0, 1.0).unwrap(),
            init: vec![(1.5, 1.0), (1.0, 0.3)],
            t_max,
            max_spikes_per_neuron: 100,
        };
        let network = with_kernel(spec.build(seed).unwrap(), &kernel);
        let loss = FirstSpikeCrossEntropy::try_new(0.05, 2.0, 0.02, t_max).unwrap();
        let config = TrainConfig {
            batch_size: 4,
            seed,
            schedule: Default::default(),
            gradient: Default::default(),
        };
        let optimizer = AdamConfig::with_lr(0.1).build().unwrap();
        let mut trainer = Trainer::try_new(network, 1, loss, optimizer, config).unwrap();
        let steps = (0..=300).find(|_| {
            let done = all_correct(trainer.network(), &data);
            if !done {
                trainer.train_epoch(&data, &mut Silent).unwrap();
            }
            done
        });
        converged.push(steps);
    }
    println!("steps to convergence per seed: {converged:?}");
    let count = converged.iter().filter(|s| s.is_some()).count();
    assert!(
        count >= 8,
        "only {count} of 10 initialisations learnt XOR: {converged:?}"
    );
}
