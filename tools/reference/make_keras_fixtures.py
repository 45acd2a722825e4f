#!/usr/bin/env python3
"""Keras-layout model files written with h5py (Debian python3-h5py), for the `netgen` import tests.

Keras itself is not installable here, so the files are written in Keras' documented layouts by h5py and the
reference outputs are computed by PyTorch (float32) on the same weights, converted to PyTorch's layouts:

- Fixtures/keras/keras3_mlp.keras, keras3_cnn.keras: Keras 3 zip archives: config.json (Sequential config with
  module/class_name/config/registered_name entries), metadata.json, model.weights.h5 with each layer's variables
  under layers/<name>/vars/<i> in the layer's variable order.
- Fixtures/keras/keras2_residual.h5: a Keras 2 HDF5 model file: root attributes keras_version, backend and
  model_config (a Functional config, inbound_nodes as [[["name", 0, 0, {}]]]), group model_weights with attribute
  layer_names, and per layer a group with attribute weight_names and datasets <layer>/<weight>:0.
- Fixtures/keras/keras2_lstm.h5: a Keras 2 file whose model holds an LSTM layer on a rank-1 input and no weights (the
  import must refuse it); keras2_convlstm.h5 likewise with a ConvLSTM2D layer (not mapped).
- Fixtures/keras/keras3_recurrent.keras: Keras 3 Sequential Input(5, 3) -> Masking(0) -> LSTM(4, return_sequences)
  -> GRU(3, reset_after) -> Dense(2, softmax), variables of the recurrent layers under layers/<name>/cell/vars (Keras
  3 keeps them in the cell); reference from PyTorch's nn.LSTM/nn.GRU cells in Keras' masking loop.
- Fixtures/keras/keras3_time_distributed.keras: Keras 3 Sequential Input(4, 6, 6, 2) -> TimeDistributed(Conv2D(3, 3,
  relu)) -> TimeDistributed(Flatten) -> LSTM(4) -> Dense(2, softmax); the wrapper's config holds the wrapped layer's
  config under "layer" and its variables are the wrapped layer's, under layers/<wrapper>/layer/vars (Keras 3 saves a
  Wrapper's `layer` attribute); reference: PyTorch conv2d on every frame, then an nn.LSTMCell loop.
- Fixtures/keras/keras3_convlstm.keras: Keras 3 Sequential Input(4, 6, 5, 2) -> ConvLSTM2D(3, (3, 2), strides 2,
  padding same, variables under layers/conv_lstm2d/cell/vars) -> Flatten -> Dense(2, softmax); reference from the
  ConvLSTM cell written with torch conv2d (Keras' same padding as an explicit pad, gates i, f, c, o);
  keras2_separable1d.h5: a Keras 2 file with a SeparableConv1D layer (not mapped).
- Fixtures/keras/keras3_bidirectional.keras: Keras 3 Sequential Input(5, 3) -> Bidirectional(LSTM(4), concat, its two copies'
  variables under layers/bidirectional/forward_layer/cell/vars and .../backward_layer/cell/vars) -> Dense(2, softmax);
  keras2_bidirectional.h5: a Keras 2 Functional Input(5, 3) -> Bidirectional(GRU(3, return_sequences, reset_after), sum;
  weight_names bidirectional/forward_gru/gru_cell/kernel:0, ..., backward_gru/...) -> Flatten -> Dense(2); references from
  PyTorch's LSTMCell/GRUCell in float64, the backward copy over the reversed steps (its sequence flipped back).
- Fixtures/keras/keras3_mha.keras: Keras 3 Functional tokens (6, 8) -> MultiHeadAttention(2, 4) self-attention (args
  [tokens, tokens]; variables under layers/mha/_query_dense/vars, _key_dense, _value_dense, _output_dense) -> Add ->
  GlobalAveragePooling1D -> Dense(2, softmax); keras2_mha.h5: Keras 2 Functional cross-attention of a (4, 5) query over a
  (6, 3) memory (the value in the call's kwargs, value_dim 2, output_shape 7, use_causal_mask) -> Flatten -> Dense(2);
  references: the attention written out with torch.einsum in float64.
- Fixtures/keras/keras3_convlstm1d.keras: Keras 3 Sequential Input(4, 7, 2) -> ConvLSTM1D(3, 3, padding same,
  return_sequences) -> Flatten -> Dense(2, softmax); reference from the same cell written with torch conv1d.
- Fixtures/keras/keras3_mha_attention_mask.keras: Keras 3 Functional inputs tokens (5, 8) and allowed (5, 5) ->
  MultiHeadAttention(2, 3)(tokens, tokens, attention_mask=allowed) -> Flatten -> Dense(2).
- Fixtures/keras/keras3_upsample_bilinear.keras: Keras 3 Sequential Input(3, 4, 2) -> UpSampling2D((2, 3),
  interpolation "bilinear") -> Conv2D(2, 1x1) -> Flatten -> Dense(2); reference from torch interpolate(mode="bilinear",
  align_corners=False) (Keras' half-pixel convention); its own generator, so it can be written alone.
Each model has <name>.json with channels-last inputs and the outputs.

Run:  /usr/bin/python3 tools/reference/make_keras_fixtures.py   (deterministic: fixed seeds)
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "NetGen.Cli.Tests", "Fixtures", "keras")
GEN = torch.Generator().manual_seed(2024)


def rand(*shape, scale=0.5):
    return ((torch.rand(*shape, generator=GEN) * 2 - 1) * scale).to(torch.float32)


def k3_layer(cls, config, module="keras.layers"):
    return {"module": module, "class_name": cls, "config": config, "registered_name": None}


def sequential_config(layers, input_shape):
    return {
        "module": "keras", "class_name": "Sequential",
        "config": {"name": "sequential", "trainable": True, "dtype": "float32", "layers": layers,
                   "build_input_shape": [None] + list(input_shape)},
        "registered_name": None, "build_config": {"input_shape": [None] + list(input_shape)}, "compile_config": None,
    }


def write_keras3_archive(path, config, groups, version="3.3.3"):
    """A Keras 3 .keras zip: metadata.json, config.json and model.weights.h5 holding each (group path, tensors) of
    `groups` as datasets 0, 1, ... (a tensor list of None makes an empty group), then optimizer/vars."""
    h5 = io.BytesIO()
    with h5py.File(h5, "w") as f:
        for group, tensors in groups:
            g = f.create_group(group)
            for i, t in enumerate(tensors or []):
                g.create_dataset(str(i), data=t.numpy().astype(np.float32))
        f.create_group("optimizer/vars")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": version, "date_saved": "2026-12-02@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", h5.getvalue())


def write_keras3(path, layers, weights, input_shape):
    write_keras3_archive(path, sequential_config(layers, input_shape), [(f"layers/{n}/vars", t) for n, t in weights.items()])


def save_reference(name, x, y):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"inputShape": list(x.shape), "input": [float(v) for v in x.reshape(-1).tolist()],
                   "outputShape": list(y.shape), "output": [float(v) for v in y.reshape(-1).tolist()]}, f)


def mlp():
    k1, b1, k2, b2, k3, b3 = rand(784, 128, scale=0.1), rand(128), rand(128, 64, scale=0.2), rand(64), rand(64, 10, scale=0.3), rand(10)
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 28, 28], "dtype": "float32", "sparse": False, "name": "input_layer"}),
        k3_layer("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}),
        k3_layer("Dense", {"name": "dense", "trainable": True, "dtype": "float32", "units": 128, "activation": "relu", "use_bias": True}),
        k3_layer("Dense", {"name": "dense_1", "trainable": True, "dtype": "float32", "units": 64, "activation": "relu", "use_bias": True}),
        k3_layer("Dense", {"name": "predictions", "trainable": True, "dtype": "float32", "units": 10, "activation": "softmax", "use_bias": True}),
    ]
    write_keras3(os.path.join(OUT, "keras3_mlp.keras"), layers, {"dense": [k1, b1], "dense_1": [k2, b2], "predictions": [k3, b3]}, (28, 28))
    x = torch.rand(3, 28, 28, generator=GEN)
    h = F.relu(x.reshape(3, -1) @ k1 + b1)
    h = F.relu(h @ k2 + b2)
    save_reference("keras3_mlp", x, F.softmax(h @ k3 + b3, dim=-1))


def cnn():
    # Input (12, 12, 2) -> Conv2D(4, 3, same, relu) -> BatchNormalization -> MaxPooling2D -> DepthwiseConv2D(3, x2)
    # -> GlobalAveragePooling2D -> Dense(3, softmax)
    kc, bc = rand(3, 3, 2, 4), rand(4)
    gamma, beta, mean, var = rand(4) + 1.0, rand(4), rand(4), torch.rand(4, generator=GEN) + 0.5
    kd, bd = rand(3, 3, 4, 2), rand(8)
    kf, bf = rand(8, 3), rand(3)
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 12, 12, 2], "dtype": "float32", "sparse": False, "name": "image"}),
        k3_layer("Conv2D", {"name": "conv", "trainable": True, "dtype": "float32", "filters": 4, "kernel_size": [3, 3], "strides": [1, 1],
                            "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True}),
        k3_layer("BatchNormalization", {"name": "bn", "trainable": True, "dtype": "float32", "axis": -1, "momentum": 0.99, "epsilon": 0.001,
                                        "center": True, "scale": True}),
        k3_layer("MaxPooling2D", {"name": "pool", "trainable": True, "dtype": "float32", "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                                  "data_format": "channels_last"}),
        k3_layer("DepthwiseConv2D", {"name": "depthwise", "trainable": True, "dtype": "float32", "kernel_size": [3, 3], "strides": [1, 1],
                                     "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "depth_multiplier": 2,
                                     "activation": "tanh", "use_bias": True}),
        k3_layer("GlobalAveragePooling2D", {"name": "gap", "trainable": True, "dtype": "float32", "data_format": "channels_last", "keepdims": False}),
        k3_layer("Dense", {"name": "head", "trainable": True, "dtype": "float32", "units": 3, "activation": "softmax", "use_bias": True}),
    ]
    write_keras3(os.path.join(OUT, "keras3_cnn.keras"), layers,
                 {"conv": [kc, bc], "bn": [gamma, beta, mean, var], "depthwise": [kd, bd], "head": [kf, bf]}, (12, 12, 2))
    x = torch.rand(2, 12, 12, 2, generator=GEN)
    h = F.relu(F.conv2d(x.permute(0, 3, 1, 2), kc.permute(3, 2, 0, 1), bc, padding=1))
    h = F.batch_norm(h, mean, var, gamma, beta, training=False, eps=1e-3)
    h = F.max_pool2d(h, 2)
    # depthwise kernel (kh, kw, C, M) -> PyTorch (C*M, 1, kh, kw), output channel c*M + m
    w = kd.permute(2, 3, 0, 1).reshape(8, 1, 3, 3)
    h = torch.tanh(F.conv2d(h, w, bd, groups=4))
    h = h.mean(dim=(2, 3))
    save_reference("keras3_cnn", x, F.softmax(h @ kf + bf, dim=-1))


def write_keras2(path, layers, weights, inputs, outputs):
    config = {"class_name": "Functional", "config": {"name": "model", "layers": layers, "input_layers": inputs, "output_layers": outputs}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.13.1"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        names = [l["name"] for l in layers]
        g.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.13.1"
        for n in names:
            lg = g.create_group(n)
            tensors = weights.get(n, [])
            lg.attrs["weight_names"] = np.array([f"{n}/{v}:0".encode("utf8") for v, _ in tensors], dtype="S")
            for v, t in tensors:
                lg.create_dataset(f"{n}/{v}:0", data=t.numpy().astype(np.float32))


def k2(cls, name, config, inbound):
    config = dict(config, name=name, trainable=True, dtype="float32")
    return {"class_name": cls, "config": config, "name": name, "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}


def residual():
    k1, b1, k2_, b2, k3, b3, k4, b4 = rand(16, 32), rand(32), rand(32, 32), rand(32), rand(32, 32), rand(32), rand(32, 4), rand(4)
    gamma, beta = rand(32) + 1.0, rand(32)
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 16], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_1"},
         "name": "input_1", "inbound_nodes": []},
        k2("Dense", "dense", {"units": 32, "activation": "relu", "use_bias": True}, ["input_1"]),
        k2("Dense", "dense_1", {"units": 32, "activation": "elu", "use_bias": True}, ["dense"]),
        k2("Dense", "dense_2", {"units": 32, "activation": "linear", "use_bias": True}, ["dense_1"]),
        k2("Add", "add", {}, ["dense", "dense_2"]),
        k2("LayerNormalization", "layer_normalization", {"axis": [1], "epsilon": 0.001, "center": True, "scale": True}, ["add"]),
        k2("Activation", "activation", {"activation": "gelu"}, ["layer_normalization"]),
        k2("Dense", "dense_3", {"units": 4, "activation": "sigmoid", "use_bias": True}, ["activation"]),
    ]
    weights = {"dense": [("kernel", k1), ("bias", b1)], "dense_1": [("kernel", k2_), ("bias", b2)], "dense_2": [("kernel", k3), ("bias", b3)],
               "layer_normalization": [("gamma", gamma), ("beta", beta)], "dense_3": [("kernel", k4), ("bias", b4)]}
    write_keras2(os.path.join(OUT, "keras2_residual.h5"), layers, weights, [["input_1", 0, 0]], [["dense_3", 0, 0]])
    x = torch.rand(3, 16, generator=GEN) * 2 - 1
    h = F.relu(x @ k1 + b1)
    y = (F.elu(h @ k2_ + b2)) @ k3 + b3
    z = F.layer_norm(h + y, (32,), gamma, beta, eps=1e-3)
    save_reference("keras2_residual", x, torch.sigmoid(F.gelu(z) @ k4 + b4))

    lstm_layers = [layers[0], k2("LSTM", "lstm", {"units": 4}, ["input_1"])]
    write_keras2(os.path.join(OUT, "keras2_lstm.h5"), lstm_layers, {}, [["input_1", 0, 0]], [["lstm", 0, 0]])
    convlstm_layers = [layers[0], k2("ConvLSTM2D", "conv_lstm", {"filters": 4}, ["input_1"])]
    write_keras2(os.path.join(OUT, "keras2_convlstm.h5"), convlstm_layers, {}, [["input_1", 0, 0]], [["conv_lstm", 0, 0]])


def write_keras3_cells(path, layers, weights, cells, input_shape):
    """write_keras3, with the variables of the layers in `cells` under layers/<name>/cell/vars (Keras 3's RNN layers)."""
    write_keras3_archive(path, sequential_config(layers, input_shape),
                         [(f"layers/{n}/cell/vars" if n in cells else f"layers/{n}/vars", t) for n, t in weights.items()])


def recurrent():
    u1, u2 = 4, 3
    k1, r1, b1 = rand(3, 4 * u1), rand(u1, 4 * u1), rand(4 * u1)
    k2_, r2, b2 = rand(u1, 3 * u2), rand(u2, 3 * u2), rand(2, 3 * u2)
    kd, bd = rand(u2, 2), rand(2)
    rnn = {"trainable": True, "dtype": "float32", "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
           "zero_output_for_mask": False, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "dropout": 0.0,
           "recurrent_dropout": 0.0, "seed": None}
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "name": "sequence"}),
        k3_layer("Masking", {"name": "masking", "trainable": True, "dtype": "float32", "mask_value": 0.0}),
        k3_layer("LSTM", dict(rnn, name="lstm", units=u1, return_sequences=True, unit_forget_bias=True)),
        k3_layer("GRU", dict(rnn, name="gru", units=u2, return_sequences=False, reset_after=True)),
        k3_layer("Dense", {"name": "head", "trainable": True, "dtype": "float32", "units": 2, "activation": "softmax", "use_bias": True}),
    ]
    write_keras3_cells(os.path.join(OUT, "keras3_recurrent.keras"), layers,
                       {"lstm": [k1, r1, b1], "gru": [k2_, r2, b2], "head": [kd, bd]}, {"lstm", "gru"}, (5, 3))
    x = torch.rand(3, 5, 3, generator=GEN) * 2 - 1
    x[1, 3:] = 0.0  # two padded steps at the end
    x[2, 1] = 0.0   # one in the middle
    mask = (x != 0).any(dim=2)
    lstm = torch.nn.LSTMCell(3, u1)
    gru = torch.nn.GRUCell(u1, u2)
    swap = lambda m, u: torch.cat([m[..., u:2 * u], m[..., :u], m[..., 2 * u:]], dim=-1)
    with torch.no_grad():
        lstm.weight_ih.copy_(k1.T); lstm.weight_hh.copy_(r1.T); lstm.bias_ih.copy_(b1); lstm.bias_hh.zero_()
        gru.weight_ih.copy_(swap(k2_, u2).T); gru.weight_hh.copy_(swap(r2, u2).T)
        gru.bias_ih.copy_(swap(b2[0], u2)); gru.bias_hh.copy_(swap(b2[1], u2))
        h, c, prev = torch.zeros(3, u1), torch.zeros(3, u1), torch.zeros(3, u1)
        seq = []
        for t in range(5):
            hn, cn = lstm(x[:, t], (h, c))
            m = mask[:, t:t + 1]
            out = torch.where(m, hn, prev)
            h, c, prev = torch.where(m, hn, h), torch.where(m, cn, c), out
            seq.append(out)
        g = torch.zeros(3, u2)
        for t in range(5):
            gn = gru(seq[t], g)
            g = torch.where(mask[:, t:t + 1], gn, g)
        save_reference("keras3_recurrent", x, F.softmax(g @ kd + bd, dim=-1))


