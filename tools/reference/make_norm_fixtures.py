#!/usr/bin/env python3
"""BatchNormalization, LayerNormalization, GroupNormalization and Embedding references computed by PyTorch (float64).

Keras' BatchNormalization momentum m is PyTorch's 1 - m, and PyTorch keeps the unbiased batch variance in
running_var while Keras keeps the biased one; the script therefore updates the moving statistics itself from
the biased batch variance, with Keras' convention. Data are channels-last; GroupNorm converts to channels-first.

    /usr/bin/python3 tools/reference/make_norm_fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "norm")


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def flat(t):
    return t.detach().reshape(-1).tolist()


def write(name, data):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(dict(data, name=name), f)


def batch_norm(seed):
    gen = torch.Generator().manual_seed(seed)
    rows, channels, momentum, eps = 12, 5, 0.9, 1e-3
    gamma = f32(torch.rand(channels, generator=gen) + 0.5).requires_grad_(True)
    beta = f32(torch.rand(channels, generator=gen) - 0.5).requires_grad_(True)
    moving_mean, moving_var = torch.zeros(channels), torch.ones(channels)
    steps = []
    for _ in range(3):
        x = f32(torch.randn(rows, channels, generator=gen) * 2 + 1).requires_grad_(True)
        y = F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
        mean, var = x.detach().mean(0), x.detach().var(0, unbiased=False)
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_var = momentum * moving_var + (1 - momentum) * var
        dy = f32(torch.randn(rows, channels, generator=gen))
        gamma.grad = beta.grad = None
        (y * dy).sum().backward()
        steps.append({"x": flat(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad), "dGamma": flat(gamma.grad), "dBeta": flat(beta.grad),
                      "movingMean": flat(moving_mean), "movingVariance": flat(moving_var)})
    xi = f32(torch.randn(rows, channels, generator=gen))
    yi = F.batch_norm(xi, moving_mean, moving_var, gamma.detach(), beta.detach(), training=False, eps=eps)
    write("batchnorm", {"rows": rows, "channels": channels, "momentum": momentum, "epsilon": eps, "gamma": flat(gamma), "beta": flat(beta),
                        "steps": steps, "inferenceX": flat(xi), "inferenceY": flat(yi)})


def layer_norm(seed):
    gen = torch.Generator().manual_seed(seed)
    rows, features, eps = 6, 7, 1e-5
    x = f32(torch.randn(rows, features, generator=gen) * 3).requires_grad_(True)
    gamma = f32(torch.rand(features, generator=gen) + 0.5).requires_grad_(True)
    beta = f32(torch.rand(features, generator=gen) - 0.5).requires_grad_(True)
    y = F.layer_norm(x, (features,), gamma, beta, eps)
    dy = f32(torch.randn(rows, features, generator=gen))
    (y * dy).sum().backward()
    write("layernorm", {"rows": rows, "features": features, "epsilon": eps, "x": flat(x), "gamma": flat(gamma), "beta": flat(beta),
                        "y": flat(y), "dy": flat(dy), "dx": flat(x.grad), "dGamma": flat(gamma.grad), "dBeta": flat(beta.grad)})


def group_norm(seed):
    gen = torch.Generator().manual_seed(seed)
    batch, positions, channels, groups, eps = 2, 5, 6, 3, 1e-3
    x = f32(torch.randn(batch, positions, channels, generator=gen) * 2).requires_grad_(True)
    gamma = f32(torch.rand(channels, generator=gen) + 0.5).requires_grad_(True)
    beta = f32(torch.rand(channels, generator=gen) - 0.5).requires_grad_(True)
    y = F.group_norm(x.permute(0, 2, 1), groups, gamma, beta, eps).permute(0, 2, 1)
    dy = f32(torch.randn(batch, positions, channels, generator=gen))
    (y * dy).sum().backward()
    write("groupnorm", {"batch": batch, "positions": positions, "channels": channels, "groups": groups, "epsilon": eps, "x": flat(x),
                        "gamma": flat(gamma), "beta": flat(beta), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad),
                        "dGamma": flat(gamma.grad), "dBeta": flat(beta.grad)})


def embedding(seed):
    gen = torch.Generator().manual_seed(seed)
    vocab, dim = 9, 4
    table = f32(torch.rand(vocab, dim, generator=gen) - 0.5).requires_grad_(True)
    ids = torch.tensor([3, 0, 8, 3, 3, 5, 1, 8])
    y = F.embedding(ids, table)
    dy = f32(torch.randn(len(ids), dim, generator=gen))
    (y * dy).sum().backward()
    write("embedding", {"inputDim": vocab, "outputDim": dim, "ids": ids.tolist(), "table": flat(table), "y": flat(y), "dy": flat(dy),
                        "dTable": flat(table.grad)})


def main():
    os.makedirs(OUT, exist_ok=True)
    batch_norm(1)
    layer_norm(2)
    group_norm(3)
    embedding(4)
    print("wrote fixtures to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
