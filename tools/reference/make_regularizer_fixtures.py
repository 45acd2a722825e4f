#!/usr/bin/env python3
"""Reference values for Keras' weight regularizers and constraints, computed by PyTorch in float64.

Each fixture gives a small network's parameters in NetGen's (= Keras get_weights()) layout, a batch of inputs and
targets, and what a Keras training step computes: the loss (mean squared error plus the regularization losses
L1*sum|w| + L2*sum(w^2) of the regularized weights), its gradient for every parameter, the parameters after one SGD
step followed by each weight's constraint (Keras applies constraints after the update), and the evaluation loss
(mean squared error plus the regularization losses) with those parameters. The networks mirror the ones declared in
Tests/NetGen.Tests/Training/RegularizerNetworks.cs.

Constraints (Keras, epsilon 1e-7, norms over the given axes of the weight):
  max_norm:     w * clip(n, 0, max) / (eps + n)
  non_neg:      w * (w >= 0)
  unit_norm:    w / (eps + n)
  min_max_norm: w * (rate * clip(n, min, max) + (1 - rate) * n) / (eps + n)

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_regularizer_fixtures.py
It writes Tests/NetGen.Tests/Fixtures/regularizers/*.json (deterministic: fixed seeds).
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "regularizers")
EPS = 1e-7


def f32(t):
    """Rounds to float32 so that the C# side starts from exactly the same numbers."""
    return t.to(torch.float32).to(torch.float64)


class Params:
    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)
        self.tensors = []
        self.regularizers = []
        self.constraints = []

    def make(self, *shape, scale=0.6, l1=0.0, l2=0.0, constraint=None):
        t = f32((torch.rand(*shape, generator=self.gen) * 2 - 1) * scale).requires_grad_(True)
        self.tensors.append(t)
        self.regularizers.append((l1, l2))
        self.constraints.append(constraint)
        return t

    def penalty(self):
        total = torch.zeros(())
        for t, (l1, l2) in zip(self.tensors, self.regularizers):
            total = total + l1 * t.abs().sum() + l2 * (t * t).sum()
        return total

    def flat(self, tensors=None):
        return [v for t in (tensors or self.tensors) for v in t.detach().reshape(-1).tolist()]


def norms(w, axes):
    return torch.sqrt((w * w).sum(dim=tuple(axes), keepdim=True))


def max_norm(max_value, axes):
    return lambda w: w * (torch.clamp(norms(w, axes), 0, max_value) / (EPS + norms(w, axes)))


def non_neg():
    return lambda w: w * (w >= 0).to(w.dtype)


def unit_norm(axes):
    return lambda w: w / (EPS + norms(w, axes))


def min_max_norm(lo, hi, rate, axes):
    def apply(w):
        n = norms(w, axes)
        return w * ((rate * torch.clamp(n, lo, hi) + (1 - rate) * n) / (EPS + n))
    return apply


def lstm(x, kernel, recurrent, bias, units):
    """Keras LSTM (gates i, f, c, o; sigmoid, tanh), last output."""
    b, steps, _ = x.shape
    h = torch.zeros(b, units)
    c = torch.zeros(b, units)
    for t in range(steps):
        z = x[:, t, :] @ kernel + h @ recurrent + bias
        i, f, g, o = z[:, :units], z[:, units:2 * units], z[:, 2 * units:3 * units], z[:, 3 * units:]
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    return h


def conv2d_valid(x, kernel, bias):
    """Keras Conv2D, channels last, valid padding, stride 1: kernel (kh, kw, cin, cout)."""
    y = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias)
    return y.permute(0, 2, 3, 1)


def write(name, params, forward, x, target, lr):
    def loss_of(output):
        return ((output - target) ** 2).mean()

    output = forward()
    loss = loss_of(output) + params.penalty()
    loss.backward()
    grads = [v for t in params.tensors for v in t.grad.reshape(-1).tolist()]
    before = params.flat()
    with torch.no_grad():
        for t, c in zip(params.tensors, params.constraints):
            t -= lr * t.grad
            if c is not None:
                t.copy_(c(t))
    after = params.flat()
    with torch.no_grad():
        eval_loss = loss_of(forward()) + params.penalty()
    fixture = {
        "network": name, "batch": x.shape[0], "learningRate": lr,
        "parameters": before, "input": x.reshape(-1).tolist(), "target": target.reshape(-1).tolist(),
        "lossValue": loss.item(), "gradients": grads, "parametersAfter": after, "evaluationLoss": eval_loss.item(),
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


def regularized_mlp():
    p = Params(11)
    k1 = p.make(4, 5, l1=0.01, l2=0.02, constraint=max_norm(0.5, [0]))
    b1 = p.make(5, l2=0.05)
    k2 = p.make(5, 3, l1=0.03, constraint=min_max_norm(0.2, 0.6, 0.5, [0]))
    b2 = p.make(3, constraint=non_neg())
    gen = torch.Generator().manual_seed(12)
    x = f32(torch.rand(6, 4, generator=gen) * 2 - 1)
    target = f32(torch.rand(6, 3, generator=gen) * 2 - 1)
    write("RegularizedMlp", p, lambda: torch.relu(x @ k1 + b1) @ k2 + b2, x, target, 0.1)


def regularized_conv():
    p = Params(21)
    k = p.make(2, 2, 2, 3, l2=0.01, constraint=unit_norm([0, 1, 2]))
    b = p.make(3, l1=0.02)
    k2 = p.make(48, 2, scale=0.3, constraint=max_norm(0.3, [-1]))
    b2 = p.make(2)
    gen = torch.Generator().manual_seed(22)
    x = f32(torch.rand(3, 5, 5, 2, generator=gen) * 2 - 1)
    target = f32(torch.rand(3, 2, generator=gen) * 2 - 1)
    write("RegularizedConv", p, lambda: conv2d_valid(x, k, b).reshape(3, -1) @ k2 + b2, x, target, 0.2)


def regularized_lstm():
    p = Params(31)
    units = 3
    k = p.make(3, 4 * units, l1=0.01)
    r = p.make(units, 4 * units, l2=0.1, constraint=max_norm(0.8, [0, 1]))
    b = p.make(4 * units, constraint=non_neg())
    k2 = p.make(units, 2, l1=0.02, l2=0.02)
    b2 = p.make(2)
    gen = torch.Generator().manual_seed(32)
    x = f32(torch.rand(4, 5, 3, generator=gen) * 2 - 1)
    target = f32(torch.rand(4, 2, generator=gen) * 2 - 1)
    write("RegularizedLstm", p, lambda: lstm(x, k, r, b, units) @ k2 + b2, x, target, 0.3)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    regularized_mlp()
    regularized_conv()
    regularized_lstm()
