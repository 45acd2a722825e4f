#!/usr/bin/python3
"""Writes PyTorch reference fixtures for NetGen's attention layers as whole generated networks
(Tests/NetGen.Tests/EndToEnd/AttentionNetworks.cs, checked by AttentionLayerTests.cs).

Each case is one network: its inputs, a target, every weight (Keras names and layouts: query/kernel (dim, heads, key_dim),
query/bias (heads, key_dim), ..., attention_output/kernel (heads, value_dim, out)), the output, the mean-squared-error
loss against the target (Keras' MSE: the mean over every output value; when a padding mask reaches the output, the
mean over the real rows only, as Keras' masked losses) and the gradient of every weight. Values are drawn
from a seeded NumPy generator and rounded to float32; everything is evaluated in float64 with torch autograd.

The layers are written with torch operations from LAYERS.md §13 (Keras' formulas), and the plain MultiHeadAttention case
is checked against torch.nn.MultiheadAttention (weights converted from the Keras layout) before it is written, so the
formulas are PyTorch's too:
- MultiHeadAttention: per-head projections (einsum with the 3-D kernels), scores Q/sqrt(key_dim)·K^T, the mask
  (query mask AND value mask AND key mask AND causal s <= t) as -1e9 logits, softmax, masked weights set to exactly 0 (a
  query row with no allowed key: all zeros, as current Keras), weights·V, output projection.
- Attention: dot (times scale) or concat (concat_score_weight · sum tanh(scale·(q + k))) scores, value mask AND causal as
  -1e9, softmax, weights·value, rows of masked queries set to 0. AdditiveAttention: sum_d scale_d·tanh(q_d + k_d).
  No query row is left without keys here (Keras' float32 rounding makes such a row uniform; the kernel tests check it).
- PositionEmbedding (Keras Hub): the output is the embeddings' first T rows broadcast over the batch.
- Embedding(mask_zero): the mask is token id != 0; Dense layers pass it on.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_attention_layer_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/attention/layers.json
"""
import json
import math
import os

import numpy as np
import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "attention")


def flat(t):
    arr = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return [float(v) for v in np.asarray(arr, dtype=np.float64).astype(np.float32).ravel()]


