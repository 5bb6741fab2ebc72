"""The JAX bridge: jax.grad of a loss written in JAX equals fpsnn's exact adjoint."""

import numpy as np
import pytest

import fpsnn

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

from fpsnn.jax import first_spike_fn  # noqa: E402


def cross_entropy(t, labels, tau0=0.2, tau1=1.0, gamma=0.005):
    """The library's first-spike cross-entropy (DESIGN section 3), mean over samples."""
    n = jnp.arange(len(labels))
    log_p = jax.nn.log_softmax(-t / tau0, axis=1)[n, labels]
    return jnp.mean(-log_p + gamma * (jnp.exp(t[n, labels] / tau1) - 1))


@pytest.mark.parametrize("jit", [False, True])
def test_jax_grad_is_the_exact_adjoint(xor_net, xor_inputs, jit):
    inputs, labels = xor_inputs
    f = first_spike_fn(xor_net, inputs)
    labels_j = jnp.asarray(labels)

    def loss(w):
        return cross_entropy(f(w), labels_j)

    grad = jax.grad(loss)
    if jit:
        grad = jax.jit(grad)
    w = jnp.asarray(xor_net.flat_weights())
    g = np.asarray(grad(w))
    want = fpsnn.loss_gradient(xor_net, inputs, labels)["weights"].mean(axis=0)
    np.testing.assert_allclose(g, want, rtol=1e-10, atol=1e-13)
    value = float(loss(w))
    assert value == pytest.approx(fpsnn.loss_gradient(xor_net, inputs, labels)["loss"].mean(), rel=1e-12)


def test_the_bridge_checks_its_arguments(xor_net):
    with pytest.raises(TypeError):
        first_spike_fn("net", [[[0.0], [0.0]]])
    with pytest.raises(fpsnn.InvalidInputError):
        first_spike_fn(xor_net, [[[0.0]]])
