"""How a frame model's activations become one clip score, compared under the accuracy issue's protocol.

Reads one model's `cargo xtask analyze --format json` outputs on data/real's valid and test clips
(DIR/valid/<id>.json, DIR/test/<id>.json: scripts/fusion.sh makes them) and scores each way of
aggregating a clip's rows per class: the mean (S1), quantiles, the max, top-k means and power
means (p = 2 is the root mean square, RMS). Protocol: scripts/clip_protocol.py (2-fold on valid,
test with thresholds tuned on all of valid). Then, because the fixed 2-fold split is one draw,
S1 against the power means over 20 random 2-fold splits of valid.

Usage: python scripts/clip_aggregation.py DIR [--data data/real]
"""
import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from clip_protocol import counts, report, summary, tune  # noqa: E402
from fusion import truth  # noqa: E402


def rows(folder, split, ids):
    def one(i):
        return np.array([r["v"] for r in json.loads((folder / split / f"{i}.json").read_text())["rows"]], np.float32)
    return [one(i) for i in ids]


def power_mean(p):
    return lambda r: ((r ** p).mean(0)) ** (1 / p)


AGGREGATIONS = {
    "mean (S1)": lambda r: r.mean(0),
    "median": lambda r: np.quantile(r, 0.5, axis=0),
    "75th percentile": lambda r: np.quantile(r, 0.75, axis=0),
    "90th percentile": lambda r: np.quantile(r, 0.9, axis=0),
    "max": lambda r: r.max(0),
    "mean of the top quarter": lambda r: np.sort(r, 0)[-max(1, len(r) // 4):].mean(0),
    "mean of the top half": lambda r: np.sort(r, 0)[-max(1, len(r) // 2):].mean(0),
    "power mean p=1.5": power_mean(1.5),
    "power mean p=2 (RMS)": power_mean(2),
    "power mean p=3": power_mean(3),
    "power mean p=4": power_mean(4),
}


def random_folds(scores, truth_va, draws=20):
    """Micro F1 of each aggregation over `draws` random 2-fold splits of valid (same splits for all)."""
    rng = np.random.default_rng(0)
    result = {name: [] for name in scores}
    for _ in range(draws):
        fold = rng.permutation(len(truth_va)) % 2
        for name, s in scores.items():
            pred = np.zeros_like(truth_va)
            for f in (0, 1):
                pred[fold == f] = s[fold == f] >= tune(s[fold != f], truth_va[fold != f])
            result[name].append(summary(counts(pred, truth_va))["micro"])
    return {name: np.array(v) for name, v in result.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--data", default="data/real", type=Path)
    args = ap.parse_args()
    (ids_va, y_va), (ids_te, y_te) = truth(args.data, "valid"), truth(args.data, "test")
    r_va, r_te = rows(args.folder, "valid", ids_va), rows(args.folder, "test", ids_te)
    valid_scores = {}
    for name, aggregate in AGGREGATIONS.items():
        s_va, s_te = np.stack([aggregate(r) for r in r_va]), np.stack([aggregate(r) for r in r_te])
        report(name, s_va, y_va, s_te, y_te)
        valid_scores[name] = s_va
    draws = random_folds({n: s for n, s in valid_scores.items() if n == "mean (S1)" or n.startswith("power")}, y_va)
    base = draws["mean (S1)"]
    for name, micro in draws.items():
        gain = micro - base
        print(f"20 random 2-fold splits, {name:22s} micro {micro.mean():.3f} ± {micro.std():.3f}; "
              f"against S1 {gain.mean():+.3f} (from {gain.min():+.3f} to {gain.max():+.3f})")


if __name__ == "__main__":
    main()
