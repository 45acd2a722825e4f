#!/usr/bin/env python3
"""Writes the small real Fashion-MNIST slice the tests train on: the first 600 training and the first 200
test images with their labels, in the original gzip IDX format, to Tests/NetGen.Tests/Fixtures/fashion-mnist-slice/.

    sudo apt-get install dataset-fashion-mnist && python3 tools/make_fashion_slice.py
"""
import gzip
import os
import struct

SOURCE = "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join(os.path.dirname(__file__), "..", "Tests", "NetGen.Tests", "Fixtures", "fashion-mnist-slice")
COUNTS = {"train": 600, "t10k": 200}


def slice_file(name, count):
    with gzip.open(os.path.join(SOURCE, name + ".gz"), "rb") as f:
        data = f.read()
    rank = data[3]
    dims = list(struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank]))
    per_item = 1
    for d in dims[1:]:
        per_item *= d
    dims[0] = count
    header = data[:4] + struct.pack(">" + "I" * rank, *dims)
    body = data[4 + 4 * rank: 4 + 4 * rank + count * per_item]
    # mtime=0 keeps the gzip bytes identical from run to run.
    with gzip.GzipFile(os.path.join(TARGET, name + ".gz"), "wb", mtime=0) as f:
        f.write(header + body)


def main():
    os.makedirs(TARGET, exist_ok=True)
    for prefix, count in COUNTS.items():
        slice_file(prefix + "-images-idx3-ubyte", count)
        slice_file(prefix + "-labels-idx1-ubyte", count)
    print("wrote", os.path.normpath(TARGET))


if __name__ == "__main__":
    main()
