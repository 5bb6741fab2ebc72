"""The exceptions of fpsnn: every error of the Rust library, and every bad input, is one
of these, carrying the Rust message. Each also derives from the built-in exception a
Python caller would expect (``ValueError`` for bad values, ``OSError`` for files), so
``except ValueError`` works too. Wrong Python types raise ``TypeError``.
"""


class FpsnnError(Exception):
    """Base class of fpsnn's errors."""


class InvalidNetworkError(FpsnnError, ValueError):
    """A network description is invalid (shape, non-finite weight, unknown population, ...)."""


class InvalidInputError(FpsnnError, ValueError):
    """Input spikes, labels, datasets or indices do not fit the network or are invalid."""


class InvalidConfigError(FpsnnError, ValueError):
    """A training or loss setting is invalid (unknown preset, batch size 0, ...)."""


class SimulationError(FpsnnError, RuntimeError):
    """The simulation could not finish (a neuron exceeded the spike cap)."""


class GradientError(FpsnnError, ArithmeticError):
    """The exact gradient does not exist (a grazing threshold crossing)."""


class CheckpointError(FpsnnError, ValueError):
    """A checkpoint file is truncated, corrupted, foreign or of another version."""


class FileError(FpsnnError, OSError):
    """A file could not be read or written."""


class NirError(FpsnnError, ValueError):
    """A NIR graph that fpsnn cannot represent (the message names the node)."""


__all__ = [
    "FpsnnError",
    "InvalidNetworkError",
    "InvalidInputError",
    "InvalidConfigError",
    "SimulationError",
    "GradientError",
    "CheckpointError",
    "FileError",
    "NirError",
]