class Case:
    def __init__(self, name, seed, batch):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.batch = batch
        self.params = {}  # layout name -> leaf tensor, in creation order
        self.weight_range = 0.6  # weights are drawn from [-weight_range, weight_range]

    def draw(self, shape, lo=-1.0, hi=1.0):
        return torch.tensor(self.rng.uniform(lo, hi, shape).astype(np.float32).astype(np.float64), dtype=torch.float64)

    def weight(self, name, shape, lo=None, hi=None):
        lo = -self.weight_range if lo is None else lo
        hi = self.weight_range if hi is None else hi
        w = self.draw(shape, lo, hi).requires_grad_(True)
        self.params[name] = w
        return w

    def dense(self, name, x, units):
        kernel = self.weight(name + "/kernel", (x.shape[-1], units))
        bias = self.weight(name + "/bias", (units,))
        return x @ kernel + bias

    def embedding(self, name, ids, vocab, dim):
        table = self.weight(name + "/embeddings", (vocab, dim))
        return table[ids.long()]

    def mha(self, name, xq, xv, xk, heads, key_dim, value_dim=None, out=None, causal=False, use_bias=True,
            query_mask=None, value_mask=None, key_mask=None, attention_mask=None, return_scores=False):
        value_dim = value_dim or key_dim
        out = out or xq.shape[-1]

        def proj(sub, x, size):
            w = self.weight(f"{name}/{sub}/kernel", (x.shape[-1], heads, size))
            b = self.weight(f"{name}/{sub}/bias", (heads, size)) if use_bias else None
            y = torch.einsum("btd,dnh->btnh", x, w)
            return y + b if b is not None else y

        q = proj("query", xq, key_dim)
        k = proj("key", xk, key_dim)
        v = proj("value", xv, value_dim)
        wo = self.weight(f"{name}/attention_output/kernel", (heads, value_dim, out))
        bo = self.weight(f"{name}/attention_output/bias", (out,)) if use_bias else None
        scores = torch.einsum("btnh,bsnh->bnts", q / math.sqrt(key_dim), k)
        b, t, s = xq.shape[0], xq.shape[1], xv.shape[1]
        mask = torch.ones((b, t, s), dtype=torch.float64)
        if query_mask is not None:
            mask = mask * query_mask[:, :, None]
        if value_mask is not None:
            mask = mask * value_mask[:, None, :]
        if key_mask is not None:
            mask = mask * key_mask[:, None, :]
        if attention_mask is not None:
            mask = mask * attention_mask
        if causal:
            mask = mask * torch.tril(torch.ones((t, s), dtype=torch.float64))[None]
        m = mask[:, None]
        weights = torch.softmax(scores - 1e9 * (1 - m), dim=-1) * m
        core = torch.einsum("bnts,bsnh->btnh", weights, v)
        y = torch.einsum("btnh,nhe->bte", core, wo)
        y = y + bo if bo is not None else y
        return (y, weights) if return_scores else y

    def attention(self, name, q, v, k, mode, use_scale, causal=False, query_mask=None, value_mask=None, return_scores=False):
        dim = q.shape[-1]
        if mode == "additive":
            scale = self.weight(name + "/scale", (dim,), 0.5, 1.5) if use_scale else None
        else:
            scale = self.weight(name + "/scale", (), 0.5, 1.5) if use_scale else None
        cw = self.weight(name + "/concat_score_weight", (), 0.5, 1.5) if mode == "concat" else None
        if mode == "dot":
            s = q @ k.transpose(1, 2)
            if scale is not None:
                s = s * scale
        elif mode == "concat":
            inner = q[:, :, None, :] + k[:, None, :, :]
            if scale is not None:
                inner = inner * scale
            s = cw * torch.tanh(inner).sum(-1)
        else:
            t = torch.tanh(q[:, :, None, :] + k[:, None, :, :])
            s = (t * scale).sum(-1) if scale is not None else t.sum(-1)
        mask = torch.ones_like(s)
        if value_mask is not None:
            mask = mask * value_mask[:, None, :]
        if causal:
            mask = mask * torch.tril(torch.ones(s.shape[1:], dtype=torch.float64))[None]
        w = torch.softmax(s - 1e9 * (1 - mask), dim=-1)
        o = w @ v
        if query_mask is not None:
            o = o * query_mask[:, :, None]
        return (o, w) if return_scores else o

    def position(self, name, x, length):
        table = self.weight(name + "/embeddings", (length, x.shape[-1]))
        return table[: x.shape[1]][None].expand(x.shape[0], -1, -1)

    def finish(self, inputs, y, mask=None):
        """y: the output, or a tuple of outputs (NetGen sums their losses; packed rows hold each sample's outputs in order).
        mask: the padding mask (batch, steps) that reaches a single output; Keras' loss then skips the padded rows (the
        mean squared error of each row, summed over the real rows and divided by their number)."""
        outputs = list(y) if isinstance(y, tuple) else [y]
        targets = [self.draw(tuple(o.shape)) for o in outputs]
        if mask is None:
            loss = sum(((o - t) ** 2).mean() for o, t in zip(outputs, targets))
        else:
            rows = ((outputs[0] - targets[0]) ** 2).mean(dim=-1)
            loss = (rows * mask).sum() / mask.sum()
        loss.backward()

        def pack(tensors):
            return torch.cat([t.reshape(t.shape[0], -1) for t in tensors], dim=1)

        return {
            "batch": self.batch,
            "inputs": [flat(x) for x in inputs],
            "target": flat(pack(targets)),
            "params": {n: flat(p) for n, p in self.params.items()},
            "y": flat(pack(outputs)),
            "loss": float(loss),
            "grads": {n: flat(p.grad) for n, p in self.params.items()},
        }


