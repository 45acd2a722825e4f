#!/usr/bin/env python3
"""Recurrent models exported by PyTorch 1.13 (torch.onnx.export, opsets 13-17) for the `netgen` import tool's tests
(Tests/NetGen.Cli.Tests/OnnxRecurrentImportTests.cs and OnnxErrorTests.cs).

nn.LSTM, nn.GRU and nn.RNN with batch_first=True, as classifiers reading the last step (`out[:, -1, :]`), as taggers
reading every step, bidirectional and stacked (num_layers=2), and a classifier reading h_n[-1]. For each model it writes
Tests/NetGen.Cli.Tests/Fixtures/onnx/<name>.onnx and <name>.json (the same format as make_import_fixtures.py): the
opset, a batch of inputs (batch, steps, features) and the reference outputs, computed by the same module in float64
(the weights are the float32 values exported, widened), so the C# test compares NetGen's float32 result with an exact
reference and with ONNX Runtime on the .onnx file.

It also writes models the importer must refuse: an LSTM given its initial states as graph inputs, a classifier reading
the final cell state c_n, and an operator NetGen has no layer for (CumSum).

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_onnx_recurrent_fixtures.py   (deterministic: fixed seeds)
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ONNX_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "NetGen.Cli.Tests", "Fixtures", "onnx")

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class Classifier(nn.Module):
    """A recurrent layer, its last time step (out[:, -1, :]), a Linear and a softmax."""

    def __init__(self, cell, features, hidden, classes, **kwargs):
        super().__init__()
        self.rnn = CELLS[cell](features, hidden, batch_first=True, **kwargs)
        width = hidden * (2 if kwargs.get("bidirectional") else 1)
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        y, _ = self.rnn(x)
        return F.softmax(self.fc(y[:, -1, :]), dim=-1)


class Tagger(nn.Module):
    """A recurrent layer returning every step, then (optionally) a Linear applied to each step."""

    def __init__(self, cell, features, hidden, classes, **kwargs):
        super().__init__()
        self.rnn = CELLS[cell](features, hidden, batch_first=True, **kwargs)
        width = hidden * (2 if kwargs.get("bidirectional") else 1)
        self.fc = nn.Linear(width, classes) if classes else None

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y) if self.fc is not None else y


class InitialState(nn.Module):
    """Refused: the initial states are graph inputs (NetGen's recurrent layers start from zeros)."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(6, 8, batch_first=True)

    def forward(self, x, h0, c0):
        y, _ = self.rnn(x, (h0, c0))
        return y[:, -1, :]


class LastHidden(nn.Module):
    """A classifier reading the final hidden state h_n[-1] (the LSTM node's Y_h output) instead of out[:, -1, :]."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(6, 8, batch_first=True)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        _, (h, _) = self.rnn(x)
        return self.fc(h[-1])


class FinalCell(nn.Module):
    """Refused: reads the final cell state c_n (the LSTM node's Y_c output), which NetGen's import does not map."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(6, 8, batch_first=True)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        _, (_, c) = self.rnn(x)
        return self.fc(c[-1])


class CumSum(nn.Module):
    """Refused: CumSum has no NetGen layer."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        return torch.cumsum(self.fc(x), dim=1)


STEPS, FEATURES, BATCH = 7, 6, 3

MODELS = [
    # name, constructor, opset
    ("lstm_classifier", lambda: Classifier("lstm", FEATURES, 8, 4), 13),
    ("gru_classifier", lambda: Classifier("gru", FEATURES, 8, 4), 17),
    ("rnn_classifier", lambda: Classifier("rnn", FEATURES, 8, 4), 14),
    ("bilstm_classifier", lambda: Classifier("lstm", FEATURES, 5, 4, bidirectional=True), 14),
    ("lstm_stacked", lambda: Tagger("lstm", FEATURES, 8, 3, num_layers=2), 15),
    ("bigru_stacked", lambda: Tagger("gru", FEATURES, 4, 0, num_layers=2, bidirectional=True), 16),
    ("rnn_relu_tagger", lambda: Tagger("rnn", FEATURES, 5, 2, nonlinearity="relu"), 13),
    ("lstm_last_hidden", LastHidden, 13),
]

REFUSED = [
    ("lstm_initial_state", InitialState, 13),
    ("lstm_final_cell", FinalCell, 13),
    ("unsupported_op", CumSum, 13),
]


def randomize_biases(model, gen):
    """PyTorch initializes both biases uniformly already; make them clearly non-zero and different from each other."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "bias" in name:
                p.copy_(torch.rand(p.shape, generator=gen) - 0.5)


def export(name, ctor, opset, reference=True):
    torch.manual_seed(4321)
    gen = torch.Generator().manual_seed(77)
    model = ctor()
    randomize_biases(model, gen)
    model.eval()
    x = torch.rand((BATCH, STEPS, FEATURES), generator=gen) * 2 - 1
    path = os.path.join(ONNX_DIR, name + ".onnx")
    args = (x,)
    names = ["input"]
    axes = {"input": {0: "batch"}, "output": {0: "batch"}}
    if isinstance(model, InitialState):
        args = (x, torch.zeros(1, BATCH, 8), torch.zeros(1, BATCH, 8))
        names = ["input", "h0", "c0"]
    torch.onnx.export(model, args, path, opset_version=opset, input_names=names, output_names=["output"],
                      dynamic_axes=axes, do_constant_folding=True)
    if not reference:
        return
    # The reference: the same module in float64 on the same (float32) inputs.
    wide = model.double()
    with torch.no_grad():
        y = wide(x.double())
    with open(os.path.join(ONNX_DIR, name + ".json"), "w") as f:
        json.dump({
            "opset": opset,
            "torch": torch.__version__,
            "inputShape": list(x.shape),
            "input": [float(v) for v in x.reshape(-1).tolist()],
            "outputShape": list(y.shape),
            "output": [float(v) for v in y.reshape(-1).tolist()],
        }, f)


def main():
    os.makedirs(ONNX_DIR, exist_ok=True)
    for name, ctor, opset in MODELS:
        export(name, ctor, opset)
    for name, ctor, opset in REFUSED:
        export(name, ctor, opset, reference=False)


if __name__ == "__main__":
    main()
