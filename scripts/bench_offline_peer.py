#!/usr/bin/env python3
"""The Python peer of `cargo xtask bench`'s offline analysis: one file, decoded, resampled,
turned into log-mel and run through both shipped networks, the way a Python user would write it.

Usage:
    python3 scripts/bench_offline_peer.py <audio file> <frame model.onnx> <convnet.onnx>

soundfile decodes (downmixed to mono), librosa resamples to 22 050 Hz (its default, soxr_hq), and
librosa.feature.melspectrogram computes the mel with Instrumeter's settings, then ln(mel + 1e-10).
onnxruntime runs every frame-model window (16 frames, hop 8) and every ConvNet window (43 frames,
hop 22), one at a time (the shipped ONNX files take a batch of one), one thread. Prints ONE line of JSON: {"seconds": total wall time,
"audio_seconds": ..., "stages": {...}}.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from librosa_mel_settings import MEL_PARAMS, TARGET_SR  # noqa: E402

def windows(log_mel, frames, hop):
    import numpy as np

    starts = range(0, max(log_mel.shape[1] - frames + 1, 0), hop)
    return np.stack([log_mel[:, s:s + frames] for s in starts])[:, None, :, :].astype(np.float32)


def run_all(session, all_windows):
    name = session.get_inputs()[0].name
    for window in all_windows:
        session.run(None, {name: window[None]})


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    import numpy as np
    import librosa
    import onnxruntime as ort
    import soundfile

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    frame_model = ort.InferenceSession(sys.argv[2], options, providers=["CPUExecutionProvider"])
    convnet = ort.InferenceSession(sys.argv[3], options, providers=["CPUExecutionProvider"])
    stages = {}
    started = time.perf_counter()
    audio, rate = soundfile.read(sys.argv[1], dtype="float32", always_2d=True)
    audio = audio.mean(axis=1)
    stages["decode"] = time.perf_counter() - started
    mark = time.perf_counter()
    if rate != TARGET_SR:
        audio = librosa.resample(audio, orig_sr=rate, target_sr=TARGET_SR)
    stages["resample"] = time.perf_counter() - mark
    mark = time.perf_counter()
    log_mel = np.log(librosa.feature.melspectrogram(y=audio, **MEL_PARAMS) + 1e-10)
    stages["mel"] = time.perf_counter() - mark
    mark = time.perf_counter()
    run_all(frame_model, windows(log_mel, 16, 8))
    run_all(convnet, windows(log_mel, 43, 22))
    stages["models"] = time.perf_counter() - mark
    print(json.dumps({"seconds": time.perf_counter() - started, "audio_seconds": len(audio) / TARGET_SR, "stages": stages}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
