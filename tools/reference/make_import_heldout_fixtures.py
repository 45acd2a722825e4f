#!/usr/bin/env python3
"""Keras files in the layouts Keras 3 and Keras 2 really write (full layer configs: DTypePolicy objects, initializer,
regularizer and constraint entries, null options), for the variants of `netgen import` most likely to break. Written with
h5py (no Keras here); reference outputs from PyTorch in float64 on the same float32 weights.

- Fixtures/keras/keras3_activations.keras: Keras 3 Sequential Input(6) -> Dense layers with the activation strings gelu,
  silu, hard_sigmoid, softplus, softsign, selu, relu6, leaky_relu, swish, elu, exponential, tanh, interleaved with the
  activation layers LeakyReLU(negative_slope 0.1), ReLU(max_value 0.8, negative_slope 0.05, threshold 0.1), ELU(alpha 0.7),
  PReLU, ReLU(max_value 6) and Softmax(axis -1).
- Fixtures/keras/keras3_norm.keras: Keras 3 Sequential Input(5, 4) -> BatchNormalization(axis 1, center False) ->
  LayerNormalization(scale False, epsilon 1e-5) -> Conv1D(3, 2, causal, dilation 2) -> PReLU(shared_axes [1]) ->
  Softmax(axis 1) -> Dense(4, trainable False) on the rank-3 tensor -> Flatten -> Dense(3).
- Fixtures/keras/keras3_nested.keras: Keras 3 Functional with inputs a (5) and b (3) listed in input_layers as [b, a]
  (the layers list has a first), a nested Sequential "encoder" (Dense 6 relu, Dense 4 tanh; variables under
  layers/encoder/layers/<name>/vars) called on a, Concatenate([encoder, b]) -> Dense(3, softmax) "head" and a second
  output Dense(2) "aux" on the encoder; inputs packed per sample as [b | a], outputs as [head | aux].
- Fixtures/keras/keras2_sequential.h5: a Keras 2.x Sequential file (no InputLayer: batch_input_shape on the first layer)
  LSTM(4, recurrent_activation hard_sigmoid, Keras 2's clip(0.2x + 0.5)) -> Dense(6) -> LeakyReLU(alpha 0.2) ->
  ThresholdedReLU(theta 0.1) -> Dense(3, softmax); weights under model_weights/<layer> with weight_names;
  keras2_sequential_list.h5 is the same model with the bare-list Sequential config of Keras <= 2.2.4.
- Fixtures/keras/keras3_missing_weight.keras, keras3_wrong_shape.keras: Input(4) -> Dense(3) "head" with its bias missing
  from model.weights.h5, or its kernel stored as (3, 4); keras2_missing_dataset.h5: a Keras 2 file whose weight_names list
  a kernel that is not in the file (the import must refuse all three, naming file, layer and shape).
- Fixtures/keras/keras3_preprocess.keras: Keras 3 Sequential Input(5, 5, 3) -> Rescaling(1/255, offset -0.5) ->
  Normalization(axis -1, adapted mean and variance variables) -> Conv2D(4, 3) -> GroupNormalization(2) -> Flatten ->
  Dense(2); keras2_preprocess.h5: Keras 2 Sequential Normalization(axis -1; mean, variance and the int64 count) ->
  Rescaling(per-channel scale [0.5, 2, -1, 1]) -> Dense(2).
- Fixtures/keras/keras3_text.keras: Keras 3 Sequential Input(6) of token ids -> Embedding(10, 4, mask_zero) -> LSTM(3)
  (padded steps skipped) -> RepeatVector(2) -> Flatten -> Dense(2, softmax).
- Fixtures/keras/keras2_nested.h5: the Keras 2 form of keras3_nested (a Functional "model" with inputs a (5), b (3) and
  input_layers [b, a], the nested Sequential "encoder" called on a, Concatenate, outputs head and aux); the encoder's
  weights are one group model_weights/encoder whose weight_names are enc_hidden/kernel:0, ..., enc_out/bias:0.
- Fixtures/keras/keras3_strided.keras: Keras 3 Sequential Input(7, 6, 2) -> Conv2D(3, 3, strides 2, same: TF pads the
  odd total after) -> AveragePooling2D(2, strides 1, same: the padding is left out of the mean) -> MaxPooling2D(3,
  strides 2, same) -> Conv2DTranspose(2, 3, strides 2, same) -> SeparableConv2D(2, 3, same, depth_multiplier 2) ->
  Flatten -> Dense(2); the reference pads explicitly as TensorFlow does.
- Fixtures/keras/keras3_attention.keras: Keras 3 Functional q (4, 6), v (5, 6) -> Attention(use_scale, score_mode concat)
  ([q, v]) and AdditiveAttention(use_scale)([q, v], use_causal_mask) -> Dot(axes 2) of the two -> Dot(axes [1, 1],
  normalize) of q and the first -> Flatten both, Concatenate -> Dense(2); scalar variables stored with shape ().
- Fixtures/keras/keras3_shared.keras, keras2_shared.h5: a Siamese model, inputs a (5) and b (5) -> a shared Dense
  "embed" (6, relu) called on each (inbound_nodes with two calls, read as ["embed", 0, 0] and ["embed", 1, 0]) -> a
  nested Sequential "tower" (Dense 4 tanh) called on each (Keras 3 numbers its calls 0 and 1, Keras 2 1 and 2: node 0
  of a Keras 2 model with an InputLayer is its own construction) -> Subtract -> Dense(1, sigmoid).
- Fixtures/keras/keras2_gru_backwards.h5: Keras 2 Functional Input(5, 3) -> GRU(4, reset_after False, go_backwards,
  return_sequences: the outputs in processing order) -> SimpleRNN(3, relu) -> Dense(2).
Each model has <name>.json with its inputs and the outputs (float64 reference rounded to float32).

Run:  /usr/bin/python3 tools/reference/make_import_heldout_fixtures.py   (deterministic: fixed seed)
"""
import io
import json
import math
import os
import zipfile

import h5py
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "NetGen.Cli.Tests", "Fixtures", "keras")
GEN = torch.Generator().manual_seed(7321)
D = torch.float64


