"""Frozen musicnn embedding + a small trained head, scored as the accuracy issue asks.

Reads the embeddings cached by embed.py (target/musicnn/emb), trains one head per feature set
on data/real train only (logistic regression, one per class, standardised inputs; with --mlp
also a small MLP), and scores
clip presence on data/real valid with thresholds tuned on the other half of the clips (2 folds:
clips sorted by name, fold = index % 2, per-class F1-max threshold on a 0.01 grid, ties nearest
0.5: the same protocol as `cargo xtask eval --tune`), pooled micro/macro F1, per class and by
number of instruments; and on data/real test with thresholds tuned on all of valid.

With --pair DIR (the `cargo xtask analyze --format json` outputs of the shipped pair on valid and
test, DIR/valid/<id>.json, DIR/test/<id>.json) it also scores the pair's clip S1 alone under the
same protocol and a late fusion: w * (the pair's S1 over its per-class 95th percentile on valid,
labels unused, clipped to 1) + (1 - w) * the head's probability.

Usage: python head.py [--emb target/musicnn/emb] [--pair target/musicnn/pair] [--mlp] [--out head.json]
"""
import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import single_thread  # noqa: E402,F401
from clip_protocol import LABELS, report  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

FEATURE_SETS = {
    "MSD max+mean": [("MSD_musicnn", "max_pool"), ("MSD_musicnn", "mean_pool")],
    "MTT max+mean": [("MTT_musicnn", "max_pool"), ("MTT_musicnn", "mean_pool")],
    "MSD+MTT max+mean": [(m, o) for m in ("MSD_musicnn", "MTT_musicnn") for o in ("max_pool", "mean_pool")],
    "MSD+MTT penultimate": [(m, "penultimate") for m in ("MSD_musicnn", "MTT_musicnn")],
    "MSD+MTT taggram": [(m, "taggram") for m in ("MSD_musicnn", "MTT_musicnn")],
}


def load(emb, split, parts):
    x = np.concatenate([np.load(emb / f"{split}.{m}.{o}.npy") for m, o in parts], axis=1)
    return x, np.load(emb / f"{split}.labels.npy").astype(bool), json.loads((emb / f"{split}.ids.json").read_text())


def pair_s1(pair, split, ids):
    return np.array([json.loads((pair / split / f"{i}.json").read_text())["clip"]["s1"] for i in ids], np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--emb", default="target/musicnn/emb", type=Path)
    ap.add_argument("--pair", type=Path)
    ap.add_argument("--c", default="0.003,0.01,0.03,0.1", help="inverse regularisation strengths to try")
    ap.add_argument("--mlp", action="store_true", help="also a one-hidden-layer MLP head (256 units) on MSD+MTT max+mean")
    ap.add_argument("--out", default="target/musicnn/head.json", type=Path)
    args = ap.parse_args()
    results, probs = {}, {}
    for name, parts in FEATURE_SETS.items():
        x_tr, y_tr, _ = load(args.emb, "train", parts)
        x_va, y_va, ids_va = load(args.emb, "valid", parts)
        x_te, y_te, ids_te = load(args.emb, "test", parts)
        scaler = StandardScaler().fit(x_tr)
        x_tr, x_va, x_te = scaler.transform(x_tr), scaler.transform(x_va), scaler.transform(x_te)
        for c in [float(v) for v in args.c.split(",")]:
            heads = [LogisticRegression(C=c, max_iter=2000).fit(x_tr, y_tr[:, k]) for k in range(len(LABELS))]
            p_va = np.stack([h.predict_proba(x_va)[:, 1] for h in heads], 1)
            p_te = np.stack([h.predict_proba(x_te)[:, 1] for h in heads], 1)
            key = f"{name}, C={c}"
            results[key] = report(key, p_va, y_va, p_te, y_te)
            probs[key] = (p_va, p_te)
        if args.mlp and name == "MSD+MTT max+mean":
            for alpha in (0.01, 0.1):
                mlp = MLPClassifier(hidden_layer_sizes=(256,), alpha=alpha, early_stopping=True, max_iter=200, random_state=1).fit(x_tr, y_tr)
                key = f"{name}, MLP 256, alpha={alpha}"
                results[key] = report(key, mlp.predict_proba(x_va), y_va, mlp.predict_proba(x_te), y_te)
    if args.pair:
        s_va, s_te = pair_s1(args.pair, "valid", ids_va), pair_s1(args.pair, "test", ids_te)
        results["shipped pair S1"] = report("shipped pair S1", s_va, y_va, s_te, y_te)
        # the pair's S1 on the head's probability scale: divide by the per-class 95th percentile
        scale = np.percentile(s_va, 95, axis=0) + 1e-6
        best = max((k for k in probs), key=lambda k: results[k]["valid_2fold"]["micro"])
        for k in sorted({best, *[k for k in probs if k.startswith("MSD+MTT max+mean")]}):
            p_va, p_te = probs[k]
            for w in (0.3, 0.5, 0.7):
                fuse = lambda s, p: np.clip(w * s / scale, 0, 1) + (1 - w) * p  # noqa: E731
                results[f"fusion w={w} pair + {k}"] = report(f"fusion w={w} pair + {k}", fuse(s_va, p_va), y_va, fuse(s_te, p_te), y_te)
    args.out.write_text(json.dumps(results, indent=1))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
