#!/usr/bin/env python3
"""Differential checks of whole generated networks against PyTorch in float64: non-default arguments.

The kernel fixtures (make_conv_fixtures.py, make_pool_fixtures.py, ...) hand each kernel a geometry the script
computed; these fixtures check what the generator derives from the attributes: 'same' padding split with even
kernels, strides per axis, dilation, transposed convolutions with output_padding, depth multipliers, pooling
'same' borders, normalization axes and momentum, activation-layer options, losses on outputs they are not fused
with, and optimizer trajectories with their non-default arguments and clipping.

Each network is written out in PyTorch float64 operations directly on Keras (channels-last) tensors and Keras
weight layouts (LAYERS.md), so autograd gives the gradients in NetGen's parameter layout with no conversion.
The networks mirror Tests/NetGen.Tests/EndToEnd/HeldOutNetworks.cs.

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_heldout_fixtures.py
It writes Tests/NetGen.Tests/Fixtures/heldout/*.json (deterministic: fixed seeds).
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "heldout")
EPS = 1e-7


def f32(t):
    """Rounds to float32 so that the C# side starts from exactly the same numbers."""
    return t.to(torch.float32).to(torch.float64)


class Params:
    """Parameters created in Keras layout, flattened in creation (= get_weights()) order."""

    def __init__(self, gen):
        self.gen = gen
        self.tensors = []

    def make(self, *shape, scale=0.6, offset=0.0):
        t = f32((torch.rand(*shape, generator=self.gen) * 2 - 1) * scale + offset).requires_grad_(True)
        self.tensors.append(t)
        return t

    def flat(self):
        return [v for t in self.tensors for v in t.detach().reshape(-1).tolist()]

    def grads(self):
        return [v for t in self.tensors for v in (t.grad if t.grad is not None else torch.zeros_like(t)).reshape(-1).tolist()]


# ---------------------------------------------------------------------------------------------------- geometry

def conv_axis(n, k, s, d, padding):
    """LAYERS.md 1.1: output length and (before, after) padding."""
    k_eff = d * (k - 1) + 1
    if padding == "valid":
        return (n - k_eff) // s + 1, 0, 0
    if padding == "causal":
        return -(-n // s), d * (k - 1), 0
    out = -(-n // s)
    total = max((out - 1) * s + k_eff - n, 0)
    return out, total // 2, total - total // 2


def transposed_axis(n, k, s, d, padding, op):
    """LAYERS.md 1.2: output length and crop_before of the full scatter result."""
    k_eff = d * (k - 1) + 1
    if padding == "valid":
        return ((n - 1) * s + max(k_eff, s) if op is None else (n - 1) * s + k_eff + op), 0
    if op is None:
        out, pad_len = n * s, s + k_eff - 2
    else:
        out, pad_len = (n - 1) * s + k_eff % 2 + op, k_eff + k_eff % 2 - 2 + op
    left = min(-(-pad_len // 2), k_eff - 1)
    return out, k_eff - 1 - left


def channels_first(x):
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def channels_last(x):
    return x.permute(0, *range(2, x.dim()), 1)


def pad_channels_first(xc, pads, value=0.0):
    flat = []
    for before, after in reversed(pads):
        flat += [before, after]
    return F.pad(xc, flat, value=value)


CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAXPOOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVGPOOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def conv(x, kernel, bias, strides, dilation, padding, depthwise=False):
    """Keras ConvND / DepthwiseConvND on channels-last x with a Keras kernel (k..., Cin, F) or (k..., C, M)."""
    rank = kernel.dim() - 2
    ks = kernel.shape[:rank]
    pads = [conv_axis(x.shape[1 + a], ks[a], strides[a], dilation[a], padding)[1:] for a in range(rank)]
    xc = pad_channels_first(channels_first(x), pads)
    if depthwise:
        c, m = kernel.shape[rank], kernel.shape[rank + 1]
        w = kernel.permute(rank, rank + 1, *range(rank)).reshape(c * m, 1, *ks)
        y = CONV[rank](xc, w, bias, stride=strides, dilation=dilation, groups=c)
    else:
        w = kernel.permute(rank + 1, rank, *range(rank))
        y = CONV[rank](xc, w, bias, stride=strides, dilation=dilation)
    return channels_last(y)


def conv_transpose(x, kernel, bias, strides, dilation, padding, output_padding):
    """Keras ConvNDTranspose: the full scatter result (PyTorch, padding 0), then Keras' crop/extension (1.2)."""
    rank = kernel.dim() - 2
    ks = kernel.shape[:rank]
    w = kernel.permute(rank + 1, rank, *range(rank))  # (Cin, F, k...)
    full = CONV_T[rank](channels_first(x), w, None, stride=strides, dilation=dilation)
    for a in range(rank):
        op = None if output_padding is None else output_padding[a]
        out, crop = transposed_axis(x.shape[1 + a], ks[a], strides[a], dilation[a], padding, op)
        axis = 2 + a
        short = crop + out - full.shape[axis]
        if short > 0:
            pads = [(0, 0)] * rank
            pads[a] = (0, short)
            full = pad_channels_first(full, pads)
        full = full.narrow(axis, crop, out)
    y = channels_last(full)
    return y if bias is None else y + bias


def pool(x, kind, size, strides, padding):
    """Keras Max/AveragePoolingND; 'same' pads after the odd cell, padding never wins a max and is not counted."""
    rank = x.dim() - 2
    pads = [conv_axis(x.shape[1 + a], size[a], strides[a], 1, padding)[1:] for a in range(rank)]
    xc = channels_first(x)
    if kind == "max":
        y = MAXPOOL[rank](pad_channels_first(xc, pads, value=-math.inf), size, strides)
    else:
        total = AVGPOOL[rank](pad_channels_first(xc, pads), size, strides) * math.prod(size)
        ones = pad_channels_first(torch.ones_like(xc[:1, :1]), pads)
        count = AVGPOOL[rank](ones, size, strides) * math.prod(size)
        y = total / count
    return channels_last(y)


def dense(x, kernel, bias=None):
    y = x @ kernel
    return y if bias is None else y + bias


def flat(x):
    return x.reshape(x.shape[0], -1)


# ---------------------------------------------------------------------------------------------------- losses

def per_row(name, out, target, logits=None):
    """Keras per-sample (per row) losses: LAYERS.md 14 and the Loss enum's documentation."""
    if name == "MeanSquaredError":
        return ((out - target) ** 2).mean(-1)
    if name == "MeanAbsoluteError":
        return (out - target).abs().mean(-1)
    if name == "Huber":
        e = (out - target).abs()
        return torch.where(e <= 1.0, 0.5 * e * e, e - 0.5).mean(-1)
    if name == "BinaryCrossentropy":
        if logits is not None:
            return (torch.clamp(logits, min=0) - logits * target + torch.log1p(torch.exp(-logits.abs()))).mean(-1)
        p = out.clamp(EPS, 1 - EPS)
        return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean(-1)
    if name == "CategoricalCrossentropy":
        if logits is not None:
            return -(target * F.log_softmax(logits, dim=-1)).sum(-1)
        p = (out / out.sum(-1, keepdim=True)).clamp(EPS, 1 - EPS)
        return -(target * torch.log(p)).sum(-1)
    if name == "SparseCategoricalCrossentropy":
        if logits is None:
            p = (out / out.sum(-1, keepdim=True)).clamp(EPS, 1 - EPS)
            return -torch.log(p.gather(-1, target.long().unsqueeze(-1)).squeeze(-1))
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1).long(), reduction="none")
    if name == "KLDivergence":
        y = target.clamp(EPS, 1)
        p = out.clamp(EPS, 1)
        return (y * torch.log(y / p)).sum(-1)
    if name == "Hinge":
        y = 2 * target - 1
        return torch.clamp(1 - y * out, min=0).mean(-1)
    if name == "CategoricalFocalCrossentropy":
        p = (out / out.sum(-1, keepdim=True)).clamp(EPS, 1 - EPS)
        return (0.25 * (1 - p) ** 2.0 * -(target * torch.log(p))).sum(-1)
    raise ValueError(name)


def mean_loss(name, out, target, logits=None):
    return per_row(name, out, target, logits).mean()


# ---------------------------------------------------------------------------------------------------- optimizers

def schedule_lr(sched, it):
    """Keras learning-rate schedules at iteration it (0 on the first step)."""
    if sched["kind"] == "ExponentialDecay":
        e = it / sched["decaySteps"]
        return sched["initial"] * sched["decayRate"] ** (math.floor(e) if sched.get("staircase") else e)
    if sched["kind"] == "CosineDecay":
        warm, target, decay, alpha = sched.get("warmupSteps", 0), sched.get("warmupTarget"), sched["decaySteps"], sched["alpha"]
        start = sched["initial"]
        if target is not None:
            if it < warm:
                return start + (target - start) * it / warm
            start = target
        step = min(it, decay + warm) - (warm if target is not None else 0)
        return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay)) + alpha)
    raise ValueError(sched["kind"])


