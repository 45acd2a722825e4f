#!/usr/bin/python3
"""Writes PyTorch reference fixtures for NetGen's convolution-family kernels.

Every case stores the geometry (the 20 integers of NetGen.Kernels.WindowGeometry, in declaration order), the
batch size, the inputs in NetGen's layouts (channels-last data, Keras kernel layouts), and the PyTorch results
converted back to those layouts: forward output y, and for a random upstream gradient dy the gradients of
sum(y * dy) with respect to the kernel, the bias and x (autograd).

Layout conversions (LAYERS.md section 19): data NDHWC <-> NCDHW; Conv kernel (k..., Cin, F) <-> weight
(F, Cin, k...); ConvTranspose kernel (k..., F, Cin) <-> weight (Cin, F, k...); depthwise kernel (k..., C, M)
<-> weight (C*M, 1, k...) with output channel c*M + m; locally connected (P, k...*Cin, F) with the patch in
(k..., c) order, where torch's unfold gives (c, k...), so the script reorders. Keras 'same' padding (odd extra
pad after, any stride) is applied with F.pad; transposed 'same' runs with padding 0 and crops manually
(LAYERS.md 1.2), extending with zeros where the output runs past the full scatter result.

Inputs are drawn from a seeded NumPy generator and rounded to float32; the computation runs in float64 and
only the results are rounded to float32.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_conv_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/conv/{conv,conv_transpose,depthwise,locally_connected}.json
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "conv")


def f32(t):
    arr = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return [float(v) for v in np.asarray(arr, dtype=np.float64).astype(np.float32).ravel()]


def leaf(arr):
    return torch.tensor(np.asarray(arr, dtype=np.float32).astype(np.float64), requires_grad=True)


def write(name, cases):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump({"cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT), len(cases), "cases")


def pad3(v, fill):
    """Pad a per-axis tuple of the used (trailing) axes to the three axes D, H, W."""
    v = list(v)
    return [fill] * (3 - len(v)) + v


def conv_axis(n, k, s, d, padding):
    k_eff = d * (k - 1) + 1
    if padding == "valid":
        return (n - k_eff) // s + 1, 0, 0
    if padding == "causal":
        return -(-n // s), d * (k - 1), 0
    out = -(-n // s)
    total = max((out - 1) * s + k_eff - n, 0)
    return out, total // 2, total - total // 2


def transposed_axis(n, k, s, d, same):
    k_eff = d * (k - 1) + 1
    full = (n - 1) * s + k_eff
    if not same:
        return (n - 1) * s + max(k_eff, s), 0, full
    pad_len = s + k_eff - 2
    l = min(-(-pad_len // 2), k_eff - 1)
    return n * s, k_eff - 1 - l, full


def geometry(n, cin, out, cout, k, s, d, pad):
    return pad3(n, 1) + [cin] + pad3(out, 1) + [cout] + pad3(k, 1) + pad3(s, 1) + pad3(d, 1) + pad3(pad, 0)


def to_channels_first(x):
    r = x.dim()
    return x.permute(0, r - 1, *range(1, r - 1))


def to_channels_last(x):
    r = x.dim()
    return x.permute(0, *range(2, r), 1)


CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def torch_pad(before, after):
    """F.pad argument (last axis first) for per-axis before/after lists."""
    spec = []
    for b, a in zip(reversed(before), reversed(after)):
        spec += [b, a]
    return spec


def finish(case, x, kernel, bias, y, rng):
    dy = np.asarray(rng.uniform(-1, 1, tuple(y.shape)), dtype=np.float32).astype(np.float64)
    (y * torch.tensor(dy)).sum().backward()
    case.update(x=f32(x), kernel=f32(kernel), bias=f32(bias), dy=f32(dy), y=f32(y),
                dkernel=f32(kernel.grad), dbias=f32(bias.grad), dx=f32(x.grad))
    return case


def conv_case(rng, name, n, cin, f, k, s, d, padding, batch=2, groups_depthwise_m=None):
    rank = len(n)
    axes = [conv_axis(n[i], k[i], s[i], d[i], padding) for i in range(rank)]
    out = [a[0] for a in axes]
    depthwise = groups_depthwise_m is not None
    cout = cin * groups_depthwise_m if depthwise else f
    x = leaf(rng.uniform(-1, 1, (batch, *n, cin)))
    kshape = (*k, cin, groups_depthwise_m) if depthwise else (*k, cin, f)
    kernel = leaf(rng.uniform(-1, 1, kshape))
    bias = leaf(rng.uniform(-1, 1, (cout,)))
    xc = F.pad(to_channels_first(x), torch_pad([a[1] for a in axes], [a[2] for a in axes]))
    if depthwise:
        # weight[c*M + m, 0, k...] = K[k..., c, m]
        w = kernel.permute(rank, rank + 1, *range(rank)).reshape(cout, 1, *k)
        yc = CONV[rank](xc, w, bias, stride=s, dilation=d, groups=cin)
    else:
        w = kernel.permute(rank + 1, rank, *range(rank))  # (F, Cin, k...)
        yc = CONV[rank](xc, w, bias, stride=s, dilation=d)
    y = to_channels_last(yc)
    assert list(y.shape[1:-1]) == out, (name, y.shape, out)
    case = {"name": name, "batch": batch, "geometry": geometry(n, cin, out, cout, k, s, d, [a[1] for a in axes])}
    return finish(case, x, kernel, bias, y, rng)


def transposed_case(rng, name, n, cin, f, k, s, d, same, batch=2):
    rank = len(n)
    axes = [transposed_axis(n[i], k[i], s[i], d[i], same) for i in range(rank)]
    x = leaf(rng.uniform(-1, 1, (batch, *n, cin)))
    kernel = leaf(rng.uniform(-1, 1, (*k, f, cin)))
    bias = leaf(rng.uniform(-1, 1, (f,)))
    w = kernel.permute(rank + 1, rank, *range(rank))  # (Cin, F, k...)
    full = CONV_T[rank](to_channels_first(x), w, None, stride=s, dilation=d)
    # Extend with zeros past the end where needed, then crop [crop, crop + out) on every axis.
    ext = [max(0, a[1] + a[0] - a[2]) for a in axes]
    full = F.pad(full, torch_pad([0] * rank, ext))
    index = [slice(None), slice(None)] + [slice(a[1], a[1] + a[0]) for a in axes]
    yc = full[tuple(index)] + bias.reshape(1, f, *([1] * rank))
    y = to_channels_last(yc)
    case = {"name": name, "batch": batch,
            "geometry": geometry(n, cin, [a[0] for a in axes], f, k, s, d, [a[1] for a in axes])}
    return finish(case, x, kernel, bias, y, rng)


def locally_connected_case(rng, name, n, cin, f, k, s, batch=2):
    rank = len(n)
    out = [(n[i] - k[i]) // s[i] + 1 for i in range(rank)]
    positions = int(np.prod(out))
    q = int(np.prod(k)) * cin
    x = leaf(rng.uniform(-1, 1, (batch, *n, cin)))
    kernel = leaf(rng.uniform(-1, 1, (positions, q, f)))
    bias = leaf(rng.uniform(-1, 1, (*out, f)))
    # Treat 1D as 2D with height 1; unfold gives (B, C*kh*kw, P) in (c, i, j) order.
    xc = to_channels_first(x)
    kk, ss = list(k), list(s)
    if rank == 1:
        xc, kk, ss = xc.unsqueeze(2), [1] + kk, [1] + ss
    cols = F.unfold(xc, kernel_size=kk, stride=ss)
    cols = cols.reshape(batch, cin, kk[0], kk[1], positions).permute(0, 4, 2, 3, 1).reshape(batch, positions, q)
    y = torch.einsum("bpq,pqf->bpf", cols, kernel).reshape(batch, *out, f) + bias
    case = {"name": name, "batch": batch, "geometry": geometry(n, cin, out, f, k, s, [1] * rank, [0] * rank)}
    return finish(case, x, kernel, bias, y, rng)


def main():
    rng = np.random.default_rng(20240611)
    torch.set_default_dtype(torch.float64)
    write("conv.json", [
        conv_case(rng, "conv1d_same_s2_k4", [9], 3, 4, [4], [2], [1], "same"),
        conv_case(rng, "conv1d_causal_d2", [8], 2, 3, [3], [1], [2], "causal"),
        conv_case(rng, "conv1d_valid_s3", [10], 2, 2, [2], [3], [1], "valid"),
        conv_case(rng, "conv2d_same_s2", [7, 6], 3, 4, [3, 3], [2, 2], [1, 1], "same"),
        conv_case(rng, "conv2d_same_s1_k2x4", [5, 6], 2, 3, [2, 4], [1, 1], [1, 1], "same"),
        conv_case(rng, "conv2d_valid_d2", [7, 8], 2, 3, [3, 2], [1, 1], [2, 2], "valid"),
        conv_case(rng, "conv2d_pointwise", [4, 5], 5, 6, [1, 1], [1, 1], [1, 1], "valid"),
        conv_case(rng, "conv3d_same_s1", [4, 5, 3], 2, 3, [2, 3, 2], [1, 1, 1], [1, 1, 1], "same"),
        conv_case(rng, "conv3d_valid_s2", [5, 5, 6], 2, 2, [3, 3, 3], [2, 2, 2], [1, 1, 1], "valid"),
    ])
    write("conv_transpose.json", [
        transposed_case(rng, "convT2d_valid_s2_k3", [3, 4], 2, 3, [3, 3], [2, 2], [1, 1], False),
        transposed_case(rng, "convT2d_same_s2_k4", [3, 3], 2, 2, [4, 4], [2, 2], [1, 1], True),
        transposed_case(rng, "convT2d_same_s2_k3", [3, 2], 3, 2, [3, 3], [2, 2], [1, 1], True),
        transposed_case(rng, "convT2d_same_s1_k3_d2", [4, 4], 2, 2, [3, 3], [1, 1], [2, 2], True),
        transposed_case(rng, "convT2d_valid_s3_k2", [3, 2], 2, 2, [2, 2], [3, 3], [1, 1], False),
        transposed_case(rng, "convT1d_same_s2_k5", [4], 2, 3, [5], [2], [1], True),
    ])
    write("depthwise.json", [
        conv_case(rng, "depthwise2d_same_s2_m2", [6, 5], 3, None, [3, 3], [2, 2], [1, 1], "same", groups_depthwise_m=2),
        conv_case(rng, "depthwise2d_valid_m1", [5, 5], 17, None, [3, 2], [1, 1], [1, 1], "valid", groups_depthwise_m=1),
        conv_case(rng, "depthwise2d_same_d2_m3", [5, 6], 2, None, [3, 3], [1, 1], [2, 2], "same", groups_depthwise_m=3),
        conv_case(rng, "depthwise1d_same_s1_m2", [7], 3, None, [4], [1], [1], "same", groups_depthwise_m=2),
    ])
    write("locally_connected.json", [
        locally_connected_case(rng, "lc1d_k3_s1", [7], 3, 2, [3], [1]),
        locally_connected_case(rng, "lc1d_k2_s2", [8], 2, 3, [2], [2]),
        locally_connected_case(rng, "lc2d_k3_s1", [5, 6], 2, 3, [3, 3], [1, 1]),
        locally_connected_case(rng, "lc2d_k2x3_s2", [6, 7], 3, 2, [2, 3], [2, 2]),
    ])


if __name__ == "__main__":
    main()
