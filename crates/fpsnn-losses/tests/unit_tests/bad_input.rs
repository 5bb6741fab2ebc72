//! The losses' rows of the bad-input matrix (`docs/robustness.md`): bad parameters and
//! labels out of range are typed errors naming the problem.

use fpsnn_losses::{FirstSpikeCrossEntropy, Loss, LossError};
use fpsnn_testkit::Matrix;

#[test]
fn bad_input_matrix() {
    let mut m = Matrix::default();
    for (case, (tau0, tau1, gamma, t_max)) in [
        ("t_max = 0", (0.2, 1.0, 0.0, 0.0)),
        ("t_max < 0", (0.2, 1.0, 0.0, -4.0)),
        ("t_max NaN", (0.2, 1.0, 0.0, f64::NAN)),
        ("t_max inf", (0.2, 1.0, 0.0, f64::INFINITY)),
        ("tau0 = 0", (0.0, 1.0, 0.0, 4.0)),
        ("tau1 NaN", (0.2, f64::NAN, 0.0, 4.0)),
        ("gamma inf", (0.2, 1.0, f64::INFINITY, 4.0)),
    ] {
        m.api(
            "bad loss parameters",
            case,
            FirstSpikeCrossEntropy::try_new(tau0, tau1, gamma, t_max),
            |e| matches!(e, LossError::InvalidParameter { .. }),
            "invalid",
        );
    }
    // the loss of the paper's Yin-Yang set-up at t_max 4 (`Setup::yin_yang_paper`)
    let loss = FirstSpikeCrossEntropy::try_new(0.2, 1.0, 0.005, 4.0).unwrap();
    m.api(
        "labels out of range",
        "loss evaluate",
        loss.evaluate(&[vec![1.0], vec![2.0], vec![]], &3),
        |e| matches!(e, LossError::LabelOutOfRange { .. }),
        "label 3",
    );
    m.finish("fpsnn-losses");
}
