using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The loss kernels with a padding mask (LAYERS.md §14.1.3): the mean over the real rows, zero gradient at padded rows,
/// whose predictions and targets are never read.
/// </summary>
public class MaskedLossKernelTests
{
    // Two samples of three steps of two columns; sample 0's last step and sample 1's first are padding.
    private static readonly float[] Mask = { 1, 1, 0, 0, 1, 1 };

    private static float[] Predictions() => new float[] { 0.5f, 1.5f, -1f, 2f, float.NaN, float.NaN, float.NaN, float.PositiveInfinity, 0.25f, 0.75f, 3f, -2f };

    private static readonly float[] Targets = { 1f, 1f, 0f, 1f, 9f, 9f, 9f, 9f, 0f, 1f, 2f, -1f };

    [Fact]
    public void MeanSquaredErrorIsTheMeanOverRealRows()
    {
        var grad = new float[12];
        grad.AsSpan().Fill(7f);
        float loss = Losses.Compute(Loss.MeanSquaredError, Predictions(), Targets, grad, 6, 2, ReadOnlySpan<float>.Empty, Mask);
        // Per row: mean of the squared errors over the two columns, by hand.
        double[] rows = { (0.25 + 0.25) / 2, (1 + 1) / 2.0, (0.0625 + 0.0625) / 2, (1 + 1) / 2.0 };
        double expected = (rows[0] + rows[1] + rows[2] + rows[3]) / 4;
        Assert.Equal(expected, loss, 6);
        // Gradient 2(ŷ − y) / (cols · real rows) on real rows, exactly 0 on padded ones.
        float[] expectedGrad = { -0.125f, 0.125f, -0.25f, 0.25f, 0, 0, 0, 0, 0.0625f, -0.0625f, 0.25f, -0.25f };
        for (int i = 0; i < 12; i++) Assert.Equal(expectedGrad[i], grad[i], 6);
    }

    [Fact]
    public void SampleWeightsAndMaskCombine()
    {
        var pred = Predictions();
        float plain = Losses.Compute(Loss.MeanSquaredError, pred, Targets, Span<float>.Empty, 6, 2, ReadOnlySpan<float>.Empty, Mask);
        float weighted = Losses.Compute(Loss.MeanSquaredError, pred, Targets, Span<float>.Empty, 6, 2, new[] { 2f, 0f }, Mask);
        // Sample 1's rows weigh 0 but still count in the number of real rows (Keras divides by the mask's count).
        double[] rows = { 0.25, 1, 0.0625, 1 };
        Assert.Equal((2 * rows[0] + 2 * rows[1]) / 4, weighted, 6);
        Assert.NotEqual(plain, weighted);
    }

    [Fact]
    public void FusedSparseFormSkipsBadLabelsOnPaddedRows()
    {
        float[] logits = { 1f, 2f, 0.5f, -1f, 3f, 0f };
        var probs = new float[6];
        for (int r = 0; r < 3; r++)
        {
            double a = Math.Exp(logits[2 * r]), b = Math.Exp(logits[2 * r + 1]);
            probs[2 * r] = (float)(a / (a + b));
            probs[2 * r + 1] = (float)(b / (a + b));
        }
        float[] labels = { 1, -5, 0 }; // row 1 is padding: its label is not a class and must not be read
        float[] mask = { 1, 0, 1 };
        var grad = new float[6];
        float loss = Losses.SoftmaxSparseCategoricalCrossentropy(logits, probs, labels, grad, 3, 2, ReadOnlySpan<float>.Empty, mask);
        double expected = (-Math.Log(probs[1]) - Math.Log(probs[4])) / 2;
        Assert.Equal(expected, loss, 5);
        Assert.Equal(0f, grad[2]);
        Assert.Equal(0f, grad[3]);
        Assert.Equal((probs[0] - 0) / 2, grad[0], 6);
        Assert.Equal((probs[1] - 1) / 2, grad[1], 6);
        // The same bad label on a real row is an error that names it.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxSparseCategoricalCrossentropy(logits, probs, labels, grad, 3, 2, ReadOnlySpan<float>.Empty, new float[] { 1, 1, 1 }));
        Assert.Contains("row 1", error.Message);
    }

    [Fact]
    public void AllPaddingGivesZero()
    {
        var grad = new float[12];
        grad.AsSpan().Fill(3f);
        float loss = Losses.Compute(Loss.MeanSquaredError, Predictions(), Targets, grad, 6, 2, ReadOnlySpan<float>.Empty, new float[6]);
        Assert.Equal(0f, loss);
        Assert.All(grad, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void MaskMustSplitTheRowsEvenly()
    {
        var error = Assert.Throws<ArgumentException>(() => Losses.Compute(Loss.MeanSquaredError, Predictions(), Targets, Span<float>.Empty, 6, 2, ReadOnlySpan<float>.Empty, new float[4]));
        Assert.Equal("mask", error.ParamName);
        Assert.Contains("divides the 6 loss rows; it has 4", error.Message);
    }
}
