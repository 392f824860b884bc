#!/usr/bin/env bash
# Reproduces the shipped models: synthesise data, train both networks on the CPU, export with the
# tract parity check, tune thresholds on the validation split, and evaluate on the held-out test
# split (TimGM6mb + unseen phrases and real-note files) and on real Medley-solos-DB clips.
# Seeds are fixed; the cards record settings, data and scores. Run from the repository root.
set -euo pipefail
EPOCHS=${EPOCHS:-40}
# The shipped frame model ran 15 epochs, then was resumed to 45 (early stop at 44, best 36).
FRAMES_EPOCHS=${FRAMES_EPOCHS:-45}
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get install -y -qq fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont-lossless
cargo xtask synth --out data/synth --seed 1
cargo xtask train --data data/synth --arch han --width 0.25 --epochs "$EPOCHS" --out target/train/han &
sleep 60 # let the first run build the feature cache before the second reads it
cargo xtask train --data data/synth --arch frames --width 0.25 --epochs "$FRAMES_EPOCHS" --steps-per-epoch 250 --out target/train/frames
wait
cargo xtask export --checkpoint target/train/han --out models/convnet-1s
cargo xtask export --checkpoint target/train/frames --out models/frame-activation
for model in models/convnet-1s models/frame-activation; do
  cargo xtask eval --model "$model.card.json" --data data/synth --split valid --tune
  cargo xtask eval --model "$model.card.json" --data data/synth --split test
  cargo xtask eval --model "$model.card.json" --data ../shared/data/medley-solos-small --layout medley-solos
done
