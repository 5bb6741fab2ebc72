"""Every bad input raises a typed exception with the Rust message, never a Rust panic
(pyo3's PanicException derives from BaseException, so it would escape these checks)."""

import math

import numpy as np
import pytest

import fpsnn
from fpsnn import (
    CheckpointError,
    FileError,
    GradientError,
    InvalidConfigError,
    InvalidInputError,
    InvalidNetworkError,
    SimulationError,
)

NET = {
    "neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0},
    "inputs": 2,
    "populations": [{"name": "out", "size": 2}],
    "projections": [{"from": "input", "to": "out", "weights": [[3.0, 1.0], [2.0, 1.0]]}],
    "t_max": 10.0,
}


def net_with(**changes):
    d = {**NET, **changes}
    return d


def grazing_network():
    # alpha = beta = 1, one input at 0: V(t) = W t e^{-t} peaks at W / e, a hair (2e-15)
    # above theta: the spike exists, its slope is below the grazing tolerance
    return fpsnn.Network.from_dict(
        {
            "neuron": {"alpha": 1.0, "beta": 1.0, "theta": 1.0},
            "inputs": 1,
            "populations": [{"name": "out", "size": 1}],
            "projections": [{"from": "input", "to": "out", "weights": [[math.e * (1 + 2e-15)]]}],
            "t_max": 10.0,
        }
    )


N = fpsnn.Network.from_dict(NET)
GOOD = [[0.0], [0.5]]

