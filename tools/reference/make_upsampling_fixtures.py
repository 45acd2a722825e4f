#!/usr/bin/env python3
"""Reference values for UpSampling2D(interpolation="bilinear"), computed by PyTorch in float64:
torch.nn.functional.interpolate(mode="bilinear", align_corners=False) with integer scale factors, which places output
position o at input coordinate (o + 1/2)/factor - 1/2 clamped to the edges, as Keras does.

Networks (mirrored in Tests/NetGen.Tests/EndToEnd/BilinearUpSamplingTests.cs):
- Bilinear23: x (3, 4, 2) -> Conv2D(3, 1x1) -> UpSampling2D((2, 3), bilinear) -> Flatten -> Dense(2).
- Bilinear41: x (5, 3, 1) -> Conv2D(2, 1x1) -> UpSampling2D((4, 1), bilinear) -> Flatten -> Dense(2): a factor of 1 along
  the width (every coordinate exact) and 4 along the height (clamped rows at both edges).
The 1x1 convolution before the up-sampling makes its kernel's gradient pass through the up-sampling's backward pass.
Each fixture: parameters in Keras layout (kernel (1, 1, in, out) then bias; Dense kernel (in, out) then bias), inputs,
targets, outputs, the mean squared error and its gradient with respect to every parameter.

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_upsampling_fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "upsampling")


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def make(name, seed, shape, filters, factors):
    gen = torch.Generator().manual_seed(seed)
    h, w, cin = shape
    batch = 2

    def rand(*s, scale=0.6):
        return f32((torch.rand(*s, generator=gen) * 2 - 1) * scale)

    kernel = rand(1, 1, cin, filters).requires_grad_(True)
    bias = rand(filters).requires_grad_(True)
    flat = h * factors[0] * w * factors[1] * filters
    dense = rand(flat, 2, scale=0.3).requires_grad_(True)
    dense_bias = rand(2).requires_grad_(True)
    x = rand(batch, h, w, cin, scale=1.0)
    target = rand(batch, 2, scale=1.0)

    z = torch.einsum("bhwc,cf->bhwf", x, kernel[0, 0]) + bias
    up = F.interpolate(z.permute(0, 3, 1, 2), scale_factor=factors, mode="bilinear", align_corners=False).permute(0, 2, 3, 1)
    out = up.reshape(batch, -1) @ dense + dense_bias
    loss = ((out - target) ** 2).mean()
    loss.backward()
    params = [kernel, bias, dense, dense_bias]
    fixture = {"network": name, "batch": batch,
               "parameters": [v for t in params for v in t.detach().reshape(-1).tolist()],
               "input": x.reshape(-1).tolist(), "target": target.reshape(-1).tolist(),
               "output": out.detach().reshape(-1).tolist(), "lossValue": loss.item(),
               "gradients": [v for t in params for v in t.grad.reshape(-1).tolist()]}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


make("Bilinear23", 61, (3, 4, 2), 3, (2, 3))
make("Bilinear41", 62, (5, 3, 1), 2, (4, 1))
