"""Late fusion of shipped or candidate models' clip scores, scored as the accuracy issue asks.

Each model is a folder of `cargo xtask analyze --format json` outputs, MODEL/valid/<id>.json and
MODEL/test/<id>.json, on data/real's valid and test clips (scripts/fusion.sh makes them). A
model's clip score is its card's aggregation (the JSON's `clip.method`: S1 or S2). Every model
alone, then every group of two or more: the mean of their scores, each divided by its per-class
95th percentile on valid (labels unused) and clipped to 1. Protocol: scripts/clip_protocol.py.

Usage: python scripts/fusion.py NAME=DIR [NAME=DIR ...] [--data data/real]
"""
import argparse
import itertools
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from clip_protocol import report  # noqa: E402


def truth(data, split):
    files = sorted((data / split).glob("*.labels.json"))
    ids = [f.name.removesuffix(".labels.json") for f in files]
    return ids, np.array([json.loads(f.read_text())["presence"] for f in files], bool)


def clip_scores(folder, split, ids):
    def one(i):
        clip = json.loads((folder / split / f"{i}.json").read_text())["clip"]
        return clip[clip["method"].lower()]
    return np.array([one(i) for i in ids], np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", help="NAME=DIR")
    ap.add_argument("--data", default="data/real", type=Path)
    args = ap.parse_args()
    (ids_va, y_va), (ids_te, y_te) = truth(args.data, "valid"), truth(args.data, "test")
    scores = {}
    for spec in args.models:
        name, folder = spec.split("=", 1)
        s_va, s_te = clip_scores(Path(folder), "valid", ids_va), clip_scores(Path(folder), "test", ids_te)
        report(name, s_va, y_va, s_te, y_te)
        scale = np.percentile(s_va, 95, axis=0) + 1e-6
        scores[name] = (np.clip(s_va / scale, 0, 1), np.clip(s_te / scale, 0, 1))
    for size in range(2, len(scores) + 1):
        for group in itertools.combinations(scores, size):
            fused_va = np.mean([scores[n][0] for n in group], axis=0)
            fused_te = np.mean([scores[n][1] for n in group], axis=0)
            report(" + ".join(group), fused_va, y_va, fused_te, y_te)


if __name__ == "__main__":
    main()