CASES = {
    # networks
    "json syntax": (lambda: fpsnn.Network.from_json("{not json"), InvalidNetworkError),
    "json unknown field": (lambda: fpsnn.Network.from_json('{"bogus": 1}'), InvalidNetworkError),
    "dict wrong shape": (
        lambda: fpsnn.Network.from_dict(
            net_with(projections=[{"from": "input", "to": "out", "weights": [[1.0, 2.0, 3.0]]}])
        ),
        InvalidNetworkError,
    ),
    "dict nan weight": (
        lambda: fpsnn.Network.from_dict(
            net_with(projections=[{"from": "input", "to": "out", "weights": np.full((2, 2), np.nan)}])
        ),
        InvalidNetworkError,
    ),
    "dict unknown population": (
        lambda: fpsnn.Network.from_dict(
            net_with(projections=[{"from": "input", "to": "nobody", "weights": [[1.0, 1.0], [1.0, 1.0]]}])
        ),
        InvalidNetworkError,
    ),
    "dict negative alpha": (
        lambda: fpsnn.Network.from_dict(net_with(neuron={"alpha": -1.0, "beta": 0.9, "theta": 1.0})),
        InvalidNetworkError,
    ),
    "dict zero t_max": (lambda: fpsnn.Network.from_dict(net_with(t_max=0.0)), InvalidNetworkError),
    "dict not a dict": (lambda: fpsnn.Network.from_dict([1, 2]), TypeError),
    "dict with an object": (lambda: fpsnn.Network.from_dict(net_with(t_max=object())), TypeError),
    "file missing": (lambda: fpsnn.Network.from_file("/nonexistent/net.json"), FileError),
    "from_weights 3-d": (lambda: fpsnn.Network.from_weights([np.ones((2, 2, 2))], 1.0, 0.9, 1.0, 5.0), InvalidNetworkError),
    "from_weights names": (
        lambda: fpsnn.Network.from_weights([np.ones((2, 2))], 1.0, 0.9, 1.0, 5.0, names=["a", "b"]),
        InvalidNetworkError,
    ),
    "from_weights not a list": (lambda: fpsnn.Network.from_weights(np.ones((2, 2)), 1.0, 0.9, 1.0, 5.0), TypeError),
    "from_weights text": (lambda: fpsnn.Network.from_weights([[["a"]]], 1.0, 0.9, 1.0, 5.0), TypeError),
    "weights index": (lambda: N.weights(5), InvalidInputError),
    "weights negative index": (lambda: N.weights(-1), InvalidInputError),
    "weights index type": (lambda: N.weights("a"), TypeError),
    "flat weights length": (lambda: N.with_flat_weights(np.zeros(3)), InvalidInputError),
    "flat weights nan": (lambda: N.with_flat_weights(np.full(4, np.nan)), InvalidNetworkError),
    "flat weights 2-d": (lambda: N.with_flat_weights(np.zeros((2, 2))), TypeError),
    "flat weights text": (lambda: N.with_flat_weights(["a", "b", "c", "d"]), TypeError),
    "no population": (
        lambda: fpsnn.first_spike_times(
            fpsnn.Network.from_dict(net_with(populations=[], projections=[])), [GOOD]
        ),
        InvalidInputError,
    ),
    "matrix shape": (lambda: N.with_weights(0, np.zeros((3, 2))), InvalidNetworkError),
    # input spikes
    "channels": (lambda: fpsnn.simulate(N, [[0.0]]), InvalidInputError),
    "unsorted": (lambda: fpsnn.simulate(N, [[1.0, 0.5], []]), InvalidInputError),
    "negative time": (lambda: fpsnn.simulate(N, [[-1.0], []]), InvalidInputError),
    "nan time": (lambda: fpsnn.simulate(N, [[float("nan")], []]), InvalidInputError),
    "infinite time": (lambda: fpsnn.simulate(N, [[float("inf")], []]), InvalidInputError),
    "input string": (lambda: fpsnn.simulate(N, "0.0 0.5"), TypeError),
    "input none": (lambda: fpsnn.simulate(N, None), TypeError),
    "input flat": (lambda: fpsnn.simulate(N, [0.0, 0.5]), TypeError),
    "network type": (lambda: fpsnn.simulate(NET, GOOD), TypeError),
    "spike cap": (
        lambda: fpsnn.simulate(
            fpsnn.Network.from_dict(net_with(max_spikes_per_neuron=1)), [[0.0, 0.1, 0.2, 0.3], [0.0, 0.1]]
        ),
        SimulationError,
    ),
    # lists of samples
    "batch not a list": (lambda: fpsnn.jacobian(N, 3), TypeError),
    "batch string": (lambda: fpsnn.simulate_batch(N, "abc"), TypeError),
    "batch bad sample": (lambda: fpsnn.jacobian(N, [GOOD, [[0.0]]]), InvalidInputError),
    "labels count": (lambda: fpsnn.loss_gradient(N, [GOOD], [0, 1]), InvalidInputError),
    "label range": (lambda: fpsnn.loss_gradient(N, [GOOD], [2]), InvalidInputError),
    "label negative": (lambda: fpsnn.loss_gradient(N, [GOOD], [-1]), InvalidInputError),
    "label type": (lambda: fpsnn.loss_gradient(N, [GOOD], ["a"]), TypeError),
    "tau0 zero": (lambda: fpsnn.loss_gradient(N, [GOOD], [0], tau0=0.0), InvalidConfigError),
    "gamma nan": (lambda: fpsnn.loss_gradient(N, [GOOD], [0], gamma=float("nan")), InvalidConfigError),
    "population name": (lambda: fpsnn.loss_gradient(N, [GOOD], [0], population="nobody"), InvalidInputError),
    "population index": (lambda: fpsnn.first_spike_times(N, [GOOD], population=3), InvalidInputError),
    "population type": (lambda: fpsnn.first_spike_times(N, [GOOD], population=1.5), TypeError),
    "cotangent shape": (lambda: fpsnn.first_spike_vjp(N, [GOOD], np.zeros((2, 2))), InvalidInputError),
    "cotangent 1-d": (lambda: fpsnn.first_spike_vjp(N, [GOOD], np.zeros(2)), TypeError),
    "cotangent nan": (lambda: fpsnn.first_spike_vjp(N, [GOOD], np.full((1, 2), np.nan)), InvalidInputError),
    "grazing": (lambda: fpsnn.jacobian(grazing_network(), [[[0.0]]]), GradientError),
    # set-ups
    "preset unknown": (lambda: fpsnn.Setup("nope"), InvalidConfigError),
    "preset type": (lambda: fpsnn.Setup(3), TypeError),
    "epochs negative": (lambda: setattr(fpsnn.Setup("xor_paper"), "epochs", -1), InvalidConfigError),
    "epochs type": (lambda: setattr(fpsnn.Setup("xor_paper"), "epochs", "many"), TypeError),
    "learning rate nan": (lambda: setattr(fpsnn.Setup("xor_paper"), "learning_rate", float("nan")), InvalidConfigError),
    "batch size zero": (lambda: _setup(batch_size=0).trainer(), InvalidConfigError),
    "learning rate negative": (lambda: _setup(learning_rate=-1.0).trainer(), InvalidConfigError),
    "tau0 negative": (lambda: _setup(tau0=-1.0).trainer(), InvalidConfigError),
    "empty hidden layer": (lambda: _setup(hidden=[0]).trainer(), InvalidNetworkError),
    "t_max negative": (lambda: _setup(t_max=-2.0).trainer(), InvalidNetworkError),
    "init layers": (lambda: _setup(init=[(1.0, 1.0)]).trainer(), ValueError),
    "image set": (lambda: fpsnn.Setup("fashion_mnist").load_data(), InvalidConfigError),
    "resume missing": (lambda: fpsnn.Setup("xor_paper").resume("/nonexistent/x.ckpt"), FileError),
    # datasets and trainers
    "dataset labels count": (lambda: fpsnn.Dataset([GOOD], [0, 1]), InvalidInputError),
    "dataset label negative": (lambda: fpsnn.Dataset([GOOD], [-1]), InvalidInputError),
    "dataset label range": (lambda: fpsnn.Dataset([GOOD], [2], num_classes=2), InvalidInputError),
    "dataset channels": (lambda: fpsnn.Dataset([GOOD, [[0.0]]], [0, 1]), InvalidInputError),
    "dataset unsorted": (lambda: fpsnn.Dataset([[[1.0, 0.0], []]], [0]), InvalidInputError),
    "dataset empty": (lambda: fpsnn.Dataset([], []), InvalidInputError),
    "dataset string": (lambda: fpsnn.Dataset("abc", [0]), TypeError),
    "dataset num_classes": (lambda: fpsnn.Dataset([GOOD], [0], num_classes=-2), InvalidConfigError),
    "fit wrong channels": (lambda: _trainer().fit(fpsnn.Dataset([[[0.0]]], [0], num_classes=2), epochs=1, progress=False), ValueError),
    "fit epochs": (lambda: _trainer().fit(_xor(), epochs=-1), InvalidConfigError),
    "fit dataset type": (lambda: _trainer().fit([GOOD], epochs=1), TypeError),
    "predict channels": (lambda: _trainer().predict([[0.0]]), InvalidInputError),
    "predict batch channels": (lambda: _trainer().predict_batch(fpsnn.Dataset([[[0.0]]], [0])), InvalidInputError),
    "evaluate channels": (lambda: _trainer().evaluate(fpsnn.Dataset([[[0.0]]], [0], num_classes=2)), ValueError),
    "save to nowhere": (lambda: _trainer().save("/nonexistent/dir/x.ckpt"), FileError),
}


