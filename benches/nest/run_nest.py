#!/usr/bin/env python3
"""Simulate an fpsnn network (network.json + input.json) with NEST's iaf_psc_exp_ps.

Builds the same network in NEST (precise spike generators for the inputs, one
iaf_psc_exp_ps per fpsnn neuron, the synapse lists connected one-to-one with their
delays, one spike_recorder), times only `nest.Simulate(t_max)` (wall clock and process
CPU time, best of --repeat runs, each after a fresh ResetKernel and rebuild) and prints a
JSON summary. Optionally writes the spike times in the shape of fpsnn's `simulate` output
({"spikes": {pop: [[t, ...], ...]}}) for benches/nest/compare_spikes.py.

Parameter mapping (benches/nest/README.md): E_L = V_reset = 0, V_th = theta,
tau_syn_ex = tau_syn_in = 1/alpha, tau_m = 1/beta, C_m = --c-m (pF),
weight (pA) = W * C_m, t_ref = --t-ref (default: one step h, NEST's minimum).

    /tmp/nestvenv/bin/python benches/nest/run_nest.py --net benches/nest/out/network.json \
        --input benches/nest/out/input.json --resolution 2^-7 --threads 1 --repeat 3
"""

import argparse
import json
import math
import os
import sys
import time


def parse_resolution(text):
    """'2^-7', '2**-7' or a decimal number of ms."""
    t = text.strip().replace("**", "^")
    if "^" in t:
        base, exp = t.split("^", 1)
        return float(base) ** float(exp)
    return float(t)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--net", default="benches/nest/out/network.json", help="fpsnn network JSON")
    p.add_argument("--input", default="benches/nest/out/input.json", help="fpsnn input spikes JSON")
    p.add_argument("--resolution", default="2^-7", help="NEST step h in ms, e.g. 2^-7, 2^-10, 0.1 (default 2^-7)")
    p.add_argument("--threads", type=int, default=1, help="NEST local_num_threads (default 1)")
    p.add_argument("--repeat", type=int, default=1, help="timed runs; the best wall time is reported (default 1)")
    p.add_argument("--duration", type=float, default=None, help="model time in ms (default: the network's t_max)")
    p.add_argument("--c-m", type=float, default=250.0, help="membrane capacitance in pF (default 250)")
    p.add_argument("--t-ref", type=float, default=None,
                   help="refractory period in ms (default: h, the smallest value NEST accepts)")
    p.add_argument("--spikes-out", default=None, help="write the spike times per population/neuron to this JSON file")
    p.add_argument("--quiet", action="store_true", help="suppress NEST's banner and info messages where possible")
    return p.parse_args(argv)


def load(path):
    with open(path) as f:
        return json.load(f)


def tics_for(h):
    """tics_per_ms making h a whole number of tics (NEST's default 1000 cannot represent 2^-7)."""
    inv = 1.0 / h
    k = round(math.log2(inv)) if inv > 0 else 0
    if 2.0 ** (-k) == h:
        return 2 ** max(14, k)
    return None  # keep NEST's default (1000 tics per ms): h must be a multiple of 0.001


def neuron_params(default, override, c_m, t_ref):
    n = dict(default)
    if override:
        n.update(override)
    return {
        "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0, "V_th": float(n["theta"]),
        "C_m": c_m, "tau_m": 1.0 / n["beta"], "tau_syn_ex": 1.0 / n["alpha"], "tau_syn_in": 1.0 / n["alpha"],
        "t_ref": t_ref, "I_e": 0.0, "I_syn_ex": 0.0, "I_syn_in": 0.0,
    }


def build(nest, np, net, inp, args, h, t_ref):
    """Create and connect everything; returns (populations {name: NodeCollection}, recorder)."""
    nest.ResetKernel()
    kernel = {"resolution": h, "local_num_threads": args.threads, "print_time": False}
    tics = tics_for(h)
    if tics is not None:
        kernel["tics_per_ms"] = tics
    nest.SetKernelStatus(kernel)

    pops = {}
    for pop in net["populations"]:
        params = neuron_params(net["neuron"], pop.get("neuron"), args.c_m, t_ref)
        pops[pop["name"]] = nest.Create("iaf_psc_exp_ps", pop["size"], params=params)

    n_in = net.get("inputs", 0)
    trains = inp["input_spikes"]
    if len(trains) != n_in:
        sys.exit(f"error: input.json has {len(trains)} channels, network.json says {n_in}")
    if n_in > 0:
        gens = nest.Create("spike_generator", n_in, params={"precise_times": True})
        gens.set([{"spike_times": [float(t) for t in tr]} for tr in trains])
        pops["input"] = gens

    for proj in net["projections"]:
        src, dst = pops[proj["from"]], pops[proj["to"]]
        delay = float(proj.get("delay", 0.0))
        if delay < h:
            sys.exit(f"error: projection {proj['from']}->{proj['to']} has delay {delay} < h = {h} (NEST needs >= h)")
        if abs(delay / h - round(delay / h)) > 1e-9:
            print(f"warning: delay {delay} is not a multiple of h = {h}; NEST rounds it to the grid", file=sys.stderr)
        if "synapses" in proj:
            syn = proj["synapses"]
            if not syn:
                continue
            pre = np.fromiter((s[0] for s in syn), dtype=np.int64, count=len(syn))
            post = np.fromiter((s[1] for s in syn), dtype=np.int64, count=len(syn))
            w = np.fromiter((s[2] for s in syn), dtype=np.float64, count=len(syn))
        else:  # dense [pre][post]
            W = np.asarray(proj["weights"], dtype=np.float64)
            pre, post = np.nonzero(W != 0.0)
            w = W[pre, post]
        src_ids = np.asarray(src.tolist(), dtype=np.int64)
        dst_ids = np.asarray(dst.tolist(), dtype=np.int64)
        nest.Connect(
            src_ids[pre], dst_ids[post], conn_spec="one_to_one",
            syn_spec={"synapse_model": "static_synapse",
                      "weight": w * args.c_m,  # pA: W is the current jump over C_m (mV/ms)
                      "delay": np.full(len(w), delay)},
        )

    rec = nest.Create("spike_recorder")
    for pop in net["populations"]:
        nest.Connect(pops[pop["name"]], rec)
    return pops, rec


