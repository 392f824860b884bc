"""Convert musicnn's MSD_musicnn / MTT_musicnn TF1 checkpoints (inside the wheel) to ONNX.

ONNX graph (inference mode: batch norm uses its moving statistics, dropout is identity):
    input  patches      float32 [batch, 187, 96]   log-mel patches, see features.py
    output taggram      float32 [batch, 50]        sigmoid tag probabilities
           max_pool     float32 [batch, 753]       max over time of the mid-end feature map
           mean_pool    float32 [batch, 753]       mean over time of the same map
           penultimate  float32 [batch, 200]       penultimate dense layer (after its batch norm)

Then verifies onnxruntime against musicnn's own `extractor()` (TF, the package's code) on
real clips, and prints max abs/rel difference, op types, file size and 1-thread time/patch.

Usage: python convert.py [--out target/musicnn] [--data data/real/valid] [--opset 15]
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import single_thread  # noqa: E402  (must precede numpy / TF)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import onnx  # noqa: E402
import tf2onnx  # noqa: E402
import musicnn  # noqa: E402
from musicnn import models, extractor as mx  # noqa: E402
import features  # noqa: E402

OUTPUTS = ["taggram", "max_pool", "mean_pool", "penultimate"]
PKG = Path(musicnn.__file__).parent


def frozen_graph(model):
    """Inference-only graph (is_training=False as a Python bool), variables folded in."""
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("model"):
            x = tf.compat.v1.placeholder(tf.float32, [None, features.N_FRAMES, features.N_MELS], name="patches")
            y, _, _, _, _, _, mean_pool, max_pool, penultimate = models.define_model(x, False, model, 50)
        tf.identity(tf.nn.sigmoid(y), name="taggram")
        tf.identity(max_pool, name="max_pool")
        tf.identity(mean_pool, name="mean_pool")
        tf.identity(penultimate, name="penultimate")
        with tf.compat.v1.Session(graph=graph, config=single_thread.tf_config()) as sess:
            tf.compat.v1.train.Saver().restore(sess, str(PKG / model) + "/")
            gd = tf.compat.v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), OUTPUTS)
    return tf.compat.v1.graph_util.remove_training_nodes(gd, protected_nodes=OUTPUTS)


def convert(model, out, opset):
    gd = frozen_graph(model)
    path = out / f"{model}.onnx"
    proto, _ = tf2onnx.convert.from_graph_def(
        gd, input_names=["model/patches:0"], output_names=[o + ":0" for o in OUTPUTS], opset=opset)
    # friendlier tensor names for a Rust caller: patches, taggram, max_pool, ...
    rename = {"model/patches:0": "patches", **{o + ":0": o for o in OUTPUTS}}
    for n in proto.graph.node:
        n.input[:] = [rename.get(i, i) for i in n.input]
        n.output[:] = [rename.get(o, o) for o in n.output]
    for v in list(proto.graph.input) + list(proto.graph.output):
        v.name = rename.get(v.name, v.name)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))
    return path, proto


def tf_reference(model, wavs):
    """musicnn's own extractor (its graph, is_training fed False) on each wav: one row per patch."""
    orig = tf.compat.v1.Session
    tf.compat.v1.Session = lambda *a, **k: orig(*a, config=single_thread.tf_config(), **k)
    try:
        rows = {o: [] for o in OUTPUTS}
        batches = []
        for w in wavs:
            taggram, _, feats = mx.extractor(str(w), model=model, extract_features=True)
            batch, _ = mx.batch_data(str(w), features.N_FRAMES, features.PATCH_HOP)
            assert np.array_equal(batch.astype(np.float32), features.patches_from_wav(w)), "features.py drifted"
            n = batch.shape[0]
            rows["taggram"].append(taggram[:n])
            for o in OUTPUTS[1:]:
                rows[o].append(np.asarray(feats[o]).reshape(n, -1))
            batches.append(batch.astype(np.float32))
    finally:
        tf.compat.v1.Session = orig
    return np.concatenate(batches), {o: np.concatenate(v) for o, v in rows.items()}


def time_per_patch(sess, patch, runs=30):
    sess.run(None, {"patches": patch})
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(None, {"patches": patch})
        times.append(time.perf_counter() - t)
    return float(np.median(times)), float(np.min(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="target/musicnn")
    ap.add_argument("--data", default="data/real/valid")
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--opset", type=int, default=15)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wavs = sorted(Path(args.data).glob("*.wav"))[: args.clips]
    report = {}
    for model in ["MSD_musicnn", "MTT_musicnn"]:
        if not (PKG / model / ".index").exists():
            print(f"{model}: not in the wheel, skipped")
            continue
        path, proto = convert(model, out, args.opset)
        sess = single_thread.ort_session(path)
        batch, ref = tf_reference(model, wavs)
        got = dict(zip(OUTPUTS, sess.run(OUTPUTS, {"patches": batch})))
        diffs = {}
        for o in OUTPUTS:
            d = np.abs(got[o] - ref[o])
            diffs[o] = {"max_abs": float(d.max()), "max_rel": float((d / (np.abs(ref[o]) + 1e-6)).max()),
                        "max_rel_of_range": float(d.max() / (np.abs(ref[o]).max() + 1e-12))}
        ops = sorted({n.op_type for n in proto.graph.node})
        med, best = time_per_patch(sess, batch[:1])
        report[model] = {"onnx": str(path), "bytes": path.stat().st_size, "opset": args.opset,
                         "ops": ops, "parity_patches": int(batch.shape[0]), "parity": diffs,
                         "ort_1thread_s_per_patch_median": med, "ort_1thread_s_per_patch_min": best}
        print(f"\n== {model}: {path} ({path.stat().st_size / 1e6:.2f} MB, opset {args.opset})")
        print("ops:", ", ".join(ops))
        for o, d in diffs.items():
            print(f"  {o:12s} max|d| {d['max_abs']:.3g}  max rel {d['max_rel']:.3g}  |d|/max|ref| {d['max_rel_of_range']:.3g}")
        print(f"  onnxruntime 1 thread: {med * 1e3:.1f} ms/patch median ({best * 1e3:.1f} min) on {batch.shape[0]} real patches")
    (out / "convert_report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
