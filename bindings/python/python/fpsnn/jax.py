"""The autograd bridge to JAX: first-spike times as a differentiable JAX function of the
weights, whose vector-Jacobian product is fpsnn's exact adjoint (``jax.custom_vjp``).
JAX is imported when :func:`first_spike_fn` is called (``pip install jax``, the CPU
install is enough).

Exact gradients need float64: enable it with ``jax.config.update("jax_enable_x64", True)``
before tracing; without it the times and gradients are computed in float64 by fpsnn and
returned as float32.

Example, any loss written in JAX over the first spike times::

    import jax, jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    f = fpsnn.jax.first_spike_fn(net, inputs)        # f(w) -> (N, outputs)
    def loss(w):
        t = f(w)
        return -jnp.mean(jax.nn.log_softmax(-t / 0.2)[jnp.arange(len(labels)), labels])
    g = jax.grad(loss)(jnp.asarray(net.flat_weights()))

A neuron that does not fire counts as firing at ``t_max`` and passes no gradient (the
library's convention). The function works under ``jax.jit`` (it calls fpsnn through
``jax.pure_callback``); fpsnn simulates the samples in parallel.
"""

import numpy as np

from ._fpsnn import Network, first_spike_times, first_spike_vjp


def first_spike_fn(network: Network, inputs, population=None):
    """``f(weights) -> (N, neurons)``: the first spike time of every neuron of
    ``population`` (default: the last) for each of the ``N`` samples of ``inputs``, with
    the network's weights replaced by the flat vector ``weights`` (parameter order,
    ``Network.flat_weights``). Differentiable with respect to ``weights``."""
    import jax
    import jax.numpy as jnp

    if not isinstance(network, Network):
        raise TypeError(f"first_spike_fn takes an fpsnn.Network, not {type(network).__name__}")
    inputs = [list(sample) for sample in inputs]
    # checks the inputs and the population now, with the network's own weights
    times, _ = first_spike_times(network, inputs, population)
    dtype = jnp.zeros((), dtype=jnp.float64).dtype  # float32 unless x64 is enabled
    out_shape = jax.ShapeDtypeStruct(times.shape, dtype)
    w_shape = jax.ShapeDtypeStruct((network.num_weights,), dtype)

    def _net(w):
        return network.with_flat_weights(np.asarray(w, dtype=np.float64))

    def _times(w):
        return first_spike_times(_net(w), inputs, population)[0].astype(dtype)

    def _vjp(w, g):
        return first_spike_vjp(_net(w), inputs, np.asarray(g, dtype=np.float64), population).astype(dtype)

    @jax.custom_vjp
    def f(w):
        return jax.pure_callback(_times, out_shape, w)

    def fwd(w):
        return f(w), w

    def bwd(w, g):
        return (jax.pure_callback(_vjp, w_shape, w, g),)

    f.defvjp(fwd, bwd)
    return f


__all__ = ["first_spike_fn"]
