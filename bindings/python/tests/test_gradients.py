"""Exact gradients against central finite differences computed from Python."""

import numpy as np
import pytest

import fpsnn

EPS = np.finfo(float).eps


def pattern(net, sample):
    """The spike counts of every neuron: a finite difference means something only where
    it stays the same at x - h, x and x + h (STYLE section 5)."""
    out = fpsnn.simulate(net, sample)
    return [len(s) for p in net.populations for s in out[p["name"]]]


def central(f, w, j, check):
    h = np.cbrt(EPS) * max(1.0, abs(w[j]))
    wp, wm = w.copy(), w.copy()
    wp[j] += h
    wm[j] -= h
    if not (check(wp) and check(wm)):
        return None
    return (f(wp) - f(wm)) / (2 * h)


def close(exact, fd):
    # the workspace's default: 1e-6 relative to max(|exact|, |fd|, 1e-2)
    return abs(exact - fd) <= 1e-6 * max(abs(exact), abs(fd), 1e-2)


@pytest.mark.parametrize("n", range(4))
def test_spike_time_jacobian_matches_central_differences(xor_net, xor_inputs, n):
    sample = xor_inputs[0][n]
    w = xor_net.flat_weights()
    (jac,) = fpsnn.jacobian(xor_net, [sample])
    base = pattern(xor_net, sample)
    checked = 0
    for row, (p, i, m) in enumerate(jac["index"]):
        name = xor_net.populations[p]["name"]

        def time(v):
            return fpsnn.simulate(xor_net.with_flat_weights(v), sample)[name][i][m]

        for j in range(len(w)):
            fd = central(time, w, j, lambda v: pattern(xor_net.with_flat_weights(v), sample) == base)
            if fd is None:
                continue
            assert close(jac["weights"][row, j], fd), (row, j, jac["weights"][row, j], fd)
            checked += 1
    assert checked > 0


def test_loss_gradient_matches_central_differences(xor_net, xor_inputs):
    inputs, labels = xor_inputs
    w = xor_net.flat_weights()
    exact = fpsnn.loss_gradient(xor_net, inputs, labels, tau0=0.1, tau1=1.0, gamma=0.2)

    def loss(v):
        return fpsnn.loss_gradient(xor_net.with_flat_weights(v), inputs, labels, tau0=0.1, tau1=1.0, gamma=0.2)["loss"].sum()

    def same(v):
        net = xor_net.with_flat_weights(v)
        return all(pattern(net, s) == pattern(xor_net, s) for s in inputs)

    checked = 0
    for j in range(len(w)):
        fd = central(loss, w, j, same)
        if fd is None:
            continue
        assert close(exact["weights"][:, j].sum(), fd), (j, exact["weights"][:, j].sum(), fd)
        checked += 1
    assert checked >= len(w) // 2


def test_input_time_gradient_matches_central_differences(xor_net):
    sample = [[0.3], [1.1]]
    label = 1
    exact = fpsnn.loss_gradient(xor_net, [sample], [label])["inputs"][0]
    for c in range(2):
        h = np.cbrt(EPS) * max(1.0, sample[c][0])
        up = [list(ch) for ch in sample]
        down = [list(ch) for ch in sample]
        up[c][0] += h
        down[c][0] -= h
        fd = (
            fpsnn.loss_gradient(xor_net, [up], [label])["loss"][0]
            - fpsnn.loss_gradient(xor_net, [down], [label])["loss"][0]
        ) / (2 * h)
        assert close(exact[c], fd), (c, exact[c], fd)
