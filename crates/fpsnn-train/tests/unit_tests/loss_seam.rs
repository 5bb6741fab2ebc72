//! The general loss seam: losses with targets other than class labels trained through the
//! trainer (the spike-time MSE to given output times, a linear readout with weights of its
//! own), their gradients through the trainer's gradient path against central differences,
//! bit identity across thread counts, and loss parameters in checkpoints.

use fpsnn_core::NeuronParams;
use fpsnn_datasets::{Sample, SpikeDataset};
use fpsnn_kernels::ExpKernel;
use fpsnn_losses::{LinearReadout, Loss, ReadoutSampledMse, SpikeTimeMse, VoltageTarget};
use fpsnn_train::{
    Adam, AdamConfig, FeedForwardSpec, FitOptions, GradientOptions, LrSchedule, TrainError,
    Trainer, flatten_weights, sample_gradient,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{check_loss_gradient, check_loss_param_gradient};

const NEURON: NeuronParams = NeuronParams {
    alpha: 1.0,
    beta: 0.9,
    theta: 1.0,
};

/// A 3-6-2 network simulated to `t = 8`.
fn mse_spec() -> FeedForwardSpec {
    FeedForwardSpec {
        inputs: 3,
        hidden: vec![6],
        outputs: 2,
        neuron: NEURON,
        init: vec![(1.5, 0.5), (1.2, 0.3)],
        t_max: 8.0,
        max_spikes_per_neuron: 50,
    }
}

/// Four fixed input patterns.
fn patterns() -> Vec<Vec<Vec<f64>>> {
    vec![
        vec![vec![0.0], vec![0.5], vec![1.0]],
        vec![vec![1.0], vec![0.0], vec![0.5]],
        vec![vec![0.5], vec![1.0], vec![0.0]],
        vec![vec![0.2], vec![0.2], vec![0.9]],
    ]
}

fn mse_trainer(network: fpsnn_sim::Network, lr: f64) -> Trainer<SpikeTimeMse, Adam> {
    let loss = SpikeTimeMse::try_new(network.t_max()).unwrap();
    Trainer::builder(network, loss, AdamConfig::with_lr(lr).build().unwrap())
        .batch_size(4)
        .schedule(LrSchedule::Step {
            factor: 0.5,
            every: 400,
        })
        .build()
        .unwrap()
}

/// The patterns with the first output spike times of a teacher network (another seed of
/// the same architecture) as targets, so that the targets are reachable.
fn mse_data() -> SpikeDataset<Vec<Vec<f64>>> {
    let teacher = mse_trainer(mse_spec().build(11).unwrap(), 0.01);
    let samples = patterns()
        .into_iter()
        .map(|input| {
            let out = teacher.output_spikes(&input).unwrap();
            let target: Vec<Vec<f64>> = out.iter().map(|train| vec![train[0]]).collect();
            Sample::with_target(input, target)
        })
        .collect();
    SpikeDataset::try_with_targets(samples, 3).unwrap()
}

/// The largest distance between an output's first spike and its target over the data.
fn worst_error(trainer: &Trainer<SpikeTimeMse, Adam>, data: &SpikeDataset<Vec<Vec<f64>>>) -> f64 {
    let mut worst = 0.0_f64;
    for sample in data.samples() {
        let out = trainer.output_spikes(&sample.input_spikes).unwrap();
        for (train, target) in out.iter().zip(&sample.label) {
            let error = train
                .first()
                .map_or(f64::INFINITY, |f| (f - target[0]).abs());
            worst = worst.max(error);
        }
    }
    worst
}

#[test]
fn spike_time_mse_trains_outputs_to_given_times() {
    let data = mse_data();
    let mut trainer = mse_trainer(mse_spec().build(12).unwrap(), 0.02);
    let before = worst_error(&trainer, &data);
    assert!(before > 0.05, "the targets are already met: {before}");
    let mut epochs = 0;
    while worst_error(&trainer, &data) >= 1e-3 && epochs < 4000 {
        epochs += 100;
        trainer.fit(&data, FitOptions::new(epochs)).unwrap();
    }
    let after = worst_error(&trainer, &data);
    assert!(
        after < 1e-3,
        "after {epochs} epochs the worst spike-time error is {after} (from {before})"
    );
    let stats = trainer.evaluate(&data).unwrap();
    assert!(
        stats.accuracy.is_nan(),
        "no accuracy for spike-time targets"
    );
    assert!(stats.loss < 1e-6, "{}", stats.loss);
}

#[test]
fn spike_time_mse_gradient_through_the_trainer_matches_finite_differences() {
    let data = mse_data();
    let net = mse_spec().build(12).unwrap();
    let loss = SpikeTimeMse::try_new(8.0).unwrap();
    let options = GradientOptions::default();
    let mut checked = 0;
    for sample in data.samples() {
        let grad = sample_gradient(&net, 1, &loss, sample, &options, true)
            .unwrap()
            .gradient
            .unwrap();
        checked += check_loss_gradient(&net, 1, &loss, sample, &options, &grad);
    }
    assert!(checked > 50, "{checked}");
}

/// A 3-8 network (its one population feeds the readout) and a 8-2 readout.
fn readout_parts(seed: u64) -> (fpsnn_sim::Network, ReadoutSampledMse) {
    let spec = FeedForwardSpec {
        inputs: 3,
        hidden: vec![],
        outputs: 8,
        neuron: NEURON,
        init: vec![(2.0, 0.5)],
        t_max: 8.0,
        max_spikes_per_neuron: 50,
    };
    let network = spec.build(seed).unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let weights = (0..16).map(|_| rng.random_range(-0.2..0.2)).collect();
    let kernel = ExpKernel::try_new(NEURON.alpha, NEURON.beta).unwrap();
    let readout = LinearReadout::try_new(kernel, 8, 2, weights).unwrap();
    (network, ReadoutSampledMse::new(readout))
}

/// `n` jittered input patterns; readout 0 should read `+-0.4` at t = 2.5 and readout 1
/// the opposite at t = 3.5, by the pattern's first channel.
fn readout_data(n: usize, seed: u64) -> SpikeDataset<Vec<VoltageTarget>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let samples = (0..n)
        .map(|k| {
            let pattern = &patterns()[k % 4];
            let input: Vec<Vec<f64>> = pattern
                .iter()
                .map(|train| vec![train[0] + rng.random_range(0.0..0.1)])
                .collect();
            let sign = if pattern[0][0] < 0.4 { 1.0 } else { -1.0 };
            let target = vec![
                VoltageTarget {
                    time: 2.5,
                    output: 0,
                    value: 0.4 * sign,
                },
                VoltageTarget {
                    time: 3.5,
                    output: 1,
                    value: -0.4 * sign,
                },
            ];
            Sample::with_target(input, target)
        })
        .collect();
    SpikeDataset::try_with_targets(samples, 3).unwrap()
}

