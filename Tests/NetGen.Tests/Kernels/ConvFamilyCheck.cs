using System;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>
/// One check for a convolution-family kernel set: forward against a double reference forward, and both backward
/// passes against central finite differences of that reference forward (with a random upstream gradient), every
/// element of dx, dKernel and dBias. Outputs are pre-filled with NaN to prove the kernels overwrite them.
/// </summary>
internal static class ConvFamilyCheck
{
    public delegate double[] RefForward(double[] x, double[] k, double[] bias);
    public delegate void KForward(float[] x, float[] k, float[] bias, float[] y);
    public delegate void KBackwardWeights(float[] x, float[] dy, float[] dk, float[] db);
    public delegate void KBackwardInput(float[] dy, float[] k, float[] dx);

    public static void Run(string what, int xLen, int kLen, int bLen, int yLen, RefForward reference, KForward forward, KBackwardWeights backwardWeights, KBackwardInput backwardInput, int seed = 1, double rel = 1e-5, double abs = 1e-5)
    {
        float[] x = TestUtil.Uniform(seed, xLen), k = TestUtil.Uniform(seed + 1, kLen), b = TestUtil.Uniform(seed + 2, bLen), dy = TestUtil.Uniform(seed + 3, yLen);
        double[] xd = TestUtil.ToDouble(x), kd = TestUtil.ToDouble(k), bd = TestUtil.ToDouble(b), up = TestUtil.ToDouble(dy);

        var y = Nan(yLen);
        forward(x, k, b, y);
        TestUtil.AllClose(reference(xd, kd, bd), y, rel, abs, $"{what} y");

        float[] dk = Nan(kLen), db = Nan(bLen), dx = Nan(xLen);
        backwardWeights(x, dy, dk, db);
        backwardInput(dy, k, dx);
        double[] F(double[] a, double[] c, double[] e) => reference(a, c, e);
        for (int i = 0; i < xLen; i++) TestUtil.Close(ConvReference.FiniteDifference(F, xd, kd, bd, up, 0, i), dx[i], rel, abs, $"{what} dx[{i}]");
        for (int i = 0; i < kLen; i++) TestUtil.Close(ConvReference.FiniteDifference(F, xd, kd, bd, up, 1, i), dk[i], rel, abs, $"{what} dK[{i}]");
        for (int i = 0; i < bLen; i++) TestUtil.Close(ConvReference.FiniteDifference(F, xd, kd, bd, up, 2, i), db[i], rel, abs, $"{what} dB[{i}]");
    }

    private static float[] Nan(int n)
    {
        var v = new float[n];
        v.AsSpan().Fill(float.NaN);
        return v;
    }
}
