#!/usr/bin/env python3
"""Reference values for merge layers that broadcast (Keras' Add, Multiply, ... on inputs with sizes of 1), computed by
PyTorch in float64 (whose element-wise operations broadcast the same way).

Networks (mirrored in Tests/NetGen.Tests/EndToEnd/BroadcastMergeTests.cs):
- SqueezeExcite: x (4, 4, 3); gate = sigmoid(Dense(3)(GlobalAveragePooling2D(x))) reshaped to (1, 1, 3);
  Multiply([x, gate]) -> Flatten -> Dense(2). The gate's gradient sums over the 4x4 positions.
- StepBias: x (5, 3); s = Dense(1)(x), shape (5, 1); Add([x, s]), Subtract([x, s]), Maximum([x, s]) -> Concatenate ->
  Flatten -> Dense(2): broadcasting along the last axis, three ways.
Each fixture: parameters in Keras layout (kernel (in, out), then bias), inputs, targets, outputs, the mean squared
error and its gradient with respect to every parameter.

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_broadcast_fixtures.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "broadcast")


def f32(t):
    return t.to(torch.float32).to(torch.float64)


class Params:
    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)
        self.tensors = []

    def make(self, *shape, scale=0.6):
        t = f32((torch.rand(*shape, generator=self.gen) * 2 - 1) * scale).requires_grad_(True)
        self.tensors.append(t)
        return t


def write(name, p, forward, x, target):
    out = forward()
    loss = ((out - target) ** 2).mean()
    loss.backward()
    fixture = {"network": name, "loss": "MeanSquaredError", "batch": x.shape[0],
               "parameters": [v for t in p.tensors for v in t.detach().reshape(-1).tolist()],
               "input": x.reshape(-1).tolist(), "target": target.reshape(-1).tolist(),
               "output": out.detach().reshape(-1).tolist(), "lossValue": loss.item(),
               "gradients": [v for t in p.tensors for v in t.grad.reshape(-1).tolist()]}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


def squeeze_excite():
    p = Params(41)
    k1, b1 = p.make(3, 3), p.make(3)
    k2, b2 = p.make(48, 2, scale=0.3), p.make(2)
    gen = torch.Generator().manual_seed(42)
    x = f32(torch.rand(3, 4, 4, 3, generator=gen) * 2 - 1)
    target = f32(torch.rand(3, 2, generator=gen) * 2 - 1)

    def forward():
        gate = torch.sigmoid(x.mean(dim=(1, 2)) @ k1 + b1).reshape(3, 1, 1, 3)
        return (x * gate).reshape(3, -1) @ k2 + b2
    write("SqueezeExcite", p, forward, x, target)


def step_bias():
    p = Params(51)
    k1, b1 = p.make(3, 1), p.make(1)
    k2, b2 = p.make(45, 2, scale=0.3), p.make(2)
    gen = torch.Generator().manual_seed(52)
    x = f32(torch.rand(4, 5, 3, generator=gen) * 2 - 1)
    target = f32(torch.rand(4, 2, generator=gen) * 2 - 1)

    def forward():
        s = x @ k1 + b1  # (4, 5, 1)
        merged = torch.cat([x + s, x - s, torch.maximum(x, s)], dim=-1)  # (4, 5, 9)
        return merged.reshape(4, -1) @ k2 + b2
    write("StepBias", p, forward, x, target)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    squeeze_excite()
    step_bias()
