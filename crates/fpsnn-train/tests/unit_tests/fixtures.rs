//! The small Yin-Yang trainer and checkpoint of the bad-input matrix (`docs/robustness.md`).
//! The top-level `tests/robustness.rs` includes this file too (`#[path]`), so the examples'
//! rows resume the very checkpoint whose bytes the API rows damage; it uses only the public
//! API of `fpsnn-train`, `fpsnn-losses` and `fpsnn-datasets`.

use fpsnn_datasets::{LatencyEncoder, SpikeDataset, YinYangSplit, yin_yang};
use fpsnn_losses::FirstSpikeCrossEntropy;
use fpsnn_train::{Adam, FeedForwardSpec, FitOptions, Setup, TrainConfig, Trainer};

/// The paper's Yin-Yang set-up with a 5-3-3 network simulated to t_max 4, Adam 5e-3.
pub(crate) fn small_setup() -> Setup {
    let mut setup = Setup::yin_yang_paper();
    setup.network.hidden = vec![3];
    setup.network.t_max = 4.0;
    setup.optimizer.lr = 5e-3;
    setup
}

/// The loss of [`small_setup`].
pub(crate) fn loss() -> FirstSpikeCrossEntropy {
    *small_setup().loss().unwrap().inner()
}

/// The default training configuration with another batch size.
pub(crate) fn config(batch_size: usize) -> TrainConfig {
    TrainConfig {
        batch_size,
        ..TrainConfig::default()
    }
}

/// A 5-3-3 network for Yin-Yang input (what `yinyang --resume` expects).
pub(crate) fn small_spec() -> FeedForwardSpec {
    small_setup().network
}

/// A trainer of [`small_spec`] (seed 1) with batch size 8.
pub(crate) fn small_trainer() -> Trainer<FirstSpikeCrossEntropy, Adam> {
    let network = small_spec().build(1).unwrap();
    let adam = small_setup().optimizer.build().unwrap();
    Trainer::builder(network, loss(), adam)
        .config(config(8))
        .build()
        .unwrap()
}

/// The first `n` samples of the Yin-Yang training set.
pub(crate) fn first_yin_yang(n: usize) -> SpikeDataset {
    let full = yin_yang(YinYangSplit::Train, &LatencyEncoder::yin_yang()).unwrap();
    full.select(&(0..n).collect::<Vec<_>>()).unwrap()
}

/// A small checkpoint (a 5-3-3 network after one epoch on 16 Yin-Yang samples).
pub(crate) fn small_checkpoint() -> Vec<u8> {
    let mut t = small_trainer();
    t.fit(&first_yin_yang(16), FitOptions::new(1)).unwrap();
    t.checkpoint_bytes().unwrap()
}
