#!/usr/bin/env bash
# Scores a frame-model training run the way the shipped pair is scored (accuracy issue): exports
# the run's best epoch with the shipped ConvNet as its companion, tunes the live thresholds on the
# synthetic validation split (data/synth-solos valid) and the clip thresholds on the real
# validation split (data/real valid, 2-fold score printed), then scores the synthetic test split
# and Medley-solos-DB's validation clips (scripts/eval-real.sh). Nothing in models/ changes.
# Usage: scripts/score-run.sh RUN_FOLDER   (model and reports in target/eval/<run name>/)
set -euo pipefail
run="$1"
out="target/eval/$(basename "$run")"
medley=../shared/data/medley-solos-small
common=(--seed 1 --patches /usr/share/midi/freepats --extra-notes data/extra-notes --body-shift 7 --solos $medley)
[ -d data/extra-notes ] || scripts/fetch-extra-notes.sh data/extra-notes
# Validation and test splits only (--train 0): byte for byte those of the full sets.
[ -d data/synth-solos/valid ] || cargo xtask synth --out data/synth-solos --train 0 "${common[@]}"
[ -d data/real/valid ] || cargo xtask synth --out data/real --train 0 "${common[@]}" --extra-notes ../shared/data/real-notes-2 \
  --band-mixes 0.2 --real-share 0.8 --hold-out-sources scripts/real-validation-sources.txt
mkdir -p "$out"
cp models/convnet-1s.onnx models/convnet-1s.card.json "$out/"
cargo xtask export --checkpoint "$run/best.bpk" --out "$out/frame-activation" --companion convnet-1s.card.json
cargo xtask eval --model "$out/frame-activation.card.json" --data data/synth-solos --split valid --tune --report-dir "$out" 2>&1 | grep -E " — (Frame level|Clip level, RMS)"
scripts/eval-real.sh "$out/frame-activation.card.json" --tune
