#!/usr/bin/env python3
"""Compare two spike outputs of the same network, e.g. fpsnn (exact) against NEST.

Both files hold {"spikes": {population: [[t, ...] per neuron]}} (fpsnn's `simulate`
output and run_nest.py's --spikes-out have that shape; a bare {population: [...]} object
is accepted too). Python standard library only.

Recurrent networks are chaotic: a tiny timing difference is amplified until a spike is
gained or lost, after which the two runs are unrelated. So the comparison looks at the
early window only. A spike is identified by (population, neuron, m) = the m-th spike of
that neuron; all identities of either file are sorted by time (the earlier of the two
times when both exist) and walked in that order:

* `divergence`: the first identity that exists in one file only, or whose two times
  differ by more than --tol ms. Everything before it is "matched".
* `first_k`: of the first K identities (time-sorted), the max and mean |t_a - t_b|, and
  how many of them lie before the divergence.
* `error_growth`: max |t_a - t_b| of the matched spikes per --window ms bin (shows how the
  difference grows before the trains diverge).
* `sorted_order`: the plain comparison of the two time-sorted (population, neuron)
  sequences: the first index where they name different neurons (sensitive to two nearly
  simultaneous spikes swapping places, hence the identity-based measure above).

    python3 benches/nest/compare_spikes.py benches/nest/out/fpsnn.json benches/nest/out/nest_h2m7.json
"""

import argparse
import json
import math
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", help="first spike file (the reference, e.g. fpsnn's simulate output)")
    p.add_argument("b", help="second spike file (e.g. run_nest.py --spikes-out)")
    p.add_argument("-k", "--k", type=int, default=1000, help="number of earliest spikes to summarise (default 1000)")
    p.add_argument("--tol", type=float, default=0.1,
                   help="a time difference above this (ms) counts as divergence (default 0.1)")
    p.add_argument("--window", type=float, default=10.0, help="bin width in ms for error_growth (default 10)")
    p.add_argument("--t-max", type=float, default=None,
                   help="ignore spikes at or after this time (default: no limit)")
    return p.parse_args(argv)


def load_spikes(path):
    with open(path) as f:
        obj = json.load(f)
    spikes = obj.get("spikes", obj) if isinstance(obj, dict) else None
    if not isinstance(spikes, dict):
        sys.exit(f"error: {path}: expected {{\"spikes\": {{population: [[t, ...], ...]}}}}")
    return spikes


def main(argv=None):
    args = parse_args(argv)
    a, b = load_spikes(args.a), load_spikes(args.b)
    if sorted(a) != sorted(b):
        sys.exit(f"error: populations differ: {sorted(a)} vs {sorted(b)}")
    for pop in a:
        if len(a[pop]) != len(b[pop]):
            sys.exit(f"error: population {pop}: {len(a[pop])} vs {len(b[pop])} neurons")
    limit = math.inf if args.t_max is None else args.t_max

    events = []  # (key time, pop, neuron, m, t_a, t_b)
    for pop in sorted(a):
        for i, (ta, tb) in enumerate(zip(a[pop], b[pop])):
            ta = [t for t in ta if t < limit]
            tb = [t for t in tb if t < limit]
            for m in range(max(len(ta), len(tb))):
                xa = ta[m] if m < len(ta) else None
                xb = tb[m] if m < len(tb) else None
                key = min(x for x in (xa, xb) if x is not None)
                events.append((key, pop, i, m, xa, xb))
    events.sort(key=lambda e: (e[0], e[1], e[2], e[3]))

    div = None
    for n, (key, pop, i, m, xa, xb) in enumerate(events):
        if xa is None or xb is None or abs(xa - xb) > args.tol:
            div = {"index": n, "time": key, "population": pop, "neuron": i, "spike": m, "t_a": xa, "t_b": xb}
            break
    n_matched = len(events) if div is None else div["index"]
    matched = events[:n_matched]
    diffs = [abs(e[4] - e[5]) for e in matched]

    k = min(args.k, len(events))
    first = events[:k]
    first_diffs = [abs(e[4] - e[5]) for e in first[:min(k, n_matched)]]

    growth = {}
    for (key, _, _, _, xa, xb) in matched:
        w = int(key // args.window)
        growth[w] = max(growth.get(w, 0.0), abs(xa - xb))
    error_growth = [{"from_ms": w * args.window, "to_ms": (w + 1) * args.window, "max_abs_diff_ms": growth[w]}
                    for w in sorted(growth)]

    def flat(spikes):
        out = [(t, pop, i) for pop in sorted(spikes) for i, tr in enumerate(spikes[pop]) for t in tr if t < limit]
        out.sort()
        return out

    fa, fb = flat(a), flat(b)
    first_swap = None
    for n, (ea, eb) in enumerate(zip(fa, fb)):
        if ea[1:] != eb[1:]:
            first_swap = {"index": n, "a": {"time": ea[0], "population": ea[1], "neuron": ea[2]},
                          "b": {"time": eb[0], "population": eb[1], "neuron": eb[2]}}
            break
    if first_swap is None and len(fa) != len(fb):
        first_swap = {"index": min(len(fa), len(fb)), "note": "one file has more spikes"}
    prefix = fa[:first_swap["index"]] if first_swap else fa
    prefix_diff = max((abs(x[0] - y[0]) for x, y in zip(prefix, fb)), default=0.0)

    report = {
        "files": {"a": args.a, "b": args.b},
        "spikes": {"a": len(fa), "b": len(fb)},
        "tol_ms": args.tol,
        "divergence": div,
        "matched_before_divergence": {
            "spikes": n_matched,
            "max_abs_diff_ms": max(diffs, default=0.0),
            "mean_abs_diff_ms": (sum(diffs) / len(diffs)) if diffs else 0.0,
        },
        "first_k": {
            "k": k,
            "before_divergence": min(k, n_matched),
            "max_abs_diff_ms": max(first_diffs, default=0.0),
            "mean_abs_diff_ms": (sum(first_diffs) / len(first_diffs)) if first_diffs else 0.0,
            "last_time_ms": first[-1][0] if first else None,
        },
        "error_growth": error_growth,
        "sorted_order": {"first_difference": first_swap, "max_abs_diff_ms_before_it": prefix_diff},
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
