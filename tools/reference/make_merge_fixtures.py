#!/usr/bin/python3
"""Writes PyTorch reference fixtures for NetGen's merge layers, Permute and RepeatVector.

Every input is drawn from a seeded NumPy generator and rounded to float32 first, so the C# tests feed the exact
same numbers to the float kernels. The layers are evaluated in float64 with torch autograd (loss = sum(y * dy)
for a random upstream gradient dy) and only the results are rounded to float32.

Keras semantics (LAYERS.md §4 and §10), written out with PyTorch operations:
- Add / Subtract / Multiply / Average / Maximum / Minimum: element-wise over inputs of equal shape. Random
  inputs for Maximum / Minimum are kept at least 1e-3 apart, so there are no ties (at a tie TensorFlow gives the
  first input the whole gradient while PyTorch splits it).
- Concatenate(axis): torch.cat on the same axis (the axis counts the batch axis, as in Keras).
- Dot(axes, normalize): per sample, the contracted axis of the first input is moved last and that of the second
  first, the rest flattened, and the two multiplied with bmm; the output shape is the first per-sample shape
  without its axis followed by the second without its axis, or (1,) when nothing is left. normalize=True first
  applies F.normalize(p=2, eps=1e-7) along each contracted axis: x / max(||x||, 1e-7), which equals Keras 3's
  x * min(rsqrt(sum x^2), 1 / epsilon) with epsilon = 1e-7.
- Permute(dims): dims are Keras' 1-based per-sample axes; PyTorch's x.permute(0, *dims).
- RepeatVector(n): x.unsqueeze(1).expand(-1, n, -1).

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_merge_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/merge/merge.json
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "merge")
EPSILON = 1e-7


def f32(values):
    """float64 tensor/array -> flat list of Python floats that are exactly float32 values."""
    arr = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    return [float(v) for v in np.asarray(arr, dtype=np.float64).astype(np.float32).ravel()]


def as_input(arr):
    """Round an array to float32, return it as a float64 leaf tensor that requires grad."""
    return torch.tensor(np.asarray(arr, dtype=np.float32).astype(np.float64), requires_grad=True)


def untied(rng, count, shape, gap=1e-3):
    """count arrays of the given shape whose elements pairwise differ by at least gap (after float32 rounding)."""
    while True:
        arrays = [rng.uniform(-1, 1, shape).astype(np.float32) for _ in range(count)]
        stacked = np.stack(arrays).astype(np.float64)
        close = False
        for i in range(count):
            for j in range(i + 1, count):
                close = close or bool(np.any(np.abs(stacked[i] - stacked[j]) < gap))
        if not close:
            return arrays


def keras_dot(x0, x1, axes, normalize):
    """Keras Dot on batched tensors; axes count the batch axis (positive or negative)."""
    a0 = axes[0] % x0.dim()
    a1 = axes[1] % x1.dim()
    if normalize:
        x0 = F.normalize(x0, p=2, dim=a0, eps=EPSILON)
        x1 = F.normalize(x1, p=2, dim=a1, eps=EPSILON)
    batch = x0.shape[0]
    rest0 = [s for i, s in enumerate(x0.shape) if i not in (0, a0)]
    rest1 = [s for i, s in enumerate(x1.shape) if i not in (0, a1)]
    k = x0.shape[a0]
    left = torch.movedim(x0, a0, -1).reshape(batch, -1, k)
    right = torch.movedim(x1, a1, 1).reshape(batch, k, -1)
    out_shape = rest0 + rest1 if rest0 or rest1 else [1]
    return torch.bmm(left, right).reshape([batch] + out_shape)


def case(rng, layer, shapes, forward, batch=4, params=None, arrays=None):
    """Evaluates forward(list of input tensors) and its gradients for a random upstream gradient."""
    if arrays is None:
        arrays = [rng.uniform(-1, 1, (batch,) + tuple(s)) for s in shapes]
    xs = [as_input(a) for a in arrays]
    y = forward(xs)
    dy = torch.tensor(rng.uniform(-1, 1, tuple(y.shape)).astype(np.float32).astype(np.float64))
    (y * dy).sum().backward()
    return {
        "batch": batch,
        "input_shapes": [list(s) for s in shapes],
        "inputs": [f32(x) for x in xs],
        "dy": f32(dy),
        "y": f32(y),
        "y_shape": list(y.shape[1:]),
        "dx": [f32(x.grad) for x in xs],
        "params": dict({"layer": layer}, **(params or {})),
    }


def add(xs):
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def multiply(xs):
    out = xs[0]
    for x in xs[1:]:
        out = out * x
    return out


def maximum(xs):
    out = xs[0]
    for x in xs[1:]:
        out = torch.maximum(out, x)
    return out


def minimum(xs):
    out = xs[0]
    for x in xs[1:]:
        out = torch.minimum(out, x)
    return out


def cases(rng):
    v = (32,)  # the per-sample shape of the Keras docs' merge examples, Input(shape=(32,))
    out = {}
    for count, suffix in ((2, ""), (3, "3")):
        shapes = [v] * count
        out["add" + suffix] = case(rng, "Add", shapes, add)
        if count == 2:
            out["subtract"] = case(rng, "Subtract", shapes, lambda xs: xs[0] - xs[1])
        out["multiply" + suffix] = case(rng, "Multiply", shapes, multiply)
        out["average" + suffix] = case(rng, "Average", shapes, lambda xs: add(xs) / len(xs))
        out["maximum" + suffix] = case(rng, "Maximum", shapes, maximum, arrays=untied(rng, count, (4,) + v))
        out["minimum" + suffix] = case(rng, "Minimum", shapes, minimum, arrays=untied(rng, count, (4,) + v))
        if count == 2:
            out["concatenate"] = case(rng, "Concatenate", shapes, lambda xs: torch.cat(xs, dim=-1), params={"axis": -1})
            out["dot"] = case(rng, "Dot", shapes, lambda xs: keras_dot(xs[0], xs[1], (1, 1), False),
                              params={"axes": [1, 1], "normalize": False})
            out["dot_normalize"] = case(rng, "Dot", shapes, lambda xs: keras_dot(xs[0], xs[1], (1, 1), True),
                                        params={"axes": [1, 1], "normalize": True})
    out["concatenate_axis1"] = case(rng, "Concatenate", [(2, 3), (4, 3)], lambda xs: torch.cat(xs, dim=1), params={"axis": 1})
    out["concatenate_last"] = case(rng, "Concatenate", [(2, 3), (2, 5)], lambda xs: torch.cat(xs, dim=-1), params={"axis": -1})
    out["dot_3d_axes2"] = case(rng, "Dot", [(3, 4), (5, 4)], lambda xs: keras_dot(xs[0], xs[1], (2, 2), False),
                               params={"axes": [2, 2], "normalize": False})
    out["dot_3d_axes1"] = case(rng, "Dot", [(3, 4), (3, 6)], lambda xs: keras_dot(xs[0], xs[1], (1, 1), False),
                               params={"axes": [1, 1], "normalize": False})
    # The Keras docs' Minimum example: batch 1, no ties.
    out["minimum_2x2"] = case(rng, "Minimum", [(2, 2), (2, 2)], minimum, batch=1,
                              arrays=[np.array([[[1.0, 2.0], [3.0, 4.0]]]), np.array([[[4.0, 3.0], [2.0, 1.0]]])])
    dims = [3, 1, 2]
    out["permute"] = case(rng, "Permute", [(2, 3, 4)], lambda xs: xs[0].permute(0, *dims), params={"dims": dims})
    out["repeat_vector"] = case(rng, "RepeatVector", [(5,)], lambda xs: xs[0].unsqueeze(1).expand(-1, 3, -1), params={"n": 3})
    return out


def main():
    rng = np.random.default_rng(20261201)
    payload = {"generator": "tools/reference/make_merge_fixtures.py", "torch": torch.__version__, "cases": cases(rng)}
    assert payload["cases"]["minimum_2x2"]["y"] == [1.0, 2.0, 2.0, 1.0]
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "merge.json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
