#!/usr/bin/env bash
# Builds the Python venv for scripts/musicnn/ from requirements.txt.
# Usage: scripts/musicnn/setup.sh [VENV_DIR]   (default /work/musicnn-venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-/work/musicnn-venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
# everything but musicnn, with its dependencies
grep -v '^musicnn==' "$here/requirements.txt" > "$venv/requirements-nomusicnn.txt"
nice -n 19 "$venv/bin/pip" install -q -r "$venv/requirements-nomusicnn.txt"
# musicnn's declared numpy<1.17 pin is unsatisfiable on Python 3.11: skip its deps
"$venv/bin/pip" install -q --no-deps "$(grep '^musicnn==' "$here/requirements.txt")"
"$venv/bin/python" -c "import musicnn, tensorflow, tf2onnx, onnxruntime, sklearn, librosa; print('musicnn venv ready:', '$venv')"
