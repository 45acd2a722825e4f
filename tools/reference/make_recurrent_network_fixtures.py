#!/usr/bin/python3
"""Writes PyTorch (float64) reference fixtures for NetGen's generated recurrent networks.

Each fixture is one test network of Tests/NetGen.Tests/EndToEnd/RecurrentNetworks.cs: the same weights (drawn in Keras
layouts, in Keras get_weights() order, rounded to float32), inputs and targets, and PyTorch's outputs, mean squared error
and parameter gradients, converted back to Keras layouts. Conversions (LAYERS.md §8 and §19):
- SimpleRNN / LSTM: weight_ih = kernel^T, weight_hh = recurrent_kernel^T, bias_ih = bias, bias_hh = 0 (Keras' one bias
  is PyTorch's two summed; the gradient of the sum is the gradient of either, read from bias_ih);
- GRU (reset_after=True): Keras' gate blocks [z, r, h] are PyTorch's [r, z, n] with the first two swapped; bias row 0 is
  bias_ih, row 1 bias_hh;
- GRU reset_after=False has no PyTorch module: written out with torch operations (LAYERS.md §8.4).
Unmasked layers run the PyTorch modules (nn.RNN, nn.LSTM, nn.GRU, batch_first; go_backwards feeds the reversed sequence,
whose outputs PyTorch returns in processing order, as Keras does). Masked layers run PyTorch's cells (nn.RNNCell,
nn.LSTMCell, nn.GRUCell) inside Keras' masking loop written out: at a masked step the states are kept and the output is
the previous output (zeros before the first step).

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_recurrent_network_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/recurrent-networks/*.json (read by RecurrentNetworkFixtureTests).
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "recurrent-networks")
BATCH, STEPS, FEATURES, UNITS = 3, 6, 3, 4
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


def swap_zr(m, u):
    return torch.cat([m[..., u:2 * u], m[..., 0:u], m[..., 2 * u:]], dim=-1)


def padded_input(rng, pad):
    x = f32(rng.uniform(-1, 1, (BATCH, STEPS, FEATURES)))
    x[1, STEPS - 1] = pad
    x[1, STEPS - 2] = pad
    x[2, 2] = pad
    return x


def keras_loop(step, x, mask, has_c, go_backwards, zero_output=False):
    batch, steps, _ = x.shape
    h = torch.zeros(batch, UNITS)
    c = torch.zeros(batch, UNITS) if has_c else None
    prev = torch.zeros(batch, UNITS)
    outs = []
    for s in range(steps):
        t = steps - 1 - s if go_backwards else s
        hn, cn = step(x[:, t], h, c)
        if mask is None:
            out, h, c = hn, hn, cn
        else:
            m = mask[:, t:t + 1] != 0
            out = torch.where(m, hn, torch.zeros_like(hn) if zero_output else prev)
            h = torch.where(m, hn, h)
            c = torch.where(m, cn, c) if has_c else None
        prev = out
        outs.append(out)
    return torch.stack(outs, dim=1), h, c


def recurrent(p, cell, x, activation="tanh", use_bias=True, go_backwards=False, reset_after=True, mask=None, zero_output=False):
    """One Keras recurrent layer over x (batch, steps, features): (outputs in processing order, h_T, c_T)."""
    u, f = UNITS, x.shape[2]
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[cell]
    kernel = p.add((f, gates * u))
    rec = p.add((u, gates * u))
    bias = None
    if use_bias:
        bias = p.add((2, 3 * u) if cell == "gru" and reset_after else (gates * u,), 0.5)
    if cell == "gru" and not reset_after:
        def step(xt, h, c):
            zx = xt @ kernel + (bias if bias is not None else 0.0)
            z = torch.sigmoid(zx[:, :u] + h @ rec[:, :u])
            r = torch.sigmoid(zx[:, u:2 * u] + h @ rec[:, u:2 * u])
            hh = torch.tanh(zx[:, 2 * u:] + (r * h) @ rec[:, 2 * u:])
            return z * h + (1 - z) * hh, None
        return keras_loop(step, x, mask, False, go_backwards, zero_output)
    # PyTorch parameters as functions of the Keras leaves, so gradients flow back in Keras layout.
    if cell == "gru":
        w_ih, w_hh = swap_zr(kernel, u).T, swap_zr(rec, u).T
        b_ih = swap_zr(bias[0], u) if use_bias else None
        b_hh = swap_zr(bias[1], u) if use_bias else None
    else:
        w_ih, w_hh = kernel.T, rec.T
        b_ih = bias if use_bias else None
        b_hh = torch.zeros_like(bias) if use_bias else None
    if mask is None:
        module = {"simple_rnn": lambda: nn.RNN(f, u, nonlinearity=activation, bias=use_bias, batch_first=True),
                  "lstm": lambda: nn.LSTM(f, u, bias=use_bias, batch_first=True),
                  "gru": lambda: nn.GRU(f, u, bias=use_bias, batch_first=True)}[cell]()
        # nn.RNN/LSTM/GRU keep flattened copies of their weights, so the Keras leaves are copied in and the module's
        # gradients are converted back after backward() (FIXUPS).
        names = {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh}
        if use_bias:
            names.update({"bias_ih_l0": b_ih, "bias_hh_l0": b_hh})
        with torch.no_grad():
            for key, value in names.items():
                getattr(module, key).copy_(value)
        xin = torch.flip(x, dims=[1]) if go_backwards else x
        out, state = module(xin)

        def fixup():
            g_ih, g_hh = module.weight_ih_l0.grad.T, module.weight_hh_l0.grad.T
            if cell == "gru":
                kernel.grad, rec.grad = swap_zr(g_ih, u), swap_zr(g_hh, u)
                if use_bias:
                    bias.grad = torch.stack([swap_zr(module.bias_ih_l0.grad, u), swap_zr(module.bias_hh_l0.grad, u)])
            else:
                kernel.grad, rec.grad = g_ih.clone(), g_hh.clone()
                if use_bias:
                    bias.grad = module.bias_ih_l0.grad.clone()
            if x.requires_grad or x.grad_fn is not None:
                raise ValueError("a module layer must read a network input (no gradient flows into x here)")
        FIXUPS.append(fixup)
        if cell == "lstm":
            return out, state[0][0], state[1][0]
        return out, state[0], None
    cell_module = {"simple_rnn": lambda: nn.RNNCell(f, u, nonlinearity=activation, bias=use_bias),
                   "lstm": lambda: nn.LSTMCell(f, u, bias=use_bias),
                   "gru": lambda: nn.GRUCell(f, u, bias=use_bias)}[cell]()
    names = {"weight_ih": w_ih, "weight_hh": w_hh}
    if use_bias:
        names.update({"bias_ih": b_ih, "bias_hh": b_hh})

    def step(xt, h, c):
        if cell == "lstm":
            hn, cn = functional(cell_module, names, xt, (h, c))
            return hn, cn
        return functional(cell_module, names, xt, h), None
    return keras_loop(step, x, mask, cell == "lstm", go_backwards, zero_output)


def bidirectional(p, cell, x, merge, sequences, mask=None, **kw):
    """Keras Bidirectional: a forward layer, then a go_backwards copy with its own weights (its sequence flipped back
    into input order), merged; with a mask both directions zero masked outputs when returning sequences."""
    f, _, _ = recurrent(p, cell, x, mask=mask, zero_output=sequences and mask is not None, **kw)
    b, _, _ = recurrent(p, cell, x, go_backwards=True, mask=mask, zero_output=sequences and mask is not None, **kw)
    if sequences:
        f, b = f, torch.flip(b, dims=[1])
    else:
        f, b = f[:, -1], b[:, -1]
    return {"concat": lambda: torch.cat([f, b], dim=-1), "sum": lambda: f + b, "mul": lambda: f * b, "ave": lambda: (f + b) / 2}[merge]()


def functional(module, names, *args):
    """Runs module with the given tensors in place of its parameters (PyTorch 1.13 has torch.nn.utils.stateless)."""
    from torch.nn.utils import stateless
    return stateless.functional_call(module, names, args)


def dense(p, x, units):
    kernel = p.add((x.shape[-1], units))
    bias = p.add((units,), 0.5)
    return x @ kernel + bias


FIXUPS = []


def write(name, p, x, target, output, tokens=None):
    loss = ((output - target) ** 2).mean(-1).mean()
    loss.backward()
    for fixup in FIXUPS:
        fixup()
    FIXUPS.clear()
    data = {
        "network": name,
        "loss": "MeanSquaredError",
        "batch": BATCH,
        "parameters": p.flat(),
        "input": [float(v) for v in (tokens if tokens is not None else x).reshape(-1)],
        "target": [float(v) for v in target.reshape(-1)],
        "output": [float(v) for v in output.detach().numpy().reshape(-1)],
        "lossValue": loss.item(),
        "gradients": p.grads(),
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as fh:
        json.dump(data, fh, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261202)

    def start(pad=0.0):
        p = Params(rng)
        x_np = padded_input(rng, pad)
        target = torch.tensor(f32(rng.uniform(-1, 1, (BATCH, 2))))
        return p, x_np, torch.tensor(x_np), target

    p, x_np, x, t = start()
    out, h, _ = recurrent(p, "simple_rnn", x)
    write("SimpleRnnNet", p, x_np, t, dense(p, out[:, -1], 2))

    p, x_np, x, t = start()
    out, h, _ = recurrent(p, "simple_rnn", x, activation="relu", go_backwards=True)
    write("SimpleRnnSequenceNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    p, x_np, x, t = start()
    out, h, _ = recurrent(p, "lstm", x)
    write("LstmNet", p, x_np, t, dense(p, out[:, -1], 2))

    p, x_np, x, t = start()
    out, h, _ = recurrent(p, "lstm", x, use_bias=False, go_backwards=True)
    write("LstmSequenceNet", p, x_np, t, dense(p, out.reshape(BATCH, -1), 2))

    p, x_np, x, t = start()
    out, h, c = recurrent(p, "lstm", x)
    write("LstmStateNet", p, x_np, t, dense(p, torch.cat([out[:, -1], h, c], dim=1), 2))

    p, x_np, x, t = start()
    out, h, _ = recurrent(p, "gru", x)
    write("GruNet", p, x_np, t, dense(p, out[:, -1], 2))

    p, x_np, x, t = start()
    out, h, _ = recurrent(p, "gru", x, reset_after=False, go_backwards=True)
    head = dense(p, out.reshape(BATCH, -1), 2)
    write("GruSequenceNet", p, x_np, t, head + dense(p, h, 2))

    # Masking (mask value 0) -> LSTM(return_sequences) -> masked GlobalAveragePooling1D -> Dense.
    p, x_np, x, t = start(0.0)
    mask = torch.tensor((x_np != 0.0).any(axis=2).astype(np.float64))
    out, h, _ = recurrent(p, "lstm", x * mask[:, :, None], mask=mask)
    pooled = (out * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
    write("MaskedLstmNet", p, x_np, t, dense(p, pooled, 2))

    # Embedding(5, 3, mask_zero) -> GRU -> Dense; token 0 is padding.
    p = Params(rng)
    tokens = np.array([[1, 2, 3, 4, 1, 2], [3, 1, 4, 0, 0, 0], [0, 0, 2, 2, 4, 3]], dtype=np.float64)
    t = torch.tensor(f32(rng.uniform(-1, 1, (BATCH, 2))))
    table = p.add((5, 3), 0.8)
    emb = table[torch.tensor(tokens, dtype=torch.long)]
    out, h, _ = recurrent(p, "gru", emb, mask=torch.tensor((tokens != 0).astype(np.float64)))
    write("MaskedGruNet", p, None, t, dense(p, out[:, -1], 2), tokens=tokens)

    p, x_np, x, t = start()
    write("BiLstmNet", p, x_np, t, dense(p, bidirectional(p, "lstm", x, "concat", False), 2))

    p, x_np, x, t = start()
    write("BiGruSequenceNet", p, x_np, t, dense(p, bidirectional(p, "gru", x, "sum", True).reshape(BATCH, -1), 2))

    p, x_np, x, t = start()
    write("BiSimpleRnnNet", p, x_np, t, dense(p, bidirectional(p, "simple_rnn", x, "mul", False), 2))

    # Masking -> LSTM(return_sequences, Bidirectional = Ave) -> masked GlobalAveragePooling1D -> Dense.
    p, x_np, x, t = start(0.0)
    mask = torch.tensor((x_np != 0.0).any(axis=2).astype(np.float64))
    out = bidirectional(p, "lstm", x * mask[:, :, None], "ave", True, mask=mask)
    pooled = (out * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
    write("MaskedBiLstmNet", p, x_np, t, dense(p, pooled, 2))

    # Masking(mask_value = -1) -> SimpleRNN -> Dense: sample 1's last two steps are padding (last output = step 3's).
    p, x_np, x, t = start(-1.0)
    mask = torch.tensor((x_np != -1.0).any(axis=2).astype(np.float64))
    out, h, _ = recurrent(p, "simple_rnn", x * mask[:, :, None], mask=mask)
    write("MaskedSimpleRnnNet", p, x_np, t, dense(p, out[:, -1], 2))


if __name__ == "__main__":
    main()
