"""Writes Tests/NetGen.Tests/Fixtures/baked/: a NetGen weight file in the text form [Weights] bakes, for the
test network BakedNormNet (Tests/NetGen.Tests/EndToEnd/BakedNetworks.cs), and the same values as JSON.

This is an independent writer of the weight-file format (documented in Runtime/NetGen.Runtime/Training/WeightFile.cs),
so the test checks the generator's reader against a second implementation. Needs only the standard library:
    python3 tools/reference/make_baked_fixture.py
"""
import base64
import json
import os
import random
import struct
import zlib

SIGNATURE = ("NetGen/1;dense/kernel(4,5);dense/bias(5);batch_normalization/gamma(5);batch_normalization/beta(5);"
             "batch_normalization/moving_mean(5);batch_normalization/moving_variance(5);dense_1/kernel(15,3);dense_1/bias(3)")
PARAMETERS = 20 + 5 + 5 + 5 + 45 + 3
STATE = 5 + 5

rng = random.Random(7)
values = [rng.uniform(-1.0, 1.0) for _ in range(PARAMETERS)]
values += [rng.uniform(-0.5, 0.5) for _ in range(5)]      # moving mean
values += [rng.uniform(0.5, 2.0) for _ in range(5)]       # moving variance (positive)
values = [struct.unpack("<f", struct.pack("<f", v))[0] for v in values]  # exactly representable as float32

sig = SIGNATURE.encode("utf-8")
body = b"NGWF" + struct.pack("<I", 1) + struct.pack("<i", len(sig)) + sig + struct.pack("<i", len(values))
body += b"".join(struct.pack("<f", v) for v in values)
body += struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)
text = base64.b64encode(body).decode("ascii")

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NetGen.Tests", "Fixtures", "baked")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "baked-norm-net.weights.txt"), "w", newline="\n") as f:
    for i in range(0, len(text), 76):
        f.write(text[i:i + 76] + "\n")
with open(os.path.join(out, "baked-norm-net.json"), "w") as f:
    json.dump({"signature": SIGNATURE, "parameters": values[:PARAMETERS], "state": values[PARAMETERS:]}, f, indent=1)
print("wrote", len(values), "values")
