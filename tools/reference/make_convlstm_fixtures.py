#!/usr/bin/python3
"""Writes PyTorch (float64) reference fixtures for NetGen's generated ConvLSTM1D/2D/3D networks.

PyTorch has no ConvLSTM, so the cell is written out here from torch.nn.functional.conv1d/2d/3d, following Keras 3's
ConvLSTM2D (LAYERS.md §8.6; ConvLSTM1D and ConvLSTM3D are the same cell over one or three spatial axes) in Keras layouts:
- input (batch, steps, rows, cols, channels); kernel (kh, kw, channels, 4F); recurrent_kernel (kh, kw, F, 4F);
  bias (4F); gate blocks [i, f, c, o] along the last axis;
- per step: X = conv(x_t, kernel; strides, padding, dilation) + bias, H = conv(h, recurrent_kernel; stride 1, "same");
  i = sigmoid(X_i + H_i), f = sigmoid(X_f + H_f), g = tanh(X_c + H_c), o = sigmoid(X_o + H_o);
  c' = f*c + i*g, h' = o*tanh(c'); states start at zero; the output is h';
- Keras "same" padding puts floor(P/2) before and the rest after (P = (out - 1)*s + d*(k - 1) + 1 - n), written as an
  explicit F.pad, so strides > 1 and even kernels match Keras (PyTorch's own padding="same" is stride-1 only);
- go_backwards reads the steps from the last to the first and returns the outputs in processing order.
The convNd weight is the Keras kernel permuted to (out, in, k...); gradients reach the Keras-layout leaves through
autograd. Each fixture is one network of Tests/NetGen.Tests/EndToEnd/ConvLstmNetworks.cs with the same weights (Keras
get_weights() order, rounded to float32), inputs and targets: PyTorch's outputs, mean squared error and gradients.

Recurrent dropout (Keras 3.5+ ConvLSTMCell with recurrent_dropout, LAYERS.md §8.1): per call four masks of the state's
shape (spatial'..., F) per sample, one per gate, reused at every step; gate q's recurrent convolution reads h * m_q. The
dropout_* fixtures test the kernels ConvLstm.DropoutForward/DropoutBackward directly: the masks are drawn here (values 0
or 1/(1 - rate), layout (batch, gate, spatial'..., F)) and written with the geometries, inputs and weights; expected are
the outputs (processing order), final h and c, and the gradients of L = sum(outputs * dOutputs) + sum(h_T * dH) +
sum(c_T * dC) with respect to x, kernel, recurrent_kernel and bias.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_convlstm_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/convlstm/*.json (read by ConvLstmTests and ConvLstmRecurrentDropoutTests).
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "convlstm")
BATCH, STEPS = 3, 5
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


def keras_pad(n, k, s, d, same):
    """(output length, pad before, pad after) along one axis (LAYERS.md §1.1)."""
    k_eff = d * (k - 1) + 1
    if not same:
        return (n - k_eff) // s + 1, 0, 0
    out = math.ceil(n / s)
    total = max((out - 1) * s + k_eff - n, 0)
    return out, total // 2, total - total // 2


def conv(x, kernel, strides=None, dilation=None, same=False):
    """Keras ConvND (channels-last, cross-correlation) of x (B, spatial..., C) with kernel (k..., C, O): (B, spatial'..., O)."""
    r = kernel.dim() - 2
    strides = strides or (1,) * r
    dilation = dilation or (1,) * r
    pads = []
    for a in reversed(range(r)):  # F.pad lists the last axis first
        _, before, after = keras_pad(x.shape[1 + a], kernel.shape[a], strides[a], dilation[a], same)
        pads += [before, after]
    xc = F.pad(x.permute(0, r + 1, *range(1, r + 1)), pads)
    w = kernel.permute(r + 1, r, *range(r))
    y = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[r](xc, w, stride=strides, dilation=dilation)
    return y.permute(0, *range(2, r + 2), 1)


def conv_lstm(p, x, filters, kernel_size, strides=None, dilation=None, same=False, use_bias=True, go_backwards=False):
    """One Keras ConvLSTM{1,2,3}D over x (B, T, spatial..., C): (outputs (B, T, spatial'..., F) in processing order, h_T, c_T)."""
    channels = x.shape[-1]
    kernel = p.add(tuple(kernel_size) + (channels, 4 * filters))
    rec = p.add(tuple(kernel_size) + (filters, 4 * filters))
    bias = p.add((4 * filters,), 0.5) if use_bias else None
    steps = x.shape[1]
    h = c = None
    outs = []
    for s in range(steps):
        t = steps - 1 - s if go_backwards else s
        z = conv(x[:, t], kernel, strides, dilation, same)
        if bias is not None:
            z = z + bias
        if h is None:
            h = torch.zeros(z.shape[:-1] + (filters,))
            c = torch.zeros_like(h)
        z = z + conv(h, rec, same=True)
        i = torch.sigmoid(z[..., :filters])
        f = torch.sigmoid(z[..., filters:2 * filters])
        g = torch.tanh(z[..., 2 * filters:3 * filters])
        o = torch.sigmoid(z[..., 3 * filters:])
        c = f * c + i * g
        h = o * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs, dim=1), h, c


