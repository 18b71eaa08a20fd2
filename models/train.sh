#!/usr/bin/env bash
# `npm run train`: export labelled features through the fraud topology
# (backfill mode), train and evaluate the model, and write the artifacts
# committed next to this script (fraud.onnx, fraud.metadata.json,
# parity.json, MODEL_CARD.md). Not part of `npm test`.
#
# Environment:
#   VIGIL_TRAIN_USERS  users per simulated history (default 2000)
#   VIGIL_TRAIN_REUSE  1 = reuse exported CSVs in models/.venv/data if present
#   VIGIL_TRAIN_OUT    where the artifacts go (default models; another directory to compare a rerun)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=models/.venv
DATA=$VENV/data
USERS=${VIGIL_TRAIN_USERS:-2000}
OUT=${VIGIL_TRAIN_OUT:-models}

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r models/requirements.txt

mkdir -p "$DATA" "$OUT"
export_features() { # name seed days start fraud-rate
  local out="$DATA/$1.csv"
  if [ "${VIGIL_TRAIN_REUSE:-0}" = 1 ] && [ -s "$out" ]; then
    echo "reusing $out"
    return
  fi
  npx tsx src/fraud/topology/export-features.ts --seed "$2" --users "$USERS" --days "$3" --start "$4" \
    --fraud-rate "$5" --warmup-days 3 --out "$out"
}
# Training history: seed 1, four weeks, fraud over-sampled (8% of users hit).
export_features train 1 28 2026-01-05 0.08
# Held-out evaluation: another seed, the two weeks after, the simulator's default fraud rate.
export_features test 2 14 2026-02-02 0.04

# One OpenMP thread: scikit-learn's histogram boosting spins its threads, which on a busy
# 2-core machine turned a 15 s fit into many minutes; results do not depend on it.
OMP_NUM_THREADS=1 "$VENV/bin/python" models/train.py --train "$DATA/train.csv" --test "$DATA/test.csv" --out "$OUT"
