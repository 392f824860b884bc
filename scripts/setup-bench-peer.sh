#!/usr/bin/env bash
# Makes the Python peer of `cargo xtask bench` reproducible in one step: a virtual environment in
# target/bench-peer with pinned packages (the fixture versions of tests/fixtures/README.md, plus
# onnxruntime and soundfile for the model and file peers). `cargo xtask bench` uses it when it is
# there (or the interpreter named by INSTRUMETER_BENCH_PYTHON). PyPI only; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-target/bench-peer}"
if ! python3 -m venv --help > /dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq python3-venv
fi
[ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
"$venv/bin/python3" -m pip install -q --disable-pip-version-check \
  librosa==0.11.0 numpy==2.4.6 scipy==1.17.1 soundfile==0.14.0 soxr==1.1.0 onnxruntime==1.23.2
"$venv/bin/python3" -c "import librosa, numpy, onnxruntime; print('bench peer ready:', '$venv/bin/python3', 'librosa', librosa.__version__, 'numpy', numpy.__version__, 'onnxruntime', onnxruntime.__version__)"
