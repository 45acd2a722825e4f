#!/usr/bin/python3
"""Writes PyTorch reference fixtures for NetGen's recurrent kernels (Runtime/NetGen.Runtime/Kernels/Recurrent.cs).

Weights are drawn in Keras layouts (LAYERS.md §8) from a seeded NumPy generator and rounded to float32, then loaded
into PyTorch in float64 with the conversions of LAYERS.md §19:
- SimpleRNN / LSTM: weight_ih = kernel^T, weight_hh = recurrent_kernel^T, bias_ih = bias, bias_hh = 0 (Keras' single
  bias is PyTorch's two biases summed; the gradient of the sum is the gradient of either);
- GRU (reset_after=True): Keras' gate blocks [z, r, h] are PyTorch's [r, z, n] with the first two swapped; bias row 0
  is bias_ih, row 1 bias_hh.
Gradients are converted back the same way. GRU with reset_after=False has no PyTorch module: it is written out with
torch operations from LAYERS.md §8.4.

Unmasked cases run the PyTorch modules (nn.RNN, nn.LSTM, nn.GRU, batch_first); go_backwards feeds the reversed
sequence, whose outputs PyTorch returns in processing order as Keras does. Masked cases run PyTorch's cells
(nn.RNNCell, nn.LSTMCell, nn.GRUCell) inside Keras' masking loop written out: at a masked step the states are kept and
the output is the previous output (zeros before the first step), or zeros with zero_output_for_mask.

The loss is sum(outputs * d_outputs) + sum(h_T * d_final_h) (+ sum(c_T * d_final_c)) for random upstream gradients.

The file also carries `orthogonal`: Keras' orthogonal initializer (LAYERS.md §2) applied to given normal matrices with
torch.linalg.qr and the sign correction, for Kernels/Orthogonal.cs.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_recurrent_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/recurrent/recurrent.json
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "recurrent")

ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "hard_sigmoid": F.hardsigmoid}


def f32(values):
    arr = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    return [float(v) for v in np.asarray(arr, dtype=np.float64).astype(np.float32).ravel()]


def draw(rng, shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32).astype(np.float64)


def leaf(arr):
    return torch.tensor(arr, dtype=torch.float64, requires_grad=True)


def swap_zr(m, u):
    """Swaps the first two gate blocks along the last axis (Keras [z, r, h] <-> PyTorch [r, z, n])."""
    return np.concatenate([m[..., u:2 * u], m[..., 0:u], m[..., 2 * u:]], axis=-1)


def make_mask(batch, steps):
    m = np.zeros((batch, steps))
    for b in range(batch):
        for t in range(steps):
            kind = b % 5
            keep = {0: True, 1: t >= 2 and t != 3, 2: t < steps - 2, 3: t % 2 == 1, 4: False}[kind]
            m[b, t] = 1.0 if keep else 0.0
    return m


def keras_loop(step, x, mask, h0, c0, go_backwards, zero_output):
    """Keras' RNN loop with masking around step(x_t, h, c) -> (h', c')."""
    batch, steps, _ = x.shape
    h, c = h0, c0
    prev = torch.zeros_like(h0)
    outs = []
    for s in range(steps):
        t = steps - 1 - s if go_backwards else s
        hn, cn = step(x[:, t], h, c)
        if mask is None:
            out, h, c = hn, hn, cn
        else:
            m = torch.tensor(mask[:, t:t + 1] != 0)
            out = torch.where(m, hn, torch.zeros_like(hn) if zero_output else prev)
            h = torch.where(m, hn, h)
            c = torch.where(m, cn, c) if c is not None else None
        prev = out
        outs.append(out)
    return torch.stack(outs, dim=1), h, c


