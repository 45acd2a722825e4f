#!/usr/bin/env python3
"""Models exported by PyTorch 1.13 (torch.onnx.export) and PyTorch state_dicts as safetensors, for the `netgen`
import tool's tests (Tests/NetGen.Cli.Tests).

For every model it writes Tests/NetGen.Cli.Tests/Fixtures/onnx/<name>.onnx and <name>.json: the exporter's opset, a
batch of inputs in PyTorch's (channels-first) layout, and PyTorch's float32 outputs on them (eval mode). The C# tests
import the .onnx file, compile the generated declaration, feed the same inputs transposed to channels-last, and
compare.

Safetensors: Fixtures/safetensors/<name>.safetensors holds a state_dict (PyTorch names and layouts) written in the
safetensors format (8-byte little-endian header length, JSON header with dtype/shape/data_offsets, raw little-endian
data): the Python `safetensors` package is not installable here, so the few lines that write the format are below.

Recurrent models (and the refused ones) are written by make_onnx_recurrent_fixtures.py.

Run with Debian's PyTorch:  /usr/bin/python3 tools/reference/make_import_fixtures.py   (deterministic: fixed seeds)
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "NetGen.Cli.Tests", "Fixtures")
ONNX_DIR = os.path.join(ROOT, "onnx")
ST_DIR = os.path.join(ROOT, "safetensors")


def randomize_bn(model, gen):
    """Gives BatchNorm layers non-trivial running statistics and affine parameters."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            m.running_mean.copy_(torch.rand(c, generator=gen) - 0.5)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.rand(c, generator=gen) - 0.5)
        if isinstance(m, nn.LayerNorm):
            m.weight.data.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
            m.bias.data.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)


class SeedMlp(nn.Module):
    """The seed MLP: Input(28,28) Flatten Dense(128 relu) Dense(64 relu) Dense(10 softmax)."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(self.flatten(x)))
        x = F.relu(self.fc2(x))
        return F.softmax(self.fc3(x), dim=-1)


class SampleCnn(nn.Module):
    """Samples/FashionMnist's FashionCnn: Conv2D(32,3,relu) MaxPool Conv2D(64,3,relu) MaxPool Flatten Dense(128,relu) Dense(10,softmax)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(1600, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return F.softmax(self.fc2(x), dim=1)


class ResidualMlp(nn.Module):
    """README's residual MLP: Flatten Dense(128 relu) Dense(128 relu) Dense(128) Add(dense, dense_2) relu Dense(10 softmax)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 128)
        self.fc3 = nn.Linear(128, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        h = F.relu(self.fc1(torch.flatten(x, 1)))
        y = self.fc3(F.relu(self.fc2(h)))
        return F.softmax(self.out(F.relu(h + y)), dim=-1)


class BatchNormNet(nn.Module):
    """Conv + BatchNorm2d (padding 1: Keras 'same'), pooling, Dense + BatchNorm1d, dropout."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.fc1 = nn.Linear(8 * 7 * 7, 32)
        self.bn2 = nn.BatchNorm1d(32, eps=1e-3)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv(x))), 2)
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.bn2(self.fc1(x))))
        return self.fc2(x)


class DepthwiseTransposed(nn.Module):
    """Depthwise (groups = channels, multiplier 2) then transposed convolution (stride 2, padding 1, output_padding 1)."""

    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(3, 6, 3, padding=1, groups=3)
        self.up = nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1)
        self.head = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        x = F.relu(self.dw(x))
        x = torch.tanh(self.up(x))
        return torch.sigmoid(self.head(x))


class Branches(nn.Module):
    """Merges between branches, explicit padding, stride-2 convolution, up-sampling, pooling, ELU/LeakyReLU/GELU, LayerNorm."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(2, 4, 3, padding=1)
        self.b = nn.Conv2d(2, 4, 1)
        self.c = nn.Conv2d(8, 4, 3, stride=2)
        self.fc = nn.Linear(4 * 3 * 3, 16)
        self.ln = nn.LayerNorm(16)
        self.out = nn.Linear(16, 5)

    def forward(self, x):
        a = F.leaky_relu(self.a(x), 0.2)
        b = self.b(x)
        m = torch.cat([a * b, torch.maximum(a, b) - torch.minimum(a, b)], dim=1)
        m = F.pad(m, (1, 0, 0, 1))
        m = self.c(m)
        m = F.interpolate(m, scale_factor=2, mode="nearest")
        m = F.elu(F.avg_pool2d(m, 2))
        h = F.gelu(self.ln(self.fc(torch.flatten(m, 1))))
        return F.softmax(self.out(h), dim=-1)


class Conv1dNet(nn.Module):
    """Conv1d (Keras 'same'), SELU, MaxPool1d, global average pooling, Linear, tanh."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = F.max_pool1d(F.selu(self.conv(x)), 2)
        x = F.adaptive_avg_pool1d(x, 1).squeeze(-1)
        return torch.tanh(self.fc(x))


