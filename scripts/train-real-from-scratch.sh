#!/usr/bin/env bash
# Accuracy issue: the frame-activation network trained from scratch with real recordings as the
# bulk of its training (data/real-vib: 80 % of the stems of every class with real notes are real
# notes, from shared/data/real-notes, real-notes-2, data/extra-notes and Medley's training solos;
# held-out sources stay out, see scripts/real-validation-sources.txt; recorded melodic notes get
# a player's vibrato), validated on the real validation split. The run folder is committed
# (training-runs/frames-real: settings, latest and best weights, optimizer state, metrics), so
# any later session continues it where the last one stopped (one core, ≈ 2 min an epoch here); it
# stops by itself 8 epochs after its best validation loss. Then scripts/score-run.sh scores it.
# Usage: scripts/train-real-from-scratch.sh [MORE_EPOCHS]   (run from the repository root)
#        LR=2e-4 scripts/train-real-from-scratch.sh 50   restarts the learning rate on resume (the
#        plateau schedule reaches its floor, 1e-5, within ~35 epochs; the shipped pair's chain of
#        phases restarted it at 2e-4 several times)
#        RUN=training-runs/frames-real-16k FROM=training-runs/frames-real DATA=data/real-vib-16k CLIPS=16000 LR=3e-4 \
#          scripts/train-real-from-scratch.sh 60   continues FROM's best weights in a new run folder on a larger
#        training set (same master seed: the first 6 000 clips and the valid/test splits are those of data/real-vib)
#        RUN=training-runs/frames-real-w1 WIDTH=1.0 scripts/train-real-from-scratch.sh   the full-width network
#        (width 1.0, 4x the compute of 0.5) from scratch on the same data; WIDTH counts only when a run starts
set -euo pipefail
run=${RUN:-training-runs/frames-real}
data=${DATA:-data/real-vib}
clips=${CLIPS:-6000}
medley=../shared/data/medley-solos-small
[ -d data/extra-notes ] || scripts/fetch-extra-notes.sh data/extra-notes
[ -d $data/train ] || cargo xtask synth --out $data --seed 1 --train $clips --patches /usr/share/midi/freepats \
  --extra-notes data/extra-notes --extra-notes ../shared/data/real-notes-2 --body-shift 7 --solos $medley \
  --band-mixes 0.2 --real-share 0.8 --hold-out-sources scripts/real-validation-sources.txt --note-vibrato
if [ -n "${FROM:-}" ] && [ ! -f $run/progress.json ]; then
  mkdir -p $run
  cp "$FROM"/{best.bpk,optimizer.bpk,progress.json,run.json,metrics.jsonl} $run/
  cp "$FROM"/best.bpk $run/model.bpk
  python3 -c "import json; p=json.load(open('$run/progress.json')); print(p)"
fi
if [ -f $run/progress.json ]; then
  done_epochs=$(python3 -c "import json; print(json.load(open('$run/progress.json'))['epochs_done'])" 2>/dev/null || echo 0)
  restart=(); [ -n "${LR:-}" ] && restart=(--learning-rate "$LR")
  RAYON_NUM_THREADS=1 cargo xtask train --out $run --data $data --resume --epochs $((done_epochs + ${1:-100})) "${restart[@]}"
else
  RAYON_NUM_THREADS=1 cargo xtask train --arch frames --data $data --out $run --width "${WIDTH:-0.5}" --epochs "${1:-200}" \
    --steps-per-epoch 250 --shift-and-mask
fi
scripts/score-run.sh $run
