"""Training through the presets: XOR to convergence, checkpoints, numpy datasets."""

import numpy as np
import pytest

import fpsnn


def test_xor_tuned_converges():
    setup = fpsnn.Setup("xor_tuned")
    data = setup.load_data()
    trainer = setup.trainer()
    steps = None
    for _ in range(100):
        trainer.fit(data["train"], epochs=trainer.epoch + 1, progress=False)
        if (trainer.predict_batch(data["train"]) == data["train"].labels).all():
            steps = trainer.epoch
            break
    assert steps is not None, "XOR did not converge in 100 full-batch steps"
    assert trainer.evaluate(data["test"])["accuracy"] == 1.0
    for sample, label in zip(data["test"].inputs, data["test"].labels):
        assert trainer.predict(sample) == label


def test_fit_is_the_library_fit_and_reports_every_epoch():
    setup = fpsnn.Setup("xor_paper")
    setup.epochs = 12
    setup.eval_every = 5
    data = setup.load_data()
    seen = []
    trainer = setup.trainer()
    records = trainer.fit(data["train"], test=data["test"], callback=seen.append, progress=False)
    assert [r["epoch"] for r in records] == list(range(1, 13)) == [r["epoch"] for r in seen]
    assert [r["test_accuracy"] is not None for r in records] == [e in (5, 10, 12) for e in range(1, 13)]
    assert len(trainer.history) == 12
    # one call or several: the same weights, bit for bit
    other = setup.trainer()
    other.fit(data["train"], epochs=7, progress=False)
    other.fit(data["train"], progress=False)
    assert fpsnn.weights_fingerprint(other.network) == fpsnn.weights_fingerprint(trainer.network)


def test_checkpoint_resume_is_bit_identical(tmp_path):
    setup = fpsnn.Setup("xor_paper")
    data = setup.load_data()
    straight = setup.trainer()
    straight.fit(data["train"], epochs=20, progress=False)
    first = setup.trainer()
    first.fit(data["train"], epochs=10, progress=False)
    first.save(tmp_path / "x.ckpt")
    resumed = setup.resume(tmp_path / "x.ckpt")
    assert resumed.epoch == 10
    resumed.fit(data["train"], epochs=20, progress=False)
    assert fpsnn.weights_fingerprint(resumed.network) == fpsnn.weights_fingerprint(straight.network)
    assert np.array_equal(resumed.network.flat_weights(), straight.network.flat_weights())


def test_a_callback_error_stops_training():
    setup = fpsnn.Setup("xor_paper")
    data = setup.load_data()
    trainer = setup.trainer()

    def stop(record):
        if record["epoch"] == 3:
            raise KeyError("stop")

    with pytest.raises(KeyError):
        trainer.fit(data["train"], epochs=10, callback=stop, progress=False)
    assert trainer.epoch == 3


def test_datasets_from_numpy_and_lists():
    times = np.array([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0]])
    labels = np.array([0, 1, 1, 0])
    from_array = fpsnn.Dataset(times, labels)
    from_lists = fpsnn.Dataset([[[a], [b]] for a, b in times.tolist()], labels.tolist())
    assert from_array.inputs == from_lists.inputs
    assert (len(from_array), from_array.num_inputs, from_array.num_classes) == (4, 2, 2)
    with_gap = fpsnn.Dataset(np.array([[0.5, np.nan]]), [0], num_classes=2)
    assert with_gap.inputs == [[[0.5], []]]
    setup = fpsnn.Setup("xor_tuned")
    setup.epochs = 5
    trainer = setup.trainer()
    trainer.fit(from_array, progress=False)
    assert trainer.predict_batch(from_array).shape == (4,)


def test_setup_fields_read_and_write():
    setup = fpsnn.Setup("yin_yang_paper")
    assert (setup.inputs, setup.hidden, setup.outputs) == (5, [150], 3)
    assert (setup.alpha, setup.beta, setup.theta) == (0.999, 1.0, 1.0)
    assert (setup.learning_rate, setup.batch_size, setup.epochs, setup.seed) == (5e-4, 150, 300, 0)
    setup.hidden = [20]
    setup.seed = 3
    trainer = setup.trainer()
    assert trainer.network.populations[0]["size"] == 20
    assert "yin_yang_paper" in fpsnn.Setup.presets()


def test_weights_from_any_numeric_sequence(xor_net):
    w = xor_net.flat_weights()
    for values in (w.tolist(), w.astype(np.float32).astype(np.float64), np.round(w).astype(np.int64)):
        net = xor_net.with_flat_weights(values)
        assert np.array_equal(net.flat_weights(), np.asarray(values, dtype=np.float64))
