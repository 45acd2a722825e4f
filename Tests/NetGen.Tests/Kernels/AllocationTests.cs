using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class AllocationTests
{
    [Fact]
    public void KernelsDoNotAllocateOnTheHeap()
    {
        const int rows = 32, inF = 784, units = 128;
        float[] x = TestUtil.Uniform(1, rows * inF), k = TestUtil.Uniform(2, inF * units), b = TestUtil.Uniform(3, units);
        float[] y = new float[rows * units], dy = TestUtil.Uniform(4, rows * units), dK = new float[k.Length], dB = new float[units], dx = new float[x.Length];
        float[] mask = new float[y.Length], labels = new float[rows], target = new float[rows * units], grad = new float[rows * units];
        var rng = new Rng(1);

        void Step()
        {
            Dense.Forward(x, k, b, y, rows, inF, units);
            Gemm.MatMulTransposeB(dy, k, dx, rows, units, inF, accumulate: true);
            Activations.Relu(y, y);
            Activations.GeluBackward(y, y, dy, dy);
            Activations.Softmax(y, y, units);
            Activations.SoftmaxBackward(y, y, dy, dy, units);
            Dropout.Forward(y, y, mask, 0.5f, rng);
            Dropout.Backward(dy, mask, dy);
            Losses.SoftmaxSparseCategoricalCrossentropy(y, y, labels, grad, rows, units);
            Losses.CategoricalCrossentropy(y, target, grad, rows, units);
            Dense.BackwardWeights(x, dy, dK, dB, rows, inF, units);
            Dense.BackwardInput(dy, k, dx, rows, inF, units);
        }

        Step(); // JIT and static initialisation
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
