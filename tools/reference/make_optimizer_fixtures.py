#!/usr/bin/env python3
"""Optimizer trajectories computed by torch.optim, configured to follow Keras' update rules.

Where PyTorch's rule differs from Keras' in form only, the configuration makes them equal:
- SGD with momentum/Nesterov: PyTorch's buffer form gives the same trajectory as Keras' at a constant lr.
- Adam/AdamW: Keras' epsilon-hat form equals PyTorch's with eps_t = eps / sqrt(1 - beta2^t), set before each step.
- RMSprop: Keras puts epsilon inside the square root, PyTorch outside; both are run with epsilon 0.
Each fixture: initial weights, a sequence of gradients (independent of the weights), weights after each step.

    /usr/bin/python3 tools/reference/make_optimizer_fixtures.py
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "optimizers")
STEPS = 6
SIZE = 7


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def run(name, make, netgen, eps_hat=None):
    gen = torch.Generator().manual_seed(sum(name.encode()) * 7919)  # stable across runs
    w0 = f32(torch.rand(SIZE, generator=gen) * 2 - 1)
    grads = [f32((torch.rand(SIZE, generator=gen) * 2 - 1) * 0.8) for _ in range(STEPS)]
    w = w0.clone().requires_grad_(True)
    opt = make([w])
    after = []
    for t, g in enumerate(grads, start=1):
        if eps_hat is not None:
            beta2 = opt.param_groups[0]["betas"][1]
            opt.param_groups[0]["eps"] = eps_hat / math.sqrt(1 - beta2 ** t)
        w.grad = g.clone()
        opt.step()
        after.append(w.detach().tolist())
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"name": name, "optimizer": netgen, "initial": w0.tolist(),
                   "gradients": [g.tolist() for g in grads], "after": after}, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    run("sgd", lambda p: torch.optim.SGD(p, lr=0.01), {"kind": "SGD", "learningRate": 0.01})
    run("sgd_momentum", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        {"kind": "SGD", "learningRate": 0.05, "momentum": 0.9})
    run("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
        {"kind": "SGD", "learningRate": 0.05, "momentum": 0.8, "nesterov": True})
    run("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0),
        {"kind": "RMSprop", "learningRate": 0.01, "rho": 0.9, "epsilon": 0.0})
    run("rmsprop_centered_momentum", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.8, eps=0.0, momentum=0.5, centered=True),
        {"kind": "RMSprop", "learningRate": 0.01, "rho": 0.8, "epsilon": 0.0, "momentum": 0.5, "centered": True})
    run("adam", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999)),
        {"kind": "Adam", "learningRate": 0.01, "epsilon": 1e-7}, eps_hat=1e-7)
    run("adam_amsgrad", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), amsgrad=True),
        {"kind": "Adam", "learningRate": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7, "amsgrad": True}, eps_hat=1e-7)
    run("adamw", lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.999), weight_decay=0.05),
        {"kind": "AdamW", "learningRate": 0.01, "weightDecay": 0.05, "epsilon": 1e-7}, eps_hat=1e-7)
    print("wrote fixtures to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