def rand(*shape, scale=0.5):
    return ((torch.rand(*shape, generator=GEN) * 2 - 1) * scale).to(torch.float32)


POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def init(cls, config=None):
    return {"module": "keras.initializers", "class_name": cls, "config": config or {}, "registered_name": None}


def k3(cls, name, config):
    """A Keras 3 layer entry with the base fields Keras 3 writes."""
    return {"module": "keras.layers", "class_name": cls,
            "config": dict({"name": name, "trainable": True, "dtype": POLICY}, **config), "registered_name": None}


def dense(name, units, activation, trainable=True):
    e = k3("Dense", name, {"units": units, "activation": activation, "use_bias": True,
                           "kernel_initializer": init("GlorotUniform", {"seed": None}), "bias_initializer": init("Zeros"),
                           "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
                           "lora_rank": None})
    e["config"]["trainable"] = trainable
    return e


def input_layer(name, shape):
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": [None] + list(shape), "dtype": "float32", "sparse": False, "ragged": False, "name": name},
            "registered_name": None}


def sequential(name, layers, input_shape):
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": name, "trainable": True, "dtype": POLICY, "layers": layers},
            "registered_name": None, "build_config": {"input_shape": [None] + list(input_shape)}, "compile_config": None}


def write_keras3(path, config, groups):
    h5 = io.BytesIO()
    with h5py.File(h5, "w") as f:
        for group, tensors in groups:
            g = f.create_group(group)
            for i, t in enumerate(tensors):
                g.create_dataset(str(i), data=t.numpy().astype(np.float32))
        f.create_group("optimizer/vars")
    with zipfile.ZipFile(path, "w") as z:  # fixed entry times: the archives regenerate byte for byte
        for entry, data in [("metadata.json", json.dumps({"keras_version": "3.6.0", "date_saved": "2026-12-03@00:00:00"})),
                            ("config.json", json.dumps(config)), ("model.weights.h5", h5.getvalue())]:
            z.writestr(zipfile.ZipInfo(entry, date_time=(2026, 12, 3, 0, 0, 0)), data)


def save_reference(name, x, y):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"inputShape": list(x.shape), "input": [float(v) for v in x.reshape(-1).tolist()],
                   "outputShape": list(y.shape), "output": [float(v) for v in y.reshape(-1).tolist()]}, f)


def keras_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    """Keras' ReLU: min(x, max_value) above the threshold, negative_slope * (x - threshold) at or below it."""
    above = x if max_value is None else torch.clamp(x, max=max_value)
    return torch.where(x > threshold, above, negative_slope * (x - threshold))


ACTS = {
    "gelu": lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2))),
    "silu": lambda x: x * torch.sigmoid(x),
    "swish": lambda x: x * torch.sigmoid(x),
    "hard_sigmoid": lambda x: torch.clamp(x / 6 + 0.5, 0, 1),  # Keras 3: relu6(x + 3) / 6
    "softplus": F.softplus,
    "softsign": lambda x: x / (1 + x.abs()),
    "selu": lambda x: 1.0507009873554805 * torch.where(x > 0, x, 1.6732632423543772 * torch.expm1(x)),
    "relu6": lambda x: torch.clamp(x, 0, 6),
    "leaky_relu": lambda x: torch.where(x > 0, x, 0.2 * x),  # Keras' leaky_relu activation: negative_slope 0.2
    "elu": lambda x: torch.where(x > 0, x, torch.expm1(x)),
    "exponential": torch.exp,
    "tanh": torch.tanh,
    "linear": lambda x: x,
}


def activations():
    plan = [("gelu", 8), ("silu", 8), ("hard_sigmoid", 8), ("softplus", 8), ("softsign", 8), ("selu", 8), ("relu6", 8),
            ("leaky_relu", 8), ("swish", 8), ("elu", 8), ("exponential", 8), ("tanh", 5)]
    extra = {0: ("LeakyReLU", {"negative_slope": 0.1}), 1: ("ReLU", {"max_value": 0.8, "negative_slope": 0.05, "threshold": 0.1}),
             3: ("ELU", {"alpha": 0.7}), 5: ("PReLU", {"alpha_initializer": init("Zeros"), "alpha_regularizer": None,
                                                      "alpha_constraint": None, "shared_axes": None}),
             7: ("ReLU", {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0})}
    layers = [input_layer("features", (6,))]
    groups = []
    ops = []
    fan_in = 6
    for i, (act, units) in enumerate(plan):
        k, b = rand(fan_in, units, scale=0.8), rand(units, scale=0.3)
        name = f"dense_{i}" if i else "dense"
        layers.append(dense(name, units, act))
        groups.append((f"layers/{name}/vars", [k, b]))
        ops.append(lambda h, k=k, b=b, act=act: ACTS[act](h @ k.to(D) + b.to(D)))
        if i in extra:
            cls, cfg = extra[i]
            lname = {"LeakyReLU": "leaky_re_lu", "ReLU": "re_lu", "ELU": "elu", "PReLU": "p_re_lu"}[cls] + f"_{i}"
            layers.append(k3(cls, lname, cfg))
            if cls == "LeakyReLU":
                ops.append(lambda h: torch.where(h > 0, h, 0.1 * h))
            elif cls == "ReLU":
                ops.append(lambda h, cfg=cfg: keras_relu(h, cfg["max_value"], cfg["negative_slope"], cfg["threshold"]))
            elif cls == "ELU":
                ops.append(lambda h: torch.where(h > 0, h, 0.7 * torch.expm1(h)))
            else:
                alpha = rand(units, scale=0.6)
                groups.append((f"layers/{lname}/vars", [alpha]))
                ops.append(lambda h, alpha=alpha: torch.where(h > 0, h, alpha.to(D) * h))
        fan_in = units
    layers.append(k3("Softmax", "softmax", {"axis": -1}))
    ops.append(lambda h: torch.softmax(h, dim=-1))
    write_keras3(os.path.join(OUT, "keras3_activations.keras"), sequential("activations", layers, (6,)), groups)
    x = rand(4, 6, scale=2.0)
    h = x.to(D)
    for op in ops:
        h = op(h)
    save_reference("keras3_activations", x, h)