def keras_step(opt, params, grads, slots, step):
    """One Keras optimizer step (LAYERS.md 15) on lists of float64 tensors, in place."""
    lr = opt["learningRate"] if "schedule" not in opt else schedule_lr(opt["schedule"], step - 1)
    if opt.get("clipNorm") is not None:
        c = opt["clipNorm"]
        grads = [g * c / max(g.norm().item(), c) for g in grads]
    elif opt.get("globalClipNorm") is not None:
        c = opt["globalClipNorm"]
        total = math.sqrt(sum((g * g).sum().item() for g in grads))
        grads = [g * c / max(total, c) for g in grads]
    elif opt.get("clipValue") is not None:
        c = opt["clipValue"]
        grads = [g.clamp(-c, c) for g in grads]
    wd = opt.get("weightDecay")
    for i, (w, g) in enumerate(zip(params, grads)):
        if wd:
            w -= w * wd * lr
        s = slots.setdefault(i, {})
        kind = opt["kind"]
        if kind == "SGD":
            mu = opt.get("momentum", 0.0)
            if mu == 0:
                w -= lr * g
            else:
                m = s["m"] = mu * s.get("m", torch.zeros_like(w)) - lr * g
                w += mu * m - lr * g if opt.get("nesterov") else m
        elif kind == "RMSprop":
            rho, mu, eps = opt["rho"], opt.get("momentum", 0.0), opt["epsilon"]
            v = s["v"] = rho * s.get("v", torch.zeros_like(w)) + (1 - rho) * g * g
            den = v
            if opt.get("centered"):
                a = s["a"] = rho * s.get("a", torch.zeros_like(w)) + (1 - rho) * g
                den = v - a * a
            inc = lr * g / torch.sqrt(den + eps)
            if mu > 0:
                inc = s["s"] = mu * s.get("s", torch.zeros_like(w)) + inc
            w -= inc
        elif kind in ("Adam", "AdamW"):
            b1, b2, eps = opt["beta1"], opt["beta2"], opt["epsilon"]
            m = s["m"] = s.get("m", torch.zeros_like(w)) + (1 - b1) * (g - s.get("m", torch.zeros_like(w)))
            v = s["v"] = s.get("v", torch.zeros_like(w)) + (1 - b2) * (g * g - s.get("v", torch.zeros_like(w)))
            if opt.get("amsgrad"):
                v = s["vhat"] = torch.maximum(s.get("vhat", torch.zeros_like(w)), v)
            alpha = lr * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
            w -= alpha * m / (torch.sqrt(v) + eps)
        else:
            raise ValueError(kind)


# ---------------------------------------------------------------------------------------------------- networks
# Each builder takes (Params, generator) and returns (forward, input_shape); forward(x, training) gives
# (output, logits or None, state_after or None).

def conv_even_same_stride(p, gen):
    # Input(7, 6, 2) -> Conv2D(3, 4, Strides 2, same, no bias, tanh) -> Conv2D(2, 2, dilation 3, same)
    #   -> Flatten -> Dense(3)
    k1 = p.make(4, 4, 2, 3)
    k2, b2 = p.make(2, 2, 3, 2), p.make(2)
    k3, b3 = p.make(4 * 3 * 2, 3, scale=0.3), p.make(3)

    def forward(x):
        h = torch.tanh(conv(x, k1, None, [2, 2], [1, 1], "same"))
        h = conv(h, k2, b2, [1, 1], [3, 3], "same")
        return dense(flat(h), k3, b3)
    return forward, (7, 6, 2)


def conv_per_axis_strides(p, gen):
    # Input(6, 7, 2) -> Conv2D(3, (3, 2), strides (1, 3), same, swish) -> MaxPooling2D(3, strides 2, same)
    #   -> Flatten -> Dense(2)
    k1, b1 = p.make(3, 2, 2, 3), p.make(3)
    k2, b2 = p.make(3 * 2 * 3, 2, scale=0.4), p.make(2)

    def forward(x):
        h = F.silu(conv(x, k1, b1, [1, 3], [1, 1], "same"))
        h = pool(h, "max", [3, 3], [2, 2], "same")
        return dense(flat(h), k2, b2)
    return forward, (6, 7, 2)


def avg_pool_same(p, gen):
    # Input(5, 6, 2) -> AveragePooling2D((2, 3), strides (1, 2), same) -> AveragePooling2D(4, strides 1, same)
    #   -> Flatten -> Dense(2)
    k, b = p.make(5 * 3 * 2, 2, scale=0.4), p.make(2)

    def forward(x):
        h = pool(x, "avg", [2, 3], [1, 2], "same")
        h = pool(h, "avg", [4, 4], [1, 1], "same")
        return dense(flat(h), k, b)
    return forward, (5, 6, 2)


def conv1d_mix(p, gen):
    # Input(9, 2) -> Conv1D(3, 4, strides 2, same, tanh) -> Conv1D(2, 2, dilation 3, causal)
    #   -> MaxPooling1D(2, strides 1, same) -> AveragePooling1D(3, strides 2, same) -> Flatten -> Dense(2)
    k1, b1 = p.make(4, 2, 3), p.make(3)
    k2, b2 = p.make(2, 3, 2), p.make(2)
    k3, b3 = p.make(3 * 2, 2), p.make(2)

    def forward(x):
        h = torch.tanh(conv(x, k1, b1, [2], [1], "same"))
        h = conv(h, k2, b2, [1], [3], "causal")
        h = pool(h, "max", [2], [1], "same")
        h = pool(h, "avg", [3], [2], "same")
        return dense(flat(h), k3, b3)
    return forward, (9, 2)


def conv_transpose_same(p, gen):
    # Input(3, 2, 2) -> Conv2DTranspose(3, 3, strides 2, same, tanh) -> Conv2DTranspose(2, 4, strides 2, same)
    #   -> Flatten -> Dense(2)
    k1, b1 = p.make(3, 3, 3, 2), p.make(3)
    k2, b2 = p.make(4, 4, 2, 3), p.make(2)
    k3, b3 = p.make(12 * 8 * 2, 2, scale=0.15), p.make(2)

    def forward(x):
        h = torch.tanh(conv_transpose(x, k1, b1, [2, 2], [1, 1], "same", None))
        h = conv_transpose(h, k2, b2, [2, 2], [1, 1], "same", None)
        return dense(flat(h), k3, b3)
    return forward, (3, 2, 2)


def conv_transpose_output_padding(p, gen):
    # Input(3, 3, 2) -> Conv2DTranspose(2, 3, strides 2, valid, output_padding 1, tanh)
    #   -> Conv2DTranspose(2, 3, strides 2, same, output_padding 0) -> Flatten -> Dense(2)
    k1, b1 = p.make(3, 3, 2, 2), p.make(2)
    k2, b2 = p.make(3, 3, 2, 2), p.make(2)
    k3, b3 = p.make(15 * 15 * 2, 2, scale=0.1), p.make(2)

    def forward(x):
        h = torch.tanh(conv_transpose(x, k1, b1, [2, 2], [1, 1], "valid", [1, 1]))
        h = conv_transpose(h, k2, b2, [2, 2], [1, 1], "same", [0, 0])
        return dense(flat(h), k3, b3)
    return forward, (3, 3, 2)


def conv_transpose_dilated(p, gen):
    # Input(4, 3, 2) -> Conv2DTranspose(3, 2, dilation 2, same, swish) -> Conv2DTranspose(2, (3, 2), strides (2, 1),
    #   valid, output_padding (1, 0)) -> Flatten -> Dense(2)
    k1, b1 = p.make(2, 2, 3, 2), p.make(3)
    k2, b2 = p.make(3, 2, 2, 3), p.make(2)
    k3, b3 = p.make(10 * 4 * 2, 2, scale=0.2), p.make(2)

    def forward(x):
        h = F.silu(conv_transpose(x, k1, b1, [1, 1], [2, 2], "same", None))
        h = conv_transpose(h, k2, b2, [2, 1], [1, 1], "valid", [1, 0])
        return dense(flat(h), k3, b3)
    return forward, (4, 3, 2)


def depthwise_separable(p, gen):
    # Input(7, 6, 2) -> DepthwiseConv2D(4, strides 2, same, depth_multiplier 3, tanh)
    #   -> SeparableConv2D(3, 3, depth_multiplier 2, dilation 2, same, no bias) -> Flatten -> Dense(2)
    k1, b1 = p.make(4, 4, 2, 3), p.make(6)
    dw, pw = p.make(3, 3, 6, 2), p.make(1, 1, 12, 3)
    k3, b3 = p.make(4 * 3 * 3, 2, scale=0.4), p.make(2)

    def forward(x):
        h = torch.tanh(conv(x, k1, b1, [2, 2], [1, 1], "same", depthwise=True))
        h = conv(h, dw, None, [1, 1], [2, 2], "same", depthwise=True)
        h = conv(h, pw, None, [1, 1], [1, 1], "valid")
        return dense(flat(h), k3, b3)
    return forward, (7, 6, 2)


