"""NIR (the Neuromorphic Intermediate Representation, PyPI ``nir`` 1.0.x) export and
import of fpsnn networks. ``nir`` is imported when a function here is called.

An fpsnn network becomes a ``nir.NIRGraph`` of

- one ``Input`` node (``"input"``, one entry per input channel),
- one ``CubaLIF`` node per population (named as the population),
- one ``Affine`` node per projection (weight ``W.T``, shape ``(post, pre)``, bias 0),
  preceded by a ``Delay`` node when the projection has a delay,
- one ``Output`` node per population that projects nowhere else,

with the parameters (``docs/formats.md``, section NIR)::

    tau_syn = 1/alpha   tau_mem = 1/beta   v_threshold = theta
    r = tau_mem         w_in = tau_syn     v_leak = 0   v_reset = 0

NIR's ``tau_syn dI/dt = -I + w_in S`` and ``tau_mem dv/dt = (v_leak - v) + r I`` then
are fpsnn's ``dI/dt = -alpha I + sum W delta``, ``dV/dt = -beta V + I`` with the Affine
weights unchanged, since ``(r / tau_mem) (w_in / tau_syn) = 1`` exactly. NIR resets ``v``
to ``v_reset = 0`` when it crosses ``v_threshold``; fpsnn subtracts ``theta`` at the
crossing, where ``V = theta``: the same state. The graph's metadata (``"fpsnn"``, a JSON
string) keeps what NIR has no field for (``t_max``, the spike cap, the order of
populations and projections, and ``alpha``, ``beta`` themselves, so that ``1/(1/alpha)``
rounding cannot change a bit on the way back).

Import accepts any graph of those node types (``Linear`` as well as ``Affine``, any
``r``, ``w_in`` and ``Delay`` placed before or after the weights), folding
``(r / tau_mem) (w_in / tau_syn)`` into the weights; anything else is a
:class:`~fpsnn.errors.NirError` naming the node.
"""

import json
import pathlib

import numpy as np

from ._fpsnn import Network
from .errors import NirError

FORMAT_VERSION = 1
_SUPPORTED = "Input, Output, Affine, Linear, Delay and CubaLIF"


def _nir():
    try:
        import nir
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("fpsnn.nir needs the `nir` package: pip install 'nir>=1.0,<1.1'") from err
    return nir


def _unique(name, taken):
    while name in taken:
        name = name + "_"
    taken.add(name)
    return name


def to_nir(network: Network):
    """The network as a ``nir.NIRGraph`` (see the module docs for the mapping)."""
    nir = _nir()
    if not isinstance(network, Network):
        raise TypeError(f"to_nir takes an fpsnn.Network, not {type(network).__name__}")
    desc = network.to_dict()
    pops = network.populations
    taken = {"input"} | {p["name"] for p in pops}
    nodes = {"input": nir.Input(input_type={"input": np.array([network.inputs])})}
    edges = []
    meta_pops = []
    for p in pops:
        alpha, beta, theta, size = p["alpha"], p["beta"], p["theta"], p["size"]
        kernel = _kernel_of(desc, p["name"])
        if kernel != "exp" or beta == 0.0:
            raise NirError(
                f"population '{p['name']}' uses the {kernel} kernel: NIR's CubaLIF is the exp kernel only"
            )
        tau_syn = np.full(size, 1.0 / alpha)
        tau_mem = np.full(size, 1.0 / beta)
        nodes[p["name"]] = nir.CubaLIF(
            tau_syn=tau_syn,
            tau_mem=tau_mem,
            r=tau_mem.copy(),
            v_leak=np.zeros(size),
            v_threshold=np.full(size, float(theta)),
            v_reset=np.zeros(size),
            w_in=tau_syn.copy(),
        )
        meta_pops.append({"name": p["name"], "alpha": alpha, "beta": beta})
    meta_projs = []
    has_outgoing = set()
    for r, proj in enumerate(network.projections):
        w = network.weights(r)
        src, dst = proj["from"], proj["to"]
        if src != dst:
            has_outgoing.add(src)
        name = _unique(f"w{r}_{src}_{dst}", taken)
        nodes[name] = nir.Affine(weight=np.ascontiguousarray(w.T), bias=np.zeros(w.shape[1]))
        delay_name = None
        if proj["delay"] != 0.0:
            delay_name = _unique(f"d{r}_{src}_{dst}", taken)
            nodes[delay_name] = nir.Delay(delay=np.full(w.shape[0], float(proj["delay"])))
            edges += [(src, delay_name), (delay_name, name)]
        else:
            edges.append((src, name))
        edges.append((name, dst))
        meta_projs.append({"weights": name, "delay": delay_name})
    sinks = [p["name"] for p in pops if p["name"] not in has_outgoing]
    for sink in sinks:
        out = _unique("output" if len(sinks) == 1 else f"output_{sink}", taken)
        nodes[out] = nir.Output(output_type={"output": np.array([network.populations[_index(pops, sink)]["size"]])})
        edges.append((sink, out))
    metadata = {
        "fpsnn": json.dumps(
            {
                "version": FORMAT_VERSION,
                "t_max": network.t_max,
                "max_spikes_per_neuron": network.max_spikes_per_neuron,
                "populations": meta_pops,
                "projections": meta_projs,
            }
        )
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def _index(pops, name):
    return next(k for k, p in enumerate(pops) if p["name"] == name)


def _kernel_of(desc, name):
    for p in desc["populations"]:
        if p["name"] == name:
            neuron = p.get("neuron") or desc["neuron"]
            return neuron.get("kernel", "exp")
    return desc["neuron"].get("kernel", "exp")


def write_nir(network: Network, path) -> None:
    """Writes the network as a NIR file (HDF5, ``nir.write``)."""
    _nir().write(str(path), to_nir(network))


def read_nir(path, t_max=None, max_spikes_per_neuron=None) -> Network:
    """Reads a NIR file into a network (``from_nir`` of ``nir.read``)."""
    path = pathlib.Path(path)
    if not path.is_file():
        from .errors import FileError

        raise FileError(f"{path}: no such NIR file")
    return from_nir(_nir().read(str(path)), t_max=t_max, max_spikes_per_neuron=max_spikes_per_neuron)


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value.item())
    return value


