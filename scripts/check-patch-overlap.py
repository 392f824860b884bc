#!/usr/bin/env python3
"""Which FreePats waveforms share audio with the held-out test SoundFont (TimGM6mb)?

`cargo xtask synth --patches` lets the FreePats GUS patches play training and validation stems;
a waveform that TimGM6mb also holds would leak the test font into training. Exact sample matches
miss copies that were rescaled, so this compares scale-free fingerprints: the signs of the first
differences over 48 samples (windows with at least 10 sign changes, a peak of at least 1500 of
32768 and no flat step), every 4th window of each waveform against every window of the font.
FluidR3_GM is measured the same way as a control for chance matches. Reported: waveforms with
>= 0.5 % of their windows in TimGM6mb and more than in the control; those of the GM programs the
classes use are listed in `toolkit/src/synth/gus_patches.rs` (`SHARED_WITH_TEST_FONT`). Needs numpy; run on a machine with the Debian packages
fluid-soundfont-gm, timgm6mb-soundfont and freepats installed.
"""
import glob
import struct

import numpy as np

WINDOW = 48
MIN_SIGN_CHANGES = 10
MIN_PEAK = 1500
REPORT_SHARE = 0.005
FONTS = {"TimGM6mb": "/usr/share/sounds/sf2/TimGM6mb.sf2", "FluidR3_GM (control)": "/usr/share/sounds/sf2/FluidR3_GM.sf2"}
PATCHES = "/usr/share/midi/freepats/Tone_000/*.pat"


def font_samples(path):
    data = open(path, "rb").read()
    at = data.find(b"smpl")
    (size,) = struct.unpack("<I", data[at + 4 : at + 8])
    return np.frombuffer(data[at + 8 : at + 8 + size], dtype="<i2").astype(np.int64)


def patch_waveforms(path):
    data = open(path, "rb").read()
    at = 239
    for _ in range(data[198]):
        header = data[at : at + 96]
        (size,) = struct.unpack("<I", header[8:12])
        modes = header[55]
        raw = data[at + 96 : at + 96 + size]
        at += 96 + size
        if modes & 1:
            samples = np.frombuffer(raw, dtype="<u2" if modes & 2 else "<i2").astype(np.int64) - (32768 if modes & 2 else 0)
        else:
            samples = (np.frombuffer(raw, dtype="u1" if modes & 2 else "i1").astype(np.int64) - (128 if modes & 2 else 0)) * 256
        yield samples


def fingerprints(samples, stride):
    signs = np.sign(np.diff(samples))
    changes = np.concatenate([[0], np.cumsum(np.abs(np.diff(signs)) > 0)])
    found = set()
    for start in range(0, len(signs) - WINDOW, stride):
        window = signs[start : start + WINDOW]
        if changes[start + WINDOW - 1] - changes[start] < MIN_SIGN_CHANGES or (window == 0).any():
            continue
        if np.abs(samples[start : start + WINDOW]).max() < MIN_PEAK:
            continue
        found.add(window.astype(np.int8).tobytes())
    return found


def main():
    fonts = {name: fingerprints(font_samples(path), 1) for name, path in FONTS.items()}
    for path in sorted(glob.glob(PATCHES)):
        for index, samples in enumerate(patch_waveforms(path)):
            prints = fingerprints(samples, 4)
            shares = {name: len(prints & font) / max(len(prints), 1) for name, font in fonts.items()}
            if shares["TimGM6mb"] >= REPORT_SHARE and shares["TimGM6mb"] > shares["FluidR3_GM (control)"]:
                detail = ", ".join(f"{name} {share:.1%}" for name, share in shares.items())
                print(f'("{path.rsplit("/", 1)[1]}", {index}),  # {len(prints)} windows: {detail}')


if __name__ == "__main__":
    main()
