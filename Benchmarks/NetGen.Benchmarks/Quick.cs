using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using NetGen.Data;
using NetGen.Optimizers;
using NetGen.Samples.Data;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>
/// <c>--quick</c>: a Stopwatch timing of the workloads the peer driver (<c>Benchmarks/peers/compare.py</c>)
/// compares, printed as one JSON object of seconds per call. Each workload is warmed up, then timed in
/// <c>--samples</c> slices of about <c>--seconds</c>/samples each; the figure is the median slice.
/// </summary>
/// <remarks>
/// <c>dotnet NetGen.Benchmarks.dll --quick [--threads N] [--seconds S] [--samples K] [--only a,b] [--cpu-time] [--fastest]</c>.
/// Workload names: mlp_predict_b1, mlp_predict_b256, cnn_predict_b1, cnn_predict_b256, mlp_train_b32,
/// cnn_train_b32, transformer_train_b32, sgemm1024, generate_200_layers (one source-generator run over a 200-layer network).
/// </remarks>
internal static class Quick
{
    public static int Run(string[] args)
    {
        int threads = 1, samples = 7;
        double seconds = 0.7;
        HashSet<string>? only = null;
        bool kernels = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--samples": samples = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--kernels": kernels = true; break;
                case "--cpu-time": s_cpuTime = true; break;
                case "--fastest": s_fastest = true; break;
                case "--only": only = new HashSet<string>(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        Parallelism.MaxThreads = threads;

        var work = kernels ? KernelWorkloads() : Workloads();
        var results = new List<(string Name, double Seconds)>();
        var selected = work.Where(w => only == null || only.Contains(w.Item1)).ToList();
        // Warm every selected workload up before timing any: code they share (kernels, generated methods) then reaches
        // its optimised tier before the first timing, instead of while the first workload is timed (which made the
        // first of a fused/unfused pair look slower on a loaded machine, where the background JIT thread waits).
        foreach (var (_, action) in selected) Warm(action);
        foreach (var (name, action) in selected) results.Add((name, Time(action, seconds, samples)));
        var sb = new StringBuilder();
        sb.Append("{\"threads\": ").Append(threads.ToString(CultureInfo.InvariantCulture)).Append(", \"results\": {");
        sb.Append(string.Join(", ", results.Select(r => $"\"{r.Name}\": {r.Seconds.ToString("R", CultureInfo.InvariantCulture)}")));
        sb.Append("}}");
        Console.WriteLine(sb.ToString());
        return 0;
    }

    private static List<(string, Action)> Workloads()
    {
        var rng = new Rng(5);
        float[] Random(int n)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = rng.NextFloat();
            return a;
        }
        var mlp = new Mlp(1);
        var cnn = new Cnn(1);
        var mlpUnfused = new MlpUnfused(1);
        var cnnUnfused = new CnnUnfused(1);
        var cnnDirect = new CnnDirect(1);
        var cnnBn = new CnnBatchNorm(1);
        var cnnBnUnfused = new CnnBatchNormUnfused(1);
        var mlpUnfusedAdam = new Adam();
        var cnnUnfusedAdam = new Adam();
        var mlpAdam = new Adam();
        var cnnAdam = new Adam();
        var transformer = new global::FashionMnist.FashionTransformer(1);
        var transformerAdam = new Adam();
        float[] x1 = Random(784), x32 = Random(32 * 784), x256 = Random(256 * 784);
        float[] y1 = new float[10], y256 = new float[256 * 10];
        var train = new TrainBatches(Random);
        var compilation = GeneratorBenchmarks.CreateCompilation();
        float[] ga = Random(1024 * 1024), gb = Random(1024 * 1024), gc = new float[1024 * 1024];
        return new List<(string, Action)>
        {
            ("mlp_predict_b1", () => mlp.Predict(x1, y1, 1)),
            ("mlp_predict_b256", () => mlp.Predict(x256, y256, 256)),
            ("cnn_predict_b1", () => cnn.Predict(x1, y1, 1)),
            ("cnn_predict_b256", () => cnn.Predict(x256, y256, 256)),
            ("mlp_train_b32", () =>
            {
                var (x, t) = train.Next();
                mlp.ComputeGradients(x.Span, t.Span, 32, Loss.CategoricalCrossentropy);
                mlpAdam.Apply(mlp.Parameters, mlp.Gradients, Mlp.ParameterLayout);
            }),
            ("cnn_train_b32", () =>
            {
                var (x, t) = train.Next();
                cnn.ComputeGradients(x.Span, t.Span, 32, Loss.CategoricalCrossentropy);
                cnnAdam.Apply(cnn.Parameters, cnn.Gradients, Cnn.ParameterLayout);
            }),
            // The Transformer sample's network (Samples/FashionMnist/FashionTransformer.cs): one Fit step.
            ("transformer_train_b32", () =>
            {
                var (x, t) = train.Next();
                transformer.ComputeGradients(x.Span, t.Span, 32, Loss.CategoricalCrossentropy);
                transformerAdam.Apply(transformer.Parameters, transformer.Gradients, global::FashionMnist.FashionTransformer.ParameterLayout);
            }),
            // The same networks generated with [Network(Fusion = false)]: what the generator's passes contribute.
            ("mlp_predict_b1_unfused", () => mlpUnfused.Predict(x1, y1, 1)),
            ("mlp_predict_b256_unfused", () => mlpUnfused.Predict(x256, y256, 256)),
            ("cnn_predict_b1_unfused", () => cnnUnfused.Predict(x1, y1, 1)),
            ("cnn_predict_b256_unfused", () => cnnUnfused.Predict(x256, y256, 256)),
            ("cnn_predict_b1_direct", () => cnnDirect.Predict(x1, y1, 1)),
            ("cnn_predict_b256_direct", () => cnnDirect.Predict(x256, y256, 256)),
            ("mlp_train_b32_unfused", () =>
            {
                var (x, t) = train.Next();
                mlpUnfused.ComputeGradients(x.Span, t.Span, 32, Loss.CategoricalCrossentropy);
                mlpUnfusedAdam.Apply(mlpUnfused.Parameters, mlpUnfused.Gradients, MlpUnfused.ParameterLayout);
            }),
            ("cnn_train_b32_unfused", () =>
            {
                var (x, t) = train.Next();
                cnnUnfused.ComputeGradients(x.Span, t.Span, 32, Loss.CategoricalCrossentropy);
                cnnUnfusedAdam.Apply(cnnUnfused.Parameters, cnnUnfused.Gradients, CnnUnfused.ParameterLayout);
            }),
            // BatchNormalization folding (Conv → BN → ReLU → MaxPool): the BN CNN fused and unfused.
            ("cnn_bn_predict_b1", () => cnnBn.Predict(x1, y1, 1)),
            ("cnn_bn_predict_b256", () => cnnBn.Predict(x256, y256, 256)),
            ("cnn_bn_predict_b1_unfused", () => cnnBnUnfused.Predict(x1, y1, 1)),
            ("cnn_bn_predict_b256_unfused", () => cnnBnUnfused.Predict(x256, y256, 256)),
            ("sgemm1024", () => Gemm.MatMul(ga, gb, gc, 1024, 1024, 1024)),
            ("generate_200_layers", () => GeneratorBenchmarks.Run(compilation)),
        };
    }