def separable_strided(p, gen):
    # Input(6, 6, 3) -> SeparableConv2D(2, (2, 3), strides 2, same, swish) -> DepthwiseConv2D(2, valid,
    #   depth_multiplier 2) -> Flatten -> Dense(2)
    dw, pw, b1 = p.make(2, 3, 3, 1), p.make(1, 1, 3, 2), p.make(2)
    k2, b2 = p.make(2, 2, 2, 2), p.make(4)
    k3, b3 = p.make(2 * 2 * 4, 2, scale=0.5), p.make(2)

    def forward(x):
        h = conv(x, dw, None, [2, 2], [1, 1], "same", depthwise=True)
        h = F.silu(conv(h, pw, b1, [1, 1], [1, 1], "valid"))
        h = conv(h, k2, b2, [1, 1], [1, 1], "valid", depthwise=True)
        return dense(flat(h), k3, b3)
    return forward, (6, 6, 3)


def conv3d_same(p, gen):
    # Input(3, 5, 4, 1) -> Conv3D(2, 2, strides (1, 2, 2), same, tanh) -> AveragePooling3D(2, strides 1, same)
    #   -> MaxPooling3D((1, 2, 2), same) -> Flatten -> Dense(2)
    k1, b1 = p.make(2, 2, 2, 1, 2), p.make(2)
    k2, b2 = p.make(3 * 2 * 1 * 2, 2), p.make(2)

    def forward(x):
        h = torch.tanh(conv(x, k1, b1, [1, 2, 2], [1, 1, 1], "same"))
        h = pool(h, "avg", [2, 2, 2], [1, 1, 1], "same")
        h = pool(h, "max", [1, 2, 2], [1, 2, 2], "same")
        return dense(flat(h), k2, b2)
    return forward, (3, 5, 4, 1)


def pad_crop_up(p, gen):
    # Input(4, 5, 2) -> ZeroPadding2D(top 2, bottom 0, left 1, right 3) -> Cropping2D(top 1, bottom 2, left 0, right 1)
    #   -> UpSampling2D(2, 3) -> LocallyConnected2D(2, (2, 3), strides (2, 3), tanh) -> Flatten -> Dense(2)
    # padded (6, 9), cropped (3, 8), up-sampled (6, 24), locally connected (3, 8, 2)
    kl, bl = p.make(3 * 8, 2 * 3 * 2, 2), p.make(3, 8, 2)
    k2, b2 = p.make(3 * 8 * 2, 2, scale=0.3), p.make(2)

    def forward(x):
        h = F.pad(x, (0, 0, 1, 3, 2, 0))
        h = h[:, 1:h.shape[1] - 2, 0:h.shape[2] - 1, :]
        h = h.repeat_interleave(2, dim=1).repeat_interleave(3, dim=2)
        b = h.shape[0]
        patches = h.unfold(1, 2, 2).unfold(2, 3, 3)  # (B, OH, OW, C, kh, kw)
        patches = patches.permute(0, 1, 2, 4, 5, 3).reshape(b, 24, 12)  # (i, j, c) order, channel fastest
        h = torch.tanh(torch.einsum("bpq,pqf->bpf", patches, kl).reshape(b, 3, 8, 2) + bl)
        return dense(flat(h), k2, b2)
    return forward, (4, 5, 2)


def activation_options(p, gen):
    # Input(3, 4) -> Dense(5) -> ReLU(max 1.0, slope 0.1, threshold 0.2) -> Dense(4, gelu tanh) -> ELU(0.5)
    #   -> LeakyReLU(0.05) -> Dense(4, hard_silu) -> Softmax(axis 1)
    k1, b1 = p.make(4, 5, scale=1.0), p.make(5)
    k2, b2 = p.make(5, 4, scale=1.0), p.make(4)
    k3, b3 = p.make(4, 4, scale=1.5), p.make(4)

    def forward(x):
        h = dense(x, k1, b1)
        h = torch.where(h > 0.2, torch.clamp(h, max=1.0), 0.1 * (h - 0.2))
        h = F.gelu(dense(h, k2, b2), approximate="tanh")
        h = torch.where(h >= 0, h, 0.5 * (torch.exp(h) - 1))
        h = F.leaky_relu(h, 0.05)
        h = F.hardswish(dense(h, k3, b3))
        return F.softmax(h, dim=1)
    return forward, (3, 4)


def loss_dense(activation):
    def build(p, gen):
        # Input(3, 4) -> Dense(3, activation)
        k, b = p.make(4, 3, scale=0.8), p.make(3)

        def forward(x):
            z = dense(x, k, b)
            return {"Sigmoid": torch.sigmoid, "Softmax": lambda t: F.softmax(t, dim=-1), "Tanh": torch.tanh,
                    "HardSigmoid": F.hardsigmoid, "Softplus": F.softplus}[activation](z), z
        return forward, (3, 4)
    return build


def recurrent_stack(p, gen):
    # Input(5, 3) -> GRU(4, reset_after False, go_backwards, return_sequences) -> LSTM(3, go_backwards) -> Dense(2)
    gk, gr, gb = p.make(3, 12), p.make(4, 12), p.make(12)
    lk, lr_, lb = p.make(4, 12), p.make(3, 12), p.make(12)
    k3, b3 = p.make(3, 2), p.make(2)

    def forward(x):
        b, t = x.shape[0], x.shape[1]
        h = torch.zeros(b, 4)
        seq = []
        for step in reversed(range(t)):
            xz, xr, xh = (x[:, step] @ gk + gb).split(4, dim=-1)
            rz, rr = (h @ gr[:, :8]).split(4, dim=-1)
            z = torch.sigmoid(xz + rz)
            r = torch.sigmoid(xr + rr)
            hh = torch.tanh(xh + (r * h) @ gr[:, 8:])
            h = z * h + (1 - z) * hh
            seq.append(h)
        hs = torch.zeros(b, 3)
        cs = torch.zeros(b, 3)
        for step in reversed(range(t)):
            i, f, g, o = (seq[step] @ lk + hs @ lr_ + lb).split(3, dim=-1)
            cs = torch.sigmoid(f) * cs + torch.sigmoid(i) * torch.tanh(g)
            hs = torch.sigmoid(o) * torch.tanh(cs)
        return dense(hs, k3, b3)
    return forward, (5, 3)


def norm_options(p, gen):
    # Input(4, 3) -> Dense(3) -> BatchNormalization(axis 1, momentum 0.8, epsilon 0.01)
    #   -> LayerNormalization(axis 1, center False) -> GroupNormalization(3, epsilon 1e-5, scale False)
    #   -> Flatten -> Dense(2)
    k1, b1 = p.make(3, 3, scale=1.0), p.make(3)
    gamma, beta = p.make(4, scale=0.3, offset=1.0), p.make(4, scale=0.3)
    ln_gamma = p.make(4, scale=0.3, offset=1.0)
    gn_beta = p.make(3, scale=0.3)
    k2, b2 = p.make(12, 2), p.make(2)
    moving_mean = f32(torch.rand(4, generator=gen) - 0.5)
    moving_var = f32(torch.rand(4, generator=gen) + 0.5)
    state = torch.cat([moving_mean, moving_var])

    def forward(x, training):
        h = dense(x, k1, b1)  # (B, 4, 3)
        if training:
            mu = h.mean(dim=(0, 2))
            var = ((h - mu[None, :, None]) ** 2).mean(dim=(0, 2))
            new_state = torch.cat([0.8 * moving_mean + 0.2 * mu.detach(), 0.8 * moving_var + 0.2 * var.detach()])
        else:
            mu, var, new_state = moving_mean, moving_var, None
        h = gamma[None, :, None] * (h - mu[None, :, None]) / torch.sqrt(var[None, :, None] + 0.01) + beta[None, :, None]
        m = h.mean(dim=1, keepdim=True)
        v = ((h - m) ** 2).mean(dim=1, keepdim=True)
        h = ln_gamma[None, :, None] * (h - m) / torch.sqrt(v + 1e-3)
        m = h.mean(dim=1, keepdim=True)  # 3 groups of one channel each, over the 4 steps
        v = ((h - m) ** 2).mean(dim=1, keepdim=True)
        h = (h - m) / torch.sqrt(v + 1e-5) + gn_beta
        return dense(flat(h), k2, b2), new_state
    return forward, (4, 3), state


def transpose_small_kernel(p, gen):
    # Input(2, 3, 2) -> Conv2DTranspose(2, 2, strides 3, same, tanh) (k < s: the full result (5, 8) is extended by
    #   zeros to (6, 9)) -> Conv2DTranspose(2, 2, strides 3, same, output_padding (2, 1)) (17, 25, 2) -> Flatten -> Dense(2)
    k1, b1 = p.make(2, 2, 2, 2), p.make(2)
    k2, b2 = p.make(2, 2, 2, 2), p.make(2)
    k3, b3 = p.make(17 * 25 * 2, 2, scale=0.08), p.make(2)

    def forward(x):
        h = torch.tanh(conv_transpose(x, k1, b1, [3, 3], [1, 1], "same", None))
        h = conv_transpose(h, k2, b2, [3, 3], [1, 1], "same", [2, 1])
        return dense(flat(h), k3, b3)
    return forward, (2, 3, 2)