def collect(np, net, pops, rec):
    ev = rec.get("events")
    senders = np.asarray(ev["senders"])
    times = np.asarray(ev["times"], dtype=np.float64)
    order = np.lexsort((times, senders))
    senders, times = senders[order], times[order]
    out = {}
    for pop in net["populations"]:
        ids = pops[pop["name"]].tolist()
        first = ids[0]
        trains = [[] for _ in ids]
        # node ids of one Create() call are contiguous
        mask = (senders >= first) & (senders < first + len(ids))
        for s, t in zip(senders[mask], times[mask]):
            trains[int(s) - first].append(float(t))
        out[pop["name"]] = trains
    return out


def isi_cv(trains):
    cvs = []
    for tr in trains:
        if len(tr) >= 3:
            d = [b - a for a, b in zip(tr, tr[1:])]
            m = sum(d) / len(d)
            v = sum((x - m) ** 2 for x in d) / len(d)
            cvs.append(math.sqrt(v) / m)
    return (sum(cvs) / len(cvs)) if cvs else None


def population_fano(trains, duration, bin_ms=5.0, skip_ms=100.0):
    """Variance / mean of the population spike count in bin_ms bins after skip_ms
    (about 1 for asynchronous firing, >> 1 for population bursts/oscillations)."""
    n = int((duration - skip_ms) // bin_ms)
    if n < 2:
        return None
    counts = [0] * n
    for tr in trains:
        for t in tr:
            b = int((t - skip_ms) // bin_ms)
            if 0 <= b < n:
                counts[b] += 1
    m = sum(counts) / n
    if m == 0:
        return None
    return sum((c - m) ** 2 for c in counts) / n / m


def quiet_nest(nest):
    """Only errors on the console (NEST 3.10: nest.verbosity; older: set_verbosity)."""
    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:
        nest.set_verbosity("M_ERROR")


def main(argv=None):
    args = parse_args(argv)
    h = parse_resolution(args.resolution)
    t_ref = h if args.t_ref is None else args.t_ref
    net, inp = load(args.net), load(args.input)
    duration = float(net["t_max"]) if args.duration is None else args.duration

    if args.quiet:
        os.environ.setdefault("PYNEST_QUIET", "1")
    import numpy as np
    import nest

    quiet_nest(nest)

    walls, cpus, builds, spikes = [], [], [], None
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        pops, rec = build(nest, np, net, inp, args, h, t_ref)
        t1 = time.perf_counter()
        c1 = time.process_time()
        nest.Simulate(duration)
        c2 = time.process_time()
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        walls.append(t2 - t1)
        cpus.append(c2 - c1)
        run_spikes = collect(np, net, pops, rec)
        if spikes is not None and run_spikes != spikes:
            print("warning: repeated runs produced different spikes", file=sys.stderr)
        spikes = run_spikes

    counts = {name: sum(len(t) for t in trains) for name, trains in spikes.items()}
    sizes = {p["name"]: p["size"] for p in net["populations"]}
    n_total = sum(sizes.values())
    total = sum(counts.values())
    silent = sum(1 for trains in spikes.values() for t in trains if not t)
    summary = {
        "simulator": "nest",
        "nest_version": getattr(nest, "__version__", None),
        "model": "iaf_psc_exp_ps",
        "resolution_ms": h,
        "tics_per_ms": nest.GetKernelStatus("tics_per_ms"),
        "threads": args.threads,
        "t_ref_ms": t_ref,
        "c_m_pF": args.c_m,
        "duration_ms": duration,
        "wall_s": min(walls),
        "wall_s_all": walls,
        # CPU time of this process (all NEST threads) during Simulate: less sensitive than the
        # wall time to other load on the machine when threads <= idle cores
        "cpu_s": min(cpus),
        "cpu_s_all": cpus,
        "build_s": min(builds),
        "spikes_total": total,
        "spikes": counts,
        "rate_hz_mean": total / n_total / (duration / 1000.0),
        "rate_hz": {k: counts[k] / sizes[k] / (duration / 1000.0) for k in counts},
        "silent_neurons": silent,
        "max_spikes_per_neuron": max((len(t) for trains in spikes.values() for t in trains), default=0),
        "isi_cv_mean": isi_cv([t for trains in spikes.values() for t in trains]),
        "population_fano_5ms": population_fano([t for trains in spikes.values() for t in trains], duration),
        "input_spikes": sum(len(t) for t in inp["input_spikes"]),
    }
    if args.spikes_out:
        d = os.path.dirname(args.spikes_out)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(args.spikes_out, "w") as f:
            json.dump({"spikes": dict(sorted(spikes.items())), "nest": {k: summary[k] for k in (
                "resolution_ms", "threads", "t_ref_ms", "c_m_pF", "duration_ms")}}, f)
            f.write("\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
