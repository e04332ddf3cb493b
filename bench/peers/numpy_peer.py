# The seed's own program as a benchmark peer: Nielsen-style network.py, vectorised over each
# mini-batch of 10 (float64, numpy on OpenBLAS), and an f32 n×n matmul. Inputs and outputs are
# raw little-endian arrays in a directory the TypeScript side (bench/peers/numpy.ts) writes/reads.
import json
import os
import sys
import time

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def w1(d, cfg):
    sizes = cfg["sizes"]
    n = cfg["trainCount"]
    x = np.fromfile(os.path.join(d, "x.f32"), dtype=np.float32)[: n * 784].reshape(n, 784).astype(np.float64)
    y = np.fromfile(os.path.join(d, "y.f32"), dtype=np.float32)[: n * 10].reshape(n, 10).astype(np.float64)
    ws, bs = [], []
    for l in range(len(sizes) - 1):
        ws.append(np.fromfile(os.path.join(d, f"w{l}.f32"), dtype=np.float32).reshape(sizes[l], sizes[l + 1]).astype(np.float64))
        bs.append(np.fromfile(os.path.join(d, f"b{l}.f32"), dtype=np.float32).astype(np.float64))
    eta, batch = cfg["eta"], cfg["batch"]
    seconds = []
    for _ in range(cfg["epochs"]):
        t0 = time.perf_counter()
        for s in range(0, n, batch):
            xb, yb = x[s : s + batch], y[s : s + batch]
            m = xb.shape[0]
            # forward, keeping every activation (network.py's backprop, one matrix per batch)
            acts = [xb]
            for w, b in zip(ws, bs):
                acts.append(sigmoid(acts[-1] @ w + b))
            a = acts[-1]
            delta = (a - yb) * a * (1 - a)
            for l in range(len(ws) - 1, -1, -1):
                gw = acts[l].T @ delta
                gb = delta.sum(axis=0)
                if l > 0:
                    prev = acts[l]
                    delta = (delta @ ws[l].T) * prev * (1 - prev)
                ws[l] -= (eta / m) * gw
                bs[l] -= (eta / m) * gb
        seconds.append(time.perf_counter() - t0)
    for l, (w, b) in enumerate(zip(ws, bs)):
        w.astype(np.float32).tofile(os.path.join(d, f"w{l}.out.f32"))
        b.astype(np.float32).tofile(os.path.join(d, f"b{l}.out.f32"))
    return {"epochSeconds": seconds}


def w3(d, cfg):
    n = cfg["n"]
    a = np.fromfile(os.path.join(d, "a.f32"), dtype=np.float32).reshape(n, n)
    b = np.fromfile(os.path.join(d, "b.f32"), dtype=np.float32).reshape(n, n)
    for _ in range(cfg["warmup"]):
        c = a @ b
    times = []
    for _ in range(cfg["reps"]):
        t0 = time.perf_counter()
        c = a @ b
        times.append(time.perf_counter() - t0)
    c.astype(np.float32).tofile(os.path.join(d, "c.f32"))
    return {"seconds": times}


if __name__ == "__main__":
    work, cfg = sys.argv[1], json.loads(sys.argv[2])
    out = w1(work, cfg) if cfg["workload"] == "W1" else w3(work, cfg)
    out["threads"] = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(json.dumps(out))