def masked_conv_lstm(x, kernel, rec, bias, masks, strides, dilation, same, go_backwards):
    """conv_lstm with given weights and recurrent dropout masks (B, 4, spatial'..., F): gate q reads conv(h * masks[:, q])."""
    filters = rec.shape[-2]
    steps = x.shape[1]
    h = c = None
    outs = []
    for s in range(steps):
        t = steps - 1 - s if go_backwards else s
        z = conv(x[:, t], kernel, strides, dilation, same)
        if bias is not None:
            z = z + bias
        if h is None:
            h = torch.zeros(z.shape[:-1] + (filters,))
            c = torch.zeros_like(h)
        blocks = [conv(h * masks[:, q], rec[..., q * filters:(q + 1) * filters], same=True) for q in range(4)]
        z = z + torch.cat(blocks, dim=-1)
        i = torch.sigmoid(z[..., :filters])
        f = torch.sigmoid(z[..., filters:2 * filters])
        g = torch.tanh(z[..., 2 * filters:3 * filters])
        o = torch.sigmoid(z[..., 3 * filters:])
        c = f * c + i * g
        h = o * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs, dim=1), h, c


def geometry(spatial, channels, kernel_size, out_channels, strides, dilation, same):
    """NetGen's WindowGeometry (InD, InH, InW, InChannels, OutD, OutH, OutW, OutChannels, KD, KH, KW, SD, SH, SW, DD, DH, DW,
    PadD, PadH, PadW): a 1D layer's axis is the last (W), a 2D layer's are H, W; pads are the Keras 'before' padding."""
    r = len(spatial)
    fill = (1,) * (3 - r)
    outs, befores = [], []
    for a in range(r):
        out, before, _ = keras_pad(spatial[a], kernel_size[a], strides[a], dilation[a], same)
        outs.append(out)
        befores.append(before)
    return (list(fill + tuple(spatial)) + [channels] + list(fill + tuple(outs)) + [out_channels] + list(fill + tuple(kernel_size))
            + list(fill + tuple(strides)) + list(fill + tuple(dilation)) + list((0,) * (3 - r) + tuple(befores))), outs