def norm():
    gamma_bn, mean, var = rand(5) + 1.0, rand(5), torch.rand(5, generator=GEN) + 0.5
    beta_ln = rand(4)
    kc, bc = rand(2, 4, 3), rand(3)
    alpha = rand(1, 3, scale=0.6)  # PReLU shared over the steps axis: alpha (1, 3)
    kd, bd = rand(3, 4), rand(4)
    kh, bh = rand(20, 3), rand(3)
    reg = {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": None}
    layers = [
        input_layer("sequence", (5, 4)),
        k3("BatchNormalization", "bn", {"axis": 1, "momentum": 0.9, "epsilon": 0.001, "center": False, "scale": True,
                                        "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
                                        "moving_mean_initializer": init("Zeros"), "moving_variance_initializer": init("Ones"),
                                        "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                                        "gamma_constraint": None, "synchronized": False}),
        k3("LayerNormalization", "ln", {"axis": [-1], "epsilon": 1e-5, "center": True, "scale": False, "rms_scaling": False,
                                        "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
                                        "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}),
        k3("Conv1D", "conv", {"filters": 3, "kernel_size": [2], "strides": [1], "padding": "causal", "data_format": "channels_last",
                              "dilation_rate": [2], "groups": 1, "activation": "linear", "use_bias": True,
                              "kernel_initializer": init("GlorotUniform", {"seed": None}), "bias_initializer": init("Zeros"),
                              "kernel_regularizer": reg, "bias_regularizer": None, "activity_regularizer": None,
                              "kernel_constraint": None, "bias_constraint": None}),
        k3("PReLU", "prelu", {"alpha_initializer": init("Zeros"), "alpha_regularizer": None, "alpha_constraint": None, "shared_axes": [1]}),
        k3("Softmax", "steps_softmax", {"axis": 1}),
        dense("per_step", 4, "tanh", trainable=False),
        k3("Flatten", "flatten", {"data_format": "channels_last"}),
        dense("head", 3, "linear"),
    ]
    write_keras3(os.path.join(OUT, "keras3_norm.keras"), sequential("norm", layers, (5, 4)),
                 [("layers/bn/vars", [gamma_bn, mean, var]), ("layers/ln/vars", [beta_ln]), ("layers/conv/vars", [kc, bc]),
                  ("layers/prelu/vars", [alpha]), ("layers/per_step/vars", [kd, bd]), ("layers/head/vars", [kh, bh])])
    x = rand(3, 5, 4, scale=2.0)
    h = x.to(D)
    # BatchNormalization over axis 1 (the 5 steps): one statistic per step.
    h = (h - mean.to(D)[:, None]) / torch.sqrt(var.to(D)[:, None] + 1e-3) * gamma_bn.to(D)[:, None]
    h = F.layer_norm(h, (4,), None, beta_ln.to(D), eps=1e-5)
    # causal Conv1D, dilation 2: pad (kernel - 1) * dilation = 2 steps on the left.
    h = F.conv1d(F.pad(h.permute(0, 2, 1), (2, 0)), kc.to(D).permute(2, 1, 0), bc.to(D), dilation=2).permute(0, 2, 1)
    h = torch.where(h > 0, h, alpha.to(D) * h)
    h = torch.softmax(h, dim=1)
    h = torch.tanh(h @ kd.to(D) + bd.to(D))
    y = h.reshape(3, -1) @ kh.to(D) + bh.to(D)
    save_reference("keras3_norm", x, y)


def tensor(layer, shape):
    return {"class_name": "__keras_tensor__", "config": {"shape": [None] + list(shape), "dtype": "float32", "keras_history": [layer, 0, 0]}}


def node(entry, inbound):
    entry = dict(entry)
    entry["name"] = entry["config"]["name"]
    entry["inbound_nodes"] = inbound
    return entry


def nested():
    k1, b1, k2, b2 = rand(5, 6), rand(6), rand(6, 4), rand(4)
    kh, bh, ka, ba = rand(7, 3), rand(3), rand(4, 2), rand(2)
    encoder = sequential("encoder", [input_layer("encoder_input", (5,)), dense("enc_hidden", 6, "relu"), dense("enc_out", 4, "tanh")], (5,))
    layers = [
        node(input_layer("a", (5,)), []),
        node(input_layer("b", (3,)), []),
        node(encoder, [{"args": [tensor("a", (5,))], "kwargs": {"mask": None}}]),
        node(k3("Concatenate", "joined", {"axis": -1}), [{"args": [[tensor("encoder", (4,)), tensor("b", (3,))]], "kwargs": {}}]),
        node(dense("head", 3, "softmax"), [{"args": [tensor("joined", (7,))], "kwargs": {}}]),
        node(dense("aux", 2, "linear"), [{"args": [tensor("encoder", (4,))], "kwargs": {}}]),
    ]
    config = {"module": "keras", "class_name": "Functional",
              "config": {"name": "two_way", "trainable": True, "layers": layers,
                         "input_layers": [["b", 0, 0], ["a", 0, 0]], "output_layers": [["head", 0, 0], ["aux", 0, 0]]},
              "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
    write_keras3(os.path.join(OUT, "keras3_nested.keras"), config,
                 [("layers/encoder/layers/enc_hidden/vars", [k1, b1]), ("layers/encoder/layers/enc_out/vars", [k2, b2]),
                  ("layers/head/vars", [kh, bh]), ("layers/aux/vars", [ka, ba])])
    a, b = rand(4, 5, scale=1.5), rand(4, 3, scale=1.5)
    e = torch.tanh(F.relu(a.to(D) @ k1.to(D) + b1.to(D)) @ k2.to(D) + b2.to(D))
    head = torch.softmax(torch.cat([e, b.to(D)], dim=1) @ kh.to(D) + bh.to(D), dim=-1)
    aux = e @ ka.to(D) + ba.to(D)
    save_reference("keras3_nested", torch.cat([b, a], dim=1), torch.cat([head, aux], dim=1))


def keras2_sequential():
    u = 4
    k, r, bias = rand(3, 4 * u), rand(u, 4 * u), rand(4 * u)
    kd, bd, kh, bh = rand(u, 6), rand(6), rand(6, 3), rand(3)

    def k2(cls, name, config):
        return {"class_name": cls, "config": dict({"name": name, "trainable": True, "dtype": "float32"}, **config)}

    glorot = {"class_name": "GlorotUniform", "config": {"seed": None}}
    layers = [
        k2("LSTM", "lstm", {"batch_input_shape": [None, 5, 3], "return_sequences": False, "return_state": False, "go_backwards": False,
                            "stateful": False, "unroll": False, "time_major": False, "units": u, "activation": "tanh",
                            "recurrent_activation": "hard_sigmoid", "use_bias": True, "kernel_initializer": glorot,
                            "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
                            "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": True,
                            "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
                            "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
                            "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2}),
        k2("Dense", "dense", {"units": 6, "activation": "linear", "use_bias": True, "kernel_initializer": glorot,
                              "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                              "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}),
        k2("LeakyReLU", "leaky_re_lu", {"alpha": 0.2}),
        k2("ThresholdedReLU", "thresholded_re_lu", {"theta": 0.1}),
        k2("Dense", "dense_1", {"units": 3, "activation": "softmax", "use_bias": True, "kernel_initializer": glorot,
                                "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                                "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}),
    ]
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    weights = {"lstm": [("lstm_cell/kernel", k), ("lstm_cell/recurrent_kernel", r), ("lstm_cell/bias", bias)],
               "dense": [("kernel", kd), ("bias", bd)], "dense_1": [("kernel", kh), ("bias", bh)]}
    with h5py.File(os.path.join(OUT, "keras2_sequential.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        names = [l["config"]["name"] for l in layers]
        g.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
        for n in names:
            lg = g.create_group(n)
            tensors = weights.get(n, [])
            lg.attrs["weight_names"] = np.array([f"{n}/{v}:0".encode("utf8") for v, _ in tensors], dtype="S")
            for v, t in tensors:
                lg.create_dataset(f"{n}/{v}:0", data=t.numpy().astype(np.float32))
    # Keras up to 2.2.4 wrote a Sequential config as the bare list of layers: the same model in that form.
    with h5py.File(os.path.join(OUT, "keras2_sequential_list.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": layers}).encode("utf8")
        g = f.create_group("model_weights")
        names = [l["config"]["name"] for l in layers]
        g.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
        for n in names:
            lg = g.create_group(n)
            tensors = weights.get(n, [])
            lg.attrs["weight_names"] = np.array([f"{n}/{v}:0".encode("utf8") for v, _ in tensors], dtype="S")
            for v, t in tensors:
                lg.create_dataset(f"{n}/{v}:0", data=t.numpy().astype(np.float32))
    x = rand(3, 5, 3, scale=2.0)
    hs = lambda z: torch.clamp(0.2 * z + 0.5, 0, 1)  # Keras 2's hard_sigmoid
    h, c = torch.zeros(3, u, dtype=D), torch.zeros(3, u, dtype=D)
    for t in range(5):
        z = x[:, t].to(D) @ k.to(D) + h @ r.to(D) + bias.to(D)
        i, fg, g_, o = z.split(u, dim=1)
        c = hs(fg) * c + hs(i) * torch.tanh(g_)
        h = hs(o) * torch.tanh(c)
    y = h @ kd.to(D) + bd.to(D)
    y = torch.where(y > 0, y, 0.2 * y)
    y = torch.where(y > 0.1, y, torch.zeros_like(y))
    save_reference("keras2_sequential", x, torch.softmax(y @ kh.to(D) + bh.to(D), dim=-1))


def broken():
    k, b = rand(4, 3), rand(3)
    config = sequential("small", [input_layer("x", (4,)), dense("head", 3, "linear")], (4,))
    write_keras3(os.path.join(OUT, "keras3_missing_weight.keras"), config, [("layers/head/vars", [k])])
    write_keras3(os.path.join(OUT, "keras3_wrong_shape.keras"), config, [("layers/head/vars", [k.T.contiguous(), b])])
    layer = {"class_name": "Dense", "config": {"name": "head", "trainable": True, "dtype": "float32", "units": 3, "activation": "linear",
                                               "use_bias": True, "batch_input_shape": [None, 4]}}
    with h5py.File(os.path.join(OUT, "keras2_missing_dataset.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "sequential", "layers": [layer]}}).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"head"])
        lg = g.create_group("head")
        lg.attrs["weight_names"] = np.array([b"head/kernel:0", b"head/bias:0"], dtype="S")
        lg.create_dataset("head/bias:0", data=b.numpy())


def preprocess():
    mean, var = rand(3, scale=0.3), torch.rand(3, generator=GEN) + 0.2
    kc, bc = rand(3, 3, 3, 4), rand(4)
    gamma, beta = rand(4) + 1.0, rand(4)
    kd, bd = rand(36, 2, scale=0.3), rand(2)
    layers = [
        input_layer("image", (5, 5, 3)),
        k3("Rescaling", "rescaling", {"scale": 1 / 255, "offset": -0.5}),
        k3("Normalization", "normalization", {"axis": [-1], "mean": None, "variance": None, "invert": False}),
        k3("Conv2D", "conv", {"filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
                              "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True,
                              "kernel_initializer": init("GlorotUniform", {"seed": None}), "bias_initializer": init("Zeros"),
                              "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                              "kernel_constraint": None, "bias_constraint": None}),
        k3("GroupNormalization", "group_norm", {"groups": 2, "axis": -1, "epsilon": 0.001, "center": True, "scale": True,
                                                "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
                                                "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}),
        k3("Flatten", "flatten", {"data_format": "channels_last"}),
        dense("head", 2, "linear"),
    ]
    write_keras3(os.path.join(OUT, "keras3_preprocess.keras"), sequential("preprocess", layers, (5, 5, 3)),
                 [("layers/normalization/vars", [mean, var]), ("layers/conv/vars", [kc, bc]), ("layers/group_norm/vars", [gamma, beta]),
                  ("layers/head/vars", [kd, bd])])
    x = torch.floor(torch.rand(2, 5, 5, 3, generator=GEN) * 256)
    h = x.to(D) / 255 - 0.5
    h = (h - mean.to(D)) / torch.sqrt(var.to(D))
    h = F.relu(F.conv2d(h.permute(0, 3, 1, 2), kc.to(D).permute(3, 2, 0, 1), bc.to(D)))
    h = F.group_norm(h, 2, gamma.to(D), beta.to(D), eps=1e-3).permute(0, 2, 3, 1)
    save_reference("keras3_preprocess", x, h.reshape(2, -1) @ kd.to(D) + bd.to(D))

    mean2, var2 = rand(4), torch.rand(4, generator=GEN) + 0.2
    kh, bh = rand(4, 2), rand(2)
    layers2 = [
        {"class_name": "Normalization", "config": {"name": "normalization", "trainable": True, "dtype": "float32",
                                                   "batch_input_shape": [None, 4], "axis": [-1], "mean": None, "variance": None}},
        {"class_name": "Rescaling", "config": {"name": "rescaling", "trainable": True, "dtype": "float32", "scale": [0.5, 2.0, -1.0, 1.0], "offset": 0.25}},
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": True}},
    ]
    with h5py.File(os.path.join(OUT, "keras2_preprocess.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "sequential", "layers": layers2}}).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"normalization", b"rescaling", b"dense"])
        tensors = {"normalization": [("mean", mean2.numpy()), ("variance", var2.numpy()), ("count", np.array(120, dtype=np.int64))],
                   "rescaling": [], "dense": [("kernel", kh.numpy()), ("bias", bh.numpy())]}
        for n, ts in tensors.items():
            lg = g.create_group(n)
            lg.attrs["weight_names"] = np.array([f"{n}/{v}:0".encode("utf8") for v, _ in ts], dtype="S")
            for v, t in ts:
                lg.create_dataset(f"{n}/{v}:0", data=t)
    x2 = rand(3, 4, scale=2.0)
    h2 = (x2.to(D) - mean2.to(D)) / torch.sqrt(var2.to(D))
    h2 = h2 * torch.tensor([0.5, 2.0, -1.0, 1.0], dtype=D) + 0.25
    save_reference("keras2_preprocess", x2, h2 @ kh.to(D) + bh.to(D))


def text():
    u = 3
    table = rand(10, 4)
    k, r, bias = rand(4, 4 * u), rand(u, 4 * u), rand(4 * u)
    kh, bh = rand(2 * u, 2), rand(2)
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer",
         "config": {"batch_shape": [None, 6], "dtype": "int32", "sparse": False, "ragged": False, "name": "tokens"}, "registered_name": None},
        k3("Embedding", "embedding", {"input_dim": 10, "output_dim": 4, "embeddings_initializer": init("RandomUniform", {"minval": -0.05, "maxval": 0.05, "seed": None}),
                                      "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
                                      "mask_zero": True, "lora_rank": None}),
        k3("LSTM", "lstm", {"return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
                            "zero_output_for_mask": False, "units": u, "activation": "tanh", "recurrent_activation": "sigmoid",
                            "use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                            "recurrent_initializer": init("Orthogonal", {"gain": 1.0, "seed": None}), "bias_initializer": init("Zeros"),
                            "unit_forget_bias": True, "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
                            "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None,
                            "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None}),
        k3("RepeatVector", "repeat", {"n": 2}),
        k3("Flatten", "flatten", {"data_format": "channels_last"}),
        dense("head", 2, "softmax"),
    ]
    write_keras3(os.path.join(OUT, "keras3_text.keras"), sequential("text", layers, (6,)),
                 [("layers/embedding/vars", [table]), ("layers/lstm/cell/vars", [k, r, bias]), ("layers/head/vars", [kh, bh])])
    tokens = torch.tensor([[3, 1, 4, 1, 5, 9], [2, 6, 5, 0, 0, 0], [0, 0, 7, 8, 0, 2]], dtype=torch.int64)
    h, c = torch.zeros(3, u, dtype=D), torch.zeros(3, u, dtype=D)
    for t in range(6):
        z = table.to(D)[tokens[:, t]] @ k.to(D) + h @ r.to(D) + bias.to(D)
        i, fg, g_, o = z.split(u, dim=1)
        c2 = torch.sigmoid(fg) * c + torch.sigmoid(i) * torch.tanh(g_)
        h2 = torch.sigmoid(o) * torch.tanh(c2)
        keep = (tokens[:, t] != 0)[:, None]  # a padded step leaves the state as it was
        h, c = torch.where(keep, h2, h), torch.where(keep, c2, c)
    y = torch.softmax(torch.cat([h, h], dim=1) @ kh.to(D) + bh.to(D), dim=-1)
    save_reference("keras3_text", tokens.to(torch.float32), y)


def keras2_nested():
    k1, b1, k2_, b2, kh, bh, ka, ba = rand(5, 6), rand(6), rand(6, 4), rand(4), rand(7, 3), rand(3), rand(4, 2), rand(2)

    def layer(cls, name, config, inbound):
        return {"class_name": cls, "config": dict({"name": name, "trainable": True, "dtype": "float32"}, **config), "name": name,
                "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}

    def inp(name, shape):
        return {"class_name": "InputLayer", "config": {"batch_input_shape": [None] + shape, "dtype": "float32", "sparse": False,
                                                       "ragged": False, "name": name}, "name": name, "inbound_nodes": []}

    encoder_layers = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5], "dtype": "float32", "sparse": False,
                                                              "ragged": False, "name": "encoder_input"}},
                      {"class_name": "Dense", "config": {"name": "enc_hidden", "trainable": True, "dtype": "float32", "units": 6,
                                                         "activation": "relu", "use_bias": True}},
                      {"class_name": "Dense", "config": {"name": "enc_out", "trainable": True, "dtype": "float32", "units": 4,
                                                         "activation": "tanh", "use_bias": True}}]
    layers = [inp("a", [5]), inp("b", [3]),
              {"class_name": "Sequential", "config": {"name": "encoder", "layers": encoder_layers}, "name": "encoder",
               "inbound_nodes": [[["a", 0, 0, {}]]]},
              layer("Concatenate", "joined", {"axis": -1}, ["encoder", "b"]),
              layer("Dense", "head", {"units": 3, "activation": "softmax", "use_bias": True}, ["joined"]),
              layer("Dense", "aux", {"units": 2, "activation": "linear", "use_bias": True}, ["encoder"])]
    config = {"class_name": "Functional", "config": {"name": "model", "layers": layers, "input_layers": [["b", 0, 0], ["a", 0, 0]],
                                                     "output_layers": [["head", 0, 0], ["aux", 0, 0]]}}
    weights = {"encoder": [("enc_hidden/kernel:0", k1), ("enc_hidden/bias:0", b1), ("enc_out/kernel:0", k2_), ("enc_out/bias:0", b2)],
               "head": [("head/kernel:0", kh), ("head/bias:0", bh)], "aux": [("aux/kernel:0", ka), ("aux/bias:0", ba)]}
    with h5py.File(os.path.join(OUT, "keras2_nested.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([l["name"].encode("utf8") for l in layers])
        for l in layers:
            lg = g.create_group(l["name"])
            ts = weights.get(l["name"], [])
            lg.attrs["weight_names"] = np.array([n.encode("utf8") for n, _ in ts], dtype="S")
            for n, t in ts:
                lg.create_dataset(n, data=t.numpy())
    a, b = rand(4, 5, scale=1.5), rand(4, 3, scale=1.5)
    e = torch.tanh(F.relu(a.to(D) @ k1.to(D) + b1.to(D)) @ k2_.to(D) + b2.to(D))
    head = torch.softmax(torch.cat([e, b.to(D)], dim=1) @ kh.to(D) + bh.to(D), dim=-1)
    save_reference("keras2_nested", torch.cat([b, a], dim=1), torch.cat([head, e @ ka.to(D) + ba.to(D)], dim=1))


def same_pads(size, k, s):
    """TensorFlow's 'same' padding of one axis: (before, after), the odd one after."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def strided():
    kc, bc = rand(3, 3, 2, 3), rand(3)
    kt, bt = rand(3, 3, 2, 3), rand(2)  # Conv2DTranspose kernel (kh, kw, filters, in)
    kdw, kpw, bs = rand(3, 3, 2, 2), rand(1, 1, 4, 2), rand(2)
    conv_cfg = {"kernel_size": [3, 3], "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "use_bias": True,
                "activation": "linear", "kernel_initializer": init("GlorotUniform", {"seed": None}), "bias_initializer": init("Zeros"),
                "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    layers = [
        input_layer("image", (7, 6, 2)),
        k3("Conv2D", "conv", dict(conv_cfg, filters=3, strides=[2, 2], padding="same", activation="relu")),
        k3("AveragePooling2D", "avg", {"pool_size": [2, 2], "padding": "same", "strides": [1, 1], "data_format": "channels_last"}),
        k3("MaxPooling2D", "max", {"pool_size": [3, 3], "padding": "same", "strides": [2, 2], "data_format": "channels_last"}),
        k3("Conv2DTranspose", "up", dict(conv_cfg, filters=2, strides=[2, 2], padding="same", output_padding=None)),
        k3("SeparableConv2D", "sep", {"filters": 2, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last",
                                      "dilation_rate": [1, 1], "depth_multiplier": 2, "activation": "tanh", "use_bias": True,
                                      "depthwise_initializer": init("GlorotUniform", {"seed": None}), "pointwise_initializer": init("GlorotUniform", {"seed": None}),
                                      "bias_initializer": init("Zeros"), "depthwise_regularizer": None, "pointwise_regularizer": None,
                                      "bias_regularizer": None, "activity_regularizer": None, "depthwise_constraint": None,
                                      "pointwise_constraint": None, "bias_constraint": None}),
        k3("Flatten", "flatten", {"data_format": "channels_last"}),
    ]
    x = rand(3, 7, 6, 2, scale=2.0)
    h = x.to(D).permute(0, 3, 1, 2)
    (t, b_), (l_, r_) = same_pads(7, 3, 2), same_pads(6, 3, 2)
    h = F.relu(F.conv2d(F.pad(h, (l_, r_, t, b_)), kc.to(D).permute(3, 2, 0, 1), bc.to(D), stride=2))  # (4, 3)
    (t, b_), (l_, r_) = same_pads(h.shape[2], 2, 1), same_pads(h.shape[3], 2, 1)
    total = F.avg_pool2d(F.pad(h, (l_, r_, t, b_)), 2, stride=1) * 4
    count = F.avg_pool2d(F.pad(torch.ones_like(h), (l_, r_, t, b_)), 2, stride=1) * 4
    h = total / count
    (t, b_), (l_, r_) = same_pads(h.shape[2], 3, 2), same_pads(h.shape[3], 3, 2)
    h = F.max_pool2d(F.pad(h, (l_, r_, t, b_), value=float("-inf")), 3, stride=2)  # (2, 2)
    # transpose convolution, same: the full (n - 1)·s + k outputs cropped to n·s, TF's odd crop after.
    n0, n1 = h.shape[2], h.shape[3]
    full = F.conv_transpose2d(h, kt.to(D).permute(3, 2, 0, 1), bt.to(D), stride=2)
    c0, c1 = (full.shape[2] - 2 * n0) // 2, (full.shape[3] - 2 * n1) // 2
    h = full[:, :, c0:c0 + 2 * n0, c1:c1 + 2 * n1]
    (t, b_), (l_, r_) = same_pads(h.shape[2], 3, 1), same_pads(h.shape[3], 3, 1)
    h = F.conv2d(F.pad(h, (l_, r_, t, b_)), kdw.to(D).permute(2, 3, 0, 1).reshape(4, 1, 3, 3), groups=2)
    h = torch.tanh(F.conv2d(h, kpw.to(D).permute(3, 2, 0, 1), bs.to(D)))
    h = h.permute(0, 2, 3, 1).reshape(3, -1)
    kd, bd = rand(h.shape[1], 2, scale=0.3), rand(2)
    layers.append(dense("head", 2, "linear"))
    write_keras3(os.path.join(OUT, "keras3_strided.keras"), sequential("strided", layers, (7, 6, 2)),
                 [("layers/conv/vars", [kc, bc]), ("layers/up/vars", [kt, bt]), ("layers/sep/vars", [kdw, kpw, bs]), ("layers/head/vars", [kd, bd])])
    save_reference("keras3_strided", x, h @ kd.to(D) + bd.to(D))


def attention():
    scale1, csw = torch.tensor(0.7), torch.tensor(1.3)
    scale2 = rand(6) + 0.5
    layers = [
        node(input_layer("q", (4, 6)), []),
        node(input_layer("v", (5, 6)), []),
        node(k3("Attention", "luong", {"use_scale": True, "score_mode": "concat", "dropout": 0.0, "seed": None}),
             [{"args": [[tensor("q", (4, 6)), tensor("v", (5, 6))]], "kwargs": {"use_causal_mask": False}}]),
        node(k3("AdditiveAttention", "bahdanau", {"use_scale": True, "dropout": 0.0}),
             [{"args": [[tensor("q", (4, 6)), tensor("v", (5, 6))]], "kwargs": {"use_causal_mask": True}}]),
        node(k3("Dot", "pair", {"axes": 2, "normalize": False}), [{"args": [[tensor("luong", (4, 6)), tensor("bahdanau", (4, 6))]], "kwargs": {}}]),
        node(k3("Dot", "cosine", {"axes": [1, 1], "normalize": True}), [{"args": [[tensor("q", (4, 6)), tensor("luong", (4, 6))]], "kwargs": {}}]),
        node(k3("Flatten", "flat_pair", {"data_format": "channels_last"}), [{"args": [tensor("pair", (4, 4))], "kwargs": {}}]),
        node(k3("Flatten", "flat_cosine", {"data_format": "channels_last"}), [{"args": [tensor("cosine", (6, 6))], "kwargs": {}}]),
        node(k3("Concatenate", "both", {"axis": -1}), [{"args": [[tensor("flat_pair", (16,)), tensor("flat_cosine", (36,))]], "kwargs": {}}]),
        node(dense("head", 2, "linear"), [{"args": [tensor("both", (52,))], "kwargs": {}}]),
    ]
    kd, bd = rand(52, 2, scale=0.3), rand(2)
    config = {"module": "keras", "class_name": "Functional",
              "config": {"name": "attend", "trainable": True, "layers": layers,
                         "input_layers": [["q", 0, 0], ["v", 0, 0]], "output_layers": [["head", 0, 0]]},
              "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
    write_keras3(os.path.join(OUT, "keras3_attention.keras"), config,
                 [("layers/luong/vars", [scale1, csw]), ("layers/bahdanau/vars", [scale2]), ("layers/head/vars", [kd, bd])])
    q, v = rand(3, 4, 6, scale=1.5), rand(3, 5, 6, scale=1.5)
    qd, vd = q.to(D), v.to(D)
    s1 = csw.double() * torch.tanh(scale1.double() * (qd[:, :, None, :] + vd[:, None, :, :])).sum(-1)
    a1 = torch.softmax(s1, dim=-1) @ vd
    s2 = (scale2.to(D) * torch.tanh(qd[:, :, None, :] + vd[:, None, :, :])).sum(-1)
    s2 = s2.masked_fill(torch.ones(4, 5, dtype=torch.bool).triu(1), float("-inf"))
    a2 = torch.softmax(s2, dim=-1) @ vd
    pair = torch.einsum("bid,bjd->bij", a1, a2)
    cosine = torch.einsum("bti,btj->bij", F.normalize(qd, dim=1), F.normalize(a1, dim=1))
    y = torch.cat([pair.reshape(3, -1), cosine.reshape(3, -1)], dim=1) @ kd.to(D) + bd.to(D)
    save_reference("keras3_attention", torch.cat([q.reshape(3, -1), v.reshape(3, -1)], dim=1), y)


def shared():
    ke, be, kt, bt, kh, bh = rand(5, 6), rand(6), rand(6, 4), rand(4), rand(4, 1), rand(1)
    a, b = rand(3, 5, scale=1.5), rand(3, 5, scale=1.5)
    tower = lambda z: torch.tanh(F.relu(z.to(D) @ ke.to(D) + be.to(D)) @ kt.to(D) + bt.to(D))
    y = torch.sigmoid((tower(a) - tower(b)) @ kh.to(D) + bh.to(D))

    def t3(layer, node, shape):
        return {"class_name": "__keras_tensor__", "config": {"shape": [None] + list(shape), "dtype": "float32", "keras_history": [layer, node, 0]}}

    tower3 = sequential("tower", [input_layer("tower_input", (6,)), dense("tower_dense", 4, "tanh")], (6,))
    layers = [
        node(input_layer("a", (5,)), []),
        node(input_layer("b", (5,)), []),
        node(dense("embed", 6, "relu"), [{"args": [t3("a", 0, (5,))], "kwargs": {}}, {"args": [t3("b", 0, (5,))], "kwargs": {}}]),
        node(tower3, [{"args": [t3("embed", 0, (6,))], "kwargs": {"mask": None}}, {"args": [t3("embed", 1, (6,))], "kwargs": {"mask": None}}]),
        node(k3("Subtract", "difference", {}), [{"args": [[t3("tower", 0, (4,)), t3("tower", 1, (4,))]], "kwargs": {}}]),
        node(dense("same", 1, "sigmoid"), [{"args": [t3("difference", 0, (4,))], "kwargs": {}}]),
    ]
    config = {"module": "keras", "class_name": "Functional",
              "config": {"name": "siamese", "trainable": True, "layers": layers,
                         "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["same", 0, 0]]},
              "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
    write_keras3(os.path.join(OUT, "keras3_shared.keras"), config,
                 [("layers/embed/vars", [ke, be]), ("layers/tower/layers/tower_dense/vars", [kt, bt]), ("layers/same/vars", [kh, bh])])
    save_reference("keras3_shared", torch.cat([a, b], dim=1), y)

    def k2(cls, name, config):
        return {"class_name": cls, "config": dict({"name": name, "trainable": True, "dtype": "float32"}, **config)}

    def inp(name):
        return {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5], "dtype": "float32", "sparse": False, "ragged": False, "name": name},
                "name": name, "inbound_nodes": []}

    embed2 = dict(k2("Dense", "embed", {"units": 6, "activation": "relu", "use_bias": True}), name="embed",
                  inbound_nodes=[[["a", 0, 0, {}]], [["b", 0, 0, {}]]])
    tower2 = {"class_name": "Sequential", "name": "tower",
              "config": {"name": "tower", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 6], "dtype": "float32",
                                                                                               "sparse": False, "ragged": False, "name": "tower_input"}},
                                                    k2("Dense", "tower_dense", {"units": 4, "activation": "tanh", "use_bias": True})]},
              "inbound_nodes": [[["embed", 0, 0, {}]], [["embed", 1, 0, {}]]]}
    layers2 = [inp("a"), inp("b"), embed2, tower2,
               dict(k2("Subtract", "difference", {}), name="difference", inbound_nodes=[[["tower", 1, 0, {}], ["tower", 2, 0, {}]]]),
               dict(k2("Dense", "same", {"units": 1, "activation": "sigmoid", "use_bias": True}), name="same", inbound_nodes=[[["difference", 0, 0, {}]]])]
    config2 = {"class_name": "Functional", "config": {"name": "siamese", "layers": layers2, "input_layers": [["a", 0, 0], ["b", 0, 0]],
                                                      "output_layers": [["same", 0, 0]]}}
    weights = {"embed": [("embed/kernel:0", ke), ("embed/bias:0", be)], "tower": [("tower_dense/kernel:0", kt), ("tower_dense/bias:0", bt)],
               "same": [("same/kernel:0", kh), ("same/bias:0", bh)]}
    with h5py.File(os.path.join(OUT, "keras2_shared.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config2).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([l["name"].encode("utf8") for l in layers2])
        for l in layers2:
            lg = g.create_group(l["name"])
            ts = weights.get(l["name"], [])
            lg.attrs["weight_names"] = np.array([n.encode("utf8") for n, _ in ts], dtype="S")
            for n, t in ts:
                lg.create_dataset(n, data=t.numpy())
    save_reference("keras2_shared", torch.cat([a, b], dim=1), y)


def gru_backwards():
    u, v = 4, 3
    kg, rg, bg = rand(3, 3 * u), rand(u, 3 * u), rand(3 * u)
    ks, rs, bs = rand(u, v), rand(v, v), rand(v)
    kd, bd = rand(v, 2), rand(2)

    def layer(cls, name, config, inbound):
        return {"class_name": cls, "config": dict({"name": name, "trainable": True, "dtype": "float32"}, **config), "name": name,
                "inbound_nodes": [[[inbound, 0, 0, {}]]] if inbound else []}

    rnn = {"return_state": False, "stateful": False, "unroll": False, "time_major": False, "use_bias": True, "dropout": 0.0,
           "recurrent_dropout": 0.0, "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
           "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None}
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 3], "dtype": "float32", "sparse": False, "ragged": False,
                                                "name": "steps"}, "name": "steps", "inbound_nodes": []},
        layer("GRU", "gru", dict(rnn, units=u, activation="tanh", recurrent_activation="sigmoid", return_sequences=True, go_backwards=True,
                                 reset_after=False, implementation=2), "steps"),
        layer("SimpleRNN", "simple_rnn", dict(rnn, units=v, activation="relu", return_sequences=False, go_backwards=False), "gru"),
        layer("Dense", "dense", {"units": 2, "activation": "linear", "use_bias": True}, "simple_rnn"),
    ]
    config = {"class_name": "Functional", "config": {"name": "model", "layers": layers, "input_layers": [["steps", 0, 0]],
                                                     "output_layers": [["dense", 0, 0]]}}
    weights = {"gru": [("gru/gru_cell/kernel:0", kg), ("gru/gru_cell/recurrent_kernel:0", rg), ("gru/gru_cell/bias:0", bg)],
               "simple_rnn": [("simple_rnn/simple_rnn_cell/kernel:0", ks), ("simple_rnn/simple_rnn_cell/recurrent_kernel:0", rs),
                              ("simple_rnn/simple_rnn_cell/bias:0", bs)],
               "dense": [("dense/kernel:0", kd), ("dense/bias:0", bd)]}
    with h5py.File(os.path.join(OUT, "keras2_gru_backwards.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([l["name"].encode("utf8") for l in layers])
        for l in layers:
            lg = g.create_group(l["name"])
            ts = weights.get(l["name"], [])
            lg.attrs["weight_names"] = np.array([n.encode("utf8") for n, _ in ts], dtype="S")
            for n, t in ts:
                lg.create_dataset(n, data=t.numpy())
    x = rand(3, 5, 3, scale=2.0)
    h = torch.zeros(3, u, dtype=D)
    outs = []
    for t in reversed(range(5)):  # go_backwards: the steps last to first, outputs kept in that order
        xz, xr, xh = (x[:, t].to(D) @ kg.to(D) + bg.to(D)).split(u, dim=1)
        uz, ur, uh = rg.to(D).split(u, dim=1)
        z = torch.sigmoid(xz + h @ uz)
        r = torch.sigmoid(xr + h @ ur)
        hh = torch.tanh(xh + (r * h) @ uh)  # reset_after False: the reset gate before the recurrent kernel
        h = z * h + (1 - z) * hh
        outs.append(h)
    s_ = torch.zeros(3, v, dtype=D)
    for o in outs:
        s_ = F.relu(o @ ks.to(D) + s_ @ rs.to(D) + bs.to(D))
    save_reference("keras2_gru_backwards", x, s_ @ kd.to(D) + bd.to(D))


def main():
    os.makedirs(OUT, exist_ok=True)
    activations()
    norm()
    nested()
    keras2_sequential()
    broken()
    preprocess()  # after the others: the earlier fixtures' random draws stay as they were
    text()
    keras2_nested()
    strided()
    attention()
    shared()
    gru_backwards()


if __name__ == "__main__":
    main()
