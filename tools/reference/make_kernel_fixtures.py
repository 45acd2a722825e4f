#!/usr/bin/python3
"""Writes PyTorch reference fixtures for NetGen's runtime kernels.

Every input is drawn from a seeded generator and rounded to float32 first, so the C# tests can feed the
exact same numbers to the float kernels. All reference computations then run in float64 and only the
results are rounded to float32 (stored as the shortest decimal that round-trips that float32 value).

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_kernel_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/kernels/{activations,dense,losses}.json
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "kernels")


def f32(values):
    """float64 tensor/array -> list of Python floats that are exactly float32 values."""
    arr = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    return [float(v) for v in np.asarray(arr, dtype=np.float64).astype(np.float32).ravel()]


def as_input(arr):
    """Round an array to float32, return it as a float64 leaf tensor that requires grad."""
    return torch.tensor(np.asarray(arr, dtype=np.float32).astype(np.float64), requires_grad=True)


def as_const(arr):
    return torch.tensor(np.asarray(arr, dtype=np.float32).astype(np.float64))


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def activations(rng):
    # 24 inputs in [-5, 5], kept at least 0.05 away from 0 (the kink of relu/leaky_relu/elu/selu).
    x = rng.uniform(-5, 5, 24)
    x = np.where(np.abs(x) < 0.05, np.sign(x + 1e-12) * 0.05 + x, x)
    dy = rng.uniform(-2, 2, 24)
    functions = {
        "relu": F.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "leaky_relu": lambda t: F.leaky_relu(t, negative_slope=0.2),
        "elu": lambda t: F.elu(t, alpha=1.0),
        "selu": F.selu,
        "swish": F.silu,
        # PyTorch's softplus switches to the identity above threshold=20; inputs stay well below it.
        "softplus": F.softplus,
        "gelu": lambda t: F.gelu(t, approximate="none"),
        # Added with the activations of issue 14 (inputs and the cases above are unchanged).
        "silu": F.silu,
        "exponential": torch.exp,
        "hard_sigmoid": lambda t: F.relu6(t + 3) / 6,  # Keras 3's hard_sigmoid
        "hard_silu": lambda t: t * F.relu6(t + 3) / 6,
        "softsign": F.softsign,
        "relu6": F.relu6,
        "mish": F.mish,
        "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    }
    cases = {}
    for name, fn in functions.items():
        xt = as_input(x)
        y = fn(xt)
        y.backward(as_const(dy))
        cases[name] = {"y": f32(y), "dx": f32(xt.grad)}
    # Softmax over 4 rows of 6, reusing the same 24 inputs and upstream gradients.
    xt = as_input(x.reshape(4, 6))
    y = F.softmax(xt, dim=-1)
    y.backward(as_const(dy.reshape(4, 6)))
    cases["softmax"] = {"cols": 6, "y": f32(y), "dx": f32(xt.grad)}
    return {"x": f32(x), "dy": f32(dy), "cases": cases}


def dense(rng):
    rows, n_in, units = 5, 7, 3
    x = rng.uniform(-1, 1, (rows, n_in))
    kernel = rng.uniform(-1, 1, (n_in, units))  # Keras layout (in, units)
    bias = rng.uniform(-1, 1, units)
    dy = rng.uniform(-1, 1, (rows, units))
    lin = torch.nn.Linear(n_in, units).double()
    with torch.no_grad():
        lin.weight.copy_(as_const(kernel).T)  # nn.Linear stores (out, in) = kernelᵀ
        lin.bias.copy_(as_const(bias))
    xt = as_input(x)
    y = lin(xt)
    y.backward(as_const(dy))
    return {
        "rows": rows, "in": n_in, "units": units,
        "x": f32(x), "kernel": f32(kernel), "bias": f32(bias), "dy": f32(dy),
        "y": f32(y), "dKernel": f32(lin.weight.grad.T), "dBias": f32(lin.bias.grad), "dx": f32(xt.grad),
    }


def losses(rng):
    rows, cols = 4, 5
    cases = {}

    def case(name, inputs, target, loss_fn, extra=None):
        pred = as_input(inputs)
        loss = loss_fn(pred)
        loss.backward()
        entry = {"rows": rows, "cols": cols, "input": f32(pred), "target": f32(target), "loss": f32([loss.item()])[0], "grad": f32(pred.grad)}
        if extra:
            entry.update(extra)
        cases[name] = entry

    # MSE: nn.MSELoss (mean over every element = Keras' mean over the last axis, then over rows).
    pred = rng.uniform(-2, 2, (rows, cols))
    y = rng.uniform(-2, 2, (rows, cols))
    case("mse", pred, y, lambda p: torch.nn.MSELoss()(p, as_const(y)))

    # CCE from probabilities, Keras semantics: renormalise each row, then -Σ y·log q (no entry near the
    # clip limits, so the clip is inactive). Rows deliberately do not sum to 1; targets are soft.
    probs = rng.uniform(0.05, 1.0, (rows, cols))
    y = rng.uniform(0, 1, (rows, cols))
    case("categorical_crossentropy", probs, y,
         lambda p: (-(as_const(y) * torch.log(p / p.sum(dim=-1, keepdim=True))).sum(dim=-1)).mean())

    # Sparse CCE from probabilities: nn.NLLLoss on the log of the renormalised probabilities.
    labels = rng.integers(0, cols, rows)
    probs = rng.uniform(0.05, 1.0, (rows, cols))
    case("sparse_categorical_crossentropy", probs, labels.astype(np.float64),
         lambda p: torch.nn.NLLLoss()(torch.log(p / p.sum(dim=-1, keepdim=True)), torch.tensor(labels)))

    # BCE from probabilities: nn.BCELoss (its log clamp at -100 is inactive for p in [0.05, 0.95]).
    probs = rng.uniform(0.05, 0.95, (rows, cols))
    y = rng.uniform(0, 1, (rows, cols))
    case("binary_crossentropy", probs, y, lambda p: torch.nn.BCELoss()(p, as_const(y)))

    # Fused forms take logits; the probabilities the caller computes are stored as "probs".
    logits = rng.uniform(-4, 4, (rows, cols))
    y = rng.uniform(0, 1, (rows, cols))  # soft targets, Σy ≠ 1 (the gradient is p·Σy − y)
    case("softmax_categorical_crossentropy", logits, y,
         lambda z: torch.nn.CrossEntropyLoss()(z, as_const(y)),
         {"probs": f32(torch.softmax(as_const(logits), dim=-1))})

    labels = rng.integers(0, cols, rows)
    logits = rng.uniform(-4, 4, (rows, cols))
    case("softmax_sparse_categorical_crossentropy", logits, labels.astype(np.float64),
         lambda z: torch.nn.CrossEntropyLoss()(z, torch.tensor(labels)),
         {"probs": f32(torch.softmax(as_const(logits), dim=-1))})

    logits = rng.uniform(-6, 6, (rows, cols))
    y = rng.uniform(0, 1, (rows, cols))
    case("sigmoid_binary_crossentropy", logits, y,
         lambda z: torch.nn.BCEWithLogitsLoss()(z, as_const(y)),
         {"probs": f32(torch.sigmoid(as_const(logits)))})
    return {"cases": cases}


def main():
    torch.set_default_dtype(torch.float64)
    write("activations.json", {"generator": "tools/reference/make_kernel_fixtures.py", "torch": torch.__version__, **activations(np.random.default_rng(1))})
    write("dense.json", {"generator": "tools/reference/make_kernel_fixtures.py", "torch": torch.__version__, **dense(np.random.default_rng(2))})
    write("losses.json", {"generator": "tools/reference/make_kernel_fixtures.py", "torch": torch.__version__, **losses(np.random.default_rng(3))})


if __name__ == "__main__":
    main()
