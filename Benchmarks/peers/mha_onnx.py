#!/usr/bin/python3
"""Exports the MultiHeadAttention benchmark's peer model: torch.nn.MultiheadAttention(64, 4 heads, batch_first),
self-attention over (batch, 16, 64), to DIR/mha.onnx (input x, output y, dynamic batch), and the same weights in
NetGen's (Keras) layout to DIR/mha.weights.bin (float32 little-endian, in ParameterLayout order: query/kernel (64, 4, 16),
query/bias (4, 16), key/..., value/..., attention_output/kernel (4, 16, 64), attention_output/bias (64)), plus one input
and PyTorch's output for it (DIR/mha.check.bin: x (2, 16, 64) then y), so the C# side checks that both compute the same
function before timing them (Benchmarks/NetGen.Benchmarks/AttentionPeer.cs, `--mha DIR`).

    /usr/bin/python3 Benchmarks/peers/mha_onnx.py DIR
"""
import os
import sys

import numpy as np
import torch

E, HEADS, T = 64, 4, 16


class SelfAttention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(E, HEADS, batch_first=True)

    def forward(self, x):
        return self.mha(x, x, x, need_weights=False)[0]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = SelfAttention().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.3, 0.3)
    mha = model.mha
    dk = E // HEADS
    w = mha.in_proj_weight.detach().numpy()
    b = mha.in_proj_bias.detach().numpy()
    parts = []
    for i in range(3):  # query, key, value: Keras kernel[d, n, h] = W[n·dk + h, d]
        parts.append(w[i * E:(i + 1) * E].T.reshape(E, HEADS, dk))
        parts.append(b[i * E:(i + 1) * E].reshape(HEADS, dk))
    parts.append(mha.out_proj.weight.detach().numpy().T.reshape(HEADS, dk, E))  # Wo[n, h, e] = out_proj.weight[e, n·dk + h]
    parts.append(mha.out_proj.bias.detach().numpy())
    np.concatenate([p.astype("<f4").ravel() for p in parts]).tofile(os.path.join(out, "mha.weights.bin"))
    x = torch.rand(2, T, E) * 2 - 1
    with torch.no_grad():
        y = model(x)
    np.concatenate([x.numpy().astype("<f4").ravel(), y.numpy().astype("<f4").ravel()]).tofile(os.path.join(out, "mha.check.bin"))
    torch.onnx.export(model, x, os.path.join(out, "mha.onnx"), input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=14)
    print("wrote", out)


if __name__ == "__main__":
    main()
