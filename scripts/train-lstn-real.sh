#!/usr/bin/env bash
# Seed 000 (LSTN issue): the LSTN trained on the same data and recipe as the ConvNet from scratch
# (scripts/train-convnet-real.sh: data/real-vib-16k, real notes as the bulk, shift and mask,
# early-stopping on the real validation loss), width 0.25. One core runs ≈ 25 examples/s, ≈ 9 min
# an epoch of 100 batches of 128, so the run folder is committed (training-runs/lstn-real) and
# this script resumes it.
# Usage: scripts/train-lstn-real.sh [MORE_EPOCHS]   (from the repository root)
# Score: scripts/score-window-run.sh training-runs/lstn-real
set -euo pipefail
run=training-runs/lstn-real
data=data/real-vib-16k
[ -d $data/train ] || { echo "make $data first: see scripts/train-convnet-real.sh"; exit 1; }
if [ -f $run/progress.json ]; then
  done_epochs=$(python3 -c "import json; print(json.load(open('$run/progress.json'))['epochs_done'])")
  RAYON_NUM_THREADS=1 cargo xtask train --out $run --data $data --resume --epochs $((done_epochs + ${1:-50}))
else
  RAYON_NUM_THREADS=1 cargo xtask train --arch lstn --data $data --out $run --width 0.25 --epochs "${1:-200}" \
    --steps-per-epoch 100 --shift-and-mask
fi
