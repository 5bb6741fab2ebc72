//! Data-parallel training across ranks (threads of one process standing in for MPI
//! processes): bit-identical weights for any number of ranks, errors on every rank.

use std::sync::Arc;

use fpsnn_datasets::{Dataset, Sample, SpikeDataset};
use fpsnn_train::distributed::ThreadGroup;
use fpsnn_train::{FitOptions, TrainError, flatten_weights};

use super::determinism::{small_yin_yang, trainer, trainer_with_batch};

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Weights after `epochs` epochs with minibatches of 150 (10 chunks) on `ranks` ranks, and
/// the final evaluation, as every rank sees them.
fn train_on(ranks: usize, data: &SpikeDataset, epochs: usize) -> Vec<(Vec<u64>, u64)> {
    let group = ThreadGroup::new(ranks).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = group
            .into_iter()
            .map(|endpoint| {
                s.spawn(move || {
                    let mut t = trainer_with_batch(5, 150);
                    t.set_collective(Arc::new(endpoint));
                    t.fit(data, FitOptions::new(epochs)).unwrap();
                    let eval = t.evaluate(data).unwrap();
                    (bits(&flatten_weights(t.network())), eval.loss.to_bits())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn one_two_and_three_ranks_give_bit_identical_weights() {
    let data = small_yin_yang(450);
    let reference = {
        let mut t = trainer_with_batch(5, 150);
        t.fit(&data, FitOptions::new(2)).unwrap();
        let eval = t.evaluate(&data).unwrap();
        (bits(&flatten_weights(t.network())), eval.loss.to_bits())
    };
    for ranks in 1..=3 {
        for (rank, result) in train_on(ranks, &data, 2).into_iter().enumerate() {
            assert!(
                result == reference,
                "{ranks} ranks: rank {rank} differs from one process"
            );
        }
    }
}

/// Yin-Yang with one sample missing (its index is out of the set): the chunk that asks for
/// it fails.
#[derive(Debug)]
struct Holey(SpikeDataset, usize);

impl Dataset for Holey {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn num_inputs(&self) -> usize {
        self.0.num_inputs()
    }
    fn num_classes(&self) -> usize {
        self.0.num_classes()
    }
    fn get(&self, i: usize) -> Option<Sample> {
        (i != self.1).then(|| self.0.get(i)).flatten()
    }
}

#[test]
fn a_failing_rank_fails_every_rank() {
    let data = Holey(small_yin_yang(160), 150);
    let group = ThreadGroup::new(3).unwrap();
    let errors: Vec<TrainError> = std::thread::scope(|s| {
        let handles: Vec<_> = group
            .into_iter()
            .map(|endpoint| {
                let data = &data;
                s.spawn(move || {
                    let mut t = trainer(1);
                    t.set_collective(Arc::new(endpoint));
                    // evaluation in index order: sample 150 is in chunk 9 of 10, on rank 2
                    t.evaluate(data).unwrap_err()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(errors[2], TrainError::SampleIndex { index: 150 });
    for e in &errors[..2] {
        assert!(
            matches!(e, TrainError::Distributed { rank: Some(2), message } if message.contains("150")),
            "{e}"
        );
    }
}
