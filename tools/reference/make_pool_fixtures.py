#!/usr/bin/env python3
"""Pooling, global pooling, zero padding, cropping and up-sampling references computed by PyTorch (float64).

Keras 'same' pooling is reproduced explicitly: max pooling pads with -inf (padded cells never win), average
pooling sums with zero padding and divides by a pooled ones-mask (padded cells are not counted). Data are
generated channels-last (NetGen's layout) and converted to PyTorch's channels-first inside the script.
Each fixture: the geometry, x, a random upstream gradient dy, the output y and dx.

    /usr/bin/python3 tools/reference/make_pool_fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "pool")
POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def split(n, k, s, same):
    if not same:
        return (n - k) // s + 1, 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2


def to_first(x):  # (B, *spatial, C) -> (B, C, *spatial)
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def to_last(x):
    return x.permute(0, *range(2, x.dim()), 1)


def geometry(spatial_in, spatial_out, c, k, s, before):
    pad = lambda v, fill: [fill] * (3 - len(v)) + list(v)
    i, o, kk, ss, bb = pad(spatial_in, 1), pad(spatial_out, 1), pad(k, 1), pad(s, 1), pad(before, 0)
    return [*i, c, *o, c, *kk, *ss, 1, 1, 1, *bb]


def pool_case(name, kind, spatial, c, k, s, same, seed):
    gen = torch.Generator().manual_seed(seed)
    rank = len(spatial)
    x = f32(torch.randn(2, *spatial, c, generator=gen)).requires_grad_(True)
    dims = [split(n, kk, ss, same) for n, kk, ss in zip(spatial, k, s)]
    pads = []
    for _, before, after in reversed(dims):
        pads += [before, after]
    xf = to_first(x)
    if kind == "max":
        y = POOL[rank](F.pad(xf, pads, value=float("-inf")), k, s)
    else:
        ones = torch.ones_like(xf)
        summed = AVG[rank](F.pad(xf, pads), k, s, divisor_override=1) if rank > 1 else AVG[1](F.pad(xf, pads), k, s) * k[0]
        count = AVG[rank](F.pad(ones, pads), k, s, divisor_override=1) if rank > 1 else AVG[1](F.pad(ones, pads), k, s) * k[0]
        y = summed / count
    y = to_last(y)
    dy = f32(torch.randn(*y.shape, generator=gen))
    (y * dy).sum().backward()
    write(name, {"op": kind, "geometry": geometry(spatial, [d[0] for d in dims], c, k, s, [d[1] for d in dims])}, x, y, dy)


def global_case(name, kind, spatial, c, seed):
    gen = torch.Generator().manual_seed(seed)
    x = f32(torch.randn(2, *spatial, c, generator=gen)).requires_grad_(True)
    flat = x.reshape(2, -1, c)
    y = flat.amax(1) if kind == "globalmax" else flat.mean(1)
    dy = f32(torch.randn(*y.shape, generator=gen))
    (y * dy).sum().backward()
    positions = 1
    for n in spatial:
        positions *= n
    write(name, {"op": kind, "positions": positions, "channels": c}, x, y, dy)


def spatial_case(name, kind, spatial, c, before, after, factors, seed):
    gen = torch.Generator().manual_seed(seed)
    x = f32(torch.randn(2, *spatial, c, generator=gen)).requires_grad_(True)
    xf = to_first(x)
    rank = len(spatial)
    if kind == "pad":
        pads = []
        for b, a in reversed(list(zip(before, after))):
            pads += [b, a]
        yf = F.pad(xf, pads)
        out = [n + b + a for n, b, a in zip(spatial, before, after)]
    elif kind == "crop":
        index = [slice(None), slice(None)] + [slice(b, n - a) for n, b, a in zip(spatial, before, after)]
        yf = xf[tuple(index)]
        out = [n - b - a for n, b, a in zip(spatial, before, after)]
    else:
        yf = xf
        for axis, f in enumerate(factors):
            yf = yf.repeat_interleave(f, dim=2 + axis)
        out = [n * f for n, f in zip(spatial, factors)]
    y = to_last(yf)
    dy = f32(torch.randn(*y.shape, generator=gen))
    (y * dy).sum().backward()
    k = factors if kind == "upsample" else [1] * rank
    write(name, {"op": kind, "geometry": geometry(spatial, out, c, k, [1] * rank, before if kind != "upsample" else [0] * rank)}, x, y, dy)


def write(name, meta, x, y, dy):
    data = dict(meta, name=name, x=x.detach().reshape(-1).tolist(), y=y.detach().reshape(-1).tolist(),
                dy=dy.reshape(-1).tolist(), dx=x.grad.reshape(-1).tolist())
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(data, f)


def main():
    os.makedirs(OUT, exist_ok=True)
    seed = 1
    for kind in ("max", "avg"):
        for spatial, k, s, same in [((9,), (2,), (2,), False), ((7,), (3,), (2,), True), ((6, 5), (2, 2), (2, 2), False),
                                    ((7, 6), (3, 2), (2, 1), True), ((5, 5), (3, 3), (1, 1), True), ((4, 5, 3), (2, 2, 2), (1, 2, 1), True)]:
            tag = "x".join(map(str, spatial)) + ("_same" if same else "_valid") + "_k" + "".join(map(str, k)) + "_s" + "".join(map(str, s))
            pool_case(f"{kind}pool{len(spatial)}d_{tag}", kind, spatial, 3, k, s, same, seed)
            seed += 1
    for kind in ("globalmax", "globalavg"):
        for spatial in [(7,), (4, 5), (2, 3, 4)]:
            global_case(f"{kind}{len(spatial)}d", kind, spatial, 3, seed)
            seed += 1
    spatial_case("pad2d", "pad", (3, 4), 2, (1, 0), (2, 1), None, seed)
    spatial_case("pad3d", "pad", (2, 3, 2), 2, (1, 0, 1), (0, 2, 1), None, seed + 1)
    spatial_case("crop2d", "crop", (5, 6), 2, (1, 2), (2, 0), None, seed + 2)
    spatial_case("crop1d", "crop", (7,), 3, (2,), (1,), None, seed + 3)
    spatial_case("upsample2d", "upsample", (3, 2), 2, None, None, (2, 3), seed + 4)
    spatial_case("upsample3d", "upsample", (2, 2, 1), 1, None, None, (1, 2, 3), seed + 5)
    print("wrote fixtures to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
