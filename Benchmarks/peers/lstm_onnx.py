#!/usr/bin/python3
"""Exports the LSTM benchmark's peer model: the Fashion-MNIST sample's FashionLstm (28 steps of 28 features,
LSTM(128) -> last step -> Linear(10) -> softmax) as torch.nn.LSTM(28, 128, batch_first=True) + Linear, to DIR/lstm.onnx
(input x (batch, 28, 28), output y (batch, 10), dynamic batch), and the same weights in NetGen's (Keras) layout to
DIR/lstm.weights.bin (float32 little-endian, in ParameterLayout order: lstm/kernel (28, 512) = weight_ih_l0 transposed,
lstm/recurrent_kernel (128, 512) = weight_hh_l0 transposed, lstm/bias (512) = bias_ih_l0 + bias_hh_l0 (PyTorch's gate
order i, f, g, o is Keras' i, f, c, o), dense/kernel (128, 10) = fc.weight transposed, dense/bias (10)), plus one
input and PyTorch's output for it (DIR/lstm.check.bin: x (2, 28, 28) then y (2, 10)), so the C# side checks that both
compute the same function before timing them (Benchmarks/NetGen.Benchmarks/LstmPeer.cs, `--lstm DIR`).

    /usr/bin/python3 Benchmarks/peers/lstm_onnx.py DIR
"""
import os
import sys

import numpy as np
import torch

STEPS, FEATURES, UNITS, CLASSES = 28, 28, 128, 10


class FashionLstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(FEATURES, UNITS, batch_first=True)
        self.fc = torch.nn.Linear(UNITS, CLASSES)

    def forward(self, x):
        y, _ = self.lstm(x)
        return torch.softmax(self.fc(y[:, -1, :]), dim=-1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = FashionLstm().eval()   # PyTorch's default initialisation: uniform(-1/sqrt(128), 1/sqrt(128))
    lstm = model.lstm
    parts = [
        lstm.weight_ih_l0.detach().numpy().T,
        lstm.weight_hh_l0.detach().numpy().T,
        (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy(),
        model.fc.weight.detach().numpy().T,
        model.fc.bias.detach().numpy(),
    ]
    np.concatenate([p.astype("<f4").ravel() for p in parts]).tofile(os.path.join(out, "lstm.weights.bin"))
    x = torch.rand(2, STEPS, FEATURES)   # pixel intensities in [0, 1)
    with torch.no_grad():
        y = model(x)
    np.concatenate([x.numpy().astype("<f4").ravel(), y.numpy().astype("<f4").ravel()]).tofile(os.path.join(out, "lstm.check.bin"))
    torch.onnx.export(model, x, os.path.join(out, "lstm.onnx"), input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=14)
    print("wrote", out)


if __name__ == "__main__":
    main()