def time_distributed():
    kc, bc = rand(3, 3, 2, 3), rand(3)
    u = 4
    k1, r1, b1 = rand(48, 4 * u, scale=0.3), rand(u, 4 * u), rand(4 * u)
    kd, bd = rand(u, 2), rand(2)
    conv = {"name": "conv2d", "trainable": True, "dtype": "float32", "filters": 3, "kernel_size": [3, 3], "strides": [1, 1],
            "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True}
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 4, 6, 6, 2], "dtype": "float32", "sparse": False, "name": "frames"}),
        k3_layer("TimeDistributed", {"name": "time_distributed", "trainable": True, "dtype": "float32", "layer": k3_layer("Conv2D", conv)}),
        k3_layer("TimeDistributed", {"name": "time_distributed_1", "trainable": True, "dtype": "float32",
                                     "layer": k3_layer("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"})}),
        k3_layer("LSTM", {"name": "lstm", "trainable": True, "dtype": "float32", "return_sequences": False, "return_state": False, "go_backwards": False,
                          "stateful": False, "unroll": False, "zero_output_for_mask": False, "units": u, "activation": "tanh",
                          "recurrent_activation": "sigmoid", "use_bias": True, "unit_forget_bias": True, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None}),
        k3_layer("Dense", {"name": "dense", "trainable": True, "dtype": "float32", "units": 2, "activation": "softmax", "use_bias": True}),
    ]
    path = os.path.join(OUT, "keras3_time_distributed.keras")
    write_keras3_archive(path, sequential_config(layers, (4, 6, 6, 2)),
                         [("layers/time_distributed/layer/vars", [kc, bc]), ("layers/lstm/cell/vars", [k1, r1, b1]), ("layers/dense/vars", [kd, bd]),
                          ("layers/time_distributed_1/layer/vars", None)])
    x = torch.rand(3, 4, 6, 6, 2, generator=GEN) * 2 - 1
    lstm = torch.nn.LSTMCell(48, u)
    with torch.no_grad():
        lstm.weight_ih.copy_(k1.T); lstm.weight_hh.copy_(r1.T); lstm.bias_ih.copy_(b1); lstm.bias_hh.zero_()
        frames = []
        for t in range(4):
            y = F.relu(F.conv2d(x[:, t].permute(0, 3, 1, 2), kc.permute(3, 2, 0, 1), bc))  # (n, 3, 4, 4)
            frames.append(y.permute(0, 2, 3, 1).reshape(3, -1))                           # channels-last flatten
        h, c = torch.zeros(3, u), torch.zeros(3, u)
        for t in range(4):
            h, c = lstm(frames[t], (h, c))
        save_reference("keras3_time_distributed", x, F.softmax(h @ kd + bd, dim=-1))
