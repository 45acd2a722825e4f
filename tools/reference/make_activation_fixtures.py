#!/usr/bin/python3
"""PyTorch (float64) references for NetGen's activation functions and Keras' activation layers.

Writes Tests/NetGen.Tests/Fixtures/activations/:
- elementwise.json: every element-wise NetGen.Activation member, forward and backward (autograd with a random
  upstream gradient), over 100 ordinary inputs followed by extreme ones (+-88, +-1e30, float extremes, subnormals,
  +-inf, NaN). The C# test slices prefixes of SIMD-tail lengths (1, 7, 8, 15, 16, 17, 33, 100, all) at two offsets.
- rowwise.json: softmax and log_softmax along rows of several lengths, including rows with huge, -inf and NaN logits.
- layers.json: Keras' ReLU(max_value, negative_slope, threshold), LeakyReLU(negative_slope), ELU(alpha) and
  Softmax(axis) (also over middle and first axes).
- networks/*.json: whole networks (see Tests/NetGen.Tests/EndToEnd/ActivationLayerNetworks.cs): parameters in Keras
  layout, inputs, targets, outputs, mean squared error and its parameter gradients.

Inputs are rounded to float32 first; references are float64 (not rounded). Non-finite numbers are written as the
strings "NaN", "Infinity", "-Infinity". Where PyTorch's formula gives NaN at an infinite input whose mathematical limit
exists (softsign(+-inf) = +-1, mish(-inf) = -0, ...), the limit is written instead: NetGen returns the limit there
(Keras' own formulas give NaN too). Every such replacement is listed in LIMITS below. Derivatives are not compared at
+-inf, at NaN inputs or at kinks.

    /usr/bin/python3 tools/reference/make_activation_fixtures.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "activations")

SELU_ALPHA, SELU_LAMBDA = 1.6732632423543772, 1.0507009873554805
FLOAT_MAX = 3.4028234663852886e38
EXTREMES = [88.0, -88.0, 88.7, -88.7, 89.0, -89.0, 100.0, -100.0, 1e30, -1e30, 3.4e38, -3.4e38, 20.5, -20.5,
            1e-30, -1e-30, 1e-40, -1e-40, 1.4e-45, -1.4e-45, 0.0, -0.0, math.inf, -math.inf, math.nan]


def hard_sigmoid(t):
    # Keras 3: relu6(x + 3) / 6
    return F.relu6(t + 3.0) / 6.0


FUNCTIONS = {
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "leaky_relu": lambda t: F.leaky_relu(t, negative_slope=0.2),
    # elu and selu through expm1: PyTorch's own kernels compute exp(x) - 1, which is 0 in double for |x| < 1e-17.
    "elu": lambda t: torch.where(t > 0, t, torch.expm1(torch.clamp(t, max=0))),
    "selu": lambda t: SELU_LAMBDA * torch.where(t > 0, t, SELU_ALPHA * torch.expm1(torch.clamp(t, max=0))),
    "swish": F.silu,
    "silu": F.silu,
    # F.softplus is log1p(e^x), switching to x above 20 (off by e^-20 relative to x there: 1e-10, far inside the tolerance)
    "softplus": F.softplus,
    "gelu": lambda t: F.gelu(t, approximate="none"),
    "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "exponential": torch.exp,
    "hard_sigmoid": hard_sigmoid,
    "hard_silu": lambda t: t * hard_sigmoid(t),
    "softsign": F.softsign,
    "relu6": F.relu6,
    "mish": F.mish,
}

# Derivative kinks: the backward is not compared at these inputs (frameworks disagree there).
KINKS = {
    "relu": [0.0], "leaky_relu": [0.0], "elu": [0.0], "selu": [0.0], "relu6": [0.0, 6.0],
    "hard_sigmoid": [-3.0, 3.0], "hard_silu": [-3.0, 3.0],
}

# (function, input) -> mathematical limit of the forward, written where PyTorch's formula gives NaN at +-inf.
LIMITS = {
    ("softsign", math.inf): 1.0, ("softsign", -math.inf): -1.0, ("mish", -math.inf): -0.0, ("hard_silu", -math.inf): 0.0,
    ("swish", -math.inf): -0.0, ("silu", -math.inf): -0.0, ("gelu", -math.inf): -0.0, ("gelu_tanh", -math.inf): -0.0,
}


def num(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def nums(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().reshape(-1).tolist()
    return [num(v) for v in np.asarray(t, dtype=np.float64).reshape(-1)]


def f32(a):
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def write(name, payload):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(payload, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def elementwise(rng):
    ordinary = rng.uniform(-6, 6, 100)
    ordinary[::9] *= 1e-3          # near zero
    ordinary[5::13] *= 5           # up to +-30
    ordinary[7::17] = rng.choice([-3.0, 3.0, 6.0]) + rng.uniform(-0.02, 0.02, len(ordinary[7::17]))  # near kinks
    x = np.concatenate([f32(ordinary), f32(EXTREMES)])
    dy = f32(rng.uniform(-2, 2, len(x)))
    cases = {}
    for name, fn in FUNCTIONS.items():
        xt = torch.tensor(x, requires_grad=True)
        y = fn(xt)
        y.backward(torch.tensor(dy))
        ys = y.detach().tolist()
        dxs = xt.grad.tolist()
        for i, v in enumerate(x):
            if math.isnan(v):
                dxs[i] = None  # NaN in: the forward must give NaN; the gradient is not specified
                continue
            if v in KINKS.get(name, []) or math.isinf(v) or abs(ys[i]) > FLOAT_MAX:
                dxs[i] = None  # no derivative at kinks; at +-inf or past a float overflow only the forward value is specified
            if math.isinf(v) and (name, v) in LIMITS:
                ys[i] = LIMITS[(name, v)]
            if math.isnan(ys[i]) or (dxs[i] is not None and math.isnan(dxs[i])):
                raise SystemExit(f"{name}({v}) gives NaN in PyTorch; add its limit to LIMITS")
        cases[name] = {"y": nums(ys), "dx": [None if d is None else num(d) for d in dxs]}
    return {"x": nums(x), "dy": nums(dy), "ordinary": len(ordinary), "cases": cases}


def rowwise(rng):
    rows = []
    for cols in [1, 3, 7, 8, 16, 17, 33]:
        rows.append(f32(rng.uniform(-5, 5, cols)))
    rows.append(f32([1e30, 0.0, -1e30, 5.0]))
    rows.append(f32([88.0, -88.0, 88.7, 0.0, -100.0]))
    rows.append(f32([-math.inf, 1.0, 2.0, -math.inf]))
    rows.append(f32([1000.0, 1001.0, 1002.0]))
    cases = []
    for r in rows:
        xt = torch.tensor(r, requires_grad=True)
        dy = f32(rng.uniform(-1, 1, len(r)))
        entry = {"x": nums(r), "dy": nums(dy)}
        for name, fn in [("softmax", lambda t: F.softmax(t, dim=-1)), ("log_softmax", lambda t: F.log_softmax(t, dim=-1))]:
            xt.grad = None
            y = fn(xt)
            y.backward(torch.tensor(dy))
            grad = xt.grad.tolist()
            # -inf logits: PyTorch's log_softmax backward gives dy - p*sum(dy) with p = 0 there, which is dy, fine; the
            # forward is -inf. Nothing to replace.
            entry[name] = {"y": nums(y), "dx": nums(grad)}
        cases.append(entry)
    # A NaN anywhere in the row makes the whole row NaN (forward only).
    nan_row = f32([0.5, math.nan, -1.0])
    entry = {"x": nums(nan_row), "dy": nums([0.0, 0.0, 0.0])}
    for name, fn in [("softmax", lambda t: F.softmax(t, dim=-1)), ("log_softmax", lambda t: F.log_softmax(t, dim=-1))]:
        entry[name] = {"y": nums(fn(torch.tensor(nan_row))), "dx": None}
    cases.append(entry)
    return {"cases": cases}


def keras_relu(t, negative_slope, max_value, threshold):
    """keras.layers.ReLU written as Keras' ReLU.static_call does: x*(x > threshold) (or relu), clipped to
    [0, max_value], minus negative_slope * relu(threshold - x)."""
    pos = t * (t > threshold).to(t.dtype) if threshold != 0 else F.relu(t)
    if max_value is not None:
        pos = torch.clamp(pos, 0.0, max_value)
    if negative_slope != 0:
        pos = pos - negative_slope * F.relu(threshold - t)
    return pos


def layers(rng):
    cases = []

    def add(kind, params, shape, fn, kinks=()):
        x = f32(rng.uniform(-8, 8, shape))
        flat = x.reshape(-1)
        for k in kinks:  # keep a margin around kinks so the gradient is defined
            flat[np.abs(flat - k) < 0.01] += 0.05
        x = f32(flat).reshape(shape)
        dy = f32(rng.uniform(-1, 1, shape))
        xt = torch.tensor(x, requires_grad=True)
        y = fn(xt)
        y.backward(torch.tensor(dy))
        cases.append({"kind": kind, "params": params, "shape": list(shape), "x": nums(x), "dy": nums(dy), "y": nums(y), "dx": nums(xt.grad)})

    for (slope, mx, th) in [(0.0, None, 0.0), (0.0, 6.0, 0.0), (0.1, 6.0, 0.0), (0.0, None, 1.0), (0.3, 2.5, 0.5), (0.2, None, 0.0), (0.0, 0.0, 0.0)]:
        add("ReLU", {"negative_slope": slope, "max_value": mx, "threshold": th}, (4, 33),
            lambda t, s=slope, m=mx, h=th: keras_relu(t, s, m, h), kinks=[0.0, th] + ([mx] if mx is not None else []))
    for slope in [0.3, 0.2, 0.0, 1.5]:
        add("LeakyReLU", {"negative_slope": slope}, (3, 17), lambda t, s=slope: F.leaky_relu(t, negative_slope=s), kinks=[0.0])
    for alpha in [1.0, 0.5, 2.0, 0.0]:
        add("ELU", {"alpha": alpha}, (3, 17), lambda t, a=alpha: F.elu(t, alpha=a), kinks=[0.0])
    # Softmax(axis): Keras axes count from the batch axis 0; shape includes the batch.
    for shape, axis in [((2, 3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), -2), ((2, 5, 3, 4), 1), ((2, 5, 3, 4), 2), ((3, 7), 1), ((2, 4, 300), 1)]:
        add("Softmax", {"axis": axis}, shape, lambda t, a=axis: F.softmax(t, dim=a))
    return {"cases": cases}


class Params:
    """Parameters in Keras layout, flattened in declaration order."""

    def __init__(self, gen):
        self.gen = gen
        self.tensors = []

    def make(self, *shape, scale=0.6):
        t = torch.tensor(f32(((torch.rand(*shape, generator=self.gen) * 2 - 1) * scale).numpy()), requires_grad=True)
        self.tensors.append(t)
        return t

    def flat(self):
        return [v for t in self.tensors for v in t.detach().reshape(-1).tolist()]

    def grads(self):
        return [v for t in self.tensors for v in t.grad.reshape(-1).tolist()]


def dense(x, kernel, bias):
    return x @ kernel + bias


def conv1d_valid(x, kernel, bias):
    """Channels-last 'valid' Conv1D: x (batch, steps, cin), kernel (k, cin, f) as Keras stores it."""
    k = kernel.shape[0]
    steps = x.shape[1] - k + 1
    out = [sum(x[:, t + j, :] @ kernel[j] for j in range(k)) + bias for t in range(steps)]
    return torch.stack(out, dim=1)


def write_net(name, batch, p, x, target, out):
    loss = ((out - target) ** 2).mean(-1).mean()
    loss.backward()
    write(os.path.join("networks", f"{name}.json"), {
        "network": name, "loss": "MeanSquaredError", "batch": batch, "parameters": p.flat(),
        "input": x.reshape(-1).tolist(), "target": target.reshape(-1).tolist(),
        "output": out.detach().reshape(-1).tolist(), "lossValue": loss.item(), "gradients": p.grads()})


def activation_layers_net():
    # ActivationLayersNet: Input(3, 4) -> Dense(5) -> ReLU(MaxValue = 1.5, NegativeSlope = 0.1, Threshold = 0.2)
    #   -> Softmax(Axis = 1) (over the 3 steps) -> Flatten -> Dense(6) -> LeakyReLU -> Dense(4) -> ELU(Alpha = 0.5)
    #   -> Dense(3, GeluTanh)
    gen = torch.Generator().manual_seed(700)
    p = Params(gen)
    k1, b1 = p.make(4, 5, scale=1.0), p.make(5)
    k2, b2 = p.make(15, 6), p.make(6)
    k3, b3 = p.make(6, 4), p.make(4)
    k4, b4 = p.make(4, 3), p.make(3)
    batch = 3
    x = torch.tensor(f32((torch.rand(batch, 3, 4, generator=gen) * 4 - 2).numpy()))
    target = torch.tensor(f32((torch.rand(batch, 3, generator=gen) * 2 - 1).numpy()))
    h = keras_relu(dense(x, k1, b1), 0.1, 1.5, 0.2)
    h = F.softmax(h, dim=1).reshape(batch, 15)
    h = F.leaky_relu(dense(h, k2, b2), negative_slope=0.3)
    h = F.elu(dense(h, k3, b3), alpha=0.5)
    out = F.gelu(dense(h, k4, b4), approximate="tanh")
    write_net("ActivationLayersNet", batch, p, x, target, out)


def new_activations_net():
    # NewActivationsNet: Input(5, 2) -> Conv1D(3, 2, Mish) -> Flatten -> Dense(6, HardSilu) -> Dense(6, Softsign)
    #   -> Dense(6, Relu6) -> Dense(6, HardSigmoid) -> Dense(5, Silu) -> Dense(4, Exponential) -> Dense(3, LogSoftmax)
    gen = torch.Generator().manual_seed(701)
    p = Params(gen)
    kc, bc = p.make(2, 2, 3, scale=1.0), p.make(3)
    layers_ = [(12, 6), (6, 6), (6, 6), (6, 6), (6, 5), (5, 4), (4, 3)]
    ws = [(p.make(i, o, scale=1.2), p.make(o, scale=0.8)) for i, o in layers_]
    batch = 4
    x = torch.tensor(f32((torch.rand(batch, 5, 2, generator=gen) * 4 - 2).numpy()))
    target = torch.tensor(f32((torch.rand(batch, 3, generator=gen) * 2 - 3).numpy()))
    h = F.mish(conv1d_valid(x, kc, bc)).reshape(batch, 12)
    acts = [lambda t: t * hard_sigmoid(t), F.softsign, F.relu6, hard_sigmoid, F.silu, torch.exp, lambda t: F.log_softmax(t, dim=-1)]
    for (k, b), act in zip(ws, acts):
        h = act(dense(h, k, b))
    write_net("NewActivationsNet", batch, p, x, target, h)


def main():
    rng = np.random.default_rng(2026)
    write("elementwise.json", {"generator": "tools/reference/make_activation_fixtures.py", "torch": torch.__version__, **elementwise(rng)})
    write("rowwise.json", rowwise(rng))
    write("layers.json", layers(rng))
    activation_layers_net()
    new_activations_net()


if __name__ == "__main__":
    main()
