#!/usr/bin/env bash
# Ships seed 000's LSTN as models/lstn-1s (an alternative the user can pick; not the default):
# exports the best epoch of training-runs/lstn-real (scripts/train-lstn-real.sh) with the tract
# parity check, tunes its live thresholds on the synthetic validation split and its clip
# thresholds (S2) on the real validation split, and records every score in the card with reports
# and plots beside it, like the default models (scripts/train-default-models.sh).
# Usage: scripts/make-lstn-model.sh   (from the repository root; needs data/real and data/synth-solos,
# made by scripts/score-run.sh's first lines)
set -euo pipefail
medley=../shared/data/medley-solos-small
cargo xtask export --checkpoint training-runs/lstn-real/best.bpk --out models/lstn-1s
report=(--report-dir models --record-in-card)
cargo xtask eval --model models/lstn-1s.card.json --data data/synth-solos --split valid --tune "${report[@]}"
cargo xtask eval --model models/lstn-1s.card.json --data data/real --split valid --tune --tune-on clip "${report[@]}"
cargo xtask eval --model models/lstn-1s.card.json --data data/real --split test "${report[@]}"
cargo xtask eval --model models/lstn-1s.card.json --data $medley --layout medley-solos --subset validation "${report[@]}"