def case(rng, cell, batch, steps, features, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
         go_backwards=False, masked=False, zero_output=False, initial_state=False, module=True):
    u = units
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3, "gru_reset_before": 3}[cell]
    x_np = draw(rng, (batch, steps, features))
    kernel_np = draw(rng, (features, gates * u), -0.6, 0.6)
    rec_np = draw(rng, (u, gates * u), -0.6, 0.6)
    bias_np = None
    if use_bias:
        bias_np = draw(rng, (2, 3 * u) if cell == "gru" else (gates * u,), -0.5, 0.5)
    mask = make_mask(batch, steps) if masked else None
    h0_np = draw(rng, (batch, u)) if initial_state else np.zeros((batch, u))
    c0_np = draw(rng, (batch, u)) if initial_state and cell == "lstm" else np.zeros((batch, u))
    d_out = draw(rng, (batch, steps, u))
    d_h = draw(rng, (batch, u))
    d_c = draw(rng, (batch, u)) if cell == "lstm" else None

    x = leaf(x_np)
    h0 = leaf(h0_np)
    c0 = leaf(c0_np)
    xin = torch.flip(x, dims=[1]) if go_backwards else x
    act = ACT[activation]
    ract = ACT[recurrent_activation]

    if cell == "gru_reset_before":
        W = leaf(kernel_np)
        U = leaf(rec_np)
        bias = leaf(bias_np) if use_bias else None

        def step(xt, h, c):
            zx = xt @ W + (bias if bias is not None else 0.0)
            z = ract(zx[:, :u] + h @ U[:, :u])
            r = ract(zx[:, u:2 * u] + h @ U[:, u:2 * u])
            hh = act(zx[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
            return z * h + (1 - z) * hh, None

        outputs, hT, cT = keras_loop(step, x, mask, h0, None, go_backwards, zero_output)
        grads = lambda: (W.grad.numpy(), U.grad.numpy(), bias.grad.numpy() if bias is not None else None)
    else:
        if cell == "gru":
            w_ih = swap_zr(kernel_np, u).T
            w_hh = swap_zr(rec_np, u).T
            b_ih = swap_zr(bias_np[0], u) if use_bias else None
            b_hh = swap_zr(bias_np[1], u) if use_bias else None
        else:
            w_ih, w_hh = kernel_np.T, rec_np.T
            b_ih = bias_np if use_bias else None
            b_hh = np.zeros_like(bias_np) if use_bias else None
        nonlinearity = "relu" if activation == "relu" else "tanh"
        # PyTorch's own cells: tanh (RNN also relu) with sigmoid gates; other activations are written out (LSTM only).
        plain = (activation == "tanh" or (cell == "simple_rnn" and activation == "relu")) and recurrent_activation == "sigmoid"
        use_module = module and not masked and plain
        if cell == "simple_rnn":
            mod = (torch.nn.RNN(features, u, nonlinearity=nonlinearity, bias=use_bias, batch_first=True) if use_module
                   else torch.nn.RNNCell(features, u, bias=use_bias, nonlinearity=nonlinearity))
        elif cell == "lstm":
            mod = torch.nn.LSTM(features, u, bias=use_bias, batch_first=True) if use_module else torch.nn.LSTMCell(features, u, bias=use_bias)
        else:
            mod = torch.nn.GRU(features, u, bias=use_bias, batch_first=True) if use_module else torch.nn.GRUCell(features, u, bias=use_bias)
        mod = mod.double()
        suffix = "_l0" if use_module else ""
        with torch.no_grad():
            getattr(mod, "weight_ih" + suffix).copy_(torch.tensor(w_ih))
            getattr(mod, "weight_hh" + suffix).copy_(torch.tensor(w_hh))
            if use_bias:
                getattr(mod, "bias_ih" + suffix).copy_(torch.tensor(b_ih))
                getattr(mod, "bias_hh" + suffix).copy_(torch.tensor(b_hh))
        if use_module:
            assert plain
            if cell == "lstm":
                outputs, (hT, cT) = mod(xin, (h0.unsqueeze(0), c0.unsqueeze(0)))
                hT, cT = hT[0], cT[0]
            else:
                outputs, hT = mod(xin, h0.unsqueeze(0))
                hT, cT = hT[0], None
        else:
            if cell == "lstm" and not plain:
                # PyTorch's LSTMCell has fixed activations: the same cell written out with the chosen ones.
                Wi, Wh = torch.tensor(w_ih), torch.tensor(w_hh)
                Wi.requires_grad_(True)
                Wh.requires_grad_(True)
                bi = torch.tensor(b_ih, requires_grad=True) if use_bias else None
                mod_params = (Wi, Wh, bi)

                def step(xt, h, c):
                    zz = xt @ Wi.T + h @ Wh.T + (bi if bi is not None else 0.0)
                    i, f, g, o = ract(zz[:, :u]), ract(zz[:, u:2 * u]), act(zz[:, 2 * u:3 * u]), ract(zz[:, 3 * u:])
                    cn = f * c + i * g
                    return o * act(cn), cn
            elif cell == "lstm":
                def step(xt, h, c):
                    return mod(xt, (h, c))
            else:
                assert plain or cell == "simple_rnn"

                def step(xt, h, c):
                    return mod(xt, h), None

            outputs, hT, cT = keras_loop(step, x, mask, h0, c0 if cell == "lstm" else None, go_backwards, zero_output)

        def grads():
            if cell == "lstm" and not plain and not use_module:
                Wi, Wh, bi = mod_params
                gi, gh, gb = Wi.grad.numpy(), Wh.grad.numpy(), (bi.grad.numpy() if bi is not None else None)
            else:
                gi = getattr(mod, "weight_ih" + suffix).grad.numpy()
                gh = getattr(mod, "weight_hh" + suffix).grad.numpy()
                gb = getattr(mod, "bias_ih" + suffix).grad.numpy() if use_bias else None
                gbh = getattr(mod, "bias_hh" + suffix).grad.numpy() if use_bias else None
            if cell == "gru":
                db = np.stack([swap_zr(gb, u), swap_zr(gbh, u)]) if use_bias else None
                return swap_zr(gi.T, u), swap_zr(gh.T, u), db
            return gi.T, gh.T, gb

    loss = (outputs * torch.tensor(d_out)).sum() + (hT * torch.tensor(d_h)).sum()
    if cell == "lstm":
        loss = loss + (cT * torch.tensor(d_c)).sum()
    loss.backward()
    d_kernel, d_rec, d_bias = grads()
    result = {
        "cell": cell, "batch": batch, "steps": steps, "features": features, "units": units,
        "activation": activation, "recurrent_activation": recurrent_activation,
        "go_backwards": go_backwards, "zero_output_for_mask": zero_output, 
        "x": f32(x_np), "kernel": f32(kernel_np), "recurrent_kernel": f32(rec_np), "bias": f32(bias_np) if use_bias else None,
        "mask": f32(mask) if masked else None,
        "initial_h": f32(h0_np) if initial_state else None, "initial_c": f32(c0_np) if initial_state and cell == "lstm" else None,
        "d_outputs": f32(d_out), "d_final_h": f32(d_h), "d_final_c": f32(d_c) if cell == "lstm" else None,
        "outputs": f32(outputs), "final_h": f32(hT), "final_c": f32(cT) if cell == "lstm" else None,
        "dx": f32(x.grad), "d_kernel": f32(d_kernel), "d_recurrent_kernel": f32(d_rec), "d_bias": f32(d_bias) if use_bias else None,
        "d_initial_h": f32(h0.grad) if initial_state else None,
        "d_initial_c": f32(c0.grad) if initial_state and cell == "lstm" else None,
    }
    return result


def orthogonal(rng, rows, cols, gain):
    """Keras Orthogonal on a given normal draw: QR, columns times sign(diag R), transpose if rows < cols, times gain."""
    normal = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = torch.linalg.qr(torch.tensor(normal))
    q = q * torch.sign(torch.diagonal(r))
    if rows < cols:
        q = q.T
    return {"rows": rows, "cols": cols, "gain": gain, "normal": [float(v) for v in normal.ravel()],
            "expected": f32(gain * q.reshape(rows, cols))}


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(20261202)
    cases = {
        "simple_rnn": case(rng, "simple_rnn", 3, 6, 4, 5),
        "simple_rnn_relu_backwards": case(rng, "simple_rnn", 2, 5, 3, 4, activation="relu", go_backwards=True, initial_state=True),
        "simple_rnn_masked_zero_output": case(rng, "simple_rnn", 5, 6, 3, 4, masked=True, zero_output=True, initial_state=True),
        "lstm": case(rng, "lstm", 3, 6, 4, 5),
        "lstm_masked_init": case(rng, "lstm", 5, 7, 3, 4, masked=True, initial_state=True),
        "lstm_backwards_nobias": case(rng, "lstm", 2, 5, 5, 3, use_bias=False, go_backwards=True, initial_state=True),
        "lstm_relu_hard_sigmoid_masked": case(rng, "lstm", 5, 6, 3, 4, activation="relu", recurrent_activation="hard_sigmoid",
                                              masked=True, go_backwards=True),
        "gru": case(rng, "gru", 3, 6, 4, 5),
        "gru_masked_init_backwards": case(rng, "gru", 5, 6, 3, 4, masked=True, initial_state=True, go_backwards=True),
        "gru_nobias": case(rng, "gru", 2, 5, 3, 3, use_bias=False, initial_state=True),
        "gru_reset_before": case(rng, "gru_reset_before", 3, 6, 4, 5),
        "gru_reset_before_masked": case(rng, "gru_reset_before", 5, 7, 3, 4, masked=True, initial_state=True, zero_output=True),
    }
    ortho = [orthogonal(rng, 5, 3, 1.0), orthogonal(rng, 3, 7, 2.0), orthogonal(rng, 4, 4, 1.0), orthogonal(rng, 6, 24, 1.0)]
    payload = {"generator": "tools/reference/make_recurrent_fixtures.py", "torch": torch.__version__, "cases": cases, "orthogonal": ortho}
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "recurrent.json")
    with open(path + ".tmp", "w") as f:
        json.dump(payload, f, indent=1)
    os.replace(path + ".tmp", path)
    print(f"wrote {path}: {len(cases)} cases, {len(ortho)} orthogonal matrices")


if __name__ == "__main__":
    main()
