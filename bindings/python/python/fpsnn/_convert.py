"""Conversions the Rust extension calls back into: dicts with numpy arrays to the JSON
network format (floats written by ``repr``, the shortest text that reads back to the same
bits, so a network survives the trip exactly)."""

import json
import math

import numpy as np

from .errors import InvalidNetworkError


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a network dict holds numbers, lists, dicts and numpy arrays, not {type(value).__name__}")


def to_json(network: dict) -> str:
    if not isinstance(network, dict):
        raise TypeError(f"a network description is a dict, not {type(network).__name__}")
    try:
        return json.dumps(network, default=_plain, allow_nan=False)
    except ValueError as err:
        raise InvalidNetworkError(f"every number of a network must be finite ({err})") from None


def feed_forward(weights, alpha, beta, theta, t_max, names=None, delays=None,
                 max_spikes_per_neuron=None) -> dict:
    """The JSON description of a feed-forward chain input -> names[0] -> ... ."""
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError("weights is a list of (pre, post) matrices, one per projection")
    mats = []
    for r, w in enumerate(weights):
        try:
            w = np.asarray(w, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"weights[{r}] is not a numeric matrix: {err}") from None
        if w.ndim != 2:
            raise InvalidNetworkError(f"weights[{r}] has {w.ndim} dimension(s), expected a (pre, post) matrix")
        mats.append(w)
    if not mats:
        raise InvalidNetworkError("a network needs at least one weight matrix")
    if names is None:
        names = [f"hidden{k}" for k in range(len(mats) - 1)] + ["output"]
    names = list(names)
    if len(names) != len(mats):
        raise InvalidNetworkError(f"{len(names)} population name(s) for {len(mats)} weight matrices")
    if delays is not None and len(delays) != len(mats):
        raise InvalidNetworkError(f"{len(delays)} delay(s) for {len(mats)} weight matrices")
    sources = ["input"] + names[:-1]
    projections = []
    for r, w in enumerate(mats):
        p = {"from": sources[r], "to": names[r], "weights": w}
        if delays is not None:
            p["delay"] = float(delays[r])
        projections.append(p)
    net = {
        "neuron": {"alpha": float(alpha), "beta": float(beta), "theta": float(theta)},
        "inputs": int(mats[0].shape[0]),
        "populations": [{"name": n, "size": int(w.shape[1])} for n, w in zip(names, mats)],
        "projections": projections,
        "t_max": float(t_max),
    }
    if max_spikes_per_neuron is not None:
        net["max_spikes_per_neuron"] = int(max_spikes_per_neuron)
    return net


def dense_samples(times) -> list:
    """Samples from an (N, channels) array of single spike times; NaN means no spike."""
    times = np.asarray(times, dtype=np.float64)
    return [[[t] if not math.isnan(t) else [] for t in row] for row in times.tolist()]
