//! What the trainer needs of a sample's target beyond the loss: whether it is a class label.

use fpsnn_losses::{VoltageTarget, predict_first_spike};

/// A sample's target as the trainer sees it: the owned form of a loss's
/// [`Loss::Target`](fpsnn_losses::Loss::Target) (`usize` for a class label,
/// `Vec<Vec<f64>>` for the spike-time MSE's `[Vec<f64>]`, `Vec<VoltageTarget>` for the
/// sampled readout loss), which the trainer lends to the loss by `Borrow`.
///
/// Accuracy is a classification notion: for targets that are class labels
/// ([`TrainTarget::CLASSIFIES`], only `usize` here) the trainer counts a sample correct when
/// the first-firing output neuron is the label ([`predict_first_spike`], ties to the lowest
/// index, the rule of `Trainer::predict`); for every other target the accuracies it reports
/// are NaN. A target type of your own needs only `impl TrainTarget for MyTarget {}`.
pub trait TrainTarget: Clone + Send + Sync {
    /// Whether the target is a class label, so that accuracy means something.
    const CLASSIFIES: bool = false;

    /// Whether the output population's spike trains `output` answer this target
    /// correctly; `false` for targets that do not classify.
    fn is_correct(&self, output: &[Vec<f64>]) -> bool {
        let _ = output;
        false
    }
}

impl TrainTarget for usize {
    const CLASSIFIES: bool = true;

    fn is_correct(&self, output: &[Vec<f64>]) -> bool {
        predict_first_spike(output) == Some(*self)
    }
}

impl TrainTarget for f64 {}
impl TrainTarget for Vec<f64> {}
impl TrainTarget for Vec<Vec<f64>> {}
impl TrainTarget for Vec<VoltageTarget> {}
