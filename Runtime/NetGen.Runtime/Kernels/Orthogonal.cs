using System;

namespace NetGen.Kernels;

/// <summary>Keras' <c>Orthogonal(gain)</c> initializer (LAYERS.md §2), the default <c>recurrent_initializer</c> of SimpleRNN, GRU, LSTM and ConvLSTM2D.</summary>
/// <remarks>
/// For a weight of shape <c>shape</c>, rows = product(shape[:-1]) and cols = shape[-1]. Keras draws a standard-normal
/// matrix A of shape (max(rows, cols), min(rows, cols)), takes its reduced QR decomposition, multiplies each column of Q
/// by the sign of the matching diagonal entry of R, transposes when rows &lt; cols, reshapes to <c>shape</c> and
/// multiplies by <c>gain</c>. The sign-corrected Q is the unique orthonormal factor whose R has a positive diagonal,
/// so it does not depend on the QR algorithm; here it comes from modified Gram–Schmidt in double, run twice per column
/// to keep orthogonality at float precision. The result has orthonormal rows or columns (whichever are fewer), times
/// gain. Keras' normal stream cannot be reproduced, so only the construction is exact; <see cref="FromNormal"/> runs
/// it on a given matrix (what the tests compare against PyTorch's QR).
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Orthogonal
{
    /// <summary>Fills <paramref name="weights"/> (rows·cols floats, row-major) with Keras' orthogonal initialization drawn from <paramref name="rng"/>.</summary>
    public static void Fill(Span<float> weights, int rows, int cols, double gain, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows (product of all but the last dimension) must be at least 1.");
        if (cols < 1) throw new ArgumentOutOfRangeException(nameof(cols), cols, "cols (the last dimension) must be at least 1.");
        Guard.AtLeast(weights.Length, rows * cols, nameof(weights), "rows·cols");
        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        var a = new double[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = rng.NextNormal();
        FromNormal(a, rows, cols, gain, weights);
    }

    /// <summary>
    /// The orthogonal weight Keras makes from the normal draw <paramref name="normal"/> of shape (max(rows, cols), min(rows, cols))
    /// (row-major; overwritten with Q), written to <paramref name="weights"/> as rows × cols.
    /// </summary>
    public static void FromNormal(double[] normal, int rows, int cols, double gain, Span<float> weights)
    {
        ArgumentNullException.ThrowIfNull(normal);
        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        if (normal.Length < m * n) throw new ArgumentException($"normal must hold {m * n} values (max(rows, cols)·min(rows, cols)), but has {normal.Length}.", nameof(normal));
        Guard.AtLeast(weights.Length, rows * cols, nameof(weights), "rows·cols");
        double[] q = normal;
        for (int j = 0; j < n; j++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[i * n + k] * q[i * n + j];
                    for (int i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[i * n + j] * q[i * n + j];
            norm = Math.Sqrt(norm);
            // R's diagonal entry is this norm (positive), so the sign correction is already applied; a zero column
            // (rank-deficient draw, probability 0) gives sign(0) = 0 as in Keras.
            double scale = norm > 0 ? 1 / norm : 0;
            for (int i = 0; i < m; i++) q[i * n + j] *= scale;
        }
        if (rows >= cols)
        {
            for (int i = 0; i < rows * cols; i++) weights[i] = (float)(gain * q[i]);
        }
        else
        {
            // Q is (cols, rows); the weight is its transpose.
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) weights[r * cols + c] = (float)(gain * q[c * rows + r]);
        }
    }
}
