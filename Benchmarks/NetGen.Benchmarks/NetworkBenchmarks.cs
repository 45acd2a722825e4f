using System;
using BenchmarkDotNet.Attributes;
using NetGen.Kernels;
using NetGen.Optimizers;

namespace NetGen.Benchmarks;

/// <summary>Whole-network inference and one training step (forward, loss, backward, Adam update).</summary>
[MemoryDiagnoser]
public class NetworkBenchmarks
{
    private readonly Mlp _mlp = new(1);
    private readonly Cnn _cnn = new(1);
    private readonly Adam _mlpAdam = new();
    private readonly Adam _cnnAdam = new();
    private float[] _input = Array.Empty<float>(), _output = Array.Empty<float>(), _target = Array.Empty<float>();

    [Params(1, 32, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(2);
        _input = new float[Batch * 784];
        for (int i = 0; i < _input.Length; i++) _input[i] = rng.NextFloat();
        _output = new float[Batch * 10];
        _target = new float[Batch * 10];
        for (int b = 0; b < Batch; b++) _target[b * 10 + b % 10] = 1;
    }

    [Benchmark]
    public void MlpPredict() => _mlp.Predict(_input, _output, Batch);

    [Benchmark]
    public void CnnPredict() => _cnn.Predict(_input, _output, Batch);

    [Benchmark]
    public float MlpTrainStep()
    {
        float loss = _mlp.ComputeGradients(_input, _target, Batch, Loss.CategoricalCrossentropy);
        _mlpAdam.Apply(_mlp.Parameters, _mlp.Gradients, Mlp.ParameterLayout);
        return loss;
    }

    [Benchmark]
    public float CnnTrainStep()
    {
        float loss = _cnn.ComputeGradients(_input, _target, Batch, Loss.CategoricalCrossentropy);
        _cnnAdam.Apply(_cnn.Parameters, _cnn.Gradients, Cnn.ParameterLayout);
        return loss;
    }
}

/// <summary>Dense kernels (forward, backward weights, backward input) at the performance issue's shapes.</summary>
public class KernelBenchmarks
{
    private float[] _x = Array.Empty<float>(), _k = Array.Empty<float>(), _b = Array.Empty<float>(), _y = Array.Empty<float>();

    [Params("784x128", "128x64", "1024x1024")]
    public string Shape { get; set; } = "784x128";

    [Params(1, 32, 256)]
    public int Batch { get; set; }

    private int In => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int Out => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(3);
        float R() => rng.NextFloat() - 0.5f;
        _x = new float[Batch * In];
        _k = new float[In * Out];
        _b = new float[Out];
        _y = new float[Batch * Out];
        for (int i = 0; i < _x.Length; i++) _x[i] = R();
        for (int i = 0; i < _k.Length; i++) _k[i] = R();
    }

    [Benchmark]
    public void DenseForward() => Dense.Forward(_x, _k, _b, _y, Batch, In, Out);

    /// <summary>dW = xᵀ·dy and dBias.</summary>
    [Benchmark]
    public void DenseBackwardWeights() => Dense.BackwardWeights(_x, _y, _k, _b, Batch, In, Out);

    /// <summary>dX = dy·Wᵀ.</summary>
    [Benchmark]
    public void DenseBackwardInput() => Dense.BackwardInput(_y, _k, _x, Batch, In, Out);
}

/// <summary>SGEMM 1024×1024×1024 (2.15 GFLOP per call).</summary>
public class GemmBenchmarks
{
    private readonly float[] _a = new float[1024 * 1024], _b = new float[1024 * 1024], _c = new float[1024 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(4);
        for (int i = 0; i < _a.Length; i++) (_a[i], _b[i]) = (rng.NextFloat(), rng.NextFloat());
    }

    [Benchmark]
    public void Sgemm1024() => Gemm.MatMul(_a, _b, _c, 1024, 1024, 1024);
}

/// <summary>Conv2D forward and backward (input and kernel) at the performance issue's shapes, 3×3 valid, stride 1.</summary>
public class ConvBenchmarks
{
    /// <summary>28x28x1→32, 13x13x32→64, 56x56x64→64.</summary>
    public static readonly (string Name, WindowGeometry Geometry)[] Shapes =
    {
        ("28x28x1-32", Conv3x3(28, 1, 32)),
        ("13x13x32-64", Conv3x3(13, 32, 64)),
        ("56x56x64-64", Conv3x3(56, 64, 64)),
    };

    private static WindowGeometry Conv3x3(int size, int inC, int outC)
        => new(1, size, size, inC, 1, size - 2, size - 2, outC, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0);

    private WindowGeometry _g;
    private float[] _x = Array.Empty<float>(), _k = Array.Empty<float>(), _b = Array.Empty<float>(), _y = Array.Empty<float>(), _ws = Array.Empty<float>();

    [Params("28x28x1-32", "13x13x32-64", "56x56x64-64")]
    public string Shape { get; set; } = "28x28x1-32";

    [Params(1, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _g = Array.Find(Shapes, s => s.Name == Shape).Geometry;
        var rng = new Rng(7);
        float[] R(int n)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = rng.NextFloat() - 0.5f;
            return a;
        }
        _x = R(Batch * _g.InSize);
        _k = R(_g.WindowVolume * _g.InChannels * _g.OutChannels);
        _b = R(_g.OutChannels);
        _y = R(Batch * _g.OutSize);
        _ws = new float[Convolution.WorkspaceLength(_g)];
    }

    [Benchmark]
    public void ConvForward() => Convolution.Forward(_g, _x, _k, _b, _y, Batch, _ws);

    [Benchmark]
    public void ConvBackwardWeights() => Convolution.BackwardWeights(_g, _x, _y, _k, _b, Batch, _ws);

    [Benchmark]
    public void ConvBackwardInput() => Convolution.BackwardInput(_g, _y, _k, _x, Batch, _ws);
}
