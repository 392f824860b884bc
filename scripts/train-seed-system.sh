#!/usr/bin/env bash
# Feature-kinds issue: trains one of the seed systems that read other features than log-mel —
# seed 002's network on the log constant-Q (cqt-invariants), seed 004's branches on log-mel,
# modified group delay and CQT chroma (zagreb-mel, zagreb-modgd, zagreb-chroma) — on the same
# real-note data as the accuracy runs (data/real-vib-16k; scripts/train-convnet-real.sh makes it),
# early-stopping on the real validation loss. Resumable: the run folder is training-runs/<arch>-real.
# Usage: scripts/train-seed-system.sh ARCH [MORE_EPOCHS] [WIDTH]   (from the repository root;
# WIDTH defaults to 1 for cqt-invariants, the paper's sizes, and 0.5 for the seed-004 branches)
# Then: cargo xtask export --checkpoint training-runs/<arch>-real --out models/<name>
set -euo pipefail
arch=${1:?usage: scripts/train-seed-system.sh cqt-invariants|zagreb-mel|zagreb-modgd|zagreb-chroma [MORE_EPOCHS] [WIDTH]}
run=training-runs/${arch}-real
data=data/real-vib-16k
[ -d $data/train ] || { echo "make $data first: scripts/train-convnet-real.sh 0" >&2; exit 1; }
if [ -f $run/progress.json ]; then
  done_epochs=$(python3 -c "import json; print(json.load(open('$run/progress.json'))['epochs_done'])")
  cargo xtask train --out $run --data $data --resume --epochs $((done_epochs + ${2:-50}))
else
  cargo xtask train --arch "$arch" --data $data --out $run --width "${3:-$([ "$arch" = cqt-invariants ] && echo 1 || echo 0.5)}" --epochs "${2:-200}" \
    --steps-per-epoch 100 --shift-and-mask
fi
