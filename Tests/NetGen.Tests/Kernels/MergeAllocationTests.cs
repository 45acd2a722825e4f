using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class MergeAllocationTests
{
    [Fact]
    public void MergeDotPermuteAndRepeatKernelsDoNotAllocateOnTheHeap()
    {
        const int n = 4, f = 33;
        float[] a = TestUtil.Uniform(1, n * f), b = TestUtil.Uniform(2, n * f), y = new float[n * f], r = new float[n * f], d = new float[n * f];
        float[] cat = new float[n * 2 * f], rep = new float[n * 3 * f];
        float[] x0 = TestUtil.Uniform(3, n * 3 * 4), x1 = TestUtil.Uniform(4, n * 5 * 4), dot = new float[n * 3 * 5];
        float[] dx0 = new float[x0.Length], dx1 = new float[x1.Length], xn = new float[x0.Length];
        float[] p = TestUtil.Uniform(5, n * 2 * 3 * 4), py = new float[p.Length];
        int[] shape = { 2, 3, 4 }, dims = { 2, 0, 1 };

        void Step()
        {
            Merge.Add(a, b, y);
            Merge.Subtract(a, b, y);
            Merge.Multiply(a, y, y);
            Merge.Maximum(a, b, y);
            Merge.Minimum(a, b, y);
            Merge.Scale(y, 0.5f, y);
            Merge.Negate(y, y);
            Merge.Maximum(a, b, y);
            a.CopyTo(r, 0);
            Merge.RouteToWinner(a, y, r, d);
            Merge.ConcatenateInto(a, cat, n, f, 2 * f, 0);
            Merge.SplitFrom(cat, d, n, f, 2 * f, f);
            Dot.Normalize(x0, xn, n * 3, 4, 1);
            Dot.Forward(xn, x1, dot, n, 3, 4, 1, 5, 1);
            Dot.Backward(xn, x1, dot, dx0, dx1, n, 3, 4, 1, 5, 1);
            Dot.NormalizeBackward(x0, xn, dx0, dx0, n * 3, 4, 1);
            Dot.Normalize(p, py, n, 2, 12);
            Permute.Forward(p, py, n, shape, dims);
            Permute.Backward(py, p, n, shape, dims);
            RepeatVector.Forward(a, rep, n, f, 3);
            RepeatVector.Backward(rep, d, n, f, 3);
        }

        Step(); // JIT and static initialisation
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