fn readout_adam() -> Adam {
    AdamConfig::with_lr(0.02).build().unwrap()
}

fn readout_trainer(seed: u64, batch: usize) -> Trainer<ReadoutSampledMse, Adam> {
    let (network, loss) = readout_parts(seed);
    Trainer::builder(network, loss, readout_adam())
        .batch_size(batch)
        .build()
        .unwrap()
}

#[test]
fn readout_loss_trains_end_to_end_with_its_own_weights() {
    let data = readout_data(16, 1);
    let mut trainer = readout_trainer(3, 8);
    let readout_before = trainer.loss().params().to_vec();
    let weights_before = flatten_weights(trainer.network());
    let before = trainer.evaluate(&data).unwrap().loss;
    trainer.fit(&data, FitOptions::new(300)).unwrap();
    let after = trainer.evaluate(&data).unwrap().loss;
    assert!(after < 0.25 * before, "loss {before} -> {after}");
    assert_ne!(
        trainer.loss().params(),
        &readout_before[..],
        "readout weights trained"
    );
    assert_ne!(
        flatten_weights(trainer.network()),
        weights_before,
        "network weights trained"
    );
    assert!(trainer.history()[0].train_accuracy.is_nan());
}

#[test]
fn readout_gradient_through_the_trainer_matches_finite_differences() {
    let data = readout_data(4, 2);
    let (net, loss) = readout_parts(5);
    let options = GradientOptions::default();
    let (mut weights, mut params) = (0, 0);
    for sample in data.samples() {
        let grad = sample_gradient(&net, 0, &loss, sample, &options, true)
            .unwrap()
            .gradient
            .unwrap();
        assert_eq!(grad.len(), net.num_weights() + 16);
        weights += check_loss_gradient(&net, 0, &loss, sample, &options, &grad);
        params += check_loss_param_gradient(&net, 0, &loss, sample, &options, &grad);
    }
    assert!(weights > 40, "{weights}");
    assert_eq!(params, 64);
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn one_and_two_threads_train_loss_parameters_bit_identically() {
    // 48 samples in one minibatch: three reduction chunks
    let data = readout_data(48, 4);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut t = readout_trainer(6, 48);
                t.fit(&data, FitOptions::new(3)).unwrap();
                (flatten_weights(t.network()), t.loss().params().to_vec())
            })
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(bits(&one.0), bits(&two.0));
    assert_eq!(bits(&one.1), bits(&two.1));
}

