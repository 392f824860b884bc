#!/usr/bin/env bash
# Scores a window-model training run (ConvNet or LSTN) the way the shipped ConvNet is scored in
# models/README.md: exports the run's best epoch, tunes its clip thresholds (S2) on the real
# validation split and prints the 2-fold score, the synthetic test split and Medley-solos-DB's
# validation clips (scripts/eval-real.sh); then the same for the shipped frame model with this
# network as its companion in place of the shipped ConvNet. Nothing in models/ changes.
# Usage: scripts/score-window-run.sh RUN_FOLDER [NAME]   (models and reports in target/eval/<run name>/)
set -euo pipefail
run="$1"; name="${2:-$(basename "$run")}"
out="target/eval/$(basename "$run")"
mkdir -p "$out"
cargo xtask export --checkpoint "$run/best.bpk" --out "$out/$name"
echo "== $name alone"
scripts/eval-real.sh "$out/$name.card.json" --tune
echo "== shipped frame model with $name as its companion"
cp models/frame-activation.onnx "$out/frame-activation.onnx"
python3 - "$out" "$name" <<'PY'
import json, sys
out, name = sys.argv[1], sys.argv[2]
card = json.load(open("models/frame-activation.card.json"))
card["companion"]["card"] = f"{name}.card.json"
card.pop("clip_thresholds", None)
json.dump(card, open(f"{out}/frame-activation.card.json", "w"), indent=2)
PY
scripts/eval-real.sh "$out/frame-activation.card.json" --tune
