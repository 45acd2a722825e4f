#!/usr/bin/env python3
"""NetGen against PyTorch and ONNX Runtime on this machine, interleaved in one run.

Each round runs, one after the other: NetGen's quick timing mode (1 and 2 threads), PyTorch (1 and 2
threads, OMP_WAIT_POLICY=PASSIVE, inference under torch.inference_mode) and ONNX Runtime (npm
onnxruntime-node, 1 and 2 intra-op threads, on models exported here with torch.onnx.export). Every figure is
the median over rounds of each tool's median time slice, so a noisy neighbour hits all three alike; the
table gives NetGen/peer ratios next to the performance issue's targets.

    /usr/bin/python3 Benchmarks/peers/compare.py [--rounds N] [--seconds S] [--fashion]

ONNX Runtime is also called from C# (NetGen.Benchmarks --ort: Microsoft.ML.OnnxRuntime with IOBinding), the peer a
.NET user would pick; its table of ratios comes second. --predict-only runs just the four Predict workloads of
NetGen and both ONNX Runtime peers (no PyTorch; quick).

--fashion also times one Fashion-MNIST training epoch (MLP and CNN, batch 32, Adam) of the sample and of
fashion_torch.py, interleaved, PyTorch with 1 thread (needs dataset-fashion-mnist).
Needs: python3-torch, libopenblas0-pthread, and in Benchmarks/peers
`ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip npm install`.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BENCH_DLL = os.path.join(ROOT, "Benchmarks", "NetGen.Benchmarks", "bin", "Release", "net10.0", "NetGen.Benchmarks.dll")
SAMPLE_DLL = os.path.join(ROOT, "Samples", "FashionMnist", "bin", "Release", "net10.0", "FashionMnist.dll")
STEPS_PER_EPOCH = 48000 // 32  # Fashion-MNIST training split (80% of 60000) at batch 32


# ---------------------------------------------------------------------------------------------- PyTorch worker

def time_call(fn, seconds, samples):
    """Median seconds per call over `samples` slices after a warm-up; same scheme as NetGen's --quick."""
    calls, t0 = 0, time.perf_counter()
    while calls < 50 or time.perf_counter() - t0 < 0.25:
        fn()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    reps = max(1, int(seconds / samples / per_call))
    slices = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        slices.append((time.perf_counter() - start) / reps)
    return statistics.median(slices)


def models():
    import torch.nn as nn
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    cnn = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    return {"mlp": mlp, "cnn": cnn}


def train_batches():
    """The first 1500 batches of 32 Fashion-MNIST training images (random ones without the data set), as NetGen's --quick."""
    import torch
    data = "/usr/share/datasets/fashion-mnist"
    if os.path.isdir(data):
        sys.path.insert(0, HERE)
        from fashion_torch import find, read_idx
        x = read_idx(find(data, "train-images-idx3-ubyte")).float().div(255).reshape(-1, 784)
        y = read_idx(find(data, "train-labels-idx1-ubyte")).long()
        n = 32 * STEPS_PER_EPOCH
        return x[:n].contiguous(), y[:n].contiguous()
    return torch.rand(32 * STEPS_PER_EPOCH, 784), torch.randint(0, 10, (32 * STEPS_PER_EPOCH,))


def torch_worker(threads, seconds, samples):
    import torch
    import torch.nn as nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    results = {}
    nets = models()
    shape = {"mlp": (784,), "cnn": (1, 28, 28)}
    for name, net in nets.items():
        net.eval()
        for batch in (1, 256):
            x = torch.rand(batch, *shape[name])
            with torch.inference_mode():
                results[f"{name}_predict_b{batch}"] = time_call(lambda: torch.softmax(net(x), 1), seconds, samples)
        net.train()
        images, labels = train_batches()
        images = images.reshape(-1, *shape[name])
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        position = [0]

        def step():
            b = position[0]
            position[0] = (b + 1) % STEPS_PER_EPOCH
            opt.zero_grad()
            loss_fn(net(images[b * 32:(b + 1) * 32]), labels[b * 32:(b + 1) * 32]).backward()
            opt.step()
        results[f"{name}_train_b32"] = time_call(step, seconds, samples)
    a, b, c = torch.rand(1024, 1024), torch.rand(1024, 1024), torch.empty(1024, 1024)
    results["sgemm1024"] = time_call(lambda: torch.mm(a, b, out=c), seconds, samples)
    print(json.dumps({"threads": threads, "torch": torch.__version__, "results": results}))


