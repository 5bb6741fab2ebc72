#!/usr/bin/env bash
# Generate the benchmark network and time NEST's iaf_psc_exp_ps on it at h = 2^-7 and
# 2^-10 ms (1 thread), writing everything to benches/nest/out/. See README.md.
#
#   benches/nest/run_all.sh            # from the repository root
#   PY=/path/to/python REPEAT=5 RESOLUTIONS="7 10 13" benches/nest/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-/tmp/nestvenv/bin/python}
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-1}
RESOLUTIONS=${RESOLUTIONS:-"7 10"}
OUT=benches/nest/out
export PYNEST_QUIET=1

mkdir -p "$OUT"
python3 benches/nest/make_network.py --out-dir "$OUT" --seed "${SEED:-1}"

{
  echo "nproc: $(nproc)"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket|L[23] cache)' || true
  echo "nest: $("$PY" -c 'import nest; print(nest.__version__)' 2>/dev/null | tail -n 1)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

for k in $RESOLUTIONS; do
  echo "--- h = 2^-$k ms, threads $THREADS, best of $REPEAT; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$PY" benches/nest/run_nest.py --net "$OUT/network.json" --input "$OUT/input.json" \
      --resolution "2^-$k" --threads "$THREADS" --repeat "$REPEAT" \
      --spikes-out "$OUT/nest_h2m$k.json" 2>"$OUT/nest_h2m$k.stderr" | tee "$OUT/nest_h2m$k.summary.json"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
