"""Cache musicnn embeddings (ONNX, 1 thread) for every clip of data/real/{train,valid,test}.

For each clip: musicnn log-mel patches (features.py; a 3 s clip is exactly one patch,
shorter clips are repeat-padded), both ONNX models, outputs averaged over the clip's
patches. Writes target/musicnn/emb/<split>.<model>.<output>.npy, <split>.ids.json and
<split>.labels.npy (presence, 13 classes). Skips a split whose files already exist.

Usage: python embed.py [--data data/real] [--emb target/musicnn/emb]
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import single_thread  # noqa: E402
import numpy as np  # noqa: E402
import features  # noqa: E402

MODELS = ["MSD_musicnn", "MTT_musicnn"]
OUTPUTS = ["taggram", "max_pool", "mean_pool", "penultimate"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/real")
    ap.add_argument("--onnx", default="target/musicnn")
    ap.add_argument("--emb", default="target/musicnn/emb")
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    emb = Path(args.emb)
    emb.mkdir(parents=True, exist_ok=True)
    sessions = {m: single_thread.ort_session(Path(args.onnx) / f"{m}.onnx") for m in MODELS}
    for split in ["valid", "test", "train"]:
        if (emb / f"{split}.labels.npy").exists():
            print(split, "cached")
            continue
        wavs = sorted((Path(args.data) / split).glob("*.wav"))
        labels = np.array([json.loads(w.with_suffix(".labels.json").read_text())["presence"] for w in wavs], np.int8)
        acc = {(m, o): [] for m in MODELS for o in OUTPUTS}
        n_patches, t0 = [], time.time()
        for start in range(0, len(wavs), args.batch):
            clips = [features.patches_from_wav(w) for w in wavs[start:start + args.batch]]
            n_patches += [len(c) for c in clips]
            batch = np.concatenate(clips)
            bounds = np.cumsum([0] + [len(c) for c in clips])
            for m, sess in sessions.items():
                res = dict(zip(OUTPUTS, sess.run(OUTPUTS, {"patches": batch})))
                for o in OUTPUTS:
                    acc[(m, o)] += [res[o][a:b].mean(0) for a, b in zip(bounds[:-1], bounds[1:])]
            if start % (args.batch * 20) == 0:
                print(f"{split}: {start + len(clips)}/{len(wavs)} clips, {time.time() - t0:.0f} s", flush=True)
        for (m, o), rows in acc.items():
            np.save(emb / f"{split}.{m}.{o}.npy", np.stack(rows).astype(np.float32))
        (emb / f"{split}.ids.json").write_text(json.dumps([w.stem for w in wavs]))
        np.save(emb / f"{split}.labels.npy", labels)  # last: marks the split complete
        print(f"{split}: {len(wavs)} clips, patches/clip min {min(n_patches)} max {max(n_patches)}, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