def export_onnx(directory):
    import torch
    torch.manual_seed(0)
    for name, net in models().items():
        net.eval()
        full = torch.nn.Sequential(net, torch.nn.Softmax(1))
        dummy = torch.rand(1, 784) if name == "mlp" else torch.rand(1, 1, 28, 28)
        torch.onnx.export(full, dummy, os.path.join(directory, f"{name}.onnx"), input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=13)


# ---------------------------------------------------------------------------------------------- driver

def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=HERE).stdout
    return json.loads(out.strip().splitlines()[-1])


PREDICT = "mlp_predict_b1,mlp_predict_b256,cnn_predict_b1,cnn_predict_b256"
# Fused vs unfused A/B in the same rounds: the networks above generated with [Network(Fusion = false)], and the CNN
# with BatchNormalization after each convolution and the hidden Dense (folding), fused and unfused.
AB = ("mlp_predict_b1", "mlp_predict_b256", "cnn_predict_b1", "cnn_predict_b256", "cnn_bn_predict_b1", "cnn_bn_predict_b256")
PREDICT += "," + ",".join(k + "_unfused" for k in AB) + ",cnn_bn_predict_b1,cnn_bn_predict_b256"
# The small CNN with every pass but the Winograd convolutions ([Network(Winograd = false)]): that pass's A/B.
WINOGRAD_AB = ("cnn_predict_b1", "cnn_predict_b256")
PREDICT += "," + ",".join(k + "_direct" for k in WINOGRAD_AB)
NODE_ORT = os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node"))


def netgen(threads, seconds, predict_only=False):
    only = ["--only", PREDICT] if predict_only else []
    return run_json(["dotnet", BENCH_DLL, "--quick", "--threads", str(threads), "--seconds", str(seconds)] + only)["results"]


def ort_cs_peer(threads, seconds, model_dir):
    return run_json(["dotnet", BENCH_DLL, "--ort", model_dir, "--threads", str(threads), "--seconds", str(seconds)])["results"]


def torch_env(threads):
    # OpenBLAS 0.3.21 (Debian 12) does not know this CPU model and falls back to its Prescott (SSE3) kernels,
    # about 30 GFLOP/s; SKYLAKEX selects its AVX-512 kernels (100+ GFLOP/s), the fair peer.
    return dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE", "SKYLAKEX"))


def torch_peer(threads, seconds):
    env = torch_env(threads)
    return run_json([sys.executable, os.path.abspath(__file__), "--torch-worker", "--threads", str(threads), "--seconds", str(seconds)], env)["results"]


def ort_peer(threads, seconds, model_dir):
    return run_json(["node", os.path.join(HERE, "ort_peer.mjs"), "--models", model_dir, "--threads", str(threads), "--seconds", str(seconds)])["results"]


