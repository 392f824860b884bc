#!/usr/bin/env python3
"""Time librosa's mel spectrogram (or another feature kind) on one thread, for comparison with
Instrumeter.

Usage:
    python3 scripts/bench_librosa.py <wav file> [--repeats N] [--kind log_mel|cqt|cqt_chroma|modgd]

--kind picks the feature: log_mel (default, below); cqt = librosa.cqt with seed 002's settings
(res_type polyphase, as the Rust front-end computes it) plus perceptual weighting; cqt_chroma =
librosa.feature.chroma_cqt (36 chroma bins, tuning 0); modgd = the NumPy reference of
tests/fixtures/make_features.py (librosa has no modified group delay).

Loads the WAV (downmixed to mono), resamples it to 22050 Hz with librosa's
default resampler if needed (not timed), then times
librosa.feature.melspectrogram with Instrumeter's front-end settings
(n_fft=1024, hop=512, periodic Hann, center=False, power=2, 128 Slaney mels,
0..11025 Hz) on the float32 22050 Hz signal: one warm-up call, then N timed
calls.  Prints ONE line of JSON to stdout:

    {"frames": ..., "seconds_median": ..., "seconds_best": ...,
     "frames_per_s": ..., "frames_per_s_best": ..., "repeats": N,
     "librosa": "<version>", ...}

frames_per_s is frames / seconds_median.

Exit codes: 0 ok, 2 bad arguments / unreadable file, 3 librosa or numpy
cannot be imported.
"""

import os

# Pin every thread pool to one thread BEFORE numpy/scipy/numba are imported.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from librosa_mel_settings import MEL_PARAMS, TARGET_SR  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Time librosa.feature.melspectrogram (one thread)."
    )
    ap.add_argument("wav", help="WAV file (any channel count; downmixed to mono)")
    ap.add_argument(
        "--repeats", type=int, default=10, help="timed repetitions (default 10)"
    )
    ap.add_argument("--kind", default="log_mel", choices=["log_mel", "cqt", "cqt_chroma", "modgd"])
    args = ap.parse_args()
    if args.repeats < 1:
        print("bench_librosa: --repeats must be >= 1", file=sys.stderr)
        return 2

    try:
        import numpy as np
        import librosa
    except Exception as e:  # ImportError, or a broken install
        print(
            f"bench_librosa: cannot import librosa/numpy ({type(e).__name__}: {e}); "
            "install with: python3 -m pip install librosa numpy scipy soundfile",
            file=sys.stderr,
        )
        return 3

    try:
        y, sr = _load_mono(args.wav, np)
    except Exception as e:
        print(f"bench_librosa: cannot read {args.wav}: {e}", file=sys.stderr)
        return 2

    if sr != TARGET_SR:
        y = librosa.resample(y, orig_sr=sr, target_sr=TARGET_SR)
    y = np.ascontiguousarray(y, dtype=np.float32)
    if y.shape[0] < MEL_PARAMS["n_fft"]:
        print(
            f"bench_librosa: signal too short ({y.shape[0]} samples at 22050 Hz, "
            f"need >= {MEL_PARAMS['n_fft']})",
            file=sys.stderr,
        )
        return 2

    compute = _feature(args.kind, librosa, np)
    frames = int(compute(y).shape[-2 if args.kind == "modgd" else -1])  # warm-up

    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        compute(y)
        times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    median = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    best = times[0]

    print(
        json.dumps(
            {
                "frames": frames,
                "seconds_median": median,
                "seconds_best": best,
                "frames_per_s": frames / median if median > 0 else None,
                "frames_per_s_best": frames / best if best > 0 else None,
                "repeats": n,
                "kind": args.kind,
                "input_sr": int(sr),
                "samples_22050": int(y.shape[0]),
                "librosa": librosa.__version__,
                "numpy": np.__version__,
            }
        )
    )
    return 0


def _feature(kind, librosa, np):
    """The batch computation timed for `kind`: y (float32, 22050 Hz) -> features."""
    if kind == "log_mel":
        return lambda y: librosa.feature.melspectrogram(y=y, **MEL_PARAMS)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
    import make_features as reference  # noqa: E402

    if kind == "cqt":
        freqs = librosa.cqt_frequencies(n_bins=84, fmin=55.0, bins_per_octave=12)
        return lambda y: reference.cqt_feature(np.abs(librosa.cqt(y, **reference.CQT_PARAMS)), freqs)
    if kind == "cqt_chroma":
        return lambda y: librosa.feature.chroma_cqt(y=y, sr=TARGET_SR, hop_length=512, tuning=0.0, **reference.CHROMA_PARAMS)
    return lambda y: reference.modgd_feature(reference.modgd_reference(y))


def _load_mono(path, np):
    """Return (float32 mono samples, sample rate).

    Uses soundfile if present (any format it reads), else scipy.io.wavfile.
    Integer PCM is scaled like hound-based Rust code: int16 / 32768 etc.
    """
    try:
        import soundfile as sf

        y, sr = sf.read(path, dtype="float32", always_2d=True)
        return y.mean(axis=1, dtype=np.float32), int(sr)
    except ImportError:
        pass
    from scipy.io import wavfile

    sr, data = wavfile.read(path)
    if data.dtype.kind == "i":
        y = data.astype(np.float32) / np.float32(2 ** (8 * data.dtype.itemsize - 1))
    elif data.dtype.kind == "u":  # 8-bit WAV is unsigned
        y = (data.astype(np.float32) - 128.0) / 128.0
    else:
        y = data.astype(np.float32)
    if y.ndim == 2:
        y = y.mean(axis=1, dtype=np.float32)
    return y, int(sr)


if __name__ == "__main__":
    sys.exit(main())
