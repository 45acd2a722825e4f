#!/usr/bin/python3
"""Writes PyTorch (float64) reference fixtures for NetGen's TimeDistributed test networks.

Each fixture is one network of Tests/NetGen.Tests/EndToEnd/TimeDistributedNetworks.cs: weights drawn in Keras layouts
and Keras get_weights() order (rounded to float32), inputs and targets, and PyTorch's outputs, mean squared error and
parameter gradients in Keras layouts. Keras' TimeDistributed(layer) applies the layer to x[:, t] for every t with one
set of weights; here that is written as PyTorch modules run on every step (a Python loop over the time axis, then
torch.stack), independent of NetGen's batch·steps lowering. Conversions (LAYERS.md §5, §8, §19):
- Conv2D: PyTorch weight (out, in, kh, kw) = Keras kernel (kh, kw, in, out) permuted (3, 2, 0, 1); inputs channels-last
  are permuted to channels-first around the PyTorch call;
- LSTM: nn.LSTMCell with weight_ih = kernel^T, weight_hh = recurrent_kernel^T, bias_ih = bias, bias_hh = 0;
- GRU (reset_after=True): nn.GRUCell, Keras' gate blocks [z, r, h] are PyTorch's [r, z, n] with the first two swapped;
  bias row 0 is bias_ih, row 1 bias_hh.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_time_distributed_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/time-distributed/*.json (read by TimeDistributedTests).
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import stateless

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "time-distributed")
BATCH = 3
torch.set_default_dtype(torch.float64)


def f32(a):
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


class Params:
    """Keras-layout weights in get_weights() order, as float64 leaves."""

    def __init__(self, rng):
        self.rng = rng
        self.items = []

    def add(self, shape, scale=0.6):
        t = torch.tensor(f32(self.rng.uniform(-scale, scale, shape)), requires_grad=True)
        self.items.append(t)
        return t

    def flat(self):
        return [float(v) for t in self.items for v in t.detach().numpy().astype(np.float32).ravel()]

    def grads(self):
        return [float(v) for t in self.items for v in t.grad.numpy().ravel()]


def per_step(fn, x):
    """Keras TimeDistributed: fn on x[:, t] for every step, stacked on axis 1."""
    return torch.stack([fn(x[:, t]) for t in range(x.shape[1])], dim=1)


def conv2d_layer(p, cin, filters, k):
    kernel = p.add((k, k, cin, filters))
    bias = p.add((filters,), 0.5)

    def run(x):  # x (n, H, W, C) channels-last
        y = F.conv2d(x.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias)
        return torch.tanh(y)  # channels-first, (n, F, H', W')
    return run


def nhwc(y):
    return y.permute(0, 2, 3, 1)


def swap_zr(m, u):
    return torch.cat([m[..., u:2 * u], m[..., 0:u], m[..., 2 * u:]], dim=-1)


def lstm_layer(p, features, units):
    kernel, rec, bias = p.add((features, 4 * units)), p.add((units, 4 * units)), p.add((4 * units,), 0.5)
    cell = nn.LSTMCell(features, units)
    names = {"weight_ih": kernel.T, "weight_hh": rec.T, "bias_ih": bias, "bias_hh": torch.zeros(4 * units)}

    def run(x):  # (n, steps, features) -> last output (n, units)
        h = torch.zeros(x.shape[0], units)
        c = torch.zeros(x.shape[0], units)
        for t in range(x.shape[1]):
            h, c = stateless.functional_call(cell, names, (x[:, t], (h, c)))
        return h
    return run


def gru_layer(p, features, units):
    kernel, rec, bias = p.add((features, 3 * units)), p.add((units, 3 * units)), p.add((2, 3 * units), 0.5)
    cell = nn.GRUCell(features, units)
    names = {"weight_ih": swap_zr(kernel, units).T, "weight_hh": swap_zr(rec, units).T,
             "bias_ih": swap_zr(bias[0], units), "bias_hh": swap_zr(bias[1], units)}

    def run(x):
        h = torch.zeros(x.shape[0], units)
        for t in range(x.shape[1]):
            h = stateless.functional_call(cell, names, (x[:, t], h))
        return h
    return run


def write(name, p, x, target, output):
    loss = ((output - target) ** 2).mean(-1).mean()
    loss.backward()
    data = {
        "network": name,
        "loss": "MeanSquaredError",
        "batch": BATCH,
        "parameters": p.flat(),
        "input": [float(v) for v in x.reshape(-1)],
        "target": [float(v) for v in target.detach().numpy().reshape(-1)],
        "output": [float(v) for v in output.detach().numpy().reshape(-1)],
        "lossValue": loss.item(),
        "gradients": p.grads(),
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as fh:
        json.dump(data, fh, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261203)

    def start(shape, out_shape):
        p = Params(rng)
        x_np = f32(rng.uniform(-1, 1, (BATCH,) + shape))
        target = torch.tensor(f32(rng.uniform(-1, 1, (BATCH,) + out_shape)))
        return p, x_np, torch.tensor(x_np), target

    # Input(5, 2, 3) -> TD(Dense(4, tanh)) -> TD(Flatten) -> TD(Dense(2)): output (5, 2).
    p, x_np, x, t = start((5, 2, 3), (5, 2))
    w1, b1 = p.add((3, 4)), p.add((4,), 0.5)
    w2, b2 = p.add((8, 2)), p.add((2,), 0.5)
    h = per_step(lambda s: torch.tanh(s @ w1 + b1), x)              # (n, 5, 2, 4)
    h = per_step(lambda s: s.reshape(s.shape[0], -1), h)             # (n, 5, 8)
    out = per_step(lambda s: s @ w2 + b2, h)                         # (n, 5, 2)
    write("TdDenseNet", p, x_np, t, out)

    # Input(3, 6, 6, 2) -> TD(Conv2D(3, 3, tanh)) -> TD(AveragePooling2D(2)) -> Flatten -> Dense(2).
    p, x_np, x, t = start((3, 6, 6, 2), (2,))
    conv = conv2d_layer(p, 2, 3, 3)
    h = per_step(lambda s: nhwc(F.avg_pool2d(conv(s), 2)), x)       # (n, 3, 2, 2, 3)
    w, b = p.add((36, 2)), p.add((2,), 0.5)
    write("TdConvNet", p, x_np, t, h.reshape(BATCH, -1) @ w + b)

    # A video classifier: Input(4, 7, 7, 2) -> TD(Conv2D(3, 3, tanh)) -> TD(MaxPooling2D(2)) -> TD(Flatten) -> LSTM(4) -> Dense(2).
    p, x_np, x, t = start((4, 7, 7, 2), (2,))
    conv = conv2d_layer(p, 2, 3, 3)
    frames = per_step(lambda s: nhwc(F.max_pool2d(conv(s), 2)).reshape(s.shape[0], -1), x)  # (n, 4, 12)
    lstm = lstm_layer(p, 12, 4)
    w, b = p.add((4, 2)), p.add((2,), 0.5)
    write("TdVideoNet", p, x_np, t, lstm(frames) @ w + b)

    # Input(3, 5, 2) -> TD(LSTM(4)) (each step is a sequence of 5) -> GRU(3) -> Dense(2).
    p, x_np, x, t = start((3, 5, 2), (2,))
    inner = lstm_layer(p, 2, 4)
    h = per_step(inner, x)                                           # (n, 3, 4)
    gru = gru_layer(p, 4, 3)
    w, b = p.add((3, 2)), p.add((2,), 0.5)
    write("TdLstmNet", p, x_np, t, gru(h) @ w + b)


if __name__ == "__main__":
    main()
