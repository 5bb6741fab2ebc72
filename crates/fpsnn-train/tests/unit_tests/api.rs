//! The builder, the named fitting options, prediction and the presets.

use fpsnn_datasets::Dataset;
use fpsnn_losses::FirstSpikeCrossEntropy;
use fpsnn_train::{
    Adam, AdamConfig, CrossEntropySpec, DataSpec, EpochRecord, FitOptions, Observer, Setup,
    SetupData, TrainConfig, TrainError, Trainer, TrainerBuilder, flatten_weights,
};

use super::determinism::{setup, small_yin_yang, trainer};

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn the_builder_defaults_the_output_and_trains_as_try_new() {
    let s = setup(4);
    let network = s.network.build(4).unwrap();
    let adam = s.optimizer.build().unwrap();
    let built = Trainer::builder(network.clone(), s.loss().unwrap(), adam.clone())
        .config(s.config)
        .build()
        .unwrap();
    assert_eq!(built.output(), network.populations().len() - 1);
    let mut by_hand = Trainer::try_new(network, 1, s.loss().unwrap(), adam, s.config).unwrap();
    let mut built = built;
    let data = small_yin_yang(40);
    built.fit(&data, FitOptions::new(2)).unwrap();
    by_hand.fit(&data, FitOptions::new(2)).unwrap();
    assert_eq!(
        bits(&flatten_weights(built.network())),
        bits(&flatten_weights(by_hand.network()))
    );
}

#[test]
fn the_builder_refuses_a_bad_output_and_a_loss_with_another_horizon() {
    let s = setup(0);
    let network = s.network.build(0).unwrap(); // t_max 4
    let adam = || AdamConfig::default().build().unwrap();
    let err = Trainer::builder(network.clone(), s.loss().unwrap(), adam())
        .output(2)
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        TrainError::InvalidConfig { name: "output", .. }
    ));
    let two = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, 2.0).unwrap();
    let err = Trainer::builder(network.clone(), two, adam())
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        TrainError::HorizonMismatch {
            loss: 2.0,
            network: 4.0
        }
    );
    // try_new checks the same
    assert!(matches!(
        Trainer::try_new(network.clone(), 1, two, adam(), TrainConfig::default()),
        Err(TrainError::HorizonMismatch { .. })
    ));
    let err = Trainer::builder(network, s.loss().unwrap(), adam())
        .batch_size(0)
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        TrainError::InvalidConfig {
            name: "batch_size",
            ..
        }
    ));
}

#[test]
fn predictions_agree_with_evaluation_and_with_each_other() {
    let data = small_yin_yang(120);
    let mut t = trainer(6);
    t.fit(&data, FitOptions::new(2)).unwrap();
    let predicted = t.predict_batch(&data).unwrap();
    assert_eq!(predicted.len(), data.len());
    let correct = (0..data.len())
        .filter(|&k| predicted[k] == Some(data.sample(k).label))
        .count();
    let accuracy = t.evaluate(&data).unwrap().accuracy;
    assert_eq!(
        (correct as f64 / data.len() as f64).to_bits(),
        accuracy.to_bits()
    );
    for k in [0, 17, 119] {
        assert_eq!(t.predict(&data.sample(k)).unwrap(), predicted[k]);
    }
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| t.predict_batch(&data).unwrap());
    assert_eq!(one_thread, predicted);
}

#[test]
fn predicting_an_input_that_does_not_fit_is_an_error() {
    let t = trainer(0);
    let mut sample = small_yin_yang(1).sample(0);
    sample.input_spikes.pop();
    assert!(matches!(t.predict(&sample), Err(TrainError::Sim(_))));
    sample.input_spikes.push(vec![1.0, 0.5]);
    assert!(matches!(t.predict(&sample), Err(TrainError::Sim(_))));
}

#[derive(Default)]
struct Count {
    batches: usize,
    epochs: Vec<EpochRecord>,
}

impl Observer for Count {
    fn on_batch(&mut self, _done: usize, _total: usize) {
        self.batches += 1;
    }
    fn on_epoch(&mut self, record: &EpochRecord) {
        self.epochs.push(*record);
    }
}

#[test]
fn fit_options_name_the_epochs_the_sets_and_the_observer() {
    let data = small_yin_yang(48);
    let validation = small_yin_yang(10);
    let mut t = trainer(2);
    let mut count = Count::default();
    t.fit(
        &data,
        FitOptions {
            epochs: 3,
            eval_every: 2,
            validation: Some(&validation),
            observer: Some(&mut count),
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert_eq!(count.batches, 3 * 3); // 48 samples in batches of 16
    let evaluated: Vec<bool> = count
        .epochs
        .iter()
        .map(|r| r.validation_accuracy.is_some())
        .collect();
    assert_eq!(evaluated, [false, true, true]); // every 2nd epoch and the last
    assert!(count.epochs.iter().all(|r| r.test_accuracy.is_none()));
    assert_eq!(t.history(), &count.epochs[..]);
    // continuing counts from the epochs done; a target already reached trains nothing
    t.fit(&data, FitOptions::new(3)).unwrap();
    assert_eq!(t.epoch(), 3);
    t.fit(&data, FitOptions::new(4)).unwrap();
    assert_eq!(t.epoch(), 4);
}

#[test]
fn the_yin_yang_preset_is_the_paper_set_up() {
    let s = Setup::yin_yang_paper();
    assert_eq!(s.network.hidden, [150]);
    assert_eq!(s.network.init, [(1.5, 0.8), (2.0, 0.1)]);
    assert_eq!(
        (s.config.batch_size, s.epochs, s.config.seed),
        (150, 300, 0)
    );
    assert_eq!(s.optimizer, AdamConfig::with_lr(5e-4));
    let loss = s.loss().unwrap();
    assert_eq!(
        loss.inner().config().t_max.to_bits(),
        s.network.t_max.to_bits()
    );
    assert_eq!(TrainConfig::default().batch_size, 32);
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Setup>();
    check::<SetupData>();
    check::<DataSpec>();
    check::<CrossEntropySpec>();
    check::<TrainerBuilder<FirstSpikeCrossEntropy, Adam>>();
    check::<Trainer<FirstSpikeCrossEntropy, Adam>>();
    check::<TrainError>();
}
