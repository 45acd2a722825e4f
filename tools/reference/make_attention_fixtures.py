#!/usr/bin/python3
"""Writes PyTorch reference fixtures for NetGen's attention kernels (Runtime/NetGen.Runtime/Kernels/Attention.cs).

Inputs and weights are drawn from a seeded NumPy generator and rounded to float32; everything is evaluated in float64
with torch autograd (loss = sum(output * d_output) [+ sum(scores * d_scores)]) and rounded to float32 once.

- "attention": Keras Attention (score_mode dot and concat, use_scale, use_causal_mask, query and value masks) and
  AdditiveAttention (use_scale vector), written with torch operations from LAYERS.md §13.1-13.2 (PyTorch has no such
  layers): scores, `scores - 1e9 * (1 - mask)`, softmax, weights @ value, masked query rows zeroed. Masks never leave a
  query row without keys here: Keras' float32 rounding makes such a row uniform, which float64 does not reproduce (the
  C# unit tests check that rule directly).
- "multi_head": a whole MultiHeadAttention layer. The torch_* cases run nn.MultiheadAttention (batch_first, separate
  per-head weights returned with average_attn_weights=False) with the Keras value mask as key_padding_mask (PyTorch's
  True = blocked) and the causal mask as attn_mask; weights are converted to Keras layouts (LAYERS.md §13.3):
  query/kernel (dim, heads, key_dim) = Wq^T reshaped, query/bias (heads, key_dim), attention_output/kernel
  (heads, value_dim, out) = out_proj.weight^T reshaped. "keras_fully_masked_rows" writes Keras' layer out with torch
  operations (query mask included in the attention mask; masked logits -1e9, then masked weights set to exactly 0, so a
  query row with no allowed key has all-zero weights, as current Keras), with value_dim != key_dim and output_shape set.

Run with the Debian interpreter that has torch:  /usr/bin/python3 tools/reference/make_attention_fixtures.py
Output: Tests/NetGen.Tests/Fixtures/attention/attention.json
"""
import json
import os

import numpy as np
import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "NetGen.Tests", "Fixtures", "attention")


def f32(values):
    arr = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    return [float(v) for v in np.asarray(arr, dtype=np.float64).astype(np.float32).ravel()]


def draw(rng, shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32).astype(np.float64)


def leaf(arr):
    return torch.tensor(arr, dtype=torch.float64, requires_grad=True)


