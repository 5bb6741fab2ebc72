"""fpsnn: exact gradients for spiking neural networks, from Python.

The Rust library (https://example.invalid/fpsnn) behind a small Python surface:

- :class:`Network` (the JSON format of ``docs/formats.md``; from a dict, a file or numpy
  weight matrices) and :func:`simulate` (exact, event by event);
- :func:`jacobian` (every spike time's derivative, forward propagation) and
  :func:`loss_gradient` (first-spike cross-entropy, adjoint) for a list of samples, in
  parallel, as numpy arrays;
- :class:`Setup` (the library's training presets), :class:`Dataset` and :class:`Trainer`
  (``fit``, ``evaluate``, ``predict``, checkpoints in the Rust format);
- :mod:`fpsnn.jax` (a ``jax.custom_vjp`` over first-spike times) and :mod:`fpsnn.nir`
  (NIR export and import), both importing their framework only when used;
- :mod:`fpsnn.errors`: the typed exceptions every bad input raises.

See ``docs/python.md``.
"""

from . import errors
from ._fpsnn import (
    Dataset,
    Network,
    Setup,
    Trainer,
    __version__,
    first_spike_times,
    first_spike_vjp,
    jacobian,
    loss_gradient,
    simulate,
    simulate_batch,
)
from .errors import (
    CheckpointError,
    FileError,
    FpsnnError,
    GradientError,
    InvalidConfigError,
    InvalidInputError,
    InvalidNetworkError,
    NirError,
    SimulationError,
)


def weights_fingerprint(network: Network) -> str:
    """FNV-1a 64 of the weights' bits (little-endian f64, parameter order), as hex: the
    fingerprint the Rust examples print, to compare two trainings bit for bit."""
    h = 0xCBF29CE484222325
    for byte in network.flat_weights().astype("<f8").tobytes():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


__all__ = [
    "Dataset",
    "Network",
    "Setup",
    "Trainer",
    "__version__",
    "errors",
    "first_spike_times",
    "first_spike_vjp",
    "jacobian",
    "loss_gradient",
    "simulate",
    "simulate_batch",
    "weights_fingerprint",
    "CheckpointError",
    "FileError",
    "FpsnnError",
    "GradientError",
    "InvalidConfigError",
    "InvalidInputError",
    "InvalidNetworkError",
    "NirError",
    "SimulationError",
]
