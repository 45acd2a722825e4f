#!/usr/bin/env python3
"""Loss values and gradients (torch autograd, float64) for the losses NetGen added after the first four, written from
Keras 3's definitions with PyTorch's own functions where one exists:

- mean_absolute_error: torch.nn.functional.l1_loss (mean over every value = mean over rows of the per-row mean)
- huber: torch.nn.functional.huber_loss(delta=1.0)
- kl_divergence: y, p clipped to [1e-7, 1]; torch.nn.functional.kl_div(log p, y, reduction="none").sum(-1).mean()
- hinge: 0/1 targets -> -1/1; mean(relu(1 - y*p))
- categorical_focal_crossentropy: p / sum(p), clipped to [1e-7, 1 - 1e-7]; -sum(0.25 (1-q)^2 y log q), mean over rows
- from_logits=True (Keras) forms: torch.nn.functional.cross_entropy with probability targets and with class ids,
  binary_cross_entropy_with_logits (mean over every value)
- label_smoothing 0.1 (Keras: y(1 - s) + s/classes, binary y(1 - s) + s/2): cross_entropy(label_smoothing=0.1) on
  one-hot targets; the binary form written out (PyTorch has no binary label smoothing). The fixture's targets are the
  unsmoothed ones.

Each fixture: rows, cols, predictions, targets, loss, gradient of the mean loss with respect to the predictions.

    /usr/bin/python3 tools/reference/make_loss_fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "losses")
EPS = 1e-7


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def write(name, rows, cols, pred, target, fn):
    p = pred.clone().requires_grad_(True)
    loss = fn(p, target)
    loss.backward()
    with open(os.path.join(OUT, name + ".json"), "w") as fh:
        json.dump({"name": name, "rows": rows, "cols": cols, "predictions": pred.flatten().tolist(),
                   "targets": target.flatten().tolist(), "loss": loss.item(), "gradient": p.grad.flatten().tolist()}, fh, indent=1)


def kld(p, y):
    y = y.clamp(EPS, 1)
    return F.kl_div(p.clamp(EPS, 1).log(), y, reduction="none").sum(-1).mean()


def hinge(p, y):
    if bool(((y == 0) | (y == 1)).all()):
        y = 2 * y - 1
    return torch.relu(1 - y * p).mean(-1).mean()


def focal(p, y):
    q = (p / p.sum(-1, keepdim=True)).clamp(EPS, 1 - EPS)
    return (-(0.25 * (1 - q) ** 2 * y * q.log())).sum(-1).mean()


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(16)
    rows, cols = 6, 5
    reals = f32(torch.randn(rows, cols, generator=g) * 1.5)
    real_targets = f32(torch.randn(rows, cols, generator=g))
    probs = f32(torch.softmax(torch.randn(rows, cols, generator=g) * 2, -1))
    soft = f32(torch.softmax(torch.randn(rows, cols, generator=g), -1))
    onehot = F.one_hot(torch.randint(0, cols, (rows,), generator=g), cols).to(torch.float64)
    signs = (torch.randint(0, 2, (rows, cols), generator=g) * 2 - 1).to(torch.float64)
    write("mean_absolute_error", rows, cols, reals, real_targets, lambda p, y: F.l1_loss(p, y))
    write("huber", rows, cols, reals, real_targets, lambda p, y: F.huber_loss(p, y, delta=1.0))
    write("kl_divergence", rows, cols, probs, soft, kld)
    write("hinge_binary", rows, cols, reals * 0.5, onehot, hinge)
    write("hinge_signed", rows, cols, reals * 0.5, signs, hinge)
    write("categorical_focal_crossentropy", rows, cols, probs, onehot, focal)
    # Unnormalised "probabilities" exercise the renormalisation path.
    write("categorical_focal_unnormalised", rows, cols, f32(probs * 1.7), soft, focal)
    # from_logits=True: logits as predictions; soft targets (rows that do not sum to 1 as well), class ids, 0/1 and soft.
    logits = f32(torch.randn(rows, cols, generator=g) * 3)
    soft_unnormalised = f32(soft * 1.3)
    labels = torch.randint(0, cols, (rows,), generator=g)
    write("categorical_crossentropy_from_logits", rows, cols, logits, soft_unnormalised,
          lambda z, y: -(y * torch.log_softmax(z, -1)).sum(-1).mean())
    p_ = logits.clone().requires_grad_(True)
    sparse = F.cross_entropy(p_, labels)
    sparse.backward()
    with open(os.path.join(OUT, "sparse_categorical_crossentropy_from_logits.json"), "w") as fh:
        json.dump({"name": "sparse_categorical_crossentropy_from_logits", "rows": rows, "cols": cols, "predictions": logits.flatten().tolist(),
                   "targets": labels.to(torch.float64).tolist(), "loss": sparse.item(), "gradient": p_.grad.flatten().tolist()}, fh, indent=1)
    binary_targets = f32(torch.rand(rows, cols, generator=g))
    binary_targets[:3] = onehot[:3]
    write("binary_crossentropy_from_logits", rows, cols, logits, binary_targets,
          lambda z, y: F.binary_cross_entropy_with_logits(z, y))
    write("categorical_crossentropy_from_logits_smoothed", rows, cols, logits, onehot,
          lambda z, y: F.cross_entropy(z, y, label_smoothing=0.1))
    write("binary_crossentropy_from_logits_smoothed", rows, cols, logits, binary_targets,
          lambda z, y: F.binary_cross_entropy_with_logits(z, y * 0.9 + 0.05))
