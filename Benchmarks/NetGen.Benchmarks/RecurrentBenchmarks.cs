using System;
using BenchmarkDotNet.Attributes;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>
/// The LSTM kernel on the Fashion-MNIST sequence shape of issue 13: 28 steps × 28 features, 128 units, batch 1 and 256,
/// one thread. <see cref="LstmForward"/> is <c>Recurrent.LstmForward</c> (inference and the training forward are the same
/// call); <see cref="LstmTrainingStep"/> adds <c>Recurrent.LstmBackward</c> from the last output. The peer (PyTorch
/// <c>nn.LSTM</c>, one thread, same shapes) is timed by the command in <c>docs/recurrent-attention-kernels.md</c>.
/// </summary>
[MemoryDiagnoser]
public class RecurrentBenchmarks
{
    private const int Steps = 28, Features = 28, Units = 128;
    private float[] _x = Array.Empty<float>(), _kernel = Array.Empty<float>(), _recurrent = Array.Empty<float>(), _bias = Array.Empty<float>();
    private float[] _outputs = Array.Empty<float>(), _h = Array.Empty<float>(), _c = Array.Empty<float>(), _cache = Array.Empty<float>();
    private float[] _scratch = Array.Empty<float>(), _backScratch = Array.Empty<float>(), _dLast = Array.Empty<float>();
    private float[] _dx = Array.Empty<float>(), _dKernel = Array.Empty<float>(), _dRecurrent = Array.Empty<float>(), _dBias = Array.Empty<float>();

    [Params(1, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Parallelism.MaxThreads = 1;
        var rng = new Rng(3);
        _x = Fill(new float[Batch * Steps * Features], rng, 1);
        _kernel = Fill(new float[Features * 4 * Units], rng, 0.1);
        _recurrent = new float[Units * 4 * Units];
        Orthogonal.Fill(_recurrent, Units, 4 * Units, 1, rng);
        _bias = new float[4 * Units];
        _bias.AsSpan(Units, Units).Fill(1f); // unit_forget_bias
        _outputs = new float[Batch * Steps * Units];
        _h = new float[Batch * Units];
        _c = new float[Batch * Units];
        _cache = new float[Recurrent.LstmCacheSize(Batch, Steps, Units)];
        _scratch = new float[Recurrent.LstmForwardScratchSize(Batch, Units)];
        _backScratch = new float[Recurrent.LstmBackwardScratchSize(Batch, Steps, Units)];
        _dLast = Fill(new float[Batch * Units], rng, 1);
        _dx = new float[Batch * Steps * Features];
        _dKernel = new float[_kernel.Length];
        _dRecurrent = new float[_recurrent.Length];
        _dBias = new float[_bias.Length];
    }

    private static float[] Fill(float[] a, Rng rng, double scale)
    {
        for (int i = 0; i < a.Length; i++) a[i] = (float)(scale * (2 * rng.NextDouble() - 1));
        return a;
    }

    [Benchmark]
    public float LstmForward()
    {
        Recurrent.LstmForward(_x, _kernel, _recurrent, _bias, default, default, default, _outputs, _h, _c, _cache, _scratch,
            Batch, Steps, Features, Units, RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, false, false);
        return _h[0];
    }

    [Benchmark]
    public float LstmTrainingStep()
    {
        Recurrent.LstmForward(_x, _kernel, _recurrent, _bias, default, default, default, _outputs, _h, _c, _cache, _scratch,
            Batch, Steps, Features, Units, RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, false, false);
        Recurrent.LstmBackward(_x, _kernel, _recurrent, default, default, default, _outputs, _cache, default, _dLast, default, default,
            _dx, _dKernel, _dRecurrent, _dBias, default, default, _backScratch, Batch, Steps, Features, Units,
            RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, false, false);
        return _dKernel[0];
    }
}