def check_against_torch_mha():
    """The einsum formulas above agree with nn.MultiheadAttention (batch_first) for shared dims, with the Keras layout."""
    c = Case("check", 99, 3)
    e, heads = 6, 2
    x = c.draw((3, 5, e))
    mask = torch.ones((3, 5), dtype=torch.float64)
    mask[0, 3:] = 0
    y = c.mha("m", x, x, x, heads, e // heads, value_mask=mask, causal=True)
    torch_mha = torch.nn.MultiheadAttention(e, heads, batch_first=True).double()
    p = c.params
    with torch.no_grad():
        w = torch.cat([p[f"m/{s}/kernel"].reshape(e, e).t() for s in ("query", "key", "value")])
        torch_mha.in_proj_weight.copy_(w)
        torch_mha.in_proj_bias.copy_(torch.cat([p[f"m/{s}/bias"].reshape(e) for s in ("query", "key", "value")]))
        torch_mha.out_proj.weight.copy_(p["m/attention_output/kernel"].reshape(e, e).t())
        torch_mha.out_proj.bias.copy_(p["m/attention_output/bias"])
        causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)
        ref, _ = torch_mha(x, x, x, key_padding_mask=mask == 0, attn_mask=causal)
    assert torch.allclose(y, ref, atol=1e-12), (y - ref).abs().max()


