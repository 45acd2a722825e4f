#!/usr/bin/env python3
"""Reference values for whole generated networks, computed by PyTorch in float64.

Each fixture gives a network's parameters in NetGen's (= Keras get_weights()) layout, a batch of inputs
and targets, and what PyTorch computes for the outputs, the mean batch loss and the gradient of that loss
with respect to every parameter (flattened in the same layout). The networks mirror the ones declared in
Tests/NetGen.Tests/EndToEnd/Networks.cs.

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_network_fixtures.py
It writes Tests/NetGen.Tests/Fixtures/networks/*.json (deterministic: fixed seeds).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "networks")

ACTIVATIONS = {
    "Linear": lambda z: z,
    "Relu": F.relu,
    "Sigmoid": torch.sigmoid,
    "Tanh": torch.tanh,
    "Softmax": lambda z: F.softmax(z, dim=-1),
    "LeakyRelu": lambda z: F.leaky_relu(z, negative_slope=0.2),  # Keras' leaky_relu activation default
    "Elu": F.elu,
    "Selu": F.selu,
    "Swish": F.silu,
    "Softplus": F.softplus,
    "Gelu": lambda z: F.gelu(z),  # exact erf form, as Keras' gelu activation
}


def f32(t):
    """Rounds to float32 so that the C# side starts from exactly the same numbers."""
    return t.to(torch.float32).to(torch.float64)


class Params:
    """Parameters created in Keras layout (kernel (in, out), then bias), flattened in that order."""

    def __init__(self, gen):
        self.gen = gen
        self.tensors = []

    def make(self, *shape, scale=0.6):
        t = f32((torch.rand(*shape, generator=self.gen) * 2 - 1) * scale).requires_grad_(True)
        self.tensors.append(t)
        return t

    def flat(self):
        return [v for t in self.tensors for v in t.detach().reshape(-1).tolist()]

    def grads(self):
        return [v for t in self.tensors for v in t.grad.reshape(-1).tolist()]


def dense(x, kernel, bias=None):
    y = x @ kernel
    return y if bias is None else y + bias


def loss_of(name, output, logits, target):
    """Keras losses with the 'sum_over_batch_size' reduction. Softmax/sigmoid outputs use the fused logits
    form, as NetGen (and Keras' TensorFlow backend) do; with unclipped probabilities it equals the
    probability form exactly."""
    if name == "CategoricalCrossentropy":
        if logits is not None:
            return -(target * F.log_softmax(logits, dim=-1)).sum(-1).mean()
        p = output / output.sum(-1, keepdim=True)
        return -(target * torch.log(p)).sum(-1).mean()
    if name == "SparseCategoricalCrossentropy":
        return F.cross_entropy(logits, target.long())
    if name == "BinaryCrossentropy":
        if logits is not None:
            return F.binary_cross_entropy_with_logits(logits, target)
        return F.binary_cross_entropy(output, target)
    if name == "MeanSquaredError":
        return ((output - target) ** 2).mean(-1).mean()
    raise ValueError(name)


def write(name, loss_name, batch, params, x, target, output, loss):
    loss.backward()
    data = {
        "network": name,
        "loss": loss_name,
        "batch": batch,
        "parameters": params.flat(),
        "input": x.reshape(-1).tolist(),
        "target": target.reshape(-1).tolist(),
        "output": output.detach().reshape(-1).tolist(),
        "lossValue": loss.item(),
        "gradients": params.grads(),
    }
    with open(os.path.join(OUT, f"{name}.{loss_name}.json"), "w") as f:
        json.dump(data, f, indent=1)


