#!/usr/bin/env python3
"""Generate the 1000-neuron recurrent benchmark network for the fpsnn / NEST comparison.

Writes `network.json` and `input.json` in fpsnn's formats (docs/formats.md), with sparse
projections (`"synapses": [[pre, post, w], ...]`). Python standard library only; the
output is a pure function of the arguments (seeded `random.Random`).

Units: ms for time, mV for the membrane potential. A weight W is the jump of the synaptic
current divided by the membrane capacitance (mV/ms); see benches/nest/README.md for the
mapping to NEST's iaf_psc_exp_ps (w_pA = W * C_m).

    python3 benches/nest/make_network.py --out-dir benches/nest/out
"""

import argparse
import json
import os
import random
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=1, help="RNG seed (default 1)")
    p.add_argument("--out-dir", default="benches/nest/out", help="output directory (default benches/nest/out)")
    p.add_argument("--duration", type=float, default=1000.0, help="model time t_max in ms (default 1000)")
    p.add_argument("--n-exc", type=int, default=800, help="excitatory neurons (default 800)")
    p.add_argument("--n-inh", type=int, default=200, help="inhibitory neurons (default 200)")
    p.add_argument("--p", type=float, default=0.1, help="recurrent connection probability (default 0.1)")
    p.add_argument("--J", type=float, default=0.2,
                   help="excitatory recurrent weight W in mV/ms (default 0.2: PSP peak 0.63 mV)")
    p.add_argument("--g", type=float, default=5.0, help="relative inhibitory strength: inh weight = -g J (default 5)")
    p.add_argument("--inputs", type=int, default=1000, help="Poisson input channels (default 1000)")
    p.add_argument("--rate", type=float, default=10.0, help="rate of each input channel in Hz (default 10)")
    p.add_argument("--p-in", type=float, default=0.1,
                   help="probability that an input channel projects to a given neuron (default 0.1)")
    p.add_argument("--J-in", type=float, default=None, help="input weight in mV/ms (default: J)")
    p.add_argument("--tau-syn", type=float, default=5.0, help="synaptic time constant in ms (default 5)")
    p.add_argument("--tau-m", type=float, default=20.0, help="membrane time constant in ms (default 20)")
    p.add_argument("--theta", type=float, default=20.0, help="threshold in mV above rest = reset (default 20)")
    p.add_argument("--delay", type=float, default=1.0,
                   help="delay of every projection, inputs included, in ms (default 1; NEST needs >= h)")
    p.add_argument("--max-spikes-per-neuron", type=int, default=10000, help="fpsnn spike cap (default 10000)")
    return p.parse_args(argv)


def poisson_train(rng, rate_hz, duration_ms):
    """Homogeneous Poisson spike times in (0, duration_ms), sorted."""
    if rate_hz <= 0:
        return []
    rate_per_ms = rate_hz / 1000.0
    times = []
    t = rng.expovariate(rate_per_ms)
    while t < duration_ms:
        if t > 0.0:  # NEST's spike_generator cannot emit at t = 0
            times.append(t)
        t += rng.expovariate(rate_per_ms)
    return times


def bernoulli_synapses(rng, n_pre, n_post, prob, weight, no_autapses=False):
    """[[pre, post, weight], ...] with each (pre, post) pair present with probability prob."""
    syn = []
    for pre in range(n_pre):
        for post in range(n_post):
            if no_autapses and pre == post:
                continue
            if rng.random() < prob:
                syn.append([pre, post, weight])
    return syn


def build(args):
    rng = random.Random(args.seed)
    j_in = args.J if args.J_in is None else args.J_in
    alpha = 1.0 / args.tau_syn
    beta = 1.0 / args.tau_m
    w_exc = args.J
    w_inh = -args.g * args.J
    sizes = {"exc": args.n_exc, "inh": args.n_inh}

    projections = []
    # Input projections first, then recurrent ones, in a fixed order (the RNG stream depends on it).
    for to in ("exc", "inh"):
        projections.append({
            "from": "input", "to": to,
            "synapses": bernoulli_synapses(rng, args.inputs, sizes[to], args.p_in, j_in),
            "delay": args.delay,
        })
    for frm, w in (("exc", w_exc), ("inh", w_inh)):
        for to in ("exc", "inh"):
            projections.append({
                "from": frm, "to": to,
                "synapses": bernoulli_synapses(rng, sizes[frm], sizes[to], args.p, w, no_autapses=(frm == to)),
                "delay": args.delay,
            })

    network = {
        "neuron": {"alpha": alpha, "beta": beta, "theta": args.theta},
        "inputs": args.inputs,
        "populations": [{"name": "exc", "size": args.n_exc}, {"name": "inh", "size": args.n_inh}],
        "projections": projections,
        "t_max": args.duration,
        "max_spikes_per_neuron": args.max_spikes_per_neuron,
    }
    input_spikes = {"input_spikes": [poisson_train(rng, args.rate, args.duration) for _ in range(args.inputs)]}
    meta = {
        "generator": "benches/nest/make_network.py",
        "args": vars(args),
        "tau_syn_ms": args.tau_syn,
        "tau_m_ms": args.tau_m,
        "synapses": {f"{p['from']}->{p['to']}": len(p["synapses"]) for p in projections},
        "input_spikes": sum(len(t) for t in input_spikes["input_spikes"]),
    }
    return network, input_spikes, meta


def write_json(path, obj, indent=None):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=indent, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    if args.n_exc < 1 or args.n_inh < 1 or args.inputs < 0 or args.duration <= 0:
        sys.exit("error: sizes must be >= 1, inputs >= 0, duration > 0")
    network, input_spikes, meta = build(args)
    os.makedirs(args.out_dir, exist_ok=True)
    write_json(os.path.join(args.out_dir, "network.json"), network)
    write_json(os.path.join(args.out_dir, "input.json"), input_spikes)
    # Not read by fpsnn (it rejects unknown fields, so this lives in its own file).
    write_json(os.path.join(args.out_dir, "meta.json"), meta, indent=1)
    print(json.dumps({k: meta[k] for k in ("synapses", "input_spikes")}))


if __name__ == "__main__":
    main()