def main():
    torch.manual_seed(0)
    check_against_torch_mha()
    cases = {}

    c = Case("mha_self", 1, 3)
    x = c.draw((3, 5, 4))
    pre = c.dense("pre", x, 6)
    cases[c.name] = c.finish([x], c.mha("mha", pre, pre, pre, 2, 3))

    c = Case("mha_cross", 2, 2)
    xq, xv, xk = c.draw((2, 4, 6)), c.draw((2, 5, 3)), c.draw((2, 5, 2))
    q, v, k = c.dense("q", xq, 6), c.dense("v", xv, 3), c.dense("k", xk, 2)
    cases[c.name] = c.finish([xq, xv, xk], c.mha("mha", q, v, k, 2, 3, value_dim=4, out=5))

    c = Case("mha_causal", 3, 2)
    x = c.draw((2, 5, 4))
    pre = c.dense("pre", x, 4)
    cases[c.name] = c.finish([x], c.mha("mha", pre, pre, pre, 2, 2, causal=True, use_bias=False))

    c = Case("mha_key_default", 4, 2)
    xq, xv = c.draw((2, 3, 4)), c.draw((2, 4, 5))
    q, v = c.dense("q", xq, 4), c.dense("v", xv, 5)
    cases[c.name] = c.finish([xq, xv], c.mha("mha", q, v, v, 3, 2, causal=True))

    c = Case("mha_mask", 5, 3)
    ids = torch.tensor([[3, 1, 4, 0, 0, 0], [2, 6, 5, 3, 1, 2], [0, 4, 0, 2, 6, 0]], dtype=torch.float64)
    mask = (ids != 0).double()
    emb = c.embedding("emb", ids, 7, 4)
    cases[c.name] = c.finish([ids], c.mha("mha", emb, emb, emb, 2, 2, query_mask=mask, value_mask=mask, key_mask=mask), mask=mask)

    c = Case("attention_dot", 6, 2)
    xq, xv = c.draw((2, 4, 3)), c.draw((2, 5, 2))
    q, v = c.dense("q", xq, 3), c.dense("v", xv, 3)
    cases[c.name] = c.finish([xq, xv], c.attention("att", q, v, v, "dot", True, causal=True))

    c = Case("attention_concat", 7, 2)
    xq, xv, xk = c.draw((2, 4, 3)), c.draw((2, 5, 2)), c.draw((2, 5, 3))
    q, v, k = c.dense("q", xq, 3), c.dense("v", xv, 2), c.dense("k", xk, 3)
    cases[c.name] = c.finish([xq, xv, xk], c.attention("att", q, v, k, "concat", True))

    c = Case("additive_mask", 8, 3)
    ids = torch.tensor([[3, 1, 4, 0, 0, 0], [2, 6, 5, 3, 1, 2], [0, 4, 8, 2, 6, 0]], dtype=torch.float64)
    mask = (ids != 0).double()
    emb = c.embedding("emb", ids, 9, 4)
    q, v, k = c.dense("q", emb, 4), c.dense("v", emb, 3), c.dense("k", emb, 4)
    cases[c.name] = c.finish([ids], c.attention("att", q, v, k, "additive", True, query_mask=mask, value_mask=mask), mask=mask)

    c = Case("position", 9, 3)
    x = c.draw((3, 4, 3))
    d = c.dense("d", x, 3)
    cases[c.name] = c.finish([x], d + c.position("pos", d, 6))

    c = Case("mha_scores", 10, 2)
    xq, xv = c.draw((2, 3, 4)), c.draw((2, 5, 3))
    q, v = c.dense("q", xq, 4), c.dense("v", xv, 3)
    cases[c.name] = c.finish([xq, xv], c.mha("mha", q, v, v, 2, 3, return_scores=True))

    c = Case("attention_scores", 11, 2)
    xq, xv = c.draw((2, 4, 3)), c.draw((2, 5, 3))
    q, v = c.dense("q", xq, 3), c.dense("v", xv, 3)
    cases[c.name] = c.finish([xq, xv], c.attention("att", q, v, v, "dot", False, return_scores=True))

    # Sizes of the AVX-512 paths (projections of a multiple of 16 units, at most 16 keys, heads of 16 and 32 values):
    # a causal block over 16 tokens, and a padding mask over 12 (a fully masked query row, 8 + 4 rows).
    # Weights of a quarter (sums over 32 and 64 features keep the values near 1, as in the smaller cases).
    c = Case("mha_tiles", 12, 2)
    c.weight_range = 0.25
    x = c.draw((2, 16, 16))
    pre = c.dense("pre", x, 32)
    cases[c.name] = c.finish([x], c.mha("mha", pre, pre, pre, 2, 16, value_dim=32, causal=True))

    c = Case("mha_tiles_mask", 13, 3)
    ids = torch.tensor([[3, 1, 4, 1, 5, 0, 0, 0, 0, 0, 0, 0], [2, 6, 5, 3, 1, 2, 4, 6, 1, 3, 5, 2], [0, 4, 0, 2, 6, 0, 1, 1, 2, 0, 3, 0]],
                       dtype=torch.float64)
    mask = (ids != 0).double()
    emb = c.embedding("emb", ids, 7, 16)
    cases[c.name] = c.finish([ids], c.mha("mha", emb, emb, emb, 1, 16, query_mask=mask, value_mask=mask, key_mask=mask), mask=mask)

    # Keras' attention_mask given as a network input (batch, T, S): cross-attention over 5 keys (a query row with no
    # allowed key), and causal self-attention over 18 positions (more keys than one 512-bit vector holds).
    c = Case("mha_attention_mask", 14, 2)
    xq, xv = c.draw((2, 3, 4)), c.draw((2, 5, 3))
    allowed = torch.tensor([[[1, 0, 1, 1, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]],
                            [[0, 1, 0, 0, 1], [1, 1, 0, 1, 0], [0, 0, 1, 0, 0]]], dtype=torch.float64)
    q, v = c.dense("q", xq, 4), c.dense("v", xv, 3)
    cases[c.name] = c.finish([xq, xv, allowed], c.mha("mha", q, v, v, 2, 3, attention_mask=allowed))

    c = Case("mha_long_attention_mask", 15, 2)
    x = c.draw((2, 18, 4))
    allowed = (torch.arange(18)[None, :, None] + torch.arange(18)[None, None, :] + torch.arange(2)[:, None, None]) % 3 != 0
    allowed = allowed.double()
    pre = c.dense("pre", x, 4)
    cases[c.name] = c.finish([x, allowed], c.mha("mha", pre, pre, pre, 2, 2, causal=True, attention_mask=allowed))

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "layers.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/reference/make_attention_layer_fixtures.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