#[test]
fn silent_label_wrapper_trains_bit_identically_on_one_and_two_threads() {
    let data = super::determinism::small_yin_yang(64);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut setup = super::determinism::setup(2);
                setup.loss.silent_label = 1.0;
                setup.optimizer.lr = 0.05; // fast enough to silence some labels
                let mut t = setup.trainer().unwrap();
                t.fit(&data, FitOptions::new(3)).unwrap();
                flatten_weights(t.network())
            })
    };
    assert_eq!(bits(&run(1)), bits(&run(2)));
}

#[test]
fn loss_parameters_survive_a_checkpoint() {
    let data = readout_data(16, 1);
    let mut first = readout_trainer(3, 8);
    first.fit(&data, FitOptions::new(2)).unwrap();
    let bytes = first.checkpoint_bytes().unwrap();
    // a fresh loss (other readout weights) takes the checkpoint's
    let (_, loss) = readout_parts(9);
    let mut resumed =
        Trainer::from_checkpoint_bytes(&bytes, loss, readout_adam(), *first.config()).unwrap();
    assert_eq!(bits(resumed.loss().params()), bits(first.loss().params()));
    first.fit(&data, FitOptions::new(4)).unwrap();
    resumed.fit(&data, FitOptions::new(4)).unwrap();
    assert_eq!(bits(resumed.loss().params()), bits(first.loss().params()));
    assert_eq!(
        bits(&flatten_weights(resumed.network())),
        bits(&flatten_weights(first.network()))
    );
    // a loss with another number of parameters does not fit the checkpoint
    let other = SpikeTimeMse::try_new(8.0).unwrap();
    let err =
        Trainer::from_checkpoint_bytes(&bytes, other, readout_adam(), *first.config()).unwrap_err();
    assert!(
        matches!(&err, TrainError::Checkpoint { reason } if reason.contains("loss parameters")),
        "{err}"
    );
}

#[test]
fn a_shared_loss_with_parameters_is_refused_by_the_builder() {
    let (network, loss) = readout_parts(3);
    let adam = AdamConfig::with_lr(0.01).build().unwrap();
    let err = Trainer::builder(network.clone(), &loss, adam.clone())
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::Loss(fpsnn_losses::LossError::SharedParameters { num_params: 16 })
        ),
        "{err}"
    );
    // a shared loss without parameters is fine
    let mse = SpikeTimeMse::try_new(8.0).unwrap();
    assert!(Trainer::builder(network, &mse, adam).build().is_ok());
}