def convlstm():
    filters, (kh, kw), (sh, sw) = 3, (3, 2), (2, 2)
    kernel, rec, bias = rand(kh, kw, 2, 4 * filters), rand(kh, kw, filters, 4 * filters), rand(4 * filters)
    kd, bd = rand(3 * 3 * filters, 2), rand(2)
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 4, 6, 5, 2], "dtype": "float32", "sparse": False, "name": "frames"}),
        k3_layer("ConvLSTM2D", {"name": "conv_lstm2d", "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [kh, kw],
                                "strides": [sh, sw], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
                                "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "unit_forget_bias": True,
                                "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None, "return_sequences": False, "return_state": False,
                                "go_backwards": False, "stateful": False}),
        k3_layer("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}),
        k3_layer("Dense", {"name": "head", "trainable": True, "dtype": "float32", "units": 2, "activation": "softmax", "use_bias": True}),
    ]
    write_keras3_cells(os.path.join(OUT, "keras3_convlstm.keras"), layers,
                       {"conv_lstm2d": [kernel, rec, bias], "head": [kd, bd]}, {"conv_lstm2d"}, (4, 6, 5, 2))
    x = torch.rand(3, 4, 6, 5, 2, generator=GEN) * 2 - 1

    def conv(v, w, stride):
        # Keras "same": floor(P/2) before, the rest after, per axis.
        pads = []
        for n, k, s in ((v.shape[2], w.shape[0], stride[0]), (v.shape[3], w.shape[1], stride[1])):
            total = max(((n + s - 1) // s - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        v = F.pad(v, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
        return F.conv2d(v, w.permute(3, 2, 0, 1), stride=stride)

    with torch.no_grad():
        xd, kernel_d, rec_d, bias_d = x.double(), kernel.double(), rec.double(), bias.double()
        h = c = None
        for t in range(4):
            z = conv(xd[:, t].permute(0, 3, 1, 2), kernel_d, (sh, sw)) + bias_d[None, :, None, None]
            if h is None:
                h, c = torch.zeros(3, filters, z.shape[2], z.shape[3], dtype=torch.float64), torch.zeros(3, filters, z.shape[2], z.shape[3], dtype=torch.float64)
            z = z + conv(h, rec_d, (1, 1))
            i, f, g, o = (z[:, q * filters:(q + 1) * filters] for q in range(4))
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        flat = h.permute(0, 2, 3, 1).reshape(3, -1)
        save_reference("keras3_convlstm", x, F.softmax(flat @ kd.double() + bd.double(), dim=-1).float())

    input_layer = {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 8, 2], "dtype": "float32", "sparse": False,
                                                          "ragged": False, "name": "input_1"}, "name": "input_1", "inbound_nodes": []}
    layers1d = [input_layer, k2("SeparableConv1D", "separable_conv1d", {"filters": 4, "kernel_size": [3]}, ["input_1"])]
    write_keras2(os.path.join(OUT, "keras2_separable1d.h5"), layers1d, {}, [["input_1", 0, 0]], [["separable_conv1d", 0, 0]])


