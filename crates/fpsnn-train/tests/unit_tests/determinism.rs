use fpsnn_datasets::{LatencyEncoder, SpikeDataset, YinYangSplit, yin_yang};
use fpsnn_train::{Adam, FitOptions, Setup, SetupLoss, Trainer, flatten_weights};

/// The first `n` training samples of Yin-Yang.
pub(crate) fn small_yin_yang(n: usize) -> SpikeDataset {
    let full = yin_yang(YinYangSplit::Train, &LatencyEncoder::yin_yang()).unwrap();
    full.select(&(0..n).collect::<Vec<_>>()).unwrap()
}

/// The paper's Yin-Yang set-up made small enough for a test: 30 hidden neurons, batch 16,
/// learning rate 5e-3, horizon 4; weights and shuffling from `seed`.
pub(crate) fn setup(seed: u64) -> Setup {
    let mut setup = Setup::yin_yang_paper().with_seed(seed);
    setup.network.hidden = vec![30];
    setup.network.t_max = 4.0;
    setup.optimizer.lr = 5e-3;
    setup.config.batch_size = 16;
    setup
}

pub(crate) fn trainer(seed: u64) -> Trainer<SetupLoss, Adam> {
    setup(seed).trainer().unwrap()
}

/// [`trainer`] with minibatches of `batch_size`.
pub(crate) fn trainer_with_batch(seed: u64, batch_size: usize) -> Trainer<SetupLoss, Adam> {
    let mut setup = setup(seed);
    setup.config.batch_size = batch_size;
    setup.trainer().unwrap()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn one_and_two_threads_give_bit_identical_weights() {
    let data = small_yin_yang(200);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut t = trainer(3);
                t.fit(&data, FitOptions::new(3)).unwrap();
                flatten_weights(t.network())
            })
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(bits(&one), bits(&two));
    assert_ne!(
        bits(&one),
        bits(&flatten_weights(trainer(3).network())),
        "training changed nothing"
    );
}

#[test]
fn training_lowers_the_loss() {
    let data = small_yin_yang(300);
    let mut t = trainer(1);
    let before = t.evaluate(&data).unwrap().loss;
    t.fit(&data, FitOptions::new(5)).unwrap();
    let after = t.evaluate(&data).unwrap().loss;
    assert!(after < before, "loss {before} -> {after}");
}

#[test]
fn resumed_run_is_bit_identical_to_an_uninterrupted_one() {
    let data = small_yin_yang(150);
    let mut straight = trainer(9);
    straight.fit(&data, FitOptions::new(4)).unwrap();

    let mut first = trainer(9);
    first.fit(&data, FitOptions::new(2)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ckpt.bin");
    first.save(&path).unwrap();
    drop(first);
    let mut resumed = setup(0).resume(&path).unwrap();
    assert_eq!(resumed.epoch(), 2);
    resumed.fit(&data, FitOptions::new(4)).unwrap();
    assert_eq!(
        bits(&flatten_weights(resumed.network())),
        bits(&flatten_weights(straight.network()))
    );
    assert_eq!(resumed.optimizer_state(), straight.optimizer_state());
    assert_eq!(resumed.history().len(), 4);
}

#[test]
fn weight_average_is_the_mean_of_the_chosen_epochs_and_survives_a_resume() {
    let data = small_yin_yang(60);
    // the weights at the end of epochs 2, 3 and 4, by hand
    let mut plain = trainer(5);
    let mut by_hand = vec![0.0; plain.network().num_weights()];
    for epoch in 1..=4 {
        plain.fit(&data, FitOptions::new(epoch)).unwrap();
        if epoch >= 2 {
            for (s, w) in by_hand.iter_mut().zip(flatten_weights(plain.network())) {
                *s += w;
            }
        }
    }
    let by_hand: Vec<f64> = by_hand.iter().map(|s| s / 3.0).collect();

    let mut straight = trainer(5);
    straight.average_weights_from(2).unwrap();
    assert_eq!(
        straight.apply_weight_average().unwrap(),
        0,
        "nothing averaged yet"
    );
    straight.fit(&data, FitOptions::new(4)).unwrap();
    // averaging does not change the training itself
    assert_eq!(
        bits(&flatten_weights(straight.network())),
        bits(&flatten_weights(plain.network()))
    );
    let average = straight.weight_average().unwrap();
    assert_eq!((average.from_epoch(), average.count()), (2, 3));
    assert_eq!(bits(&average.mean().unwrap()), bits(&by_hand));

    // interrupted after epoch 3, resumed, asked for the same average: it is kept
    let mut first = trainer(5);
    first.average_weights_from(2).unwrap();
    first.fit(&data, FitOptions::new(3)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ckpt.bin");
    first.save(&path).unwrap();
    let mut resumed = setup(0).resume(&path).unwrap();
    assert_eq!(resumed.weight_average().unwrap().count(), 2);
    resumed.average_weights_from(2).unwrap();
    assert!(
        resumed.average_weights_from(3).is_err(),
        "epoch 3's weights are gone"
    );
    resumed.fit(&data, FitOptions::new(4)).unwrap();
    assert_eq!(resumed.weight_average(), straight.weight_average());

    assert_eq!(straight.apply_weight_average().unwrap(), 3);
    assert_eq!(bits(&flatten_weights(straight.network())), bits(&by_hand));

    // dropped: nothing left to apply
    let last = flatten_weights(resumed.network());
    assert_eq!(resumed.clear_weight_average().unwrap().count(), 3);
    assert_eq!(resumed.apply_weight_average().unwrap(), 0);
    assert_eq!(bits(&flatten_weights(resumed.network())), bits(&last));
}

#[test]
fn averaging_from_epoch_zero_is_an_error() {
    let mut t = trainer(1);
    assert!(matches!(
        t.average_weights_from(0),
        Err(fpsnn_train::TrainError::InvalidConfig { .. })
    ));
    assert!(t.weight_average().is_none());
}