def pool_stride_gap(p, gen):
    # Input(8, 7, 2) -> AveragePooling2D(2, strides 3, same) (3, 3, 2) -> Conv2D(3, 2, same, tanh) (3, 3, 3)
    #   -> MaxPooling2D(2, strides (1, 2)) (2, 1, 3) -> Flatten -> Dense(2)
    k1, b1 = p.make(2, 2, 2, 3), p.make(3)
    k2, b2 = p.make(2 * 1 * 3, 2), p.make(2)

    def forward(x):
        h = pool(x, "avg", [2, 2], [3, 3], "same")
        h = torch.tanh(conv(h, k1, b1, [1, 1], [1, 1], "same"))
        h = pool(h, "max", [2, 2], [1, 2], "valid")
        return dense(flat(h), k2, b2)
    return forward, (8, 7, 2)


def sequence_1d(p, gen):
    # Input(9, 2) -> ZeroPadding1D(2, 1) (12, 2) -> Cropping1D(1, 2) (9, 2) -> Conv1D(3, 3, strides 2, causal, tanh) (5, 3)
    #   -> UpSampling1D(3) (15, 3) -> AveragePooling1D(2, strides 3) (5, 3) -> LocallyConnected1D(2, 2, strides 2) (2, 2)
    #   -> Flatten -> Dense(2)
    k1, b1 = p.make(3, 2, 3), p.make(3)
    kl, bl = p.make(2, 2 * 3, 2), p.make(2, 2)
    k2, b2 = p.make(4, 2), p.make(2)

    def forward(x):
        h = F.pad(x, (0, 0, 2, 1))
        h = h[:, 1:h.shape[1] - 2, :]
        h = torch.tanh(conv(h, k1, b1, [2], [1], "causal"))
        h = h.repeat_interleave(3, dim=1)
        h = pool(h, "avg", [2], [3], "valid")
        patches = h.unfold(1, 2, 2).permute(0, 1, 3, 2).reshape(h.shape[0], 2, 6)  # (i, c) order
        h = torch.einsum("bpq,pqf->bpf", patches, kl) + bl
        return dense(flat(h), k2, b2)
    return forward, (9, 2)


def conv_norm(p, gen):
    # Input(4, 5, 2) -> Conv2D(4, 3, same) -> BatchNormalization(center False, momentum 0.5, epsilon 1e-4)
    #   -> GroupNormalization(2) -> LayerNormalization(scale False) -> GlobalAveragePooling2D -> Dense(2, tanh)
    k1, b1 = p.make(3, 3, 2, 4), p.make(4)
    gamma = p.make(4, scale=0.3, offset=1.0)
    gn_gamma, gn_beta = p.make(4, scale=0.3, offset=1.0), p.make(4, scale=0.3)
    ln_beta = p.make(4, scale=0.3)
    k2, b2 = p.make(4, 2, scale=1.0), p.make(2)
    moving_mean = f32(torch.rand(4, generator=gen) - 0.5)
    moving_var = f32(torch.rand(4, generator=gen) + 0.5)
    state = torch.cat([moving_mean, moving_var])

    def forward(x, training):
        h = conv(x, k1, b1, [1, 1], [1, 1], "same")  # (B, 4, 5, 4)
        if training:
            mu = h.mean(dim=(0, 1, 2))
            var = ((h - mu) ** 2).mean(dim=(0, 1, 2))
            new_state = torch.cat([0.5 * moving_mean + 0.5 * mu.detach(), 0.5 * moving_var + 0.5 * var.detach()])
        else:
            mu, var, new_state = moving_mean, moving_var, None
        h = gamma * (h - mu) / torch.sqrt(var + 1e-4)
        b = h.shape[0]
        g = h.reshape(b, 4, 5, 2, 2)  # (B, H, W, group, channel in group)
        m = g.mean(dim=(1, 2, 4), keepdim=True)
        v = ((g - m) ** 2).mean(dim=(1, 2, 4), keepdim=True)
        h = ((g - m) / torch.sqrt(v + 1e-3)).reshape(b, 4, 5, 4) * gn_gamma + gn_beta
        m = h.mean(dim=-1, keepdim=True)
        v = ((h - m) ** 2).mean(dim=-1, keepdim=True)
        h = (h - m) / torch.sqrt(v + 1e-3) + ln_beta
        return torch.tanh(dense(h.mean(dim=(1, 2)), k2, b2)), new_state
    return forward, (4, 5, 2), state


TOKENS = torch.tensor([[3.0, 1.0, 0.0, 5.0, 0.0, 0.0], [2.0, 6.0, 4.0, 1.0, 3.0, 0.0], [0.0, 2.0, 2.0, 6.0, 0.0, 1.0]])


