#!/usr/bin/env bash
# Accuracy issue, the lever after the frame model: the 1 s ConvNet (the default pair's companion,
# still the SoundFont-era network) trained from scratch with real notes as the bulk, on
# data/real-vib-16k (see scripts/train-real-from-scratch.sh for that data), width 0.5, shift and
# mask, early-stopping on the real validation loss. One core runs ≈ 24 examples/s, ≈ 9 min an
# epoch of 100 batches of 128: a run for several sessions, so its folder is committed
# (training-runs/convnet-real) and this script resumes it.
# Usage: scripts/train-convnet-real.sh [MORE_EPOCHS]   (from the repository root)
# Score: cargo xtask export --checkpoint training-runs/convnet-real/best.bpk --out target/eval/convnet-real/convnet-1s,
# then pair it with a frame model (export --companion) and run scripts/eval-real.sh on the pair.
set -euo pipefail
run=training-runs/convnet-real
data=data/real-vib-16k
[ -d data/extra-notes ] || scripts/fetch-extra-notes.sh data/extra-notes
[ -d $data/train ] || cargo xtask synth --out $data --seed 1 --train 16000 --patches /usr/share/midi/freepats \
  --extra-notes data/extra-notes --extra-notes ../shared/data/real-notes-2 --body-shift 7 --solos ../shared/data/medley-solos-small \
  --band-mixes 0.2 --real-share 0.8 --hold-out-sources scripts/real-validation-sources.txt --note-vibrato
if [ -f $run/progress.json ]; then
  done_epochs=$(python3 -c "import json; print(json.load(open('$run/progress.json'))['epochs_done'])")
  RAYON_NUM_THREADS=1 cargo xtask train --out $run --data $data --resume --epochs $((done_epochs + ${1:-50}))
else
  RAYON_NUM_THREADS=1 cargo xtask train --arch han --data $data --out $run --width 0.5 --epochs "${1:-200}" \
    --steps-per-epoch 100 --shift-and-mask
fi
