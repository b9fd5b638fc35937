#!/usr/bin/env bash
# Train each architecture with the CLI at one budget (defaults only), then measure those runs:
# completions/s, exact match on every suite, and when validation first reached 99.9%.
#   bash bench/reproduce.sh [BUDGET] [DIST]      (default: 1min seed)
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-1min}
dist=${2:-seed}
out=bench/models/${budget}_${dist}
bc=${BRACKETCLOSER:-.venv/bin/bracketcloser}
py=${PYTHON:-.venv/bin/python}
runs=()
for arch in $("$py" -c 'from bracketcloser.architectures import ARCHS; print(*ARCHS)'); do
  "$bc" train --arch "$arch" --time "$budget" --dist "$dist" --models-dir "$out" --quiet
  runs+=("$(ls -dt "$out/${arch}_"*/ | head -n 1)")
done
"$py" bench/throughput.py --models "${runs[@]}" --out "bench/results/throughput_${budget}_${dist}.json"
"$py" bench/accuracy.py --models "${runs[@]}" --out "bench/results/accuracy_${budget}_${dist}.json"
"$py" bench/time_to_target.py --models "${runs[@]}" --out "bench/results/time_to_999_${budget}_${dist}.json"
