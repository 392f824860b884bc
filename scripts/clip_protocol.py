"""The accuracy issue's clip-level scoring protocol, shared by the Python experiments.

Clip presence scores against truth; per-class F1-max thresholds on a 0.01 grid (ties nearest 0.5:
the same rule as `cargo xtask eval --tune`); "2-fold" = clips sorted by name, fold = index % 2,
each half scored with thresholds tuned on the other, counts pooled; the test split is scored with
thresholds tuned on all of valid.
"""
import numpy as np

LABELS = ["cel", "cla", "flu", "gac", "gel", "org", "pia", "sax", "tru", "vio", "voi", "bass", "dru"]


def f1(tp, fp, fn):
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def tune(scores, truth):
    """Per class, the 0.01-grid threshold maximising F1; ties keep the one nearest 0.5."""
    grid = np.arange(1, 100) / 100
    out = []
    for c in range(truth.shape[1]):
        best = (0.5, -1.0)
        for t in grid:
            pred = scores[:, c] >= t
            s = f1(np.sum(pred & truth[:, c]), np.sum(pred & ~truth[:, c]), np.sum(~pred & truth[:, c]))
            if s > best[1] or (s == best[1] and abs(t - 0.5) < abs(best[0] - 0.5)):
                best = (t, s)
        out.append(best[0])
    return np.array(out)


def counts(pred, truth):
    return np.stack([np.sum(pred & truth, 0), np.sum(pred & ~truth, 0), np.sum(~pred & truth, 0)], 1)


def summary(c):
    tp, fp, fn = c.sum(0)
    per_class = [f1(*row) for row in c]
    return {"micro": f1(tp, fp, fn), "macro": float(np.mean(per_class)), "per_class": dict(zip(LABELS, per_class))}


def two_fold(scores, truth):
    """Pooled counts of each half scored with thresholds tuned on the other half."""
    fold = np.arange(len(truth)) % 2
    pred = np.zeros_like(truth)
    for f in (0, 1):
        t = tune(scores[fold != f], truth[fold != f])
        pred[fold == f] = scores[fold == f] >= t
    return pred


def report(name, valid_scores, valid_truth, test_scores, test_truth):
    pred = two_fold(valid_scores, valid_truth)
    playing = valid_truth.sum(1)
    result = {"valid_2fold": summary(counts(pred, valid_truth))}
    for group, mask in [("1", playing == 1), ("2", playing == 2), ("3-4", playing >= 3)]:
        result[f"valid_2fold_{group}_instr"] = summary(counts(pred[mask], valid_truth[mask]))["micro"]
    t = tune(valid_scores, valid_truth)
    result["test_valid_thresholds"] = summary(counts(test_scores >= t, test_truth))
    v, te = result["valid_2fold"], result["test_valid_thresholds"]
    print(f"{name:42s} valid 2-fold {v['micro']:.3f} / {v['macro']:.3f}  (1/2/3-4: "
          f"{result['valid_2fold_1_instr']:.3f} {result['valid_2fold_2_instr']:.3f} {result['valid_2fold_3-4_instr']:.3f})"
          f"  test {te['micro']:.3f} / {te['macro']:.3f}", flush=True)
    print("    per class (valid 2-fold): " + " ".join(f"{k} {x:.2f}" for k, x in v["per_class"].items()), flush=True)
    return result
