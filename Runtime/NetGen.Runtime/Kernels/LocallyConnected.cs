using System;

namespace NetGen.Kernels;

/// <summary>
/// Locally connected kernels (Keras 2 LocallyConnected1D/2D, implementation 1): a convolution whose weights are
/// not shared between output positions. The kernel is <c>(OutPositions, WindowVolume·InChannels, OutChannels)</c>
/// row-major with the patch flattened in <c>(kd, kh, kw, c)</c> order (channel fastest) and output positions
/// row-major; the bias is <c>(OutPositions, OutChannels)</c> (Keras 2D stores it as <c>(OH, OW, F)</c>, the same
/// floats). Keras only allows valid padding here; a non-zero <c>g.Pad*</c> is honoured as zero padding anyway.
/// </summary>
/// <remarks>Direct loops, no workspace: every output position is its own small matrix-vector product.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class LocallyConnected
{
    /// <summary><c>y[b, p, f] = bias[p, f] + Σ_q patch_p(x_b)[q]·kernel[p, q, f]</c>; an empty <paramref name="bias"/> means none.</summary>
    public static void Forward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int batch)
    {
        Check(g, x.Length, y.Length, kernel.Length, batch, nameof(x), nameof(y));
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, g.OutSize, nameof(bias), "OutPositions·OutChannels");
        int f = g.OutChannels, cin = g.InChannels, qLen = g.WindowVolume * cin;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xs = x.Slice(b * g.InSize, g.InSize);
            Span<float> ys = y.Slice(b * g.OutSize, g.OutSize);
            if (bias.IsEmpty) ys.Clear();
            else bias.Slice(0, g.OutSize).CopyTo(ys);
            for (int p = 0; p < g.OutPositions; p++)
            {
                Span<float> yp = ys.Slice(p * f, f);
                ReadOnlySpan<float> kp = kernel.Slice(p * qLen * f, qLen * f);
                for (int t = 0; t < g.WindowVolume; t++)
                {
                    int ip = DepthwiseConvolution.InputCell(g, p, t);
                    if (ip < 0) continue;
                    for (int c = 0; c < cin; c++)
                        WindowOps.AxpyTo(xs[ip * cin + c], kp.Slice((t * cin + c) * f, f), yp);
                }
            }
        }
    }

    /// <summary><c>dKernel[p, q, f] = Σ_b patch_p(x_b)[q]·dy[b, p, f]</c>, <c>dBias[p, f] = Σ_b dy[b, p, f]</c>, overwritten; an empty <paramref name="dBias"/> is skipped.</summary>
    public static void BackwardWeights(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dKernel, Span<float> dBias, int batch)
    {
        Check(g, x.Length, dy.Length, dKernel.Length, batch, nameof(x), nameof(dy));
        if (!dBias.IsEmpty) Guard.AtLeast(dBias.Length, g.OutSize, nameof(dBias), "OutPositions·OutChannels");
        int f = g.OutChannels, cin = g.InChannels, qLen = g.WindowVolume * cin;
        dKernel.Slice(0, g.OutPositions * qLen * f).Clear();
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xs = x.Slice(b * g.InSize, g.InSize);
            ReadOnlySpan<float> dys = dy.Slice(b * g.OutSize, g.OutSize);
            for (int p = 0; p < g.OutPositions; p++)
            {
                ReadOnlySpan<float> dyp = dys.Slice(p * f, f);
                Span<float> dkp = dKernel.Slice(p * qLen * f, qLen * f);
                for (int t = 0; t < g.WindowVolume; t++)
                {
                    int ip = DepthwiseConvolution.InputCell(g, p, t);
                    if (ip < 0) continue;
                    for (int c = 0; c < cin; c++)
                        WindowOps.AxpyTo(xs[ip * cin + c], dyp, dkp.Slice((t * cin + c) * f, f));
                }
            }
        }
        if (dBias.IsEmpty) return;
        Span<float> db = dBias.Slice(0, g.OutSize);
        db.Clear();
        for (int b = 0; b < batch; b++) WindowOps.AddTo(dy.Slice(b * g.OutSize, g.OutSize), db);
    }

    /// <summary><c>dx</c> (overwritten): every patch cell of position <c>p</c> receives <c>Σ_f kernel[p, q, f]·dy[b, p, f]</c>.</summary>
    public static void BackwardInput(in WindowGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, int batch)
    {
        Check(g, dx.Length, dy.Length, kernel.Length, batch, nameof(dx), nameof(dy));
        int f = g.OutChannels, cin = g.InChannels, qLen = g.WindowVolume * cin;
        for (int b = 0; b < batch; b++)
        {
            Span<float> dxs = dx.Slice(b * g.InSize, g.InSize);
            ReadOnlySpan<float> dys = dy.Slice(b * g.OutSize, g.OutSize);
            dxs.Clear();
            for (int p = 0; p < g.OutPositions; p++)
            {
                ReadOnlySpan<float> dyp = dys.Slice(p * f, f);
                ReadOnlySpan<float> kp = kernel.Slice(p * qLen * f, qLen * f);
                for (int t = 0; t < g.WindowVolume; t++)
                {
                    int ip = DepthwiseConvolution.InputCell(g, p, t);
                    if (ip < 0) continue;
                    for (int c = 0; c < cin; c++)
                        dxs[ip * cin + c] += WindowOps.Dot(kp.Slice((t * cin + c) * f, f), dyp);
                }
            }
        }
    }

    private static void Check(in WindowGeometry g, int inLength, int outLength, int kernelLength, int batch, string inName, string outName)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        Guard.AtLeast(inLength, batch * g.InSize, inName, "batch·InSize");
        Guard.AtLeast(outLength, batch * g.OutSize, outName, "batch·OutSize");
        Guard.AtLeast(kernelLength, g.OutPositions * g.WindowVolume * g.InChannels * g.OutChannels, "kernel", "OutPositions·WindowVolume·InChannels·OutChannels");
    }
}
