"""Simulation and gradients against the Rust example `simulate` on the shipped network."""

import json

import numpy as np

import fpsnn
from conftest import DATA, bits


def test_simulate_matches_the_rust_example_bit_for_bit(xor_net, rust_simulate):
    rust = json.loads(rust_simulate("--net", DATA / "xor_net.json", "--input", DATA / "xor_input.json", "--grad"))
    sample = json.loads((DATA / "xor_input.json").read_text())["input_spikes"]
    ours = fpsnn.simulate(xor_net, sample)
    assert sorted(ours) == sorted(rust["spikes"])
    for name, neurons in rust["spikes"].items():
        assert len(ours[name]) == len(neurons)
        for got, want in zip(ours[name], neurons):
            assert np.array_equal(bits(got), bits(want))
    # the Jacobian: rows (population, neuron, spike) in file order, columns the weights
    (jac,) = fpsnn.jacobian(xor_net, [sample])
    rows = [
        row
        for p in xor_net.populations
        for neuron in rust["jacobian"][p["name"]]
        for row in neuron
    ]
    assert jac["weights"].shape == (len(rows), xor_net.num_weights)
    assert np.array_equal(bits(jac["weights"]), bits(rows))
    times = [t for p in xor_net.populations for neuron in rust["spikes"][p["name"]] for t in neuron]
    assert np.array_equal(bits(jac["times"]), bits(times))


def test_batch_and_loss_gradient_match_the_rust_example(xor_net, xor_inputs, rust_simulate):
    inputs, labels = xor_inputs
    lines = rust_simulate(
        "--net", DATA / "xor_net.json", "--inputs", DATA / "xor_inputs.jsonl",
        "--loss", "first-spike-ce", "--method", "adjoint",
    ).splitlines()
    rust = [json.loads(l) for l in lines]
    ours = fpsnn.loss_gradient(xor_net, inputs, labels)  # the example's defaults: 0.2, 1, 0.005
    batch = fpsnn.simulate_batch(xor_net, inputs)
    for n, r in enumerate(rust):
        assert ours["loss"][n] == r["loss"]
        assert np.array_equal(bits(ours["weights"][n]), bits(r["loss_grad"]))
        assert np.array_equal(bits(ours["thresholds"][n]), bits(r["loss_grad_threshold"]))
        assert np.array_equal(bits(ours["inputs"][n]), bits(r["loss_grad_input"]))
        assert ours["silent"][n] == r["silent_outputs"]
        for name, neurons in r["spikes"].items():
            for got, want in zip(batch[n][name], neurons):
                assert np.array_equal(bits(got), bits(want))


def test_forward_propagation_and_adjoint_agree(xor_net, xor_inputs):
    inputs, labels = xor_inputs
    grads = fpsnn.loss_gradient(xor_net, inputs, labels, tau0=0.2, tau1=1.0, gamma=0.005)
    jacs = fpsnn.jacobian(xor_net, inputs)
    out = [k for k, p in enumerate(xor_net.populations) if p["name"] == "output"][0]
    for n, jac in enumerate(jacs):
        # dL/dW = sum over the output's first spikes of dL/df df/dW: take dL/df from the
        # chain rule through the first-spike rows only (eq. 8)
        idx = jac["index"]
        first = [(k, idx[k, 1]) for k in range(len(idx)) if idx[k, 0] == out and idx[k, 2] == 0]
        t = np.full(2, xor_net.t_max)
        for k, i in first:
            t[i] = jac["times"][k]
        z = -t / 0.2
        soft = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        d = -soft / 0.2  # dL/df_c = (delta_cy - softmax_c) / tau0
        d[labels[n]] += 1 / 0.2
        d[labels[n]] += 0.005 * np.exp(t[labels[n]]) / 1.0
        g = sum(d[i] * jac["weights"][k] for k, i in first)
        np.testing.assert_allclose(g, grads["weights"][n], rtol=1e-10, atol=1e-12)


def test_first_spike_times_and_their_vjp(xor_net, xor_inputs):
    inputs, _ = xor_inputs
    times, fired = fpsnn.first_spike_times(xor_net, inputs, "output")
    assert times.shape == (4, 2) and fired.all()
    c = np.arange(8.0).reshape(4, 2)
    vjp = fpsnn.first_spike_vjp(xor_net, inputs, c, "output")
    jacs = fpsnn.jacobian(xor_net, inputs)
    want = np.zeros(xor_net.num_weights)
    for n, jac in enumerate(jacs):
        for k, (p, i, m) in enumerate(jac["index"]):
            if p == 1 and m == 0:
                assert jac["times"][k] == times[n, i]
                want += c[n, i] * jac["weights"][k]
    np.testing.assert_allclose(vjp, want, rtol=1e-12, atol=1e-14)
