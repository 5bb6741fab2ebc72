"""NIR export and import: exact round trips, the parameter mapping, refused graphs."""

import numpy as np
import pytest

import fpsnn
from conftest import bits

nir = pytest.importorskip("nir")
from fpsnn.nir import from_nir, read_nir, to_nir, write_nir  # noqa: E402


def rich_network():
    """Per-population neurons (alpha 0.999: 1/(1/alpha) is not alpha in floating point
    for every value), a delay, a recurrent projection, negative weights."""
    rng = np.random.default_rng(1)
    return fpsnn.Network.from_dict(
        {
            "neuron": {"alpha": 0.999, "beta": 1.0, "theta": 1.0},
            "inputs": 3,
            "populations": [
                {"name": "hidden", "size": 5},
                {"name": "out", "size": 2, "neuron": {"alpha": 0.7, "beta": 0.3, "theta": 1.3}},
            ],
            "projections": [
                {"from": "input", "to": "hidden", "weights": rng.normal(1.5, 0.8, (3, 5))},
                {"from": "hidden", "to": "out", "weights": rng.normal(1.0, 0.5, (5, 2)), "delay": 0.25},
                {"from": "out", "to": "out", "weights": np.array([[0.0, -0.4], [-0.4, 0.0]])},
            ],
            "t_max": 6.0,
            "max_spikes_per_neuron": 50,
        }
    )


def spikes_equal(a, b, net, sample):
    sa, sb = fpsnn.simulate(a, sample), fpsnn.simulate(b, sample)
    return all(
        np.array_equal(bits(x), bits(y)) for p in net.populations for x, y in zip(sa[p["name"]], sb[p["name"]])
    )


@pytest.mark.parametrize("make", ["xor", "rich"])
def test_round_trip_through_a_nir_file_is_bit_identical(tmp_path, xor_net, make):
    net = xor_net if make == "xor" else rich_network()
    write_nir(net, tmp_path / "net.nir")
    back = read_nir(tmp_path / "net.nir")
    assert back == net
    assert np.array_equal(bits(back.flat_weights()), bits(net.flat_weights()))
    rng = np.random.default_rng(0)
    for _ in range(5):
        sample = [sorted(rng.uniform(0, 2, rng.integers(0, 3)).tolist()) for _ in range(net.inputs)]
        assert spikes_equal(net, back, net, sample)


def test_the_graph_holds_the_documented_mapping(xor_net):
    g = to_nir(rich_network())
    assert {type(n).__name__ for n in g.nodes.values()} == {"Input", "CubaLIF", "Affine", "Delay", "Output"}
    out = g.nodes["out"]
    np.testing.assert_array_equal(out.tau_syn, 1 / 0.7)
    np.testing.assert_array_equal(out.tau_mem, 1 / 0.3)
    np.testing.assert_array_equal(out.r, out.tau_mem)
    np.testing.assert_array_equal(out.w_in, out.tau_syn)
    np.testing.assert_array_equal(out.v_threshold, 1.3)
    np.testing.assert_array_equal(out.v_leak, 0.0)
    np.testing.assert_array_equal(out.v_reset, 0.0)
    net = rich_network()
    affine = g.nodes["w1_hidden_out"]
    np.testing.assert_array_equal(affine.weight, net.weights(1).T)
    np.testing.assert_array_equal(g.nodes["d1_hidden_out"].delay, 0.25)
    assert ("hidden", "d1_hidden_out") in g.edges and ("w2_out_out", "out") in g.edges


def foreign_graph(r=2.0, w_in=0.5, linear=False, extra=None):
    """A two-layer graph as another tool would write it: no fpsnn metadata, r and w_in
    not 1, nodes in their own order."""
    rng = np.random.default_rng(3)
    w1, w2 = rng.normal(2, 0.5, (4, 2)), rng.normal(2, 0.2, (3, 4))

    def lif(n, tau_syn, tau_mem):
        return nir.CubaLIF(
            tau_syn=np.full(n, tau_syn), tau_mem=np.full(n, tau_mem), r=np.full(n, r),
            v_leak=np.zeros(n), v_threshold=np.ones(n), w_in=np.full(n, w_in),
        )

    nodes = {
        "in": nir.Input(input_type={"input": np.array([2])}),
        "fc1": nir.Linear(weight=w1) if linear else nir.Affine(weight=w1, bias=np.zeros(4)),
        "lif1": lif(4, 1.0, 2.0),
        "fc2": nir.Affine(weight=w2, bias=np.zeros(3)),
        "lif2": lif(3, 0.5, 1.0),
        "out": nir.Output(output_type={"output": np.array([3])}),
    }
    edges = [("in", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "out")]
    if extra:
        extra(nodes, edges)
    # nir's type check would refuse the odd shapes of the extra nodes first
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=extra is None), w1, w2


@pytest.mark.parametrize("linear", [False, True])
def test_a_foreign_graph_folds_r_and_w_in_into_the_weights(linear):
    g, w1, w2 = foreign_graph(linear=linear)
    with pytest.raises(fpsnn.NirError, match="t_max"):
        from_nir(g)
    net = from_nir(g, t_max=8.0)
    assert [p["name"] for p in net.populations] == ["lif1", "lif2"]
    assert (net.populations[0]["alpha"], net.populations[0]["beta"]) == (1.0, 0.5)
    # (r / tau_mem) (w_in / tau_syn) per target neuron
    np.testing.assert_allclose(net.weights(0), w1.T * (2.0 / 2.0) * (0.5 / 1.0), rtol=1e-15)
    np.testing.assert_allclose(net.weights(1), w2.T * (2.0 / 1.0) * (0.5 / 0.5), rtol=1e-15)


def _conv(nodes, edges):
    nodes["conv"] = nir.Conv1d(
        input_shape=4, weight=np.ones((1, 1, 1)), stride=1, padding=0, dilation=1, groups=1, bias=np.zeros(1)
    )
    edges.append(("lif1", "conv"))


def _lif(nodes, edges):
    nodes["plain"] = nir.LIF(tau=np.ones(3), r=np.ones(3), v_leak=np.zeros(3), v_threshold=np.ones(3))
    edges.append(("fc2", "plain"))


@pytest.mark.parametrize(
    "extra, node",
    [(_conv, "conv"), (_lif, "plain")],
)
def test_a_node_fpsnn_cannot_represent_is_named(extra, node):
    g, _, _ = foreign_graph(extra=extra)
    with pytest.raises(fpsnn.NirError, match=f"node '{node}' is a"):
        from_nir(g, t_max=4.0)


def test_parameters_fpsnn_has_no_place_for_are_refused():
    g, _, _ = foreign_graph()
    g.nodes["fc2"].bias = np.ones(3)
    with pytest.raises(fpsnn.NirError, match="node 'fc2'.*bias"):
        from_nir(g, t_max=4.0)
    g, _, _ = foreign_graph()
    g.nodes["lif1"].v_leak = np.full(4, 0.1)
    with pytest.raises(fpsnn.NirError, match="node 'lif1'.*v_leak"):
        from_nir(g, t_max=4.0)
    g, _, _ = foreign_graph()
    g.nodes["lif2"].tau_mem = np.array([1.0, 2.0, 1.0])
    with pytest.raises(fpsnn.NirError, match="node 'lif2'.*tau_mem differs"):
        from_nir(g, t_max=4.0)
    with pytest.raises(TypeError):
        from_nir("not a graph")
    with pytest.raises(TypeError):
        to_nir({"not": "a network"})
    with pytest.raises(fpsnn.FileError):
        read_nir("/nonexistent/net.nir")