def dropout_case(name, rng, spatial, channels, filters, kernel_size, strides=None, dilation=None, same=False, use_bias=True,
                 go_backwards=False, rate=0.4):
    r = len(spatial)
    strides = strides or (1,) * r
    dilation = dilation or (1,) * r
    g_in, state = geometry(spatial, channels, kernel_size, 4 * filters, strides, dilation, same)
    g_rec, _ = geometry(tuple(state), filters, kernel_size, 4 * filters, (1,) * r, (1,) * r, True)
    leaf = lambda shape, scale=0.6: torch.tensor(f32(rng.uniform(-scale, scale, shape)), requires_grad=True)
    x = leaf((BATCH, STEPS) + tuple(spatial) + (channels,), 1.0)
    kernel = leaf(tuple(kernel_size) + (channels, 4 * filters))
    rec = leaf(tuple(kernel_size) + (filters, 4 * filters))
    bias = leaf((4 * filters,), 0.5) if use_bias else None
    masks = torch.tensor(f32(np.where(rng.uniform(0, 1, (BATCH, 4) + tuple(state) + (filters,)) >= rate, 1.0 / (1.0 - rate), 0.0)))
    d_out = torch.tensor(f32(rng.uniform(-1, 1, (BATCH, STEPS) + tuple(state) + (filters,))))
    d_h = torch.tensor(f32(rng.uniform(-1, 1, (BATCH,) + tuple(state) + (filters,))))
    d_c = torch.tensor(f32(rng.uniform(-1, 1, (BATCH,) + tuple(state) + (filters,))))
    outs, h, c = masked_conv_lstm(x, kernel, rec, bias, masks, strides, dilation, same, go_backwards)
    ((outs * d_out).sum() + (h * d_h).sum() + (c * d_c).sum()).backward()
    flat = lambda t: [float(v) for v in t.detach().numpy().reshape(-1)]
    data = {
        "batch": BATCH, "steps": STEPS, "goBackwards": go_backwards, "rate": rate,
        "input": g_in, "recurrent": g_rec,
        "x": flat(x), "kernel": flat(kernel), "recurrentKernel": flat(rec), "bias": flat(bias) if use_bias else [],
        "masks": flat(masks), "dOutputs": flat(d_out), "dFinalH": flat(d_h), "dFinalC": flat(d_c),
        "outputs": flat(outs), "finalH": flat(h), "finalC": flat(c),
        "dx": flat(x.grad), "dKernel": flat(kernel.grad), "dRecurrentKernel": flat(rec.grad),
        "dBias": flat(bias.grad) if use_bias else [],
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as fh:
        json.dump(data, fh, indent=1)


def bidirectional(p, x, merge, filters, kernel_size, sequences, go_backwards=False, **kw):
    """Keras Bidirectional(ConvLSTM..., merge_mode): the layer, then a copy with its own weights and go_backwards flipped;
    with return_sequences the copy's outputs are flipped back into input time order; merged on the last (filters) axis.
    Returns (merged output, or (forward, backward) for merge_mode=None; [forward h, forward c, backward h, backward c])."""
    fo, fh, fc = conv_lstm(p, x, filters, kernel_size, go_backwards=go_backwards, **kw)
    bo, bh, bc = conv_lstm(p, x, filters, kernel_size, go_backwards=not go_backwards, **kw)
    f, b = (fo, torch.flip(bo, [1])) if sequences else (fo[:, -1], bo[:, -1])
    merged = {
        "concat": lambda: torch.cat([f, b], dim=-1),
        "sum": lambda: f + b,
        "mul": lambda: f * b,
        "ave": lambda: (f + b) / 2,
        None: lambda: (f, b),
    }[merge]()
    return merged, [fh, fc, bh, bc]


def dense(p, x, units):
    kernel = p.add((x.shape[-1], units))
    bias = p.add((units,), 0.5)
    return x @ kernel + bias


def write(name, p, x, target, output):
    loss = ((output - target) ** 2).mean(-1).mean()
    loss.backward()
    data = {
        "network": name,
        "loss": "MeanSquaredError",
        "batch": BATCH,
        "parameters": p.flat(),
        "input": [float(v) for v in x.reshape(-1)],
        "target": [float(v) for v in target.reshape(-1)],
        "output": [float(v) for v in output.detach().numpy().reshape(-1)],
        "lossValue": loss.item(),
        "gradients": p.grads(),
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as fh:
        json.dump(data, fh, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261203)

    def start(*spatial_and_channels):
        p = Params(rng)
        x_np = f32(rng.uniform(-1, 1, (BATCH, STEPS) + spatial_and_channels))
        target = torch.tensor(f32(rng.uniform(-1, 1, (BATCH, 2))))
        return p, x_np, torch.tensor(x_np), target

    p, x_np, x, t = start(5, 5, 2)
    out, h, c = conv_lstm(p, x, 3, (3, 3))
    write("ConvLstmNet", p, x_np, t, dense(p, out[:, -1].reshape(BATCH, -1), 2))

    p, x_np, x, t = start(6, 5, 2)
    out, h, c = conv_lstm(p, x, 2, (3, 2), strides=(2, 1), same=True, use_bias=False, go_backwards=True)
    write("ConvLstmSequenceNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    p, x_np, x, t = start(5, 5, 2)
    out, h, c = conv_lstm(p, x, 3, (2, 2), dilation=(2, 2))
    merged = torch.cat([out[:, -1], h, c], dim=-1)
    write("ConvLstmStateNet", p, x_np, t, dense(p, merged.reshape(BATCH, -1), 2))

    p, x_np, x, t = start(3, 3, 2)
    out, h, c = conv_lstm(p, x, 3, (1, 1))
    write("ConvLstmPointwiseNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    # ConvLSTM1D: (steps, rows, channels), same padding with stride 2, every step returned.
    p, x_np, x, t = start(7, 2)
    out, h, c = conv_lstm(p, x, 3, (3,), strides=(2,), same=True)
    write("ConvLstm1DNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    # ConvLSTM3D: (steps, depth, rows, cols, channels), a (2, 2, 3) kernel dilated along rows, read backwards.
    p, x_np, x, t = start(3, 4, 4, 2)
    out, h, c = conv_lstm(p, x, 2, (2, 2, 3), dilation=(1, 2, 1), go_backwards=True)
    write("ConvLstm3DNet", p, x_np, t, dense(p, out[:, -1].reshape(BATCH, -1), 2))

    # Bidirectional: forward_<layer>/... weights, then backward_<layer>/..., then the head.
    p, x_np, x, t = start(5, 4, 2)
    out, _ = bidirectional(p, x, "concat", 2, (3, 3), True, same=True)
    write("ConvLstmBiConcatNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    p, x_np, x, t = start(5, 5, 2)
    out, _ = bidirectional(p, x, "mul", 3, (2, 2), False, use_bias=False)
    write("ConvLstmBiMulNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    p, x_np, x, t = start(7, 2)
    out, _ = bidirectional(p, x, "ave", 2, (3,), True, go_backwards=True, strides=(2,))
    write("ConvLstm1DBiAveNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    p, x_np, x, t = start(3, 3, 3, 1)
    out, _ = bidirectional(p, x, "sum", 2, (2, 2, 2), False)
    write("ConvLstm3DBiSumNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    p, x_np, x, t = start(5, 5, 2)
    (f, b), (fh, fc, bh, bc) = bidirectional(p, x, None, 2, (3, 3), False, same=True)
    merged = torch.cat([f, b, bh, fc], dim=-1)
    write("ConvLstmBiSeparateNet", p, x_np, t, dense(p, merged.reshape(BATCH, -1), 2))

    # Recurrent dropout, kernel level (ConvLstmRecurrentDropoutTests): fixed masks, every upstream gradient.
    drng = np.random.default_rng(20261202)
    dropout_case("dropout_2d", drng, (5, 4), 2, 3, (3, 2), strides=(2, 1), same=True)
    dropout_case("dropout_1d_backwards", drng, (7,), 2, 2, (3,), dilation=(2,), use_bias=False, go_backwards=True, rate=0.3)
    dropout_case("dropout_3d", drng, (3, 3, 3), 1, 2, (2, 2, 2), rate=0.5)
    dropout_case("dropout_pointwise", drng, (3, 3), 2, 3, (1, 1))


if __name__ == "__main__":
    main()