def tiny_softmax(loss_name, seed):
    # TinySoftmaxNet: Input(5) -> Dense(4, tanh) -> Dense(3, softmax)
    gen = torch.Generator().manual_seed(seed)
    p = Params(gen)
    k1, b1, k2, b2 = p.make(5, 4), p.make(4), p.make(4, 3), p.make(3)
    batch = 4
    x = f32(torch.rand(batch, 5, generator=gen) * 4 - 2)
    if loss_name == "SparseCategoricalCrossentropy":
        target = torch.tensor([2.0, 0.0, 1.0, 2.0])
    else:
        target = f32(torch.softmax(torch.rand(batch, 3, generator=gen) * 3, dim=-1))
    z = dense(torch.tanh(dense(x, k1, b1)), k2, b2)
    out = F.softmax(z, dim=-1)
    fused = loss_name in ("CategoricalCrossentropy", "SparseCategoricalCrossentropy")
    loss = loss_of(loss_name, out, z if fused else None, target)
    write("TinySoftmaxNet", loss_name, batch, p, x, target, out, loss)


def sequence_sigmoid(loss_name, seed):
    # SequenceSigmoidNet: Input(2, 3) -> Dense(4, swish) on each step -> Flatten -> Dense(2, sigmoid)
    gen = torch.Generator().manual_seed(seed)
    p = Params(gen)
    k1, b1, k2, b2 = p.make(3, 4), p.make(4), p.make(8, 2), p.make(2)
    batch = 3
    x = f32(torch.rand(batch, 2, 3, generator=gen) * 4 - 2)
    target = torch.tensor([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    h = F.silu(dense(x, k1, b1)).reshape(batch, 8)
    z = dense(h, k2, b2)
    out = torch.sigmoid(z)
    loss = loss_of(loss_name, out, z if loss_name == "BinaryCrossentropy" else None, target)
    write("SequenceSigmoidNet", loss_name, batch, p, x, target, out, loss)


def reshape_activation_layer(seed):
    # ReshapeActivationLayerNet: Input(6) -> Reshape(2, 3) -> Dense(3, elu, no bias) -> Reshape(-1)
    #                            -> Dense(4) -> Activation(softmax)
    gen = torch.Generator().manual_seed(seed)
    p = Params(gen)
    k1, k2, b2 = p.make(3, 3), p.make(6, 4), p.make(4)
    batch = 2
    x = f32(torch.rand(batch, 6, generator=gen) * 4 - 2)
    target = f32(torch.softmax(torch.rand(batch, 4, generator=gen) * 3, dim=-1))
    h = F.elu(dense(x.reshape(batch, 2, 3), k1)).reshape(batch, 6)
    z = dense(h, k2, b2)
    out = F.softmax(z, dim=-1)
    loss = loss_of("CategoricalCrossentropy", out, z, target)
    write("ReshapeActivationLayerNet", "CategoricalCrossentropy", batch, p, x, target, out, loss)


def activation_net(act, seed):
    # {Act}Net: Input(4) -> Dense(5, act) -> Dense(3), mean squared error
    gen = torch.Generator().manual_seed(seed)
    p = Params(gen)
    k1, b1, k2, b2 = p.make(4, 5, scale=1.0), p.make(5, scale=1.0), p.make(5, 3), p.make(3)
    batch = 3
    x = f32(torch.rand(batch, 4, generator=gen) * 3 - 1.5)
    target = f32(torch.rand(batch, 3, generator=gen) * 2 - 1)
    out = dense(ACTIVATIONS[act](dense(x, k1, b1)), k2, b2)
    loss = loss_of("MeanSquaredError", out, None, target)
    write(f"{act}Net", "MeanSquaredError", batch, p, x, target, out, loss)


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, loss_name in enumerate(["CategoricalCrossentropy", "SparseCategoricalCrossentropy", "MeanSquaredError", "BinaryCrossentropy"]):
        tiny_softmax(loss_name, 100 + i)
    for i, loss_name in enumerate(["BinaryCrossentropy", "MeanSquaredError"]):
        sequence_sigmoid(loss_name, 200 + i)
    reshape_activation_layer(300)
    for i, act in enumerate(ACTIVATIONS):
        activation_net(act, 400 + i)
    print("wrote fixtures to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
