#!/usr/bin/env bash
# Scores a model card the way the accuracy issue asks, on data made from shared/data only:
# 1. the real validation split (data/real valid: whole held-out real-note sources, no SoundFonts),
#    clip level; with --tune the card's thresholds are tuned there (clip aggregation) and the
#    2-fold score (thresholds tuned on the other half of the clips) is printed beside the
#    in-sample one; 2. the synthetic test split (held-out SoundFont + held-out real-note files);
#    3. Medley-solos-DB's validation clips (real solo recordings).
# Usage: scripts/eval-real.sh CARD [--tune]   (reports in target/eval/<card name>/)
set -euo pipefail
card="$1"; shift
reports="target/eval/$(basename "$card" .card.json)"
eval_on() { cargo xtask eval --model "$card" --report-dir "$reports" "$@" 2>&1 | grep -E " — " ; }
eval_on --data data/real --split valid --tune-on clip "$@" | grep -E "Clip level|instrument|folds"
eval_on --data data/real --split test | grep -E "Clip level|Frame level|real recorded notes only|3–4"
eval_on --data ../shared/data/medley-solos-small --layout medley-solos --subset validation | grep -E "Clip level"
