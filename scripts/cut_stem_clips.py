"""Cuts one instrument's song stem into 3 s WAV clips where it sounds, for `eval --layout irmas-train`.

Usage: cut_stem_clips.py STEM OUT_DIR PREFIX [BACKING]. A clip is kept when at least 2 s of its
frames (1024 samples, hop 512 at 22 050 Hz, as the front end) are within 30 dB of the stem's loudest
frame, the rule the synthetic labels use for presence. With BACKING (the rest of the band, as long
as the stem), the clips are of the stem mixed with it, still chosen by the stem alone.
"""
import sys
from pathlib import Path

import numpy as np
import soundfile

RATE, FRAME, HOP = 22050, 1024, 512
CLIP_S, SOUNDING_S, FLOOR_DB = 3.0, 2.0, -30.0


def frame_levels_db(audio):
    frames = np.lib.stride_tricks.sliding_window_view(audio, FRAME)[::HOP]
    return 10 * np.log10(np.maximum((frames.astype(np.float64) ** 2).mean(axis=1), 1e-20))


def read_mono(path):
    audio, rate = soundfile.read(path, always_2d=True)
    return audio.mean(axis=1), rate


def main(stem, out_dir, prefix, backing=None):
    mono, rate = read_mono(stem)
    levels = frame_levels_db(np.interp(np.arange(0, len(mono), rate / RATE), np.arange(len(mono)), mono))
    loudest = levels.max()
    clip, kept = int(CLIP_S * rate), 0
    if backing is not None:
        band, band_rate = read_mono(backing)
        assert band_rate == rate and abs(len(band) - len(mono)) < rate, f"{backing} does not match {stem}"
        length = min(len(band), len(mono))
        mono = mono[:length] + band[:length]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for index, start in enumerate(range(0, len(mono) - clip + 1, clip)):
        first = int(start / rate * RATE / HOP)
        window = levels[first:first + int(CLIP_S * RATE / HOP)]
        if (window >= loudest + FLOOR_DB).sum() * HOP / RATE >= SOUNDING_S:
            soundfile.write(Path(out_dir) / f"{prefix}_{index:03d}.wav", mono[start:start + clip].astype(np.float32), rate, subtype="FLOAT")
            kept += 1
    print(f"{stem}: {kept} clips of {CLIP_S} s")


if __name__ == "__main__":
    main(*sys.argv[1:])
