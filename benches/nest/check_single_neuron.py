#!/usr/bin/env python3
"""Check the fpsnn -> NEST parameter mapping on one neuron (see README.md).

Drives one iaf_psc_exp_ps (E_L = V_reset = 0, V_th = theta, C_m = 250 pF, weight W * C_m)
with a few precisely timed input spikes and compares its spike times with fpsnn's model
evaluated in closed form here:

    V(t) = sum_g W h(t - g - d) - theta sum_{m < t} e^{-beta (t - m)},
    h(s) = (e^{-alpha s} - e^{-beta s}) / (beta - alpha),

whose threshold crossings are bracketed on a 1e-3 ms scan and bisected to ~1e-15 ms.
The first spike agrees to rounding; later spikes of NEST are late by O(h) because NEST
holds V at V_reset for t_ref >= h after every spike (fpsnn has no refractory period).

    /tmp/nestvenv/bin/python benches/nest/check_single_neuron.py
"""

import json
import math
import os

ALPHA, BETA, THETA, C_M = 0.2, 0.05, 20.0, 250.0
W, DELAY = 3.0, 1.0
INPUTS = [0.3, 0.9, 1.7, 2.05, 2.2]
T_END = 60.0


def h(s):
    return (math.exp(-ALPHA * s) - math.exp(-BETA * s)) / (BETA - ALPHA) if s > 0 else 0.0


def v(t, own):
    return (sum(W * h(t - g - DELAY) for g in INPUTS)
            - THETA * sum(math.exp(-BETA * (t - m)) for m in own if m < t))


def reference():
    own, t, dt = [], 0.0, 1e-3
    while t < T_END:
        t2 = t + dt
        if v(t2, own) >= THETA:
            a, b = t, t2
            for _ in range(200):
                c = 0.5 * (a + b)
                if v(c, own) >= THETA:
                    b = c
                else:
                    a = c
            own.append(b)
            t = b
            continue
        t = t2
    return own


def nest_run(nest, k):
    step = 2.0 ** -k
    nest.ResetKernel()
    nest.SetKernelStatus({"tics_per_ms": 2 ** 14, "resolution": step, "print_time": False})
    n = nest.Create("iaf_psc_exp_ps", params={
        "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0, "V_th": THETA, "C_m": C_M, "tau_m": 1.0 / BETA,
        "tau_syn_ex": 1.0 / ALPHA, "tau_syn_in": 1.0 / ALPHA, "t_ref": step})
    g = nest.Create("spike_generator", params={"precise_times": True, "spike_times": INPUTS})
    nest.Connect(g, n, syn_spec={"weight": W * C_M, "delay": DELAY})
    rec = nest.Create("spike_recorder")
    nest.Connect(n, rec)
    nest.Simulate(T_END)
    return [float(t) for t in rec.get("events")["times"]]


def main():
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest
    from run_nest import quiet_nest
    quiet_nest(nest)
    ref = reference()
    out = {"reference": ref, "nest": {}}
    for k in (7, 10, 13):
        ts = nest_run(nest, k)
        out["nest"][f"2^-{k}"] = {"times": ts, "minus_reference": [a - b for a, b in zip(ts, ref)]}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
