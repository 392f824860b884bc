#!/usr/bin/env bash
# Measures what training on real solo recordings (`synth --solos`) brings on real clips the models
# never heard. shared/data/medley-solos-small's training subset (10 clips per instrument) is split
# in two folds by uuid. Each fold's clips become training stems of the shipped recipe's last phase
# (the same starting checkpoints, 16 epochs), and those models are scored on the other fold plus
# the 9 validation-subset clips; a control runs the same phase without solos (data/synth-body7).
# Caveat: medley-solos-small has no song ids, and some training clips look like excerpts of one
# recording, so a fold's scored clips may share recordings with its training clips and flatter
# it; the 9 validation-subset clips (scored apart) come from other songs, and the synthetic test
# split's real-note clips show what the solos cost elsewhere. Run from the repository root after
# scripts/train-default-models.sh, which leaves the starting checkpoints in
# target/train/{frames,han}-start and data/extra-notes. ≈ 80 min on 2 cores.
set -euo pipefail
medley=../shared/data/medley-solos-small
make_fold() { # make_fold NAME AWK-CONDITION: a Medley-solos-DB folder of the rows that pass
  local dir=data/$1
  mkdir -p "$dir/audio"
  head -n 1 "$medley/Medley-solos-DB_metadata.csv" > "$dir/Medley-solos-DB_metadata.csv"
  tail -n +2 "$medley/Medley-solos-DB_metadata.csv" | sort -t, -k2,2 -k5,5 |
    awk -F, "{ if (\$1 == \"training\") n[\$2]++; if ($2) print }" >> "$dir/Medley-solos-DB_metadata.csv"
  tail -n +2 "$dir/Medley-solos-DB_metadata.csv" | while IFS=, read -r subset _ id _ uuid; do
    ln -sf "$(realpath "$medley/audio/Medley-solos-DB_$subset-${id}_$uuid.flac")" "$dir/audio/"
  done
}
# Fold A trains on the 1st, 3rd, … training clip of each instrument in uuid order and is scored on
# the others; fold B the other way round. Both are scored with the validation subset too.
make_fold medley-trainA '$1 == "training" && n[$2] % 2 == 1'
make_fold medley-scoreA '$1 == "validation" || ($1 == "training" && n[$2] % 2 == 0)'
make_fold medley-trainB '$1 == "training" && n[$2] % 2 == 0'
make_fold medley-scoreB '$1 == "validation" || ($1 == "training" && n[$2] % 2 == 1)'
synth() { cargo xtask synth --seed 1 --train 6000 --patches /usr/share/midi/freepats --extra-notes data/extra-notes --body-shift 7 "$@"; }
synth --out data/synth-body7 # the control: the shipped data without solos
synth --out data/synth-solosA --solos data/medley-trainA
synth --out data/synth-solosB --solos data/medley-trainB
finetune() { # finetune RUN DATA: both networks, one core each, from the starting checkpoints
  for arch in frames han; do
    local last=90; [ $arch = han ] && last=108
    rm -rf "target/train/$arch-$1" && cp -r "target/train/$arch-start" "target/train/$arch-$1"
    RAYON_NUM_THREADS=1 cargo xtask train --arch $arch --out "target/train/$arch-$1" --resume \
      --data "$2" --learning-rate 2e-4 --new-validation --epochs $last &
    sleep 45 # the first run builds the feature cache
  done
  wait
}
finetune control data/synth-body7
finetune solosA data/synth-solosA
finetune solosB data/synth-solosB
score() { # score RUN FOLD: export, tune thresholds on the synthetic validation split, then score
  for arch in frames han; do # FOLD, the validation subset alone and the synthetic test split
    local out=target/cross-validation/$arch-$1
    cargo xtask export --checkpoint "target/train/$arch-$1/model.bpk" --out "$out" > /dev/null
    cargo xtask eval --model "$out.card.json" --data data/synth-body7 --split valid --tune --report-dir target/eval > /dev/null
    echo "$arch-$1 on $2: $(cargo xtask eval --model "$out.card.json" --data "data/$2" --layout medley-solos | grep -m 1 "micro F1")"
    echo "$arch-$1: $(cargo xtask eval --model "$out.card.json" --data $medley --layout medley-solos --subset validation | grep -m 1 "micro F1")"
    cargo xtask eval --model "$out.card.json" --data data/synth --split test | grep -E "^synth-test .*(micro F1|only)" | sed "s/^/$arch-$1: /"
  done
}
score control medley-scoreA; score control medley-scoreB; score solosA medley-scoreA; score solosB medley-scoreB
