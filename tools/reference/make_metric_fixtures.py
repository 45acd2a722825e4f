#!/usr/bin/env python3
"""Reference values for the training metrics (NetGen.Training.Metric), computed in plain numpy (float64) from
Keras' documented definitions, independently of the C# code:

- binary_accuracy: mean over every value of (p > threshold) == y
- categorical_accuracy: argmax(p) == argmax(y) per row; sparse: argmax(p) == id
- top_k: the target's prediction is beaten by fewer than k classes (tf.math.in_top_k: ties at the boundary count in)
- precision / recall: every value a binary prediction p > threshold, targets y > 0.5 (0 when the denominator is 0)
- auc: Keras AUC(num_thresholds=200): thresholds -1e-7, 1/199, ..., 198/199, 1+1e-7; TP/FP/... at p > t
  (p clipped to [0, 1]); ROC with trapezoidal ("interpolation") summation over the thresholds
- mean_absolute_error / mean_squared_error: mean over every value

Each case also gets an exact rank-based ROC AUC, to show the binned value is close to it.

    /usr/bin/python3 tools/reference/make_metric_fixtures.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "metrics")


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def auc_keras(p, y, n=200):
    eps = 1e-7
    t = np.array([-eps] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + eps])
    p = np.clip(p, 0, 1)
    pos = (p[None, :] > t[:, None])
    tp = (pos & (y[None, :] > 0.5)).sum(1).astype(np.float64)
    fp = (pos & (y[None, :] <= 0.5)).sum(1).astype(np.float64)
    fn = (~pos & (y[None, :] > 0.5)).sum(1).astype(np.float64)
    tn = (~pos & (y[None, :] <= 0.5)).sum(1).astype(np.float64)
    tpr = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1), 0)
    fpr = np.where(fp + tn > 0, fp / np.maximum(fp + tn, 1), 0)
    return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


def auc_exact(p, y):
    pos, neg = p[y > 0.5], p[y <= 0.5]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def case(name, rows, cols, seed, k=3, threshold=0.5):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(rows, cols)) * 2
    if cols == 1:
        p = f32(1 / (1 + np.exp(-logits)))
        ids = (rng.random(rows) < p[:, 0] * 0.8 + 0.1).astype(np.float64)
        y = ids[:, None]
    else:
        e = np.exp(logits - logits.max(1, keepdims=True))
        p = f32(e / e.sum(1, keepdims=True))
        ids = np.array([rng.choice(cols, p=(row * 0.5 + 0.5 / cols) / (row * 0.5 + 0.5 / cols).sum()) for row in p])
        y = np.eye(cols)[ids]
    # a few exact ties and boundary values
    p[0, 0] = threshold
    if cols > 2:
        p[1, 1] = p[1, 2]
    flat_p, flat_y = p.ravel(), y.ravel()
    pred_pos, actual = flat_p > threshold, flat_y > 0.5
    tp = float((pred_pos & actual).sum())
    fp = float((pred_pos & ~actual).sum())
    fn = float((~pred_pos & actual).sum())
    cls = ids.astype(int) if cols > 1 else np.zeros(rows, dtype=int)
    greater = (p > p[np.arange(rows), cls][:, None]).sum(1)
    out = {
        "name": name, "rows": rows, "columns": cols, "k": k, "threshold": threshold,
        "predictions": p.ravel().tolist(), "targets": y.ravel().tolist(), "ids": ids.tolist(),
        "binary_accuracy": float(((flat_p > threshold).astype(np.float64) == flat_y).mean()),
        "categorical_accuracy": float((p.argmax(1) == y.argmax(1)).mean()),
        "sparse_categorical_accuracy": float((p.argmax(1) == cls).mean()),
        "top_k": float((greater < k).mean()),
        "precision": tp / (tp + fp) if tp + fp > 0 else 0.0,
        "recall": tp / (tp + fn) if tp + fn > 0 else 0.0,
        "auc": auc_keras(flat_p, flat_y),
        "auc_exact": auc_exact(flat_p, flat_y),
        "mean_absolute_error": float(np.abs(flat_p - flat_y).mean()),
        "mean_squared_error": float(((flat_p - flat_y) ** 2).mean()),
    }
    with open(os.path.join(OUT, name + ".json"), "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    case("multiclass", 64, 10, 1)
    case("threeclass", 50, 3, 2, k=2)
    case("binary", 80, 1, 3, k=1)