class LayerNormMlp(nn.Module):
    """Exported at opset 17: one LayerNormalization node. Softplus, sigmoid."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 12)
        self.ln = nn.LayerNorm(12)
        self.fc2 = nn.Linear(12, 2)

    def forward(self, x):
        return torch.sigmoid(self.fc2(F.softplus(self.ln(self.fc1(x)))))


class BilinearUp(nn.Module):
    """Bilinear up-sampling (Resize, mode linear, half-pixel coordinates) by (2, 3) between a convolution and a Linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 8 * 15, 4)

    def forward(self, x):
        m = F.interpolate(torch.tanh(self.conv(x)), scale_factor=(2, 3), mode="bilinear", align_corners=False)
        return self.fc(torch.flatten(m, 1))


MODELS = [
    # name, constructor, per-sample input shape (channels-first), opset, batch
    ("seed_mlp", SeedMlp, (28, 28), 13, 3),
    ("sample_cnn", SampleCnn, (1, 28, 28), 13, 3),
    ("residual_mlp", ResidualMlp, (28, 28), 13, 3),
    ("batchnorm_net", BatchNormNet, (1, 14, 14), 13, 3),
    ("depthwise_transposed", DepthwiseTransposed, (3, 8, 8), 13, 2),
    ("branches", Branches, (2, 6, 6), 13, 2),
    ("conv1d_net", Conv1dNet, (3, 10), 13, 3),
    ("layernorm_mlp", LayerNormMlp, (6,), 17, 4),
    ("bilinear_up", BilinearUp, (2, 4, 5), 13, 2),
]


def export(name, ctor, shape, opset, batch, dynamic_other_axis=False):
    torch.manual_seed(1234)
    gen = torch.Generator().manual_seed(99)
    model = ctor()
    with torch.no_grad():
        randomize_bn(model, gen)
    model.eval()
    x = torch.rand((batch,) + tuple(shape), generator=gen) * 2 - 1
    path = os.path.join(ONNX_DIR, name + ".onnx")
    axes = {0: "batch"}
    if dynamic_other_axis:
        axes[len(shape)] = "length"
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": axes, "output": {0: "batch"}}, do_constant_folding=True)
    with torch.no_grad():
        y = model(x)
    if isinstance(y, tuple):
        y = y[0]
    with open(os.path.join(ONNX_DIR, name + ".json"), "w") as f:
        json.dump({
            "opset": opset,
            "torch": torch.__version__,
            "inputShape": [batch] + list(shape),
            "input": [float(v) for v in x.reshape(-1).tolist()],
            "outputShape": list(y.shape),
            "output": [float(v) for v in y.reshape(-1).tolist()],
        }, f)
    return model


# --------------------------------------------------------------------------------------------- safetensors

DTYPES = {torch.float32: ("F32", "<f4"), torch.float16: ("F16", "<f2"), torch.bfloat16: ("BF16", None)}


def save_safetensors(tensors, path, metadata=None):
    """The safetensors format: u64 header size, JSON header (sorted by name, data_offsets), then the raw data."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        code, _ = DTYPES[t.dtype]
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype(DTYPES[t.dtype][1]).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def safetensors_fixtures(cnn, bn):
    os.makedirs(ST_DIR, exist_ok=True)
    sd = {k: v.detach().clone() for k, v in cnn.state_dict().items()}
    save_safetensors(sd, os.path.join(ST_DIR, "sample_cnn_f32.safetensors"), {"format": "pt"})
    save_safetensors({k: v.half() for k, v in sd.items()}, os.path.join(ST_DIR, "sample_cnn_f16.safetensors"), {"format": "pt"})
    save_safetensors({k: v.bfloat16() for k, v in sd.items()}, os.path.join(ST_DIR, "sample_cnn_bf16.safetensors"), {"format": "pt"})
    bsd = {k: v.detach().clone() for k, v in bn.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(bsd, os.path.join(ST_DIR, "batchnorm_net.safetensors"), {"format": "pt"})
    # Outputs of the half-precision weights (rounded back to float32) on the sample CNN's inputs.
    with open(os.path.join(ONNX_DIR, "sample_cnn.json")) as f:
        ref = json.load(f)
    x = torch.tensor(ref["input"], dtype=torch.float32).reshape(ref["inputShape"])
    out = {}
    for kind, conv in (("f16", lambda t: t.half().float()), ("bf16", lambda t: t.bfloat16().float())):
        m = SampleCnn()
        m.load_state_dict({k: conv(v) for k, v in sd.items()})
        m.eval()
        with torch.no_grad():
            out[kind] = [float(v) for v in m(x).reshape(-1).tolist()]
    with open(os.path.join(ST_DIR, "sample_cnn_half_outputs.json"), "w") as f:
        json.dump(out, f)


def main():
    os.makedirs(ONNX_DIR, exist_ok=True)
    models = {}
    for name, ctor, shape, opset, batch in MODELS:
        models[name] = export(name, ctor, shape, opset, batch)
    # A dynamic non-batch axis: the importer must refuse it naming the input and the axis.
    export("dynamic_length", Conv1dNet, (3, 10), 13, 2, dynamic_other_axis=True)
    safetensors_fixtures(models["sample_cnn"], models["batchnorm_net"])


if __name__ == "__main__":
    main()