def convlstm1d():
    filters, k = 3, 3
    kernel, rec, bias = rand(k, 2, 4 * filters), rand(k, filters, 4 * filters), rand(4 * filters)
    kd, bd = rand(4 * 7 * filters, 2), rand(2)
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 4, 7, 2], "dtype": "float32", "sparse": False, "name": "signal"}),
        k3_layer("ConvLSTM1D", {"name": "conv_lstm1d", "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [k],
                                "strides": [1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1],
                                "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "unit_forget_bias": True,
                                "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None, "return_sequences": True, "return_state": False,
                                "go_backwards": False, "stateful": False}),
        k3_layer("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}),
        k3_layer("Dense", {"name": "head", "trainable": True, "dtype": "float32", "units": 2, "activation": "softmax", "use_bias": True}),
    ]
    write_keras3_cells(os.path.join(OUT, "keras3_convlstm1d.keras"), layers,
                       {"conv_lstm1d": [kernel, rec, bias], "head": [kd, bd]}, {"conv_lstm1d"}, (4, 7, 2))
    x = torch.rand(3, 4, 7, 2, generator=GEN) * 2 - 1

    def conv(v, w):
        # stride 1, Keras "same" for an odd kernel: (k - 1) / 2 on each side
        return F.conv1d(F.pad(v, ((k - 1) // 2, (k - 1) // 2)), w.permute(2, 1, 0))

    with torch.no_grad():
        xd, kernel_d, rec_d, bias_d = x.double(), kernel.double(), rec.double(), bias.double()
        h = torch.zeros(3, filters, 7, dtype=torch.float64)
        c = torch.zeros_like(h)
        frames = []
        for t in range(4):
            z = conv(xd[:, t].permute(0, 2, 1), kernel_d) + bias_d[None, :, None] + conv(h, rec_d)
            i, f, g, o = (z[:, q * filters:(q + 1) * filters] for q in range(4))
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            frames.append(h.permute(0, 2, 1))  # channels-last (3, 7, filters)
        flat = torch.stack(frames, dim=1).reshape(3, -1)
        save_reference("keras3_convlstm1d", x, F.softmax(flat @ kd.double() + bd.double(), dim=-1).float())


def bidirectional():
    """Keras 3: Bidirectional(LSTM(4), concat) -> Dense(2, softmax); Keras 2: Bidirectional(GRU(3, return_sequences), sum) -> Flatten -> Dense(2)."""
    u = 4
    fk, fr, fb = rand(3, 4 * u), rand(u, 4 * u), rand(4 * u)
    bk, br, bb = rand(3, 4 * u), rand(u, 4 * u), rand(4 * u)
    kd, bd = rand(2 * u, 2), rand(2)
    rnn = {"trainable": True, "dtype": "float32", "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
           "zero_output_for_mask": False, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "dropout": 0.0,
           "recurrent_dropout": 0.0, "seed": None}
    lstm_config = k3_layer("LSTM", dict(rnn, name="lstm", units=u, return_sequences=False, unit_forget_bias=True))
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "name": "sequence"}),
        k3_layer("Bidirectional", {"name": "bidirectional", "trainable": True, "dtype": "float32", "merge_mode": "concat",
                                   "layer": lstm_config, "backward_layer": k3_layer("LSTM", dict(lstm_config["config"], name="backward_lstm", go_backwards=True))}),
        k3_layer("Dense", {"name": "head", "trainable": True, "dtype": "float32", "units": 2, "activation": "softmax", "use_bias": True}),
    ]
    path = os.path.join(OUT, "keras3_bidirectional.keras")
    write_keras3_archive(path, sequential_config(layers, (5, 3)),
                         [("layers/bidirectional/forward_layer/cell/vars", [fk, fr, fb]),
                          ("layers/bidirectional/backward_layer/cell/vars", [bk, br, bb]), ("layers/head/vars", [kd, bd])])
    x = torch.rand(3, 5, 3, generator=GEN) * 2 - 1

    def lstm_run(k, r, b, steps):
        cell = torch.nn.LSTMCell(3, u).double()
        cell.weight_ih.copy_(k.double().T); cell.weight_hh.copy_(r.double().T); cell.bias_ih.copy_(b.double()); cell.bias_hh.zero_()
        h, c = torch.zeros(3, u, dtype=torch.float64), torch.zeros(3, u, dtype=torch.float64)
        for t in steps:
            h, c = cell(x[:, t].double(), (h, c))
        return h

    with torch.no_grad():
        both = torch.cat([lstm_run(fk, fr, fb, range(5)), lstm_run(bk, br, bb, reversed(range(5)))], dim=-1)
        save_reference("keras3_bidirectional", x, F.softmax(both @ kd.double() + bd.double(), dim=-1).float())

    g = 3
    gk, gr, gb = rand(3, 3 * g), rand(g, 3 * g), rand(2, 3 * g)
    hk, hr, hb = rand(3, 3 * g), rand(g, 3 * g), rand(2, 3 * g)
    kd2, bd2 = rand(5 * g, 2), rand(2)
    gru = {"units": g, "return_sequences": True, "reset_after": True, "activation": "tanh", "recurrent_activation": "sigmoid",
           "use_bias": True, "return_state": False, "go_backwards": False, "stateful": False}
    input_layer = {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 3], "dtype": "float32", "sparse": False,
                                                          "ragged": False, "name": "input_1"}, "name": "input_1", "inbound_nodes": []}
    layers2 = [
        input_layer,
        k2("Bidirectional", "bidirectional", {"merge_mode": "sum", "layer": {"class_name": "GRU", "config": dict(gru, name="gru")}}, ["input_1"]),
        k2("Flatten", "flatten", {}, ["bidirectional"]),
        k2("Dense", "dense", {"units": 2, "activation": "linear", "use_bias": True}, ["flatten"]),
    ]
    weights = {"bidirectional": [("forward_gru/gru_cell/kernel", gk), ("forward_gru/gru_cell/recurrent_kernel", gr), ("forward_gru/gru_cell/bias", gb),
                                 ("backward_gru/gru_cell/kernel", hk), ("backward_gru/gru_cell/recurrent_kernel", hr), ("backward_gru/gru_cell/bias", hb)],
               "dense": [("kernel", kd2), ("bias", bd2)]}
    write_keras2(os.path.join(OUT, "keras2_bidirectional.h5"), layers2, weights, [["input_1", 0, 0]], [["dense", 0, 0]])
    x2 = torch.rand(3, 5, 3, generator=GEN) * 2 - 1
    swap = lambda m: torch.cat([m[..., g:2 * g], m[..., :g], m[..., 2 * g:]], dim=-1)  # Keras z, r, h -> PyTorch r, z, n

    def gru_run(k, r, b, steps):
        cell = torch.nn.GRUCell(3, g).double()
        cell.weight_ih.copy_(swap(k).double().T); cell.weight_hh.copy_(swap(r).double().T)
        cell.bias_ih.copy_(swap(b[0]).double()); cell.bias_hh.copy_(swap(b[1]).double())
        h, outs = torch.zeros(3, g, dtype=torch.float64), {}
        for t in steps:
            h = cell(x2[:, t].double(), h)
            outs[t] = h
        return torch.stack([outs[t] for t in range(5)], dim=1)  # in input time order (Keras reverses the backward sequence back)

    with torch.no_grad():
        summed = gru_run(gk, gr, gb, range(5)) + gru_run(hk, hr, hb, reversed(range(5)))
        save_reference("keras2_bidirectional", x2, (summed.reshape(3, -1) @ kd2.double() + bd2.double()).float())


