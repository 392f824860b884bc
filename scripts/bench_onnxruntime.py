#!/usr/bin/env python3
"""Time onnxruntime on one shipped model, one thread, for comparison with tract.

Usage:
    python3 scripts/bench_onnxruntime.py <model.onnx> <frames> [--runs N]

Feeds the input `[1, 1, 128, frames]` the same window `cargo xtask bench` gives tract
(value i = sin((i mod 97) * 0.1) * 4 - 8, mel-major), one warm-up run, then N timed runs, on a
session with one intra-op and one inter-op thread (the plugin's worker runs one model at a time on
one thread). Prints ONE line of JSON: {"seconds_per_run_median": ..., "seconds_per_run_best": ...,
"runs": N, "onnxruntime": "<version>"}.

Exit codes: 0 ok, 2 bad arguments, 3 onnxruntime or numpy cannot be imported.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description="Time onnxruntime (one thread) on one model.")
    ap.add_argument("onnx")
    ap.add_argument("frames", type=int)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    if args.runs < 1 or args.frames < 1:
        print("bench_onnxruntime: --runs and frames must be >= 1", file=sys.stderr)
        return 2
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError as error:
        print(f"bench_onnxruntime: {error} (scripts/setup-bench-peer.sh installs it)", file=sys.stderr)
        return 3
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
    def window(shape):
        # The ONNX declares each input's shape; `frames` stands in for a symbolic last dimension.
        dims = [d if isinstance(d, int) else args.frames for d in shape]
        n = int(np.prod(dims))
        return (np.sin((np.arange(n) % 97) * 0.1) * 4.0 - 8.0).astype(np.float32).reshape(dims)

    feed = {i.name: window(i.shape) for i in session.get_inputs()}
    session.run(None, feed)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        session.run(None, feed)
        times.append(time.perf_counter() - started)
    print(json.dumps({
        "seconds_per_run_median": statistics.median(times),
        "seconds_per_run_best": min(times),
        "runs": args.runs,
        "onnxruntime": ort.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