def _same(name, field, values):
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size == 0:
        raise NirError(f"node '{name}': {field} is empty")
    if not np.all(values == values[0]):
        raise NirError(
            f"node '{name}': {field} differs between neurons; an fpsnn population shares one value"
        )
    return float(values[0])


def from_nir(graph, t_max=None, max_spikes_per_neuron=None) -> Network:
    """The fpsnn network of a ``nir.NIRGraph`` (see the module docs). ``t_max`` (the
    simulation horizon, which NIR does not have) defaults to the one fpsnn wrote into the
    graph's metadata; a graph from elsewhere needs it."""
    nir = _nir()
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"from_nir takes a nir.NIRGraph, not {type(graph).__name__}")
    meta = {}
    raw = (graph.metadata or {}).get("fpsnn") if isinstance(graph.metadata, dict) else None
    if raw is not None:
        try:
            meta = json.loads(_text(raw))
        except (TypeError, ValueError) as err:
            raise NirError(f"the graph's 'fpsnn' metadata is not fpsnn's JSON: {err}") from None
    kinds = {}
    for name, node in graph.nodes.items():
        kind = type(node).__name__
        if kind not in ("Input", "Output", "Affine", "Linear", "Delay", "CubaLIF"):
            raise NirError(f"node '{name}' is a {kind}: fpsnn represents {_SUPPORTED} nodes only")
        kinds[name] = kind
    inputs = [n for n, k in kinds.items() if k == "Input"]
    if len(inputs) != 1:
        raise NirError(f"the graph has {len(inputs)} Input nodes; fpsnn networks have exactly one")
    input_name = inputs[0]
    shape = np.asarray(graph.nodes[input_name].input_type["input"]).reshape(-1)
    if shape.size != 1:
        raise NirError(f"node '{input_name}': input shape {shape.tolist()} is not one-dimensional")
    preds = {n: [] for n in kinds}
    succs = {n: [] for n in kinds}
    for a, b in graph.edges:
        if a not in kinds or b not in kinds:
            raise NirError(f"edge ({a!r}, {b!r}) names a node that is not in the graph")
        succs[a].append(b)
        preds[b].append(a)

    # populations
    pop_params = {}
    for name, kind in kinds.items():
        if kind != "CubaLIF":
            continue
        node = graph.nodes[name]
        size = int(np.asarray(node.v_threshold).size)
        for field in ("v_leak", "v_reset"):
            values = np.asarray(getattr(node, field), dtype=np.float64)
            if np.any(values != 0.0):
                raise NirError(f"node '{name}': {field} must be 0 for fpsnn's neuron (V rests and restarts at 0)")
        tau_syn = _same(name, "tau_syn", node.tau_syn)
        tau_mem = _same(name, "tau_mem", node.tau_mem)
        theta = _same(name, "v_threshold", node.v_threshold)
        if not (tau_syn > 0 and tau_mem > 0 and np.isfinite(tau_syn) and np.isfinite(tau_mem)):
            raise NirError(f"node '{name}': tau_syn and tau_mem must be finite and > 0")
        scale = (
            np.asarray(node.r, dtype=np.float64).reshape(-1) / np.asarray(node.tau_mem, dtype=np.float64).reshape(-1)
        ) * (
            np.asarray(node.w_in, dtype=np.float64).reshape(-1) / np.asarray(node.tau_syn, dtype=np.float64).reshape(-1)
        )
        pop_params[name] = {"size": size, "tau_syn": tau_syn, "tau_mem": tau_mem, "theta": theta, "scale": scale}
    if not pop_params:
        raise NirError("the graph has no CubaLIF node: nothing for fpsnn to simulate")

    def delay_of(name):
        return _same(name, "delay", graph.nodes[name].delay)

    def single(name, where, what):
        if len(where) != 1:
            raise NirError(f"node '{name}' has {len(where)} {what}; a projection has exactly one")
        return where[0]

    # projections: [Delay] -> Affine/Linear -> [Delay], from Input/CubaLIF to CubaLIF
    projections = {}
    for name, kind in kinds.items():
        if kind not in ("Affine", "Linear"):
            continue
        node = graph.nodes[name]
        delay = 0.0
        src = single(name, preds[name], "incoming edges")
        if kinds[src] == "Delay":
            delay += delay_of(src)
            src = single(src, preds[src], "incoming edges")
        if kinds[src] not in ("Input", "CubaLIF"):
            raise NirError(f"node '{name}': its input comes from '{src}' ({kinds[src]}), not an Input or CubaLIF node")
        dst = single(name, succs[name], "outgoing edges")
        if kinds[dst] == "Delay":
            delay += delay_of(dst)
            dst = single(dst, succs[dst], "outgoing edges")
        if kinds[dst] != "CubaLIF":
            raise NirError(f"node '{name}': its output goes to '{dst}' ({kinds[dst]}), not a CubaLIF node")
        w = np.asarray(node.weight, dtype=np.float64)
        if w.ndim != 2:
            raise NirError(f"node '{name}': weight has {w.ndim} dimensions, expected (post, pre)")
        if kind == "Affine" and np.any(np.asarray(node.bias, dtype=np.float64) != 0.0):
            raise NirError(f"node '{name}': a non-zero bias (a constant input current) has no fpsnn equivalent")
        pre = int(shape[0]) if src == input_name else pop_params[src]["size"]
        post = pop_params[dst]["size"]
        if w.shape != (post, pre):
            raise NirError(f"node '{name}': weight shape {w.shape} does not connect '{src}' ({pre}) to '{dst}' ({post})")
        scale = pop_params[dst]["scale"]
        matrix = w.T if np.all(scale == 1.0) else w.T * scale[np.newaxis, :]
        projections[name] = {"from": "input" if src == input_name else src, "to": dst, "weights": matrix, "delay": delay}
    # every edge between a source and a population must pass through a weight node
    for a, b in graph.edges:
        if kinds[b] == "CubaLIF" and kinds[a] not in ("Affine", "Linear", "Delay"):
            raise NirError(f"edge ('{a}', '{b}') reaches a CubaLIF node without an Affine or Linear node")

    # order: fpsnn's own (metadata) if present, else the order of the graph's nodes
    pop_order = [p["name"] for p in meta.get("populations", [])]
    if sorted(pop_order) != sorted(pop_params):
        pop_order = [n for n in graph.nodes if n in pop_params]
    proj_order = [p["weights"] for p in meta.get("projections", [])]
    if sorted(proj_order) != sorted(projections):
        proj_order = [n for n in graph.nodes if n in projections]
    exact = {p["name"]: p for p in meta.get("populations", [])}

    def rate(tau, name, key):
        # fpsnn's own value when it is the one this tau was written from (1/(1/x) may differ from x)
        kept = exact.get(name, {}).get(key)
        if kept is not None and 1.0 / float(kept) == tau:
            return float(kept)
        return 1.0 / tau

    populations = []
    for name in pop_order:
        p = pop_params[name]
        populations.append(
            {
                "name": name,
                "size": p["size"],
                "neuron": {
                    "alpha": rate(p["tau_syn"], name, "alpha"),
                    "beta": rate(p["tau_mem"], name, "beta"),
                    "theta": p["theta"],
                },
            }
        )
    projs = []
    for name in proj_order:
        p = projections[name]
        entry = {"from": p["from"], "to": p["to"], "weights": p["weights"]}
        if p["delay"] != 0.0:
            entry["delay"] = p["delay"]
        projs.append(entry)
    if t_max is None:
        t_max = meta.get("t_max")
    if t_max is None:
        raise NirError("NIR has no simulation horizon: pass t_max= (fpsnn writes it into the graph's metadata)")
    desc = {
        "neuron": populations[0]["neuron"],
        "inputs": int(shape[0]),
        "populations": populations,
        "projections": projs,
        "t_max": float(t_max),
    }
    if max_spikes_per_neuron is None:
        max_spikes_per_neuron = meta.get("max_spikes_per_neuron")
    if max_spikes_per_neuron is not None:
        desc["max_spikes_per_neuron"] = int(max_spikes_per_neuron)
    return Network.from_dict(desc)


__all__ = ["to_nir", "from_nir", "write_nir", "read_nir", "FORMAT_VERSION"]
