using System;

namespace NetGen.Training;

/// <summary>Keras' "accuracy", resolved from the shapes as Keras does.</summary>
public static class Metrics
{
    /// <summary>
    /// Counts correct predictions: with one column, binary accuracy (<c>p &gt; 0.5</c> equals the 0/1 target);
    /// with sparse targets, the class id equals the argmax; otherwise the argmaxes of prediction and target agree
    /// (ties: the lowest index). Returns the number correct and the number counted.
    /// </summary>
    public static (int Correct, int Total) Accuracy(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int columns, bool sparseTargets)
    {
        int rows = predictions.Length / columns, correct = 0;
        if (columns == 1 && !sparseTargets)
        {
            for (int r = 0; r < rows; r++)
                if ((predictions[r] > 0.5f ? 1f : 0f) == targets[r]) correct++;
            return (correct, rows);
        }
        for (int r = 0; r < rows; r++)
        {
            int predicted = ArgMax(predictions.Slice(r * columns, columns));
            int expected = sparseTargets ? (int)targets[r] : ArgMax(targets.Slice(r * columns, columns));
            if (predicted == expected) correct++;
        }
        return (correct, rows);
    }

    /// <summary>Index of the largest value; ties go to the lowest index.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
