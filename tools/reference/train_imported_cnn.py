#!/usr/bin/env python3
"""Trains a small CNN on Fashion-MNIST in PyTorch and exports it to ONNX for Samples/ImportedCnn.

Writes Samples/ImportedCnn/fashion_cnn.onnx and Samples/ImportedCnn/pytorch-reference.json (PyTorch's test accuracy
and its probabilities for the first 8 test images). The sample's ImportedFashionCnn.cs and weights come from
`netgen import Samples/ImportedCnn/fashion_cnn.onnx --class ImportedFashionCnn --namespace ImportedCnn --bake -o Samples/ImportedCnn`.

Run: apt-get install -y dataset-fashion-mnist python3-torch && /usr/bin/python3 tools/reference/train_imported_cnn.py
"""
import gzip
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Samples", "ImportedCnn")


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.fc = nn.Linear(32 * 5 * 5, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.softmax(self.fc(torch.flatten(x, 1)), dim=1)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    xtr = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    ytr = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xte = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    yte = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    model = Cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        perm = torch.randperm(len(xtr))
        model.train()
        for i in range(0, len(xtr), 64):
            b = perm[i:i + 64]
            loss = F.nll_loss(torch.log(model(xtr[b]) + 1e-12), ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        probs = model(xte)
    accuracy = float((probs.argmax(1) == yte).float().mean())
    print(f"PyTorch test accuracy after 2 epochs: {accuracy:.4f}")
    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(model, xte[:1], os.path.join(OUT, "fashion_cnn.onnx"), opset_version=13, input_names=["input"],
                      output_names=["probabilities"], dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})
    with open(os.path.join(OUT, "pytorch-reference.json"), "w") as f:
        json.dump({"torch": torch.__version__, "testAccuracy": accuracy,
                   "first8": [float(v) for v in probs[:8].reshape(-1).tolist()]}, f)


if __name__ == "__main__":
    main()
