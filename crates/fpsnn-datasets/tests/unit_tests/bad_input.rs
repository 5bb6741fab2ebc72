//! The datasets' rows of the bad-input matrix (`docs/robustness.md`): labels out of range,
//! empty datasets, bad samples and encoder parameters are typed errors naming the problem.

use fpsnn_datasets::{DatasetError, LatencyEncoder, Sample, SpikeDataset};
use fpsnn_testkit::Matrix;

#[test]
fn bad_input_matrix() {
    let mut m = Matrix::default();
    m.api(
        "labels out of range",
        "SpikeDataset",
        SpikeDataset::try_new(vec![Sample::new(vec![vec![0.0]; 5], 3)], 5, 3),
        |e| matches!(e, DatasetError::LabelOutOfRange { label: 3, .. }),
        "label 3",
    );
    m.api(
        "empty datasets",
        "SpikeDataset",
        SpikeDataset::try_new(vec![], 5, 3),
        |e| matches!(e, DatasetError::Empty),
        "no sample",
    );
    m.api(
        "bad samples",
        "channel count",
        SpikeDataset::try_new(vec![Sample::new(vec![vec![0.0]; 4], 0)], 5, 3),
        |e| matches!(e, DatasetError::ChannelCountMismatch { .. }),
        "channels",
    );
    m.api(
        "bad samples",
        "NaN spike in a sample",
        SpikeDataset::try_new(
            vec![Sample::new(
                vec![vec![0.0], vec![f64::NAN], vec![], vec![], vec![]],
                0,
            )],
            5,
            3,
        ),
        |e| matches!(e, DatasetError::InvalidSpikeTrain { channel: 1, .. }),
        "channel 1",
    );
    m.api(
        "bad encoder parameters",
        "latency window reversed",
        LatencyEncoder::try_new(2.0, 1.0),
        |e| matches!(e, DatasetError::InvalidParameter { .. }),
        "invalid",
    );
    m.finish("fpsnn-datasets");
}
