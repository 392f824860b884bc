#!/usr/bin/env bash
# Makes two folders of real electric-guitar song stems from Debian's Frets on Fire song packages
# (fretsonfire-songs-muldjord: Muldjord, CC BY-SA 3.0; fretsonfire-songs-sectoid: Sectoid, MIT):
#  - data/song-stems: the guitar stems (guitar.ogg) of 6 songs, in the layout of
#    `cargo xtask synth --solo-recordings` (gel/<pack>_<song>.ogg + CREDITS.txt);
#  - data/song-stems-test: the last song of each pack (alphabetical), never trained on, cut into
#    3 s clips where its guitar stem sounds, for `cargo xtask eval --layout irmas-train`
#    (gel/<pack>_<song>_<n>.wav; python3 with numpy and soundfile cuts them, pip installs them);
#  - data/song-mixes-test: the same clips of the whole song (guitar stem + song.ogg, the rest of the
#    band). Only electric guitar is labelled there, so only its recall means something.
# Needs apt-get (Debian's registry) and PyPI; nothing else is downloaded. Run from the repository root.
set -euo pipefail
train="${1:-data/song-stems}"
test="${2:-data/song-stems-test}"
mixes="${3:-data/song-mixes-test}"
python3 -c "import numpy, soundfile" 2>/dev/null || python3 -m pip install -q numpy soundfile
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
packs=(muldjord sectoid)
(cd "$work" && apt-get download "${packs[@]/#/fretsonfire-songs-}" 2>/dev/null)
for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/root"; done
songs="$work/root/usr/share/games/fretsonfire/data/songs"
rm -rf "$train" "$test" "$mixes"
mkdir -p "$train/gel"
for pack in "${packs[@]}"; do
  mapfile -t folders < <(find "$songs/$pack" -mindepth 1 -maxdepth 1 -type d | sort)
  for folder in "${folders[@]::${#folders[@]}-1}"; do
    name="$(basename "$folder" | tr ' ' '_' | tr '[:upper:]' '[:lower:]')"
    cp "$folder/guitar.ogg" "$train/gel/${pack}_$name.ogg"
  done
  held_out="${folders[-1]}"
  prefix="${pack}_$(basename "$held_out" | tr ' ' '_' | tr '[:upper:]' '[:lower:]')"
  python3 scripts/cut_stem_clips.py "$held_out/guitar.ogg" "$test/gel" "$prefix"
  python3 scripts/cut_stem_clips.py "$held_out/guitar.ogg" "$mixes/gel" "$prefix" "$held_out/song.ogg"
done
packages="Debian fretsonfire-songs-muldjord 2.dfsg-2.1 (Muldjord, www.muldjord.com, CC BY-SA 3.0) and fretsonfire-songs-sectoid 1.dfsg-3.1 (Carlos Viola Iborra / Sectoid, MIT)"
held_out_songs="$(ls "$test/gel" | sed 's/_[0-9]*\.wav$//' | sort -u | tr '\n' ' ')"
echo "guitar stems of $packages" > "$train/CREDITS.txt"
echo "guitar stems of $packages; held-out songs: $held_out_songs" > "$test/CREDITS.txt"
echo "whole songs (guitar stem + backing) of $packages; held-out songs: $held_out_songs" > "$mixes/CREDITS.txt"
echo "$(ls "$train/gel" | wc -l) training stems in $train; $(ls "$test/gel" | wc -l) test clips in $test and in $mixes"