    /// <summary>The kernels inside the two networks, one by one (<c>--kernels</c>), to see where their time goes.</summary>
    private static List<(string, Action)> KernelWorkloads()
    {
        var rng = new Rng(6);
        float[] R(int n)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = rng.NextFloat() - 0.5f;
            return a;
        }
        var list = new List<(string, Action)>();
        foreach (int batch in new[] { 1, 32, 256 })
        {
            foreach (var (inF, units) in new[] { (784, 128), (128, 64), (64, 10), (1600, 128), (128, 10), (1024, 1024) })
            {
                float[] x = R(batch * inF), k = R(inF * units), b = R(units), y = R(batch * units);
                list.Add(($"dense_fwd_{inF}x{units}_b{batch}", () => Dense.Forward(x, k, b, y, batch, inF, units)));
                if (batch == 32)
                {
                    list.Add(($"dense_bwdw_{inF}x{units}_b{batch}", () => Dense.BackwardWeights(x, y, k, b, batch, inF, units)));
                    list.Add(($"dense_bwdx_{inF}x{units}_b{batch}", () => Dense.BackwardInput(y, k, x, batch, inF, units)));
                }
            }
            foreach (var (name, g) in ConvBenchmarks.Shapes)
            {
                float[] x = R(batch * g.InSize), k = R(g.WindowVolume * g.InChannels * g.OutChannels), b = R(g.OutChannels);
                float[] y = R(batch * g.OutSize), ws = new float[Convolution.WorkspaceLength(g)];
                var gg = g;
                list.Add(($"conv_fwd_{name}_b{batch}", () => Convolution.Forward(gg, x, k, b, y, batch, ws)));
                // The convolution with its ReLU and 2×2 max pooling, as the networks' Predict calls it.
                var pool2 = new WindowGeometry(1, g.OutH, g.OutW, g.OutChannels, 1, g.OutH / 2, g.OutW / 2, g.OutChannels, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
                float[] pooled = R(batch * pool2.OutSize);
                list.Add(($"conv_pool_{name}_b{batch}", () => Fused.PooledConvolutionForward(gg, pool2, x, k, b, y, pooled, batch, ws, Activation.Relu)));
                if (WinogradConvolution.Applies(g))
                {
                    float[] wws = new float[WinogradConvolution.WorkspaceLength(g)], cache = new float[WinogradConvolution.CacheLength(g)];
                    list.Add(($"winograd_fwd_{name}_b{batch}", () => WinogradConvolution.Forward(gg, x, k, b, y, batch, wws, cache, Activation.Relu)));
                    list.Add(($"winograd_pool_{name}_b{batch}", () => WinogradConvolution.ForwardMaxPool(gg, pool2, x, k, b, pooled, batch, wws, cache, Activation.Relu)));
                }
                if (batch == 32)
                {
                    list.Add(($"conv_bwdw_{name}_b{batch}", () => Convolution.BackwardWeights(gg, x, y, k, b, batch, ws)));
                    list.Add(($"conv_bwdx_{name}_b{batch}", () => Convolution.BackwardInput(gg, y, k, x, batch, ws)));
                }
            }
            float[] r = R(batch * 21632);
            list.Add(($"relu_21632_b{batch}", () => Activations.Relu(r, r)));
            var pool = new WindowGeometry(1, 26, 26, 32, 1, 13, 13, 32, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
            float[] py = R(batch * pool.OutSize);
            list.Add(($"maxpool_26x26x32_b{batch}", () => Pooling.MaxForward(pool, r, py, batch)));
        }
        var mlp = new Mlp(1);
        var adam = new Adam();
        list.Add(("adam_mlp", () => adam.Apply(mlp.Parameters, mlp.Gradients, Mlp.ParameterLayout)));
        // An LSTM training step (28 steps x 28 features, 128 units, batch 32; forward then backward from every output):
        // the GEMM kernels (Recurrent) against the RecurrentDropout kernels with masks at rates 0.2 / 0.2.
        {
            const int b = 32, t = 28, f = 28, u = 128, g = 4;
            float[] x = R(b * t * f), k = R(f * g * u), rk = R(u * g * u), bias = R(g * u), dOut = R(b * t * u);
            float[] outs = new float[b * t * u], h = new float[b * u], c = new float[b * u];
            float[] dx = new float[x.Length], dk = new float[k.Length], dr = new float[rk.Length], db = new float[bias.Length];
            float[] cache = new float[Recurrent.LstmCacheSize(b, t, u)], fs = new float[Recurrent.LstmForwardScratchSize(b, u)];
            float[] bs = new float[Recurrent.LstmBackwardScratchSize(b, t, u)];
            float[] masks = new float[RecurrentDropout.MaskSize(b, f, u, g)], dcache = new float[RecurrentDropout.CacheSize(b, t, u, g)];
            float[] dfs = new float[RecurrentDropout.ForwardScratchSize(u, g)], dbs = new float[RecurrentDropout.BackwardScratchSize(b, u, g)];
            var tanh = RecurrentActivation.Tanh;
            var sigmoid = RecurrentActivation.Sigmoid;
            list.Add(("lstm_train_b32", () =>
            {
                Recurrent.LstmForward(x, k, rk, bias, default, default, default, outs, h, c, cache, fs, b, t, f, u, tanh, sigmoid, false, false);
                Recurrent.LstmBackward(x, k, rk, default, default, default, outs, cache, dOut, default, default, default, dx, dk, dr, db, default, default, bs,
                    b, t, f, u, tanh, sigmoid, false, false);
            }));
            var maskRng = new Rng(7);
            list.Add(("lstm_recurrent_dropout_train_b32", () =>
            {
                RecurrentDropout.DrawMasks(masks, b, f, u, g, 0.2f, 0.2f, maskRng);
                RecurrentDropout.Forward(x, k, rk, bias, default, masks, outs, h, c, dcache, dfs, b, t, f, u, g, tanh, sigmoid, false, false, false);
                RecurrentDropout.Backward(x, k, rk, default, masks, dcache, dOut, default, default, default, dx, dk, dr, db, dbs, b, t, f, u, g, tanh, sigmoid,
                    false, false, false);
            }));
        }
        // A ConvLSTM2D training step (10 steps of 16x16x8, 16 filters, 3x3 same, batch 16; forward then backward from every
        // output): the plain kernels against the recurrent dropout kernels with masks at rate 0.2.
        {
            const int b = 16, t = 10, hw = 16, ch = 8, fl = 16, p = hw * hw;
            var input = new WindowGeometry(1, hw, hw, ch, 1, hw, hw, 4 * fl, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1);
            var recurrent = new WindowGeometry(1, hw, hw, fl, 1, hw, hw, 4 * fl, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1);
            float[] x = R(b * t * p * ch), k = R(9 * ch * 4 * fl), rk = R(9 * fl * 4 * fl), bias = R(4 * fl), dOut = R(b * t * p * fl);
            float[] outs = new float[b * t * p * fl], h = new float[b * p * fl], c = new float[b * p * fl];
            float[] dx = new float[x.Length], dk = new float[k.Length], dr = new float[rk.Length], db = new float[bias.Length];
            float[] cache = new float[ConvLstm.CacheSize(b, t, p, fl)], fs = new float[ConvLstm.DropoutForwardScratchSize(b, p, fl)];
            float[] bs = new float[ConvLstm.DropoutBackwardScratchSize(b, t, p, fl)], ws = new float[ConvLstm.DropoutWorkspaceLength(input, recurrent)];
            float[] masks = new float[ConvLstm.RecurrentMaskSize(b, p, fl)];
            var tanh = RecurrentActivation.Tanh;
            var sigmoid = RecurrentActivation.Sigmoid;
            list.Add(("convlstm_train_b16", () =>
            {
                ConvLstm.Forward(input, recurrent, x, k, rk, bias, outs, h, c, cache, fs, ws, b, t, tanh, sigmoid, false);
                ConvLstm.Backward(input, recurrent, x, k, rk, outs, cache, dOut, default, default, default, dx, dk, dr, db, bs, ws, b, t, tanh, sigmoid, false);
            }));
            var maskRng = new Rng(7);
            list.Add(("convlstm_recurrent_dropout_train_b16", () =>
            {
                ConvLstm.DrawRecurrentMasks(masks, b, p, fl, 0.2f, maskRng);
                ConvLstm.DropoutForward(input, recurrent, x, k, rk, bias, masks, outs, h, c, cache, fs, ws, b, t, tanh, sigmoid, false);
                ConvLstm.DropoutBackward(input, recurrent, x, k, rk, masks, outs, cache, dOut, default, default, default, dx, dk, dr, db, bs, ws, b, t, tanh, sigmoid, false);
            }));
        }
        return list;
    }

    /// <summary>
    /// The training-step workloads walk through the 1500 batches of 32 of the Fashion-MNIST training split (as
    /// the peer does), not one batch over and over: fitting a single batch drives the loss to zero and the
    /// gradients and Adam moments into subnormal floats, whose slow arithmetic then dominates the timing.
    /// Without the data set, 1500 batches of random images with random labels stand in.
    /// </summary>
    private sealed class TrainBatches
    {
        private const int Batch = 32, Batches = 1500;
        private readonly float[] _images;
        private readonly float[] _targets;
        private int _next;

        public TrainBatches(Func<int, float[]> random)
        {
            if (System.IO.Directory.Exists(NetGen.Samples.Data.FashionMnist.DebianDirectory))
            {
                var data = NetGen.Samples.Data.FashionMnist.Load();
                _images = data.TrainImages.AsSpan(0, Batch * Batches * 784).ToArray();
                _targets = NetGen.Samples.Data.FashionMnist.OneHot(data.TrainLabels.AsSpan(0, Batch * Batches), 10);
            }
            else
            {
                _images = random(Batch * Batches * 784);
                var labels = new byte[Batch * Batches];
                var rng = new Rng(8);
                for (int i = 0; i < labels.Length; i++) labels[i] = (byte)(rng.NextFloat() * 10 % 10);
                _targets = NetGen.Samples.Data.FashionMnist.OneHot(labels, 10);
            }
        }

        public (ReadOnlyMemory<float> Images, ReadOnlyMemory<float> Targets) Next()
        {
            int b = _next;
            _next = (_next + 1) % Batches;
            return (_images.AsMemory(b * Batch * 784, Batch * 784), _targets.AsMemory(b * Batch * 10, Batch * 10));
        }
    }

    /// <summary>Median seconds per call over <paramref name="samples"/> slices after a warm-up.</summary>
    private static void Warm(Action action)
    {
        var sw = Stopwatch.StartNew();
        for (int calls = 0; calls < 50 || sw.Elapsed.TotalSeconds < 0.25; calls++) action();
    }

    /// <summary>
    /// <c>--cpu-time</c>: each slice is measured in the process's CPU time instead of wall-clock time, so that time spent
    /// descheduled while other processes load the machine does not count (cache sharing with them still does).
    /// </summary>
    private static bool s_cpuTime;

    /// <summary><c>--fastest</c>: report the fastest slice instead of the median (on a loaded machine, the least disturbed one).</summary>
    private static bool s_fastest;

    private static double Time(Action action, double seconds, int samples)
    {
        // Warm up (tiered JIT reaches its optimised code after ~30 calls and a background delay) and
        // estimate the cost of one call.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 50 || sw.Elapsed.TotalSeconds < 0.25)
        {
            action();
            calls++;
        }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int reps = Math.Max(1, (int)(seconds / samples / perCall));
        var slices = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            if (s_cpuTime)
            {
                var process = Process.GetCurrentProcess();
                TimeSpan cpu = process.TotalProcessorTime;
                for (int r = 0; r < reps; r++) action();
                process.Refresh();
                slices[s] = (process.TotalProcessorTime - cpu).TotalSeconds / reps;
                continue;
            }
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++) action();
            slices[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
        }
        Array.Sort(slices);
        // --fastest (or NETGEN_QUICK_MIN=1): the fastest slice instead of the median (A/B of kernels on a machine loaded by
        // others, where a slice without preemption is the closest to the code's own speed).
        return s_fastest || Environment.GetEnvironmentVariable("NETGEN_QUICK_MIN") == "1" ? slices[0] : slices[samples / 2];
    }
}
