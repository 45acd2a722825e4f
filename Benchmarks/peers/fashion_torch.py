#!/usr/bin/env python3
"""PyTorch peer of the Fashion-MNIST sample, for epoch-time and accuracy comparisons on this machine.

Same setup as Samples/FashionMnist: --model mlp is Flatten(28x28) -> Linear(128)+ReLU -> Linear(64)+ReLU ->
Linear(10); --model cnn is Conv(32, 3x3)+ReLU -> MaxPool 2 -> Conv(64, 3x3)+ReLU -> MaxPool 2 -> Flatten ->
Linear(128)+ReLU -> Linear(10); --model lstm reads each image as 28 steps of 28 features: nn.LSTM(28, 128) -> last
output -> Linear(10); softmax cross-entropy, Adam(lr=1e-3, eps=1e-7 as Keras), batch 32, the last 20% of the training set
for validation, reshuffled each epoch. Run with Debian's PyTorch (install python3-torch and
libopenblas0-pthread):

    /usr/bin/python3 Benchmarks/peers/fashion_torch.py [--model mlp|cnn|lstm|transformer] [--epochs N] [--threads N] [--seed N] [--data DIR]

An epoch's time includes its validation pass (as Keras' epoch time, and NetGen's Fit, do); the training part alone is
printed beside it. The transformer is initialised as Keras initialises the NetGen model (keras_init).
"""
import argparse
import gzip
import os
import struct
import time

import torch
import torch.nn as nn


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        data = f.read()
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(dims)


def find(directory, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    raise FileNotFoundError(f"{stem} not found in {directory} (sudo apt-get install dataset-fashion-mnist)")


class LstmClassifier(nn.Module):
    """nn.LSTM(28, 128, batch_first) over the 28 rows, its last output into Linear(128, 10) (FashionLstm.cs)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class EncoderBlock(nn.Module):
    """Samples/FashionMnist/FashionTransformer.cs's block: MultiHeadAttention(4 heads of 16) + residual + LayerNorm, then
    Dense(128, gelu) -> Dense(64) + residual + LayerNorm (post-norm, as the attributes declare it)."""

    def __init__(self, dim=64, heads=4, hidden=128):
        super().__init__()
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm_a = nn.LayerNorm(dim, eps=1e-3)
        self.feed_forward = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.norm_b = nn.LayerNorm(dim, eps=1e-3)

    def forward(self, x):
        x = self.norm_a(x + self.attention(x, x, x, need_weights=False)[0])
        return self.norm_b(x + self.feed_forward(x))


class FashionTransformer(nn.Module):
    """7x7 patches via Conv2d(stride 7) -> 16 tokens of 64 + learned position embeddings -> 2 encoder blocks -> mean over
    tokens -> Linear(10) (the softmax is in the loss). Initialised as Keras initialises the attribute-declared model
    (keras_init), not with PyTorch's defaults."""

    def __init__(self, dim=64):
        super().__init__()
        self.patchify = nn.Conv2d(1, dim, 7, stride=7)
        self.positions = nn.Parameter(torch.empty(16, dim))
        self.blocks = nn.Sequential(EncoderBlock(dim), EncoderBlock(dim))
        self.head = nn.Linear(dim, 10)
        keras_init(self)

    def forward(self, x):
        tokens = self.patchify(x).flatten(2).transpose(1, 2) + self.positions
        return self.head(self.blocks(tokens).mean(1))


def glorot_(tensor, fan_in, fan_out):
    bound = (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        tensor.uniform_(-bound, bound)


def keras_init(model):
    """Keras 3 defaults of the NetGen/Keras model: glorot_uniform kernels with Keras' fans, zero biases. Conv2D and Dense
    kernels have the same fans in both layouts (xavier_uniform_); PositionEmbedding is glorot_uniform on (16, 64);
    MultiHeadAttention's query/key/value kernels are (dim, heads, key_dim) EinsumDense kernels, fan_in heads*dim and
    fan_out key_dim*dim (Keras' compute_fans: the leading axis is a receptive field), and attention_output/kernel
    (heads, key_dim, dim) has fan_in key_dim*heads, fan_out dim*heads; LayerNormalization gamma 1, beta 0."""
    for module in model.modules():
        if isinstance(module, nn.MultiheadAttention):
            dim, heads = module.embed_dim, module.num_heads
            key_dim = dim // heads
            for block in module.in_proj_weight.data.chunk(3, dim=0):   # query, key, value: each (heads*key_dim, dim)
                glorot_(block, heads * dim, key_dim * dim)
            nn.init.zeros_(module.in_proj_bias)
            glorot_(module.out_proj.weight, key_dim * heads, dim * heads)
            nn.init.zeros_(module.out_proj.bias)
        elif isinstance(module, (nn.Conv2d, nn.Linear)) and not isinstance(module, nn.modules.linear.NonDynamicallyQuantizableLinear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    nn.init.xavier_uniform_(model.positions)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--model", choices=["mlp", "cnn", "lstm", "transformer"], default="mlp")
    ap.add_argument("--seed", type=int, default=0, help="torch.manual_seed: initial weights and shuffling")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    x = read_idx(find(args.data, "train-images-idx3-ubyte")).float().div(255).reshape(-1, 784)
    y = read_idx(find(args.data, "train-labels-idx1-ubyte")).long()
    xt = read_idx(find(args.data, "t10k-images-idx3-ubyte")).float().div(255).reshape(-1, 784)
    yt = read_idx(find(args.data, "t10k-labels-idx1-ubyte")).long()
    if args.model == "transformer":
        x, xt = x.reshape(-1, 1, 28, 28), xt.reshape(-1, 1, 28, 28)
        model = FashionTransformer()
    elif args.model == "cnn":
        x, xt = x.reshape(-1, 1, 28, 28), xt.reshape(-1, 1, 28, 28)
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    elif args.model == "lstm":
        x, xt = x.reshape(-1, 28, 28), xt.reshape(-1, 28, 28)
        model = LstmClassifier()
    else:
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    split = int(len(x) * 0.8)
    xtr, ytr, xv, yv = x[:split], y[:split], x[split:], y[split:]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    times, train_times = [], []
    for epoch in range(args.epochs):
        start = time.perf_counter()
        model.train()
        perm = torch.randperm(split)
        for i in range(0, split, args.batch_size):
            idx = perm[i:i + args.batch_size]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        train_times.append(time.perf_counter() - start)
        # The epoch's time includes the validation pass, as Keras' (and NetGen's Fit) epoch time does.
        with torch.inference_mode():
            model.eval()
            val_acc = (model(xv).argmax(1) == yv).float().mean().item()
        times.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}/{args.epochs}: {times[-1]:.2f} s ({train_times[-1]:.2f} s training), val_accuracy {val_acc:.4f}",
              flush=True)
    with torch.inference_mode():
        acc = (model(xt).argmax(1) == yt).float().mean().item()
    print(f"PyTorch {torch.__version__}, {args.threads} thread(s), seed {args.seed}: mean epoch {sum(times) / len(times):.2f} s, "
          f"fastest {min(times):.2f} s (training alone: mean {sum(train_times) / len(train_times):.2f} s)")
    print(f"Test accuracy: {acc:.4f}")


if __name__ == "__main__":
    main()