def _setup(**fields):
    s = fpsnn.Setup("xor_paper")
    for k, v in fields.items():
        setattr(s, k, v)
    return s


def _trainer():
    return fpsnn.Setup("xor_paper").trainer()


def _xor():
    return fpsnn.Setup("xor_paper").load_data()["train"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_raises_a_typed_exception(case):
    call, expected = CASES[case]
    with pytest.raises(expected) as info:
        call()
    assert type(info.value).__name__ != "PanicException"
    assert str(info.value), "the exception carries a message"
    if issubclass(expected, fpsnn.FpsnnError):
        assert isinstance(info.value, (ValueError, RuntimeError, ArithmeticError, OSError))


def test_a_bad_sample_is_named(xor_net):
    with pytest.raises(InvalidInputError, match="sample 1"):
        fpsnn.loss_gradient(xor_net, [[[0.0], [0.0]], [[0.0], [3.0, 1.0]]], [0, 1])


@pytest.mark.parametrize(
    "data",
    [b"", b"FPSNNCKP", b"FPSNNCKP" + bytes(100), bytes(range(256)) * 4],
)
def test_a_broken_checkpoint_is_a_checkpoint_error(tmp_path, data):
    path = tmp_path / "broken.ckpt"
    good = fpsnn.Setup("xor_paper").trainer()
    good.save(path)
    whole = path.read_bytes()
    for blob in (data, whole[: len(whole) // 2], whole[:-1] + bytes([whole[-1] ^ 1])):
        path.write_bytes(blob)
        with pytest.raises(CheckpointError):
            fpsnn.Setup("xor_paper").resume(path)
