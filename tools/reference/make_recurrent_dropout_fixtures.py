#!/usr/bin/python3
"""Writes PyTorch (float64) reference fixtures for NetGen's RecurrentDropout kernels (Keras recurrent_dropout).

Keras 3.8+ (and Keras 2) LSTM and GRU cells with recurrent_dropout draw one mask per gate block for the input and one
for the previous state, reused at every step; SimpleRNN draws one of each (LAYERS.md §8.1). PyTorch's cells cannot take
per-gate masks, so each cell is written with torch operations from the equations of LAYERS.md §8.3-8.5 with the masks
applied as Keras' cells apply them:
- SimpleRNN: h' = tanh((x*mx)W + b + (h*mh)U)
- LSTM: block q in [i, f, c, o] reads (x*mx_q)W_q + b_q + (h*mh_q)U_q
- GRU reset_after: z, r as LSTM blocks with bias rows b_x, b_h; candidate tanh((x*mx_h)W_h + b_x,h + r*((h*mh_h)U_h + b_h,h))
- GRU reset before: candidate tanh((x*mx_h)W_h + b_h + (r*(h*mh_h))U_h)
with Keras' masking loop (a masked step keeps the states; its output is the previous one, or zeros with
zero_output_for_mask). The masks are drawn here (values 0 or 1/(1 - rate)) and written to the fixture; the C# test runs
the kernels with the same masks and compares outputs, final states and the gradients of
L = sum(outputs * dOutputs) + sum(h_T * dH) (+ sum(c_T * dC)) with respect to x, kernel, recurrent_kernel and bias.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_recurrent_dropout_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/recurrent-dropout/*.json (read by RecurrentDropoutTests).
"""
import json
import os

import numpy as np
import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "recurrent-dropout")
B, T, F, U = 3, 5, 4, 3
torch.set_default_dtype(torch.float64)


def f32(a):
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def leaf(rng, shape, scale=0.6):
    return torch.tensor(f32(rng.uniform(-scale, scale, shape)), requires_grad=True)


def drop(rng, shape, rate):
    return torch.tensor(np.where(rng.uniform(0, 1, shape) >= rate, 1.0 / (1.0 - rate), 0.0))


def case(name, gates, reset_after, go_backwards, zero_output, rng):
    x = leaf(rng, (B, T, F), 1.0)
    kernel = leaf(rng, (F, gates * U))
    rec = leaf(rng, (U, gates * U))
    bias = leaf(rng, (2, 3 * U) if gates == 3 and reset_after else (gates * U,), 0.5)
    mx = drop(rng, (gates, B, F), 0.25)
    mh = drop(rng, (gates, B, U), 0.4)
    seq_mask = np.ones((B, T))
    seq_mask[1, T - 1] = 0
    seq_mask[2, 1] = 0
    d_out = torch.tensor(f32(rng.uniform(-1, 1, (B, T, U))))
    d_h = torch.tensor(f32(rng.uniform(-1, 1, (B, U))))
    d_c = torch.tensor(f32(rng.uniform(-1, 1, (B, U))))

    def block(m, q):
        return slice(q * U, (q + 1) * U)

    h = torch.zeros(B, U)
    c = torch.zeros(B, U)
    prev = torch.zeros(B, U)
    outs = []
    for s in range(T):
        t = T - 1 - s if go_backwards else s
        xt = x[:, t]
        px = [(xt * mx[q]) @ kernel[:, block(kernel, q)] for q in range(gates)]
        ph = [(h * mh[q]) @ rec[:, block(rec, q)] for q in range(gates)]
        if gates == 1:
            hn, cn = torch.tanh(px[0] + bias + ph[0]), None
        elif gates == 4:
            i = torch.sigmoid(px[0] + bias[0:U] + ph[0])
            f = torch.sigmoid(px[1] + bias[U:2 * U] + ph[1])
            g = torch.tanh(px[2] + bias[2 * U:3 * U] + ph[2])
            o = torch.sigmoid(px[3] + bias[3 * U:] + ph[3])
            cn = f * c + i * g
            hn = o * torch.tanh(cn)
        else:
            bx = bias[0] if reset_after else bias
            z = torch.sigmoid(px[0] + bx[0:U] + ph[0] + (bias[1][0:U] if reset_after else 0))
            r = torch.sigmoid(px[1] + bx[U:2 * U] + ph[1] + (bias[1][U:2 * U] if reset_after else 0))
            if reset_after:
                hh = torch.tanh(px[2] + bx[2 * U:] + r * (ph[2] + bias[1][2 * U:]))
            else:
                hh = torch.tanh(px[2] + bx[2 * U:] + (r * (h * mh[2])) @ rec[:, 2 * U:])
            hn, cn = z * h + (1 - z) * hh, None
        keep = torch.tensor(seq_mask[:, t:t + 1] != 0)
        out = torch.where(keep, hn, torch.zeros_like(hn) if zero_output else prev)
        h = torch.where(keep, hn, h)
        if gates == 4:
            c = torch.where(keep, cn, c)
        prev = out
        outs.append(out)
    outputs = torch.stack(outs, dim=1)
    loss = (outputs * d_out).sum() + (h * d_h).sum() + ((c * d_c).sum() if gates == 4 else 0)
    loss.backward()

    def flat(t):
        return [float(v) for v in t.detach().numpy().reshape(-1)]

    data = {
        "gates": gates, "resetAfter": reset_after, "goBackwards": go_backwards, "zeroOutputForMask": zero_output,
        "batch": B, "steps": T, "features": F, "units": U,
        "x": flat(x), "kernel": flat(kernel), "recurrentKernel": flat(rec), "bias": flat(bias),
        "mask": [float(v) for v in seq_mask.reshape(-1)],
        "masks": flat(mx) + flat(mh),
        "dOutputs": flat(d_out), "dFinalH": flat(d_h), "dFinalC": flat(d_c) if gates == 4 else [],
        "outputs": flat(outputs), "finalH": flat(h), "finalC": flat(c) if gates == 4 else [],
        "dx": flat(x.grad), "dKernel": flat(kernel.grad), "dRecurrentKernel": flat(rec.grad), "dBias": flat(bias.grad),
    }
    with open(os.path.join(OUT, name + ".json"), "w") as fh:
        json.dump(data, fh, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261204)
    case("simple_rnn", 1, False, False, False, rng)
    case("lstm", 4, False, True, False, rng)
    case("lstm_zero_output", 4, False, False, True, rng)
    case("gru", 3, True, False, False, rng)
    case("gru_reset_before", 3, False, True, True, rng)


if __name__ == "__main__":
    main()
