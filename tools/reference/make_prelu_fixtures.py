#!/usr/bin/env python3
"""PReLU references computed by PyTorch autograd (float64), Keras semantics.

Keras' PReLU has an alpha of the input's shape without the batch axis, with every shared axis reduced to 1
(one slope per channel of an image with shared_axes=[1, 2]). PyTorch's F.prelu only covers one slope or one per
channel-first channel, so the script writes the function out, y = where(x > 0, x, alpha * x), and lets autograd
give dx and dalpha (at x = 0 the alpha branch is taken, as F.prelu does). Shapes are channels-last.

    /usr/bin/python3 tools/reference/make_prelu_fixtures.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "prelu")


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def flat(t):
    return t.detach().reshape(-1).tolist()


def case(name, shape, shared, batch, seed):
    gen = torch.Generator().manual_seed(seed)
    alpha_shape = [1 if (axis + 1) in shared else d for axis, d in enumerate(shape)]
    x = f32(torch.randn([batch] + shape, generator=gen))
    x.view(-1)[::7] = 0.0  # exact zeros: the alpha branch
    x.requires_grad_(True)
    alpha = f32(torch.rand(alpha_shape, generator=gen) * 0.6 - 0.1).requires_grad_(True)
    y = torch.where(x > 0, x, alpha * x)
    dy = f32(torch.randn([batch] + shape, generator=gen))
    (y * dy).sum().backward()
    return {"name": name, "shape": shape, "sharedAxes": shared, "alphaShape": alpha_shape, "batch": batch,
            "x": flat(x), "alpha": flat(alpha), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad), "dAlpha": flat(alpha.grad)}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [
        case("elementwise", [6], [], 4, 1),
        case("per_channel_image", [3, 4, 2], [1, 2], 5, 2),
        case("shared_middle", [2, 3, 4], [2], 3, 3),
    ]
    with open(os.path.join(OUT, "prelu.json"), "w") as f:
        json.dump({"cases": cases}, f)


if __name__ == "__main__":
    main()