def bidirectional_convlstm():
    """Keras 3: Bidirectional(ConvLSTM1D(2, 3, same, return_sequences), concat) -> Flatten -> Dense(2, softmax) over (4, 7, 2)."""
    filters, k = 2, 3
    fw = [rand(k, 2, 4 * filters), rand(k, filters, 4 * filters), rand(4 * filters)]
    bw = [rand(k, 2, 4 * filters), rand(k, filters, 4 * filters), rand(4 * filters)]
    kd, bd = rand(4 * 7 * 2 * filters, 2), rand(2)
    cell = {"trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [k], "strides": [1], "padding": "same",
            "data_format": "channels_last", "dilation_rate": [1], "activation": "tanh", "recurrent_activation": "sigmoid",
            "use_bias": True, "unit_forget_bias": True, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None,
            "return_sequences": True, "return_state": False, "stateful": False}
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 4, 7, 2], "dtype": "float32", "sparse": False, "name": "signal"}),
        k3_layer("Bidirectional", {"name": "bidirectional", "trainable": True, "dtype": "float32", "merge_mode": "concat",
                                   "layer": k3_layer("ConvLSTM1D", dict(cell, name="conv_lstm1d", go_backwards=False)),
                                   "backward_layer": k3_layer("ConvLSTM1D", dict(cell, name="backward_conv_lstm1d", go_backwards=True))}),
        k3_layer("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}),
        k3_layer("Dense", {"name": "head", "trainable": True, "dtype": "float32", "units": 2, "activation": "softmax", "use_bias": True}),
    ]
    write_keras3_archive(os.path.join(OUT, "keras3_bidirectional_convlstm.keras"), sequential_config(layers, (4, 7, 2)),
                         [("layers/bidirectional/forward_layer/cell/vars", fw),
                          ("layers/bidirectional/backward_layer/cell/vars", bw), ("layers/head/vars", [kd, bd])])
    x = torch.rand(3, 4, 7, 2, generator=GEN) * 2 - 1

    def conv(v, w):
        return F.conv1d(F.pad(v, ((k - 1) // 2, (k - 1) // 2)), w.double().permute(2, 1, 0))

    def run(weights, steps):
        kernel, rec, bias = weights
        h = torch.zeros(3, filters, 7, dtype=torch.float64)
        c = torch.zeros_like(h)
        out = {}
        for t in steps:
            z = conv(x[:, t].double().permute(0, 2, 1), kernel) + bias.double()[None, :, None] + conv(h, rec)
            i, f, g, o = (z[:, q * filters:(q + 1) * filters] for q in range(4))
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            out[t] = h.permute(0, 2, 1)  # the output at input time t, channels-last (3, 7, filters)
        return torch.stack([out[t] for t in range(4)], dim=1)

    with torch.no_grad():
        # The backward copy reads t = 3..0; Keras flips its sequence back, so input time t pairs both directions' outputs.
        both = torch.cat([run(fw, range(4)), run(bw, reversed(range(4)))], dim=-1).reshape(3, -1)
        save_reference("keras3_bidirectional_convlstm", x, F.softmax(both @ kd.double() + bd.double(), dim=-1).float())


def k3_tensor(layer, shape):
    """A Keras 3 functional config's reference to the output of `layer`."""
    return {"class_name": "__keras_tensor__", "config": {"shape": [None] + list(shape), "dtype": "float32", "keras_history": [layer, 0, 0]}}


def k3_node(layer, cls, config, inbound):
    """A Keras 3 functional config's layer entry, called once on `inbound`."""
    return {"module": "keras.layers", "class_name": cls, "config": dict(config, name=layer, trainable=True, dtype="float32"),
            "registered_name": None, "name": layer, "inbound_nodes": inbound}


def mha_reference(q_in, v_in, wq, bq, wk, bk, wv, bv, wo, bo, causal=False, allowed=None):
    """Keras MultiHeadAttention in float64: q = x·Wq + bq (B, T, H, K), softmax(q·k / sqrt(K)) over the keys, then Wo."""
    d = lambda t: t.double()
    q = torch.einsum("btd,dhk->bthk", d(q_in), d(wq)) + d(bq)
    k = torch.einsum("bsd,dhk->bshk", d(v_in), d(wk)) + d(bk)
    v = torch.einsum("bsd,dhk->bshk", d(v_in), d(wv)) + d(bv)
    scores = torch.einsum("bthk,bshk->bhts", q, k) / (wq.shape[-1] ** 0.5)
    if causal:
        t, s_ = scores.shape[-2:]
        scores = scores.masked_fill(torch.ones(t, s_, dtype=torch.bool).triu(1), float("-inf"))
    if allowed is not None:
        scores = scores.masked_fill(allowed[:, None] == 0, float("-inf"))
    o = torch.einsum("bhts,bshv->bthv", torch.softmax(scores, dim=-1), v)
    return torch.einsum("bthv,hvo->bto", o, d(wo)) + d(bo)


def mha():
    """Keras 3 Functional: tokens (6, 8) -> MultiHeadAttention(2, 4)(tokens, tokens) -> Add -> GlobalAveragePooling1D -> Dense(2, softmax).
    Keras 2 Functional: a (4, 5) query attending to a (6, 3) value (value_dim 2, output_shape 7, causal) -> Flatten -> Dense(2)."""
    h, kd_ = 2, 4
    wq, bq, wk, bk, wv, bv = rand(8, h, kd_), rand(h, kd_), rand(8, h, kd_), rand(h, kd_), rand(8, h, kd_), rand(h, kd_)
    wo, bo = rand(h, kd_, 8), rand(8)
    wd, bd = rand(8, 2), rand(2)

    layers = [
        k3_node("tokens", "InputLayer", {"batch_shape": [None, 6, 8], "sparse": False}, []),
        k3_node("mha", "MultiHeadAttention", {"num_heads": h, "key_dim": kd_, "value_dim": None, "dropout": 0.0, "use_bias": True,
                                           "output_shape": None, "attention_axes": None},
             [{"args": [k3_tensor("tokens", (6, 8)), k3_tensor("tokens", (6, 8))], "kwargs": {"use_causal_mask": False}}]),
        k3_node("residual", "Add", {}, [{"args": [[k3_tensor("tokens", (6, 8)), k3_tensor("mha", (6, 8))]], "kwargs": {}}]),
        k3_node("pool", "GlobalAveragePooling1D", {"data_format": "channels_last", "keepdims": False}, [{"args": [k3_tensor("residual", (6, 8))], "kwargs": {}}]),
        k3_node("head", "Dense", {"units": 2, "activation": "softmax", "use_bias": True}, [{"args": [k3_tensor("pool", (8,))], "kwargs": {}}]),
    ]
    config = {"module": "keras", "class_name": "Functional",
              "config": {"name": "functional", "trainable": True, "layers": layers,
                         "input_layers": [["tokens", 0, 0]], "output_layers": [["head", 0, 0]]},
              "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
    write_keras3_archive(os.path.join(OUT, "keras3_mha.keras"), config,
                         [("layers/mha/_query_dense/vars", [wq, bq]), ("layers/mha/_key_dense/vars", [wk, bk]), ("layers/mha/_value_dense/vars", [wv, bv]),
                          ("layers/mha/_output_dense/vars", [wo, bo]), ("layers/head/vars", [wd, bd])], version="3.8.0")
    x = torch.rand(3, 6, 8, generator=GEN) * 2 - 1
    with torch.no_grad():
        pooled = (x.double() + mha_reference(x, x, wq, bq, wk, bk, wv, bv, wo, bo)).mean(dim=1)
        save_reference("keras3_mha", x, torch.softmax(pooled @ wd.double() + bd.double(), dim=-1).float())

    # Keras 2: cross-attention, two inputs packed side by side in one row per sample (query's 20 floats, then value's 18).
    wq2, bq2, wk2, bk2, wv2, bv2 = rand(5, 2, 3), rand(2, 3), rand(3, 2, 3), rand(2, 3), rand(3, 2, 2), rand(2, 2)
    wo2, bo2, wd2, bd2 = rand(2, 2, 7), rand(7), rand(4 * 7, 2), rand(2)
    inputs = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None] + shape, "dtype": "float32", "sparse": False, "ragged": False, "name": n},
               "name": n, "inbound_nodes": []} for n, shape in (("query", [4, 5]), ("memory", [6, 3]))]
    mha_layer = k2("MultiHeadAttention", "multi_head_attention", {"num_heads": 2, "key_dim": 3, "value_dim": 2, "dropout": 0.0, "use_bias": True,
                                                                   "output_shape": [7], "attention_axes": None}, [])
    mha_layer["inbound_nodes"] = [[["query", 0, 0, {"value": ["memory", 0, 0], "use_causal_mask": True}]]]
    layers2 = inputs + [mha_layer, k2("Flatten", "flatten", {}, ["multi_head_attention"]),
                        k2("Dense", "dense", {"units": 2, "activation": "linear", "use_bias": True}, ["flatten"])]
    weights = {"multi_head_attention": [("query/kernel", wq2), ("query/bias", bq2), ("key/kernel", wk2), ("key/bias", bk2),
                                        ("value/kernel", wv2), ("value/bias", bv2), ("attention_output/kernel", wo2), ("attention_output/bias", bo2)],
               "dense": [("kernel", wd2), ("bias", bd2)]}
    write_keras2(os.path.join(OUT, "keras2_mha.h5"), layers2, weights, [["query", 0, 0], ["memory", 0, 0]], [["dense", 0, 0]])
    xq = torch.rand(3, 4, 5, generator=GEN) * 2 - 1
    xm = torch.rand(3, 6, 3, generator=GEN) * 2 - 1
    with torch.no_grad():
        y = mha_reference(xq, xm, wq2, bq2, wk2, bk2, wv2, bv2, wo2, bo2, causal=True).reshape(3, -1) @ wd2.double() + bd2.double()
        save_reference("keras2_mha", torch.cat([xq.reshape(3, -1), xm.reshape(3, -1)], dim=1), y.float())