def luong(rng, score, batch, tq, tv, dim, value_dim, use_scale=False, causal=False, masks=False, scores_grad=False):
    q, k, v = leaf(draw(rng, (batch, tq, dim))), leaf(draw(rng, (batch, tv, dim))), leaf(draw(rng, (batch, tv, value_dim)))
    scale = leaf(draw(rng, (dim,) if score == "additive" else (1,), 0.5, 1.5)) if use_scale else None
    cw = leaf(draw(rng, (1,), 0.5, 1.5)) if score == "concat" else None
    qmask = vmask = None
    if masks:
        qmask = np.ones((batch, tq))
        vmask = np.ones((batch, tv))
        qmask[0, tq - 1] = 0
        vmask[0, tv - 1] = 0
        vmask[batch - 1, 1] = 0
    if score == "dot":
        s = q @ k.transpose(1, 2)
        if scale is not None:
            s = s * scale
    elif score == "concat":
        a = scale if scale is not None else 1.0
        s = cw * torch.tanh(a * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    else:
        sc = scale if scale is not None else torch.ones(dim, dtype=torch.float64)
        s = (sc * torch.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    allowed = torch.ones((batch, tq, tv), dtype=torch.bool)
    if vmask is not None:
        allowed = allowed & torch.tensor(vmask != 0)[:, None, :]
    if causal:
        allowed = allowed & torch.tril(torch.ones((tq, tv), dtype=torch.bool))[None]
    assert bool(allowed.any(-1).all()), "a query row without keys: float64 cannot reproduce Keras' float32 rounding"
    s = s - 1e9 * (~allowed).double()
    w = torch.softmax(s, dim=-1)
    out = w @ v
    if qmask is not None:
        out = out * torch.tensor(qmask)[:, :, None]
    d_out = draw(rng, out.shape)
    loss = (out * torch.tensor(d_out)).sum()
    d_scores = draw(rng, w.shape) if scores_grad else None
    if d_scores is not None:
        loss = loss + (w * torch.tensor(d_scores)).sum()
    loss.backward()
    return {
        "score": score, "batch": batch, "tq": tq, "tv": tv, "dim": dim, "value_dim": value_dim, "causal": causal,
        "query": f32(q), "key": f32(k), "value": f32(v),
        "scale": f32(scale) if scale is not None else None, "concat_score_weight": f32(cw) if cw is not None else None,
        "query_mask": f32(qmask) if qmask is not None else None, "value_mask": f32(vmask) if vmask is not None else None,
        "d_output": f32(d_out), "d_scores": f32(d_scores) if d_scores is not None else None,
        "output": f32(out), "scores": f32(w),
        "d_query": f32(q.grad), "d_key": f32(k.grad), "d_value": f32(v.grad),
        "d_scale": f32(scale.grad) if scale is not None else None, "d_concat_score_weight": f32(cw.grad) if cw is not None else None,
    }


def mha_torch(rng, batch, t, s, heads, embed, kdim=None, vdim=None, causal=False, padding=False):
    kdim = kdim or embed
    vdim = vdim or embed
    n, dk = heads, embed // heads
    mod = torch.nn.MultiheadAttention(embed, heads, batch_first=True, kdim=kdim, vdim=vdim).double()
    wq, wk, wv = draw(rng, (embed, embed), -0.5, 0.5), draw(rng, (kdim, embed), -0.5, 0.5), draw(rng, (vdim, embed), -0.5, 0.5)
    bq, bk, bv = draw(rng, (embed,), -0.2, 0.2), draw(rng, (embed,), -0.2, 0.2), draw(rng, (embed,), -0.2, 0.2)
    wo, bo = draw(rng, (embed, embed), -0.5, 0.5), draw(rng, (embed,), -0.2, 0.2)
    with torch.no_grad():
        if mod._qkv_same_embed_dim:
            mod.in_proj_weight.copy_(torch.tensor(np.concatenate([wq.T, wk.T, wv.T])))
        else:
            mod.q_proj_weight.copy_(torch.tensor(wq.T))
            mod.k_proj_weight.copy_(torch.tensor(wk.T))
            mod.v_proj_weight.copy_(torch.tensor(wv.T))
        mod.in_proj_bias.copy_(torch.tensor(np.concatenate([bq, bk, bv])))
        mod.out_proj.weight.copy_(torch.tensor(wo.T))
        mod.out_proj.bias.copy_(torch.tensor(bo))
    xq, xk, xv = leaf(draw(rng, (batch, t, embed))), leaf(draw(rng, (batch, s, kdim))), leaf(draw(rng, (batch, s, vdim)))
    vmask = None
    kpm = None
    if padding:
        vmask = np.ones((batch, s))
        vmask[0, s - 1] = 0
        vmask[batch - 1, 1] = 0
        kpm = torch.tensor(vmask == 0)
    attn_mask = torch.triu(torch.ones((t, s), dtype=torch.bool), diagonal=1) if causal else None
    y, w = mod(xq, xk, xv, key_padding_mask=kpm, attn_mask=attn_mask, need_weights=True, average_attn_weights=False)
    d_out = draw(rng, y.shape)
    (y * torch.tensor(d_out)).sum().backward()
    if mod._qkv_same_embed_dim:
        g = mod.in_proj_weight.grad.numpy()
        gq, gk, gv = g[:embed].T, g[embed:2 * embed].T, g[2 * embed:].T
    else:
        gq, gk, gv = mod.q_proj_weight.grad.numpy().T, mod.k_proj_weight.grad.numpy().T, mod.v_proj_weight.grad.numpy().T
    gb = mod.in_proj_bias.grad.numpy()
    return {
        "batch": batch, "t": t, "s": s, "heads": n, "key_dim": dk, "value_dim": dk,
        "query_features": embed, "key_features": kdim, "value_features": vdim, "output_features": embed, "causal": causal,
        "query": f32(xq), "key": f32(xk), "value": f32(xv),
        # Keras layouts: (dim, heads, key_dim) flattened row-major is the (dim, heads*key_dim) matrix Wq^T.
        "query/kernel": f32(wq), "query/bias": f32(bq), "key/kernel": f32(wk), "key/bias": f32(bk),
        "value/kernel": f32(wv), "value/bias": f32(bv), "attention_output/kernel": f32(wo), "attention_output/bias": f32(bo),
        "query_mask": None, "value_mask": f32(vmask) if vmask is not None else None,
        "d_output": f32(d_out), "output": f32(y), "scores": f32(w),
        "d_query": f32(xq.grad), "d_key": f32(xk.grad), "d_value": f32(xv.grad),
        "d_query/kernel": f32(gq), "d_query/bias": f32(gb[:embed]), "d_key/kernel": f32(gk), "d_key/bias": f32(gb[embed:2 * embed]),
        "d_value/kernel": f32(gv), "d_value/bias": f32(gb[2 * embed:]),
        "d_attention_output/kernel": f32(mod.out_proj.weight.grad.T), "d_attention_output/bias": f32(mod.out_proj.bias.grad),
    }


def mha_keras(rng, batch, t, s, heads, key_dim, value_dim, dq, dk_in, dv_in, out, causal):
    """Keras' MultiHeadAttention written out, with a query mask and rows that have no allowed key."""
    n = heads
    wq, bq = leaf(draw(rng, (dq, n, key_dim), -0.5, 0.5)), leaf(draw(rng, (n, key_dim), -0.2, 0.2))
    wk, bk = leaf(draw(rng, (dk_in, n, key_dim), -0.5, 0.5)), leaf(draw(rng, (n, key_dim), -0.2, 0.2))
    wv, bv = leaf(draw(rng, (dv_in, n, value_dim), -0.5, 0.5)), leaf(draw(rng, (n, value_dim), -0.2, 0.2))
    wo, bo = leaf(draw(rng, (n, value_dim, out), -0.5, 0.5)), leaf(draw(rng, (out,), -0.2, 0.2))
    xq, xk, xv = leaf(draw(rng, (batch, t, dq))), leaf(draw(rng, (batch, s, dk_in))), leaf(draw(rng, (batch, s, dv_in)))
    qmask = np.ones((batch, t))
    vmask = np.ones((batch, s))
    qmask[0, 1] = 0          # a masked query: its rows have no allowed key
    vmask[0, 0] = 0          # with causal, query 0 of sample 0 has no allowed key either
    vmask[batch - 1, s - 1] = 0
    Q = torch.einsum("btd,dnk->btnk", xq, wq) + bq
    K = torch.einsum("bsd,dnk->bsnk", xk, wk) + bk
    V = torch.einsum("bsd,dnk->bsnk", xv, wv) + bv
    scores = torch.einsum("btnk,bsnk->bnts", Q / np.sqrt(key_dim), K)
    mask = torch.tensor(qmask != 0)[:, None, :, None] & torch.tensor(vmask != 0)[:, None, None, :]
    if causal:
        mask = mask & torch.tril(torch.ones((t, s), dtype=torch.bool))[None, None]
    w = torch.softmax(torch.where(mask, scores, torch.full_like(scores, -1e9)), dim=-1)
    w = torch.where(mask, w, torch.zeros_like(w))
    O = torch.einsum("bnts,bsnk->btnk", w, V)
    y = torch.einsum("btnk,nke->bte", O, wo) + bo
    d_out = draw(rng, y.shape)
    (y * torch.tensor(d_out)).sum().backward()
    return {
        "batch": batch, "t": t, "s": s, "heads": n, "key_dim": key_dim, "value_dim": value_dim,
        "query_features": dq, "key_features": dk_in, "value_features": dv_in, "output_features": out, "causal": causal,
        "query": f32(xq), "key": f32(xk), "value": f32(xv),
        "query/kernel": f32(wq), "query/bias": f32(bq), "key/kernel": f32(wk), "key/bias": f32(bk),
        "value/kernel": f32(wv), "value/bias": f32(bv), "attention_output/kernel": f32(wo), "attention_output/bias": f32(bo),
        "query_mask": f32(qmask), "value_mask": f32(vmask),
        "d_output": f32(d_out), "output": f32(y), "scores": f32(w),
        "d_query": f32(xq.grad), "d_key": f32(xk.grad), "d_value": f32(xv.grad),
        "d_query/kernel": f32(wq.grad), "d_query/bias": f32(bq.grad), "d_key/kernel": f32(wk.grad), "d_key/bias": f32(bk.grad),
        "d_value/kernel": f32(wv.grad), "d_value/bias": f32(bv.grad),
        "d_attention_output/kernel": f32(wo.grad), "d_attention_output/bias": f32(bo.grad),
    }


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(20261203)
    attention = {
        "dot": luong(rng, "dot", 2, 3, 5, 4, 3),
        "dot_scale_causal_masks": luong(rng, "dot", 3, 4, 5, 3, 2, use_scale=True, causal=True, masks=True, scores_grad=True),
        "concat_scale_masks": luong(rng, "concat", 2, 3, 4, 5, 3, use_scale=True, masks=True, scores_grad=True),
        "concat": luong(rng, "concat", 3, 5, 3, 2, 4, causal=True),
        "additive_scale_masks": luong(rng, "additive", 3, 4, 3, 5, 2, use_scale=True, causal=True, masks=True),
        "additive_no_scale": luong(rng, "additive", 2, 3, 5, 3, 3),
    }
    multi_head = {
        "torch_self": mha_torch(rng, 2, 5, 5, 2, 8),
        "torch_cross_kdim_vdim_padding": mha_torch(rng, 3, 4, 6, 3, 9, kdim=5, vdim=7, padding=True),
        "torch_causal_padding": mha_torch(rng, 2, 6, 6, 4, 8, causal=True, padding=True),
        "keras_fully_masked_rows": mha_keras(rng, 2, 4, 4, 2, 3, 5, 6, 4, 3, 7, causal=True),
    }
    payload = {"generator": "tools/reference/make_attention_fixtures.py", "torch": torch.__version__,
               "attention": attention, "multi_head": multi_head}
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "attention.json")
    with open(path + ".tmp", "w") as f:
        json.dump(payload, f, indent=1)
    os.replace(path + ".tmp", path)
    print(f"wrote {path}: {len(attention)} attention cases, {len(multi_head)} multi-head cases")


if __name__ == "__main__":
    main()