def embedding_mask(p, gen):
    # Input(6, token ids) -> Embedding(7, 3, mask_zero) -> LSTM(3, return_sequences) -> GlobalAveragePooling1D (masked)
    #   -> Dense(2)
    emb = p.make(7, 3, scale=1.0)
    lk, lr_, lb = p.make(3, 12), p.make(3, 12), p.make(12)
    k2, b2 = p.make(3, 2, scale=1.0), p.make(2)

    def forward(x):
        ids = x.detach().long()
        mask = (ids != 0).double()
        e = emb[ids]
        b, t = ids.shape
        h = torch.zeros(b, 3)
        c = torch.zeros(b, 3)
        outs = []
        for step in range(t):
            i, f, g, o = (e[:, step] @ lk + h @ lr_ + lb).split(3, dim=-1)
            c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h_new = torch.sigmoid(o) * torch.tanh(c_new)
            keep = mask[:, step:step + 1]
            c = keep * c_new + (1 - keep) * c
            h = keep * h_new + (1 - keep) * h
            outs.append(h)
        seq = torch.stack(outs, dim=1)
        pooled = (seq * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return dense(pooled, k2, b2)
    return forward, TOKENS


def rnn_cells(kind, units, x, w, go_backwards=False):
    """Keras SimpleRNN / GRU (reset_after) / LSTM over (B, T, F); returns the outputs in processing order."""
    b, t = x.shape[0], x.shape[1]
    h = torch.zeros(b, units)
    c = torch.zeros(b, units)
    outs = []
    for step in (reversed(range(t)) if go_backwards else range(t)):
        xt = x[:, step]
        if kind == "SimpleRNN":
            h = torch.tanh(xt @ w[0] + h @ w[1] + w[2])
        elif kind == "GRU":
            xz, xr, xh = (xt @ w[0] + w[2][0]).split(units, dim=-1)
            hz, hr, hh = (h @ w[1] + w[2][1]).split(units, dim=-1)
            z = torch.sigmoid(xz + hz)
            r = torch.sigmoid(xr + hr)
            cand = torch.tanh(xh + r * hh)
            h = z * h + (1 - z) * cand
        else:
            i, f, g, o = (xt @ w[0] + h @ w[1] + w[2]).split(units, dim=-1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        outs.append(h)
    return outs


def bidirectional(p, gen):
    # Input(4, 3) -> Bidirectional(GRU(3, return_sequences), concat) (4, 6)
    #   -> Bidirectional(SimpleRNN(2, return_sequences), ave) (4, 2) -> Bidirectional(LSTM(2), mul) (2,) -> Dense(2)
    gru_f = [p.make(3, 9), p.make(3, 9), p.make(2, 9)]  # kernel, recurrent_kernel, bias (2, 3u)
    gru_b = [p.make(3, 9), p.make(3, 9), p.make(2, 9)]
    rnn_f = [p.make(6, 2), p.make(2, 2), p.make(2)]
    rnn_b = [p.make(6, 2), p.make(2, 2), p.make(2)]
    lstm_f = [p.make(2, 8), p.make(2, 8), p.make(8)]
    lstm_b = [p.make(2, 8), p.make(2, 8), p.make(8)]
    k, b = p.make(2, 2, scale=1.0), p.make(2)

    def forward(x):
        fw = torch.stack(rnn_cells("GRU", 3, x, gru_f), dim=1)
        bw = torch.stack(rnn_cells("GRU", 3, x, gru_b, go_backwards=True)[::-1], dim=1)
        h = torch.cat([fw, bw], dim=-1)
        fw = torch.stack(rnn_cells("SimpleRNN", 2, h, rnn_f), dim=1)
        bw = torch.stack(rnn_cells("SimpleRNN", 2, h, rnn_b, go_backwards=True)[::-1], dim=1)
        h = (fw + bw) / 2
        fw = rnn_cells("LSTM", 2, h, lstm_f)[-1]
        bw = rnn_cells("LSTM", 2, h, lstm_b, go_backwards=True)[-1]
        return dense(fw * bw, k, b)
    return forward, (4, 3)


def dot_permute(p, gen):
    # Input(3, 4) "x" -> Dense(4, tanh) "a"; Dense(4) "b" from x; Permute((2, 1)) of a "p" (4, 3);
    #   Dot(axes (2, 1)) of a and p "d1" (3, 3); Dot(axes 2, normalize) of a and b "d2" (3, 3);
    #   Concatenate(axis 1) (6, 3) -> Softmax(axis 1) -> Flatten -> Dense(2)
    ka, ba = p.make(4, 4, scale=1.0), p.make(4)
    kb, bb = p.make(4, 4, scale=1.0), p.make(4)
    k, b = p.make(18, 2, scale=1.0), p.make(2)

    def forward(x):
        a = torch.tanh(dense(x, ka, ba))
        bt = dense(x, kb, bb)
        pm = a.permute(0, 2, 1)
        d1 = a @ pm
        an = F.normalize(a, dim=2, eps=1e-12)
        bn = F.normalize(bt, dim=2, eps=1e-12)
        d2 = an @ bn.permute(0, 2, 1)
        h = F.softmax(torch.cat([d1, d2], dim=1), dim=1)
        return dense(flat(h), k, b)
    return forward, (3, 4)


class BatchNorm:
    """Keras BatchNormalization over the last axis with given moving statistics (its part of the network's State).
    While BatchNorm.commit is set (in Fit), a training call also moves the statistics, as every Keras training batch does."""

    commit = False

    def __init__(self, p, gen, channels, momentum=0.99, epsilon=1e-3, center=True, scale=True):
        self.gamma = p.make(channels, scale=0.3, offset=1.0) if scale else None
        self.beta = p.make(channels, scale=0.3) if center else None
        self.mean = f32(torch.rand(channels, generator=gen) - 0.5)
        self.var = f32(torch.rand(channels, generator=gen) + 0.5)
        self.momentum, self.epsilon = momentum, epsilon

    def state(self):
        return [self.mean, self.var]

    def __call__(self, h, training, new_state):
        axes = tuple(range(h.dim() - 1))
        if training:
            mu = h.mean(dim=axes)
            var = ((h - mu) ** 2).mean(dim=axes)
            new_state += [self.momentum * self.mean + (1 - self.momentum) * mu.detach(),
                          self.momentum * self.var + (1 - self.momentum) * var.detach()]
            if BatchNorm.commit:
                self.mean, self.var = new_state[-2], new_state[-1]
        else:
            mu, var = self.mean, self.var
        y = (h - mu) / torch.sqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self.gamma
        return y if self.beta is None else y + self.beta


def winograd_cnn(p, gen):
    # Input(7, 6, 3) -> Conv2D(8, 3, same, relu) (7, 6, 8) -> Conv2D(9, 3, same, relu) (7, 6, 9)
    #   -> MaxPooling2D(2) (3, 3, 9) -> Conv2D(8, 3) (1, 1, 8) -> Flatten -> Dense(2)
    # (Predict runs the 8-and-more-channel 3x3 layers through the Winograd kernels, the first fused with the pooling.)
    k1, b1 = p.make(3, 3, 3, 8, scale=0.4), p.make(8, scale=0.2)
    k2, b2 = p.make(3, 3, 8, 9, scale=0.25), p.make(9, scale=0.2)
    k3, b3 = p.make(3, 3, 9, 8, scale=0.25), p.make(8, scale=0.2)
    k4, b4 = p.make(8, 2), p.make(2)

    def forward(x):
        h = F.relu(conv(x, k1, b1, [1, 1], [1, 1], "same"))
        h = F.relu(conv(h, k2, b2, [1, 1], [1, 1], "same"))
        h = pool(h, "max", [2, 2], [2, 2], "valid")
        h = conv(h, k3, b3, [1, 1], [1, 1], "valid")
        return dense(flat(h), k4, b4)
    return forward, (7, 6, 3)


def fold_conv(p, gen):
    # Input(5, 5, 8) -> Conv2D(10, 3, same, no bias) -> BatchNormalization(momentum 0.9, epsilon 0.01) -> Activation(tanh)
    #   -> Conv2D(8, 1) -> BatchNormalization(scale False) -> GlobalAveragePooling2D -> Dense(6, no bias)
    #   -> BatchNormalization(center False) -> Dense(2)
    # (Predict folds each normalisation into the layer before it.)
    k1 = p.make(3, 3, 8, 10, scale=0.3)
    bn1 = BatchNorm(p, gen, 10, momentum=0.9, epsilon=0.01)
    k2, b2 = p.make(1, 1, 10, 8, scale=0.5), p.make(8)
    bn2 = BatchNorm(p, gen, 8, scale=False)
    k3 = p.make(8, 6, scale=0.6)
    bn3 = BatchNorm(p, gen, 6, center=False)
    k4, b4 = p.make(6, 2), p.make(2)
    state = lambda: torch.cat(bn1.state() + bn2.state() + bn3.state())

    def forward(x, training):
        new_state = []
        h = torch.tanh(bn1(conv(x, k1, None, [1, 1], [1, 1], "same"), training, new_state))
        h = bn2(conv(h, k2, b2, [1, 1], [1, 1], "valid"), training, new_state)
        h = bn3(dense(h.mean(dim=(1, 2)), k3), training, new_state)
        return dense(h, k4, b4), (torch.cat(new_state) if training else None)
    return forward, (5, 5, 8), state


def fold_sequence(p, gen):
    # Input(6, 2) -> Conv1D(4, 3, causal, no bias) -> BatchNormalization -> Dense(3, no bias) -> BatchNormalization
    #   -> Flatten -> Dense(4) -> BatchNormalization(center False, epsilon 0.1) -> Dense(2)
    # (Dense(3) runs over 6 rows per sample: more rows than features, so its fold is precomputed; Dense(4) has 18
    # features and the batch's rows, so it normalises block by block.)
    k1 = p.make(3, 2, 4, scale=0.8)
    bn1 = BatchNorm(p, gen, 4)
    k2 = p.make(4, 3, scale=0.8)
    bn2 = BatchNorm(p, gen, 3, momentum=0.5)
    k3, b3 = p.make(18, 4, scale=0.4), p.make(4)
    bn3 = BatchNorm(p, gen, 4, center=False, epsilon=0.1)
    k4, b4 = p.make(4, 2), p.make(2)
    state = torch.cat(bn1.state() + bn2.state() + bn3.state())

    def forward(x, training):
        new_state = []
        h = bn1(conv(x, k1, None, [1], [1], "causal"), training, new_state)
        h = bn2(dense(h, k2), training, new_state)
        h = bn3(dense(flat(h), k3, b3), training, new_state)
        return dense(h, k4, b4), (torch.cat(new_state) if training else None)
    return forward, (6, 2), state


def segmentation(p, gen):
    # Input(4, 5, 2) -> Conv2D(3, 3, same, softmax): a per-pixel softmax over channels (20 rows per sample)
    k, b = p.make(3, 3, 2, 3, scale=0.8), p.make(3)

    def forward(x):
        z = conv(x, k, b, [1, 1], [1, 1], "same")
        return F.softmax(z, dim=-1), z
    return forward, (4, 5, 2)


def softmax_layer(p, gen):
    # Input(3, 4) -> Dense(3) -> Activation(softmax) as its own layer; Input(3, 4) -> Dense(3) -> Softmax() layer
    k, b = p.make(4, 3, scale=0.8), p.make(3)

    def forward(x):
        z = dense(x, k, b)
        return F.softmax(z, dim=-1), z
    return forward, (3, 4)


def frozen_batchnorm(p, gen):
    # Input(3, 4) -> Dense(4, tanh) -> BatchNormalization(trainable False) -> Dense(2)
    # A frozen BatchNormalization runs in inference mode in training too (moving statistics, no update, no weight gradient).
    k1, b1 = p.make(4, 4, scale=0.8), p.make(4)
    gamma = f32(torch.rand(4, generator=gen) * 0.6 + 0.7)
    beta = f32(torch.rand(4, generator=gen) * 0.6 - 0.3)
    k2, b2 = p.make(4, 2), p.make(2)
    mean = f32(torch.rand(4, generator=gen) - 0.5)
    var = f32(torch.rand(4, generator=gen) + 0.5)
    # gamma and beta are weights of the network but get no gradient: they sit in the parameter buffer in layer order.
    p.tensors.insert(2, gamma)
    p.tensors.insert(3, beta)
    state = torch.cat([mean, var])

    def forward(x, training):
        h = torch.tanh(dense(x, k1, b1))
        h = gamma * (h - mean) / torch.sqrt(var + 1e-3) + beta
        return dense(h, k2, b2), (state.clone() if training else None)
    return forward, (3, 4), state


def bidirectional_backwards(p, gen):
    # Input(4, 3) -> Bidirectional(GRU(3, go_backwards, return_sequences), concat) (4, 6) -> Bidirectional(SimpleRNN(2,
    #   go_backwards), sum) (2,) -> Dense(2)
    # Keras builds the backward copy with go_backwards negated: the forward half reads the steps in reverse and returns
    # them in processing order; the backward half reads them in order and its sequence is flipped.
    gru_f = [p.make(3, 9), p.make(3, 9), p.make(2, 9)]
    gru_b = [p.make(3, 9), p.make(3, 9), p.make(2, 9)]
    rnn_f = [p.make(6, 2), p.make(2, 2), p.make(2)]
    rnn_b = [p.make(6, 2), p.make(2, 2), p.make(2)]
    k, b = p.make(2, 2, scale=1.0), p.make(2)

    def forward(x):
        fw = torch.stack(rnn_cells("GRU", 3, x, gru_f, go_backwards=True), dim=1)
        bw = torch.stack(rnn_cells("GRU", 3, x, gru_b, go_backwards=False)[::-1], dim=1)
        h = torch.cat([fw, bw], dim=-1)
        fw = rnn_cells("SimpleRNN", 2, h, rnn_f, go_backwards=True)[-1]
        bw = rnn_cells("SimpleRNN", 2, h, rnn_b, go_backwards=False)[-1]
        return dense(fw + bw, k, b)
    return forward, (4, 3)


def attention_variants(p, gen):
    # Input(4, 3) "xq", Input(5, 3) "xv" -> Dense(3) "q", Dense(3) "v";
    #   Attention(score_mode concat, use_scale False)(q, v) "a1" (4, 3): scores = w·Σ tanh(q + k);
    #   AdditiveAttention(use_scale False, causal)(q, v) "a2" (4, 3): scores = Σ tanh(q + k), key j ≤ query i;
    #   Concatenate "c" (4, 6) -> Flatten -> Dense(2). The network's input row is xq then xv, per sample.
    kq, bq = p.make(3, 3, scale=1.0), p.make(3)
    kv, bv = p.make(3, 3, scale=1.0), p.make(3)
    concat_weight = p.make(1, scale=0.3, offset=1.0)
    k, b = p.make(24, 2, scale=0.5), p.make(2)

    def forward(x):
        xq, xv = x[:, :12].reshape(-1, 4, 3), x[:, 12:].reshape(-1, 5, 3)
        q, v = dense(xq, kq, bq), dense(xv, kv, bv)
        t = torch.tanh(q[:, :, None, :] + v[:, None, :, :]).sum(-1)  # (B, 4, 5)
        a1 = F.softmax(concat_weight * t, dim=-1) @ v
        causal = torch.arange(5)[None, :] <= torch.arange(4)[:, None]
        a2 = F.softmax(t.masked_fill(~causal, -math.inf), dim=-1) @ v
        return dense(flat(torch.cat([a1, a2], dim=-1)), k, b)
    return forward, (27,)


def mha_spatial(p, gen):
    # Input(2, 3, 4) -> MultiHeadAttention(2, 3, value_dim 2, output_shape 5, use_bias False) over all 6 positions
    #   jointly (default attention axes) -> Flatten -> Dense(2)
    wq, wk, wv = p.make(4, 2, 3, scale=0.8), p.make(4, 2, 3, scale=0.8), p.make(4, 2, 2, scale=0.8)
    wo = p.make(2, 2, 5, scale=0.8)
    k, b = p.make(30, 2, scale=0.4), p.make(2)

    def forward(x):
        xs = x.reshape(x.shape[0], 6, 4)
        q = torch.einsum("bti,ind->bntd", xs, wq)
        kk = torch.einsum("bti,ind->bntd", xs, wk)
        v = torch.einsum("bti,ind->bntd", xs, wv)
        weights = F.softmax(q / math.sqrt(3) @ kk.transpose(-1, -2), dim=-1)
        o = weights @ v  # (B, N, T, dv)
        out = torch.einsum("bntd,nde->bte", o, wo)
        return dense(flat(out), k, b)
    return forward, (2, 3, 4)


def unet(p, gen):
    # Input(6, 6, 2) -> Conv2D(8, 3, same, relu) "c1" -> Conv2D(8, 3, same, relu) "c2" -> MaxPooling2D "p" (3, 3, 8)
    #   -> Conv2D(8, 3, same, relu) "c3" -> UpSampling2D(2) "u" (6, 6, 8) -> Concatenate(u, c2) (6, 6, 16)
    #   -> Conv2D(8, 3, same) -> BatchNormalization -> Activation(relu) -> GlobalAveragePooling2D -> Dense(2)
    # (Predict: Winograd for c2, c3 and the last convolution, c2 fused with the pooling while the skip connection also
    # reads its output, the normalisation folded into the last convolution.)
    k1, b1 = p.make(3, 3, 2, 8, scale=0.5), p.make(8, scale=0.2)
    k2, b2 = p.make(3, 3, 8, 8, scale=0.25), p.make(8, scale=0.2)
    k3, b3 = p.make(3, 3, 8, 8, scale=0.25), p.make(8, scale=0.2)
    k4, b4 = p.make(3, 3, 16, 8, scale=0.2), p.make(8, scale=0.2)
    bn = BatchNorm(p, gen, 8, momentum=0.9)
    k5, b5 = p.make(8, 2, scale=0.8), p.make(2)
    state = lambda: torch.cat(bn.state())

    def forward(x, training):
        new_state = []
        c1 = F.relu(conv(x, k1, b1, [1, 1], [1, 1], "same"))
        c2 = F.relu(conv(c1, k2, b2, [1, 1], [1, 1], "same"))
        h = pool(c2, "max", [2, 2], [2, 2], "valid")
        h = F.relu(conv(h, k3, b3, [1, 1], [1, 1], "same"))
        h = h.repeat_interleave(2, dim=1).repeat_interleave(2, dim=2)
        h = torch.cat([h, c2], dim=-1)
        h = F.relu(bn(conv(h, k4, b4, [1, 1], [1, 1], "same"), training, new_state))
        return dense(h.mean(dim=(1, 2)), k5, b5), (torch.cat(new_state) if training else None)
    return forward, (6, 6, 2), state


def hard_sigmoid(x):
    return torch.clamp(x / 6 + 0.5, 0, 1)


def recurrent_activations(p, gen):
    # Input(5, 3) -> GRU(3, activation relu, recurrent hard_sigmoid, return_sequences) -> SimpleRNN(2, linear, no bias,
    #   return_sequences) -> LSTM(2, recurrent hard_sigmoid, no bias) -> Dense(2)
    gk, gr, gb = p.make(3, 9), p.make(3, 9), p.make(2, 9)
    sk, sr = p.make(3, 2), p.make(2, 2)
    lk, lr_ = p.make(2, 8, scale=1.0), p.make(2, 8, scale=1.0)
    k, b = p.make(2, 2, scale=1.0), p.make(2)

    def forward(x):
        bsz, t = x.shape[0], x.shape[1]
        h = torch.zeros(bsz, 3)
        seq = []
        for step in range(t):
            xz, xr, xh = (x[:, step] @ gk + gb[0]).split(3, dim=-1)
            hz, hr, hh = (h @ gr + gb[1]).split(3, dim=-1)
            z, r = hard_sigmoid(xz + hz), hard_sigmoid(xr + hr)
            h = z * h + (1 - z) * F.relu(xh + r * hh)
            seq.append(h)
        h = torch.zeros(bsz, 2)
        seq2 = []
        for step in range(t):
            h = seq[step] @ sk + h @ sr
            seq2.append(h)
        h = torch.zeros(bsz, 2)
        c = torch.zeros(bsz, 2)
        for step in range(t):
            i, f, g, o = (seq2[step] @ lk + h @ lr_).split(2, dim=-1)
            c = hard_sigmoid(f) * c + hard_sigmoid(i) * torch.tanh(g)
            h = hard_sigmoid(o) * torch.tanh(c)
        return dense(h, k, b)
    return forward, (5, 3)


def time_distributed_conv(p, gen):
    # Input(3, 4, 4, 2) -> TimeDistributed(Conv2D(3, 2, strides 2, same, tanh)) (3, 2, 2, 3)
    #   -> TimeDistributed(GlobalAveragePooling2D) (3, 3) -> SimpleRNN(2) -> Dense(2)
    kc, bc = p.make(2, 2, 2, 3), p.make(3)
    sk, sr, sb = p.make(3, 2), p.make(2, 2), p.make(2)
    k, b = p.make(2, 2, scale=1.0), p.make(2)

    def forward(x):
        bsz = x.shape[0]
        h = torch.tanh(conv(x.reshape(bsz * 3, 4, 4, 2), kc, bc, [2, 2], [1, 1], "same"))
        h = h.mean(dim=(1, 2)).reshape(bsz, 3, 3)
        s = torch.zeros(bsz, 2)
        for step in range(3):
            s = torch.tanh(h[:, step] @ sk + s @ sr + sb)
        return dense(s, k, b)
    return forward, (3, 4, 4, 2)


def multi_output(p, gen):
    # Input(4) -> Dense(5, tanh) "h" -> Dense(3, softmax) "a"; Dense(2) "b" from h; outputs (a, b) packed per sample
    kh, bh = p.make(4, 5, scale=1.0), p.make(5)
    ka, ba = p.make(5, 3, scale=1.0), p.make(3)
    kb, bb = p.make(5, 2, scale=1.0), p.make(2)

    def forward(x):
        h = torch.tanh(dense(x, kh, bh))
        return torch.cat([F.softmax(dense(h, ka, ba), dim=-1), dense(h, kb, bb)], dim=-1)
    return forward, (4,)


def seq2seq(p, gen):
    # Input(4, 3) -> LSTM(3) -> RepeatVector(2) (2, 3) -> GRU(2, return_sequences) (2, 2) -> Dense(2) per step
    lk, lr_, lb = p.make(3, 12), p.make(3, 12), p.make(12)
    gk, gr, gb = p.make(3, 6), p.make(2, 6), p.make(2, 6)
    k, b = p.make(2, 2, scale=1.0), p.make(2)

    def forward(x):
        h = rnn_cells("LSTM", 3, x, [lk, lr_, lb])[-1]
        rep = h[:, None, :].expand(-1, 2, -1)
        seq = torch.stack(rnn_cells("GRU", 2, rep, [gk, gr, gb]), dim=1)
        return dense(seq, k, b)
    return forward, (4, 3)


def spatial_3d(p, gen):
    # Input(3, 4, 3, 2) -> ZeroPadding3D((1, 0), (0, 2), (1, 1)) (4, 6, 5, 2) -> Cropping3D((0, 1), (1, 0), (2, 0)) (3, 5, 3, 2)
    #   -> UpSampling3D(2, 1, 2) (6, 5, 6, 2) -> Conv3D(2, (2, 3, 2), dilation (1, 1, 2), same, tanh) (6, 5, 6, 2)
    #   -> AveragePooling3D((3, 2, 2), strides (2, 2, 3), same) (3, 3, 2, 2) -> Flatten -> Dense(2)
    kc, bc = p.make(2, 3, 2, 2, 2), p.make(2)
    k, b = p.make(36, 2, scale=0.5), p.make(2)

    def forward(x):
        h = F.pad(x, (0, 0, 1, 1, 0, 2, 1, 0))
        h = h[:, 0:h.shape[1] - 1, 1:, 2:, :]
        h = h.repeat_interleave(2, dim=1).repeat_interleave(2, dim=3)
        h = torch.tanh(conv(h, kc, bc, [1, 1, 1], [1, 1, 2], "same"))
        h = pool(h, "avg", [3, 2, 2], [2, 2, 3], "same")
        return dense(flat(h), k, b)
    return forward, (3, 4, 3, 2)


def depthwise_dilated(p, gen):
    # Input(6, 7, 2) -> DepthwiseConv2D((3, 2), dilation (1, 3), same, depth_multiplier 2, swish) (6, 7, 4)
    #   -> Conv2D(2, (2, 4), dilation (2, 1), same) (6, 7, 2) -> Flatten -> Dense(2)
    kd, bd = p.make(3, 2, 2, 2), p.make(4)
    kc, bc = p.make(2, 4, 4, 2, scale=0.4), p.make(2)
    k, b = p.make(84, 2, scale=0.2), p.make(2)

    def forward(x):
        h = F.silu(conv(x, kd, bd, [1, 1], [1, 3], "same", depthwise=True))
        h = conv(h, kc, bc, [1, 1], [2, 1], "same")
        return dense(flat(h), k, b)
    return forward, (6, 7, 2)


# ---------------------------------------------------------------------------------------------------- writing

def write(file, data):
    with open(os.path.join(OUT, file), "w") as f:
        json.dump(data, f, indent=1)


def make_target(gen, shape, loss):
    if loss in ("BinaryCrossentropy", "Hinge"):
        return (torch.rand(*shape, generator=gen) > 0.5).double()
    if loss in ("CategoricalCrossentropy", "KLDivergence", "CategoricalFocalCrossentropy"):
        return f32(torch.softmax(torch.rand(*shape, generator=gen) * 3, dim=-1))
    if loss == "SparseCategoricalCrossentropy":
        return torch.randint(0, shape[-1], shape[:-1], generator=gen).double()
    return f32(torch.rand(*shape, generator=gen) * 3 - 1.5)


def case(network, builder, seed, loss="MeanSquaredError", batch=2, fused=False, optimizer=None, steps=0, xscale=1.5,
         sample_weight=None, fit=None, tag=None, splits=None):
    gen = torch.Generator().manual_seed(seed)
    p = Params(gen)
    built = builder(p, gen)
    stateful = len(built) == 3
    forward, shape = built[0], built[1]
    tokens = isinstance(shape, torch.Tensor)
    if tokens:
        x = shape
        batch = x.shape[0]
    else:
        x = f32((torch.rand(batch, *shape, generator=gen) * 2 - 1) * xscale).requires_grad_(True)

    def run(training):
        if stateful:
            y, new_state = forward(x, training)
            return y, None, new_state
        y = forward(x)
        if isinstance(y, tuple):
            return y[0], (y[1] if fused else None), None
        return y, None, None

    inference, _, _ = run(False)
    out, logits, new_state = run(True)
    target = make_target(gen, out.shape[:-1] + (out.shape[-1],), loss)

    def batch_loss(y, lg, rows=slice(None)):
        if splits is not None:
            # Several outputs packed per sample: the sum of the outputs' losses.
            total, start = 0.0, 0
            for width in splits:
                total = total + mean_loss(loss, y[..., start:start + width], target[rows][..., start:start + width])
                start += width
            return total
        values = per_row(loss, y, target[rows], lg)
        if sample_weight is not None:
            w = torch.tensor(sample_weight)[rows]
            values = values * w.reshape(w.shape + (1,) * (values.dim() - 1))
        return values.mean()

    value = batch_loss(out, logits)
    value.backward()
    data = {
        "network": network,
        "loss": loss,
        "batch": batch,
        "parameters": p.flat(),
        "input": x.detach().reshape(-1).tolist(),
        "target": target.reshape(-1).tolist(),
        "output": inference.detach().reshape(-1).tolist(),
        "trainingOutput": out.detach().reshape(-1).tolist(),
        "lossValue": value.item(),
        "gradients": p.grads(),
        "inputGradient": None if tokens else x.grad.reshape(-1).tolist(),
    }
    # Keras' "accuracy" resolved from the shapes (LAYERS.md 16), on the inference output, over every row.
    def accuracy(y, t):
        cols = y.shape[-1]
        pred = y.reshape(-1, cols)
        if cols == 1:
            correct = ((pred > 0.5).double() == t.reshape(-1, 1)).double()
        elif loss == "SparseCategoricalCrossentropy":
            correct = (pred.argmax(-1) == t.reshape(-1).long()).double()
        else:
            correct = (pred.argmax(-1) == t.reshape(-1, cols).argmax(-1)).double()
        return correct.mean().item()

    with torch.no_grad():
        if splits is None:
            data["accuracy"] = accuracy(inference, target)
            data["inferenceLoss"] = mean_loss(loss, inference, target).item()
        else:
            # Several outputs: accuracy is the mean of the outputs' accuracies.
            starts = [sum(splits[:i]) for i in range(len(splits))]
            data["accuracy"] = sum(accuracy(inference[..., a:a + w], target[..., a:a + w]) for a, w in zip(starts, splits)) / len(splits)
            data["inferenceLoss"] = batch_loss(inference, None).item()
    if stateful:
        data["state"] = (built[2]() if callable(built[2]) else built[2]).tolist()
        data["stateAfter"] = new_state.tolist()
    if optimizer is not None:
        # Trajectory: gradient at the current weights, one Keras step, repeated.
        slots = {}
        trajectory = []
        for step in range(1, steps + 1):
            if step > 1:
                for t in p.tensors:
                    t.grad = None
                y, lg, _ = run(True)
                batch_loss(y, lg).backward()
            with torch.no_grad():
                keras_step(optimizer, p.tensors, [t.grad.clone() for t in p.tensors], slots, step)
            trajectory.append(p.flat())
        data["optimizer"] = optimizer
        data["trajectory"] = trajectory
    if sample_weight is not None:
        data["sampleWeight"] = sample_weight
    if fit is not None:
        # Keras fit without shuffling: batches in order, the last one partial; the epoch loss is the mean of the batch
        # losses weighted by batch size, each at the weights before its step.
        optimizer = fit["optimizer"]
        slots, step, losses, val_losses = {}, 0, [], []
        n = x.shape[0]
        split = fit.get("validationSplit", 0.0)
        if split:
            # Keras: the last samples validate, split off before any shuffling.
            n = int(math.floor(n * (1 - split)))
        for epoch in range(fit["epochs"]):
            total = 0.0
            for start in range(0, n, fit["batchSize"]):
                rows = slice(start, min(start + fit["batchSize"], n))
                for t in p.tensors:
                    t.grad = None
                xb = x.detach()[rows]
                if stateful:
                    BatchNorm.commit = True
                    y, lg = forward(xb, True)[0], None
                    BatchNorm.commit = False
                else:
                    y = forward(xb)
                    y, lg = (y[0], y[1] if fused else None) if isinstance(y, tuple) else (y, None)
                lb = batch_loss(y, lg, rows)
                lb.backward()
                total += lb.item() * (rows.stop - rows.start)
                step += 1
                with torch.no_grad():
                    keras_step(optimizer, p.tensors, [t.grad.clone() for t in p.tensors], slots, step)
            losses.append(total / n)
            if split:
                with torch.no_grad():
                    y = forward(x.detach()[n:])
                    y = y[0] if isinstance(y, tuple) else y
                    val_losses.append(mean_loss(loss, y, target[n:]).item())
        data["fit"] = fit
        data["fitLoss"] = losses
        if split:
            data["fitValLoss"] = val_losses
        data["fitParameters"] = p.flat()
        if stateful:
            data["fitState"] = built[2]().tolist()
    tag = tag or (loss if optimizer is None else optimizer["name"])
    write(f"{network}.{tag}.json", data)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".json"):
            os.remove(os.path.join(OUT, name))
    case("HeldConvEvenSameStrideNet", conv_even_same_stride, 101)
    case("HeldConvPerAxisStridesNet", conv_per_axis_strides, 102)
    case("HeldAvgPoolSameNet", avg_pool_same, 103)
    case("HeldConv1DMixNet", conv1d_mix, 104, batch=3)
    case("HeldConvTransposeSameNet", conv_transpose_same, 105)
    case("HeldConvTransposeOutputPaddingNet", conv_transpose_output_padding, 106)
    case("HeldConvTransposeDilatedNet", conv_transpose_dilated, 107)
    case("HeldDepthwiseSeparableNet", depthwise_separable, 108)
    case("HeldSeparableStridedNet", separable_strided, 109)
    case("HeldConv3DSameNet", conv3d_same, 110)
    case("HeldPadCropUpNet", pad_crop_up, 111)
    case("HeldActivationOptionsNet", activation_options, 112, batch=3)
    case("HeldRecurrentStackNet", recurrent_stack, 113, batch=3)
    case("HeldNormOptionsNet", norm_options, 114, batch=3)
    case("HeldTransposeSmallKernelNet", transpose_small_kernel, 115)
    case("HeldPoolStrideGapNet", pool_stride_gap, 116)
    case("HeldSequence1DNet", sequence_1d, 117)
    case("HeldConvNormNet", conv_norm, 118, batch=3)
    case("HeldEmbeddingMaskNet", embedding_mask, 119)
    case("HeldBidirectionalNet", bidirectional, 125)
    case("HeldDotPermuteNet", dot_permute, 126)
    case("HeldWinogradCnnNet", winograd_cnn, 127)
    case("HeldFoldConvNet", fold_conv, 128, batch=4)
    case("HeldFoldSequenceNet", fold_sequence, 129, batch=5)
    case("HeldFrozenBatchNormNet", frozen_batchnorm, 131, batch=3)
    case("HeldBidirectionalBackwardsNet", bidirectional_backwards, 139)
    case("HeldAttentionVariantsNet", attention_variants, 140)
    case("HeldMhaSpatialNet", mha_spatial, 141)
    case("HeldUNetNet", unet, 142, batch=3)
    case("HeldRecurrentActivationsNet", recurrent_activations, 143, batch=3)
    case("HeldTimeDistributedConvNet", time_distributed_conv, 144)
    case("HeldMultiOutputNet", multi_output, 145, batch=3, splits=[3, 2])
    case("HeldSeq2SeqNet", seq2seq, 146, batch=3)
    case("HeldSpatial3DNet", spatial_3d, 147)
    case("HeldDepthwiseDilatedNet", depthwise_dilated, 148)
    for loss in ("CategoricalCrossentropy", "SparseCategoricalCrossentropy"):
        case("HeldSegmentationNet", segmentation, 132, loss=loss, fused=True)
    case("HeldSegmentationNet", segmentation, 132, loss="MeanSquaredError")
    case("HeldActivationSoftmaxNet", softmax_layer, 133, loss="CategoricalCrossentropy", fused=True)
    case("HeldSoftmaxLayerNet", softmax_layer, 133, loss="CategoricalCrossentropy", fused=True)
    # Sample weights (Keras sample_weight: each sample's loss times its weight, the sum over the batch's rows divided by
    # their number).
    case("HeldLossSigmoidNet", loss_dense("Sigmoid"), 134, loss="Huber", batch=3, sample_weight=[0.5, 2.0, 0.0], tag="Huber.weighted")
    case("HeldLossSoftmaxNet", loss_dense("Softmax"), 135, loss="CategoricalCrossentropy", fused=True, batch=3,
         sample_weight=[1.5, 0.25, 1.0], tag="CategoricalCrossentropy.weighted")
    # Fit with three BatchNormalization layers: 6 samples in batches of 4 and 2, two epochs; the moving statistics move
    # once per batch. (SGD: the bias of the convolution before a normalisation has a zero gradient up to rounding, which
    # Adam would blow up into steps of ±lr whose signs differ between float32 and float64.)
    case("HeldFoldConvNet", fold_conv, 138, batch=6, tag="fit_sgd",
         fit={"epochs": 2, "batchSize": 4, "optimizer": {"name": "sgd", "kind": "SGD", "learningRate": 0.1, "momentum": 0.9}})
    # Fit: 7 samples in batches of 3, 3 and 1, two epochs without shuffling.
    case("HeldConvTransposeSameNet", conv_transpose_same, 136, batch=7, tag="fit_adam",
         fit={"epochs": 2, "batchSize": 3, "optimizer": {"name": "adam", "kind": "Adam", "learningRate": 0.01, "beta1": 0.9,
                                                         "beta2": 0.999, "epsilon": 1e-7}})
    case("HeldLossSoftmaxNet", loss_dense("Softmax"), 138, loss="CategoricalCrossentropy", fused=True, batch=5, tag="fit_validation",
         fit={"epochs": 3, "batchSize": 2, "validationSplit": 0.4,
              "optimizer": {"name": "rmsprop", "kind": "RMSprop", "learningRate": 0.05, "rho": 0.9, "epsilon": 1e-7}})
    case("HeldLossSoftmaxNet", loss_dense("Softmax"), 137, loss="SparseCategoricalCrossentropy", fused=True, batch=5, tag="fit_sgd",
         fit={"epochs": 2, "batchSize": 2, "optimizer": {"name": "sgd", "kind": "SGD", "learningRate": 0.5, "momentum": 0.5}})
    # Losses on sequence outputs (the mean runs over batch and steps).
    for loss in ("Huber", "MeanAbsoluteError", "KLDivergence", "CategoricalCrossentropy", "MeanSquaredError"):
        case("HeldLossSigmoidNet", loss_dense("Sigmoid"), 120, loss=loss)
    case("HeldLossSigmoidNet", loss_dense("Sigmoid"), 120, loss="BinaryCrossentropy", fused=True)
    for loss in ("CategoricalCrossentropy", "SparseCategoricalCrossentropy"):
        case("HeldLossSoftmaxNet", loss_dense("Softmax"), 121, loss=loss, fused=True)
    for loss in ("CategoricalFocalCrossentropy", "KLDivergence"):
        case("HeldLossSoftmaxNet", loss_dense("Softmax"), 121, loss=loss)
    for loss in ("Hinge", "Huber"):
        case("HeldLossTanhNet", loss_dense("Tanh"), 122, loss=loss, xscale=2.5)
    case("HeldLossHardSigmoidNet", loss_dense("HardSigmoid"), 123, loss="BinaryCrossentropy")
    case("HeldLossSoftplusNet", loss_dense("Softplus"), 124, loss="CategoricalCrossentropy")
    # Optimizer trajectories (three steps each) with non-default arguments.
    opts = [
        {"name": "adam_amsgrad", "kind": "Adam", "learningRate": 0.05, "beta1": 0.7, "beta2": 0.9, "epsilon": 1e-3, "amsgrad": True},
        {"name": "adamw", "kind": "AdamW", "learningRate": 0.05, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7, "weightDecay": 0.3},
        {"name": "sgd_nesterov_clipnorm", "kind": "SGD", "learningRate": 0.1, "momentum": 0.7, "nesterov": True, "clipNorm": 0.05},
        {"name": "rmsprop_centered_globalclip", "kind": "RMSprop", "learningRate": 0.01, "rho": 0.8, "momentum": 0.6,
         "epsilon": 1e-4, "centered": True, "globalClipNorm": 0.1},
        {"name": "sgd_momentum_exponential_decay", "kind": "SGD", "learningRate": 0.1, "momentum": 0.9,
         "schedule": {"kind": "ExponentialDecay", "initial": 0.1, "decaySteps": 2, "decayRate": 0.5}},
        {"name": "adam_cosine_warmup", "kind": "Adam", "learningRate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7,
         "schedule": {"kind": "CosineDecay", "initial": 0.01, "decaySteps": 2, "alpha": 0.1, "warmupTarget": 0.05, "warmupSteps": 1}},
        {"name": "sgd_weight_decay_clipvalue", "kind": "SGD", "learningRate": 0.2, "momentum": 0.0, "weightDecay": 0.5, "clipValue": 0.02},
    ]
    for opt in opts:
        case("HeldConvEvenSameStrideNet", conv_even_same_stride, 130, optimizer=opt, steps=4)


if __name__ == "__main__":
    main()