def mha_attention_mask():
    """Keras 3 Functional: tokens (5, 8) and allowed (5, 5) -> MultiHeadAttention(2, 3)(tokens, tokens, attention_mask=allowed)
    -> Flatten -> Dense(2); the reference input packs each sample's tokens (40 floats) then its mask (25)."""
    h, kd_ = 2, 3
    wq, bq, wk, bk, wv, bv = rand(8, h, kd_), rand(h, kd_), rand(8, h, kd_), rand(h, kd_), rand(8, h, kd_), rand(h, kd_)
    wo, bo = rand(h, kd_, 8), rand(8)
    wd, bd = rand(40, 2), rand(2)

    layers = [
        k3_node("tokens", "InputLayer", {"batch_shape": [None, 5, 8], "sparse": False}, []),
        k3_node("allowed", "InputLayer", {"batch_shape": [None, 5, 5], "sparse": False}, []),
        k3_node("mha", "MultiHeadAttention", {"num_heads": h, "key_dim": kd_, "value_dim": None, "dropout": 0.0, "use_bias": True,
                                           "output_shape": None, "attention_axes": None},
             [{"args": [k3_tensor("tokens", (5, 8)), k3_tensor("tokens", (5, 8))],
               "kwargs": {"attention_mask": k3_tensor("allowed", (5, 5)), "use_causal_mask": False}}]),
        k3_node("flatten", "Flatten", {"data_format": "channels_last"}, [{"args": [k3_tensor("mha", (5, 8))], "kwargs": {}}]),
        k3_node("head", "Dense", {"units": 2, "activation": "linear", "use_bias": True}, [{"args": [k3_tensor("flatten", (40,))], "kwargs": {}}]),
    ]
    config = {"module": "keras", "class_name": "Functional",
              "config": {"name": "functional", "trainable": True, "layers": layers,
                         "input_layers": [["tokens", 0, 0], ["allowed", 0, 0]], "output_layers": [["head", 0, 0]]},
              "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
    write_keras3_archive(os.path.join(OUT, "keras3_mha_attention_mask.keras"), config,
                         [("layers/mha/_query_dense/vars", [wq, bq]), ("layers/mha/_key_dense/vars", [wk, bk]), ("layers/mha/_value_dense/vars", [wv, bv]),
                          ("layers/mha/_output_dense/vars", [wo, bo]), ("layers/head/vars", [wd, bd])], version="3.8.0")
    x = torch.rand(3, 5, 8, generator=GEN) * 2 - 1
    # Every query may attend itself (no row without a key), and a different half of the others per sample.
    allowed = ((torch.rand(3, 5, 5, generator=GEN) > 0.5) | torch.eye(5, dtype=torch.bool)[None]).float()
    with torch.no_grad():
        y = mha_reference(x, x, wq, bq, wk, bk, wv, bv, wo, bo, allowed=allowed).reshape(3, -1) @ wd.double() + bd.double()
        save_reference("keras3_mha_attention_mask", torch.cat([x.reshape(3, -1), allowed.reshape(3, -1)], dim=1), y.float())


def upsample_bilinear():
    gen = torch.Generator().manual_seed(77)

    def r(*shape, scale=0.5):
        return ((torch.rand(*shape, generator=gen) * 2 - 1) * scale).to(torch.float32)

    kc, bc, kf, bf = r(1, 1, 2, 2), r(2), r(6 * 12 * 2, 2, scale=0.2), r(2)
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 3, 4, 2], "dtype": "float32", "sparse": False, "name": "image"}),
        k3_layer("UpSampling2D", {"name": "up", "trainable": True, "dtype": "float32", "size": [2, 3], "data_format": "channels_last",
                                  "interpolation": "bilinear"}),
        k3_layer("Conv2D", {"name": "mix", "trainable": True, "dtype": "float32", "filters": 2, "kernel_size": [1, 1], "strides": [1, 1],
                            "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear",
                            "use_bias": True}),
        k3_layer("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}),
        k3_layer("Dense", {"name": "head", "trainable": True, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": True}),
    ]
    write_keras3(os.path.join(OUT, "keras3_upsample_bilinear.keras"), layers, {"mix": [kc, bc], "head": [kf, bf]}, (3, 4, 2))
    x = torch.rand(2, 3, 4, 2, generator=gen)
    h = F.interpolate(x.permute(0, 3, 1, 2), scale_factor=(2, 3), mode="bilinear", align_corners=False)
    h = F.conv2d(h, kc.permute(3, 2, 0, 1), bc).permute(0, 2, 3, 1)
    save_reference("keras3_upsample_bilinear", x, h.reshape(2, -1) @ kf + bf)


def main():
    os.makedirs(OUT, exist_ok=True)
    mlp()
    cnn()
    residual()
    recurrent()  # after the others: the earlier fixtures' random draws stay as they were
    time_distributed()
    recurrent()  # the earlier fixtures' random draws stay as they were
    convlstm()
    convlstm1d()  # these last: the earlier fixtures' random draws stay as they were
    bidirectional()
    mha()
    bidirectional_convlstm()
    mha_attention_mask()  # last: the earlier fixtures' random draws stay as they were
    upsample_bilinear()  # its own generator


if __name__ == "__main__":
    main()
