#!/usr/bin/env bash
# Late-fusion experiment (accuracy issue): `cargo xtask analyze` of each card on data/real's valid
# and test clips (once per card, cached in target/fusion/<card name>/), then scripts/fusion.py
# scores each model alone and every group of them, averaged, under the real-validation protocol.
# Usage: scripts/fusion.sh CARD [CARD ...]
set -euo pipefail
python=target/bench-peer/bin/python
[ -x $python ] || scripts/setup-bench-peer.sh
specs=()
for card in "$@"; do
  name=$(basename "$card" .card.json); dir="target/fusion/$(basename "$(dirname "$card")")-$name"
  for split in valid test; do
    [ -d "$dir/$split" ] || cargo xtask analyze data/real/$split --model "$card" --format json --out "$dir/$split" > /dev/null
  done
  specs+=("$(basename "$(dirname "$card")")-$name=$dir")
done
$python scripts/fusion.py "${specs[@]}"
