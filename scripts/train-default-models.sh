#!/usr/bin/env bash
# Reproduces the shipped models: synthesise data, train both networks on the CPU, export with the
# tract parity check, tune thresholds on the validation split, and evaluate on the held-out test
# split (TimGM6mb + unseen phrases and real-note files) and on real Medley-solos-DB clips.
# Seeds are fixed; the cards record settings, data and scores. Run from the repository root.
set -euo pipefail
FRAMES_EPOCHS=${FRAMES_EPOCHS:-26}
HAN_EPOCHS=${HAN_EPOCHS:-30}
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get install -y -qq fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont-lossless
cargo xtask synth --out data/synth --seed 1 --train 6000
# Both networks train at once, one core each (2-core machine); epochs are random 8 000-window draws.
RAYON_NUM_THREADS=1 cargo xtask train --data data/synth --arch frames --width 0.5 --epochs "$FRAMES_EPOCHS" --steps-per-epoch 250 --out target/train/frames &
sleep 45 # let the first run build the feature cache before the second reads it
RAYON_NUM_THREADS=1 cargo xtask train --data data/synth --arch han --width 0.5 --batch 64 --epochs "$HAN_EPOCHS" --steps-per-epoch 125 --out target/train/han
wait
cargo xtask export --checkpoint target/train/han --out models/convnet-1s
cargo xtask export --checkpoint target/train/frames --out models/frame-activation
for model in models/convnet-1s models/frame-activation; do
  cargo xtask eval --model "$model.card.json" --data data/synth --split valid --tune
  cargo xtask eval --model "$model.card.json" --data data/synth --split test
  cargo xtask eval --model "$model.card.json" --data ../shared/data/medley-solos-small --layout medley-solos
done
