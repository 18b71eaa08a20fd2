#!/usr/bin/env bash
# `npm run eval [-- --quick]`: evaluation under shift. Exports the named
# worlds of src/fraud/simulator/shift-presets.ts through the fraud topology
# (backfill mode), then trains a candidate on `train` and scores it and the
# committed model on the shifted worlds and with each scenario left out
# (models/evaluate.py). Writes models/eval/REPORT.md, results.json and SVGs.
#
#   --quick            a quarter of the users: a smoke run, numbers too noisy to quote
#   --write-model=DIR  also write the candidate's fraud.onnx, metadata and parity fixture into DIR
#                      (to try it against the model and driver tests before replacing models/)
# Environment:
#   VIGIL_EVAL_REUSE=1 reuse exported CSVs in models/.venv/eval-data if present
#   VIGIL_EVAL_OUT     where the report goes (default models/eval)
set -euo pipefail
cd "$(dirname "$0")/.."

TRAIN_USERS=2000
TEST_USERS=1000
MAX_ITER=200
WRITE_MODEL=()
for arg in "$@"; do
  case "$arg" in
    --quick) TRAIN_USERS=500; TEST_USERS=250; MAX_ITER=100 ;;
    --write-model=*) WRITE_MODEL=(--write-model "${arg#--write-model=}") ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

VENV=models/.venv
DATA=$VENV/eval-data/u$TRAIN_USERS
OUT=${VIGIL_EVAL_OUT:-models/eval}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r models/requirements.txt
mkdir -p "$DATA" "$OUT"
started=$(date +%s)

export_world() { # preset users days start [extra]
  local out="$DATA/$1.csv"
  if [ "${VIGIL_EVAL_REUSE:-0}" = 1 ] && [ -s "$out" ]; then echo "reusing $out"; return; fi
  npx tsx src/fraud/evaluate/export-shift.ts --preset "$1" --users "$2" --days "$3" --start "$4" --warmup-days 3 --out "$out" ${5:-}
}
# Training: three weeks, labels as known at its end. Tests: ten days each, later, true labels.
export_world train "$TRAIN_USERS" 21 2026-01-05 --observed-labels
for world in classic population travel processor messy; do
  export_world "$world" "$TEST_USERS" 10 2026-02-02
done

OMP_NUM_THREADS=1 "$VENV/bin/python" models/evaluate.py --data "$DATA" --out "$OUT" --max-iter "$MAX_ITER" "${WRITE_MODEL[@]}" \
  --note "Run: train $TRAIN_USERS users × 21 days, each test world $TEST_USERS users × 10 days (3 warm-up days not scored), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the start of scoring; export started $(( $(date +%s) - started )) s before."
if [ ${#WRITE_MODEL[@]} -gt 0 ]; then
  # The written model's drift reference (vigil_feature_psi, vigil_score_psi): its training world.
  npx tsx models/drift-reference.ts "${WRITE_MODEL[1]}" "$DATA/train.csv"
fi
echo "evaluation took $(( $(date +%s) - started )) s; report in $OUT/REPORT.md"