def epoch_netgen(model):
    out = subprocess.run(["dotnet", SAMPLE_DLL, "--model", model, "--epochs", "1", "--batch-size", "32"], check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    return float(re.search(r"Mean epoch time: ([0-9.]+) s", out).group(1))


def epoch_torch(model):
    env = torch_env(1)
    out = subprocess.run([sys.executable, os.path.join(HERE, "fashion_torch.py"), "--model", model, "--epochs", "1", "--threads", "1"],
                         check=True, capture_output=True, text=True, env=env).stdout
    return float(re.search(r"mean epoch ([0-9.]+) s", out).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=0.7, help="timed seconds per workload and tool in each round")
    ap.add_argument("--samples", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--fashion", action="store_true", help="also time one Fashion-MNIST epoch of each model")
    ap.add_argument("--predict-only", action="store_true", help="only the Predict workloads: NetGen and both ORT peers, 1 thread")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", help="also write every per-round figure to this file")
    args = ap.parse_args()
    if args.torch_worker:
        torch_worker(args.threads, args.seconds, args.samples)
        return

    if not os.path.exists(BENCH_DLL):
        sys.exit(f"{BENCH_DLL} missing: dotnet build Benchmarks/NetGen.Benchmarks -c Release")
    runs = {k: [] for k in ("ng1", "ng2", "pt1", "pt2", "ort1", "ort2", "ortcs1", "ortcs2")}
    epochs = {k: [] for k in ("ng_mlp", "pt_mlp", "ng_cnn", "pt_cnn")}
    with tempfile.TemporaryDirectory(prefix="netgen-peers-") as model_dir:
        export_onnx(model_dir)
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
            if args.predict_only:
                runs["ng1"].append(netgen(1, args.seconds, predict_only=True))
                runs["ortcs1"].append(ort_cs_peer(1, args.seconds, model_dir))
                if NODE_ORT:
                    runs["ort1"].append(ort_peer(1, args.seconds, model_dir))
                continue
            runs["ng1"].append(netgen(1, args.seconds))
            runs["ortcs1"].append(ort_cs_peer(1, args.seconds, model_dir))
            runs["pt1"].append(torch_peer(1, args.seconds))
            runs["ort1"].append(ort_peer(1, args.seconds, model_dir))
            runs["ng2"].append(netgen(2, args.seconds))
            runs["pt2"].append(torch_peer(2, args.seconds))
            runs["ort2"].append(ort_peer(2, args.seconds, model_dir))
            runs["ortcs2"].append(ort_cs_peer(2, args.seconds, model_dir))
            if args.fashion:
                if not os.path.exists(SAMPLE_DLL):
                    sys.exit(f"{SAMPLE_DLL} missing: dotnet build Samples/FashionMnist -c Release")
                for model in ("mlp", "cnn"):
                    epochs[f"ng_{model}"].append(epoch_netgen(model))
                    epochs[f"pt_{model}"].append(epoch_torch(model))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": runs, "epochs": epochs}, f, indent=1)

    def med(tool, key):
        return statistics.median(run[key] for run in runs[tool])

    us = lambda s: f"{s * 1e6:.1f} µs"
    sps = lambda s, n: f"{n / s / 1e3:.1f}k samples/s"
    rows = []

    def row(work, ng, peer, ratio, target, ok):
        # ratio: NetGen/peer time for latency rows, peer/NetGen time (throughput) for the others
        rows.append((work, ng, peer, f"{ratio:.2f}x", target, "yes" if ok else "NO"))

    def table(title, rows):
        print(title)
        head = ("work", "NetGen", "peer", "ratio", "target", "met")
        widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
        line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
        print(line(head))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in rows:
            print(line(r))

    # NetGen against ONNX Runtime called from C# (IOBinding), 1 thread each: the performance issue's targets.
    cs_rows = []
    t, o = med("ng1", "mlp_predict_b1"), med("ortcs1", "mlp_predict_b1")
    cs_rows.append(("seed MLP Predict, batch 1 (time)", us(t), f"ORT-C# {us(o)}", f"{t / o:.2f}x", "≤ 0.5x", "yes" if t / o <= 0.5 else "NO"))
    t, o = med("ng1", "mlp_predict_b256"), med("ortcs1", "mlp_predict_b256")
    cs_rows.append(("seed MLP Predict, batch 256 (throughput)", sps(t, 256), f"ORT-C# {sps(o, 256)}", f"{o / t:.2f}x", "≥ 1.2x", "yes" if o / t >= 1.2 else "NO"))
    t, o = med("ng1", "cnn_predict_b1"), med("ortcs1", "cnn_predict_b1")
    cs_rows.append(("small CNN Predict, batch 1 (time)", us(t), f"ORT-C# {us(o)}", f"{t / o:.2f}x", "≤ 0.7x", "yes" if t / o <= 0.7 else "NO"))
    t, o = med("ng1", "cnn_predict_b256"), med("ortcs1", "cnn_predict_b256")
    cs_rows.append(("small CNN Predict, batch 256 (throughput)", sps(t, 256), f"ORT-C# {sps(o, 256)}", f"{o / t:.2f}x", "≥ 1.0x", "yes" if o / t >= 1.0 else "NO"))
    if args.predict_only:
        print(f"\nMedians of {args.rounds} interleaved rounds (NetGen, ORT from C#, ORT from node; 1 thread; {args.seconds} s per workload each).")
        print("Ratios: NetGen/peer time for batch 1 (lower is better), peer/NetGen time = throughput ratio for batch 256 (higher is better).\n")
        table("NetGen vs ONNX Runtime called from C# (Microsoft.ML.OnnxRuntime, IOBinding):", cs_rows)
        print("\nGenerator passes, fused vs unfused ([Network(Fusion = false)]), same rounds:\n")
        print("| workload | fused | unfused | fused / unfused time |")
        print("|---|---|---|---|")
        for key in AB:
            f, u = med("ng1", key), med("ng1", key + "_unfused")
            print(f"| {key} | {us(f)} | {us(u)} | {f / u:.2f}x |")
        print("\nThe Winograd pass alone: every pass vs every pass but Winograd ([Network(Winograd = false)]), same rounds:\n")
        print("| workload | Winograd | direct 3×3 | Winograd / direct time |")
        print("|---|---|---|---|")
        for key in WINOGRAD_AB:
            f, d = med("ng1", key), med("ng1", key + "_direct")
            print(f"| {key} | {us(f)} | {us(d)} | {f / d:.2f}x |")
        if not NODE_ORT:
            print("\n(ORT from node skipped: Benchmarks/peers/node_modules/onnxruntime-node is not installed)")
        print(f"\nload average {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} cores")
        print("\nAll figures (median seconds per call):")
        for key in runs["ng1"][0]:
            print(f"  {key}: " + ", ".join(f"{tool}={med(tool, key) * 1e6:.1f}µs" for tool in ("ng1", "ortcs1", "ort1") if runs[tool] and key in runs[tool][0]))
        return

    t, o, p = med("ng1", "mlp_predict_b1"), med("ort1", "mlp_predict_b1"), med("pt1", "mlp_predict_b1")
    row("seed MLP Predict, batch 1 (time)", us(t), f"ORT {us(o)} (PyTorch {us(p)})", t / o, "≤ 0.33x ORT", t / o <= 0.33)
    t, o = med("ng1", "mlp_predict_b256"), med("ort1", "mlp_predict_b256")
    row("seed MLP Predict, batch 256, 1 thread (throughput)", sps(t, 256), f"ORT {sps(o, 256)}", o / t, "≥ 1.0x ORT", o / t >= 1.0)
    t, o, p = med("ng1", "cnn_predict_b1"), med("ort1", "cnn_predict_b1"), med("pt1", "cnn_predict_b1")
    row("small CNN Predict, batch 1 (time)", us(t), f"ORT {us(o)} (PyTorch {us(p)})", t / o, "≤ 0.7x ORT", t / o <= 0.7)
    t, o = med("ng1", "cnn_predict_b256"), med("ort1", "cnn_predict_b256")
    row("small CNN Predict, batch 256, 1 thread (throughput)", sps(t, 256), f"ORT {sps(o, 256)}", o / t, "≥ 1.0x ORT", o / t >= 1.0)
    for name, label in (("mlp", "seed MLP"), ("cnn", "small CNN")):
        t, p = med("ng1", f"{name}_train_b32"), med("pt1", f"{name}_train_b32")
        row(f"{label} training epoch, batch 32 (1500 steps, 1 thread)", f"{t * STEPS_PER_EPOCH:.2f} s",
            f"PyTorch {p * STEPS_PER_EPOCH:.2f} s", t / p, "≤ 0.5x PyTorch", t / p <= 0.5)
        if args.fashion:
            e, q = statistics.median(epochs[f"ng_{name}"]), statistics.median(epochs[f"pt_{name}"])
            row(f"{label} Fashion-MNIST epoch (sample vs fashion_torch.py)", f"{e:.2f} s", f"PyTorch {q:.2f} s", e / q, "≤ 0.5x PyTorch", e / q <= 0.5)
    t, o = med("ng1", "sgemm1024"), med("pt1", "sgemm1024")
    gf = lambda s: f"{2 * 1024 ** 3 / s / 1e9:.1f} GFLOP/s"
    row("SGEMM 1024³, 1 thread", gf(t), f"OpenBLAS (torch.mm) {gf(o)}", o / t, "≥ 0.9x OpenBLAS", o / t >= 0.9)
    for key, label in (("mlp_predict_b256", "MLP Predict b256"), ("cnn_predict_b256", "CNN Predict b256"),
                       ("mlp_train_b32", "MLP train step b32"), ("cnn_train_b32", "CNN train step b32"), ("sgemm1024", "SGEMM 1024³")):
        t1, t2 = med("ng1", key), med("ng2", key)
        pt = med("pt1", key) / med("pt2", key)
        row(f"2-thread scaling, {label}", f"{us(t1)} → {us(t2)}", f"PyTorch scales {pt:.2f}x", t1 / t2, "≥ 1.7x", t1 / t2 >= 1.7)

    t = med("ng1", "generate_200_layers")
    rows.append(("generation for a 200-layer network (source generator, fresh driver)", f"{t * 1e3:.1f} ms", "-", "-", "< 100 ms",
                 "yes" if t < 0.1 else "NO"))

    print(f"\nMedians of {args.rounds} interleaved rounds (NetGen, PyTorch, ONNX Runtime; {args.seconds} s per workload each).")
    print("Ratios: time ratios NetGen/peer for latency and epoch rows (lower is better); throughput ratios for the")
    print("batch-256 and SGEMM rows and speed-up 1→2 threads for scaling rows (higher is better).\n")
    table("NetGen vs PyTorch and ONNX Runtime (node):", rows)
    print()
    table("NetGen vs ONNX Runtime called from C# (Microsoft.ML.OnnxRuntime, IOBinding), 1 thread:", cs_rows)
    print("\nAll figures (median seconds per call, 1 and 2 threads):")
    keys = list(runs["ng1"][0].keys())
    for key in keys:
        cells = [f"{tool}={med(tool, key) * 1e6:.1f}µs" for tool in runs if key in runs[tool][0]]
        print(f"  {key}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
