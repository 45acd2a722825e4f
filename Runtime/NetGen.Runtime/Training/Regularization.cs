using System;
using System.Collections.Generic;
using System.ComponentModel;

namespace NetGen.Training;

/// <summary>
/// The regularization losses of a network's weights (<see cref="ParameterInfo.Regularizer"/>): what Keras adds to the loss
/// as <c>model.losses</c>, for the weights that train now. The generated <c>ComputeGradients</c> calls <see cref="Apply"/>;
/// <see cref="Trainer.Evaluate(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> adds <see cref="Penalty"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Regularization
{
    /// <summary>True when some weight of <paramref name="layout"/> has a regularizer.</summary>
    public static bool Any(IReadOnlyList<ParameterInfo> layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        for (int v = 0; v < layout.Count; v++) // indexed: enumerating an IReadOnlyList allocates
            if (layout[v].Regularizer is not null) return true;
        return false;
    }

    /// <summary>
    /// Adds each regularized, trainable weight's penalty gradient to <paramref name="gradients"/> and returns the sum of the
    /// penalties. <paramref name="trainable"/>: one flag per weight of the layout (empty: all train).
    /// </summary>
    public static float Apply(IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<bool> trainable, ReadOnlySpan<float> parameters, Span<float> gradients)
    {
        Check(layout, trainable, parameters);
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"gradients must hold {parameters.Length} floats (one per parameter), but has {gradients.Length}.", nameof(gradients));
        double total = 0;
        for (int v = 0; v < layout.Count; v++)
        {
            var p = layout[v];
            if (p.Regularizer is not { } r || (!trainable.IsEmpty && !trainable[v])) continue;
            total += r.AddGradient(parameters.Slice(p.Offset, p.Length), gradients.Slice(p.Offset, p.Length));
        }
        return (float)total;
    }

    /// <summary>The sum of the regularized, trainable weights' penalties (see <see cref="Apply"/>).</summary>
    public static float Penalty(IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<bool> trainable, ReadOnlySpan<float> parameters)
    {
        Check(layout, trainable, parameters);
        double total = 0;
        for (int v = 0; v < layout.Count; v++)
        {
            var p = layout[v];
            if (p.Regularizer is not { } r || (!trainable.IsEmpty && !trainable[v])) continue;
            total += r.Penalty(parameters.Slice(p.Offset, p.Length));
        }
        return (float)total;
    }

    /// <summary>Applies each constrained, trainable weight's <see cref="ParameterInfo.Constraint"/> in place.</summary>
    public static void Constrain(IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<bool> trainable, Span<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(layout);
        bool any = false;
        for (int v = 0; v < layout.Count; v++) any |= layout[v].Constraint is not null; // indexed: a step allocates nothing
        if (!any) return;
        Check(layout, trainable, parameters);
        for (int v = 0; v < layout.Count; v++)
        {
            var p = layout[v];
            if (p.Constraint is not { } c || (!trainable.IsEmpty && !trainable[v])) continue;
            c.Apply(parameters.Slice(p.Offset, p.Length), p.Shape);
        }
    }

    private static void Check(IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<bool> trainable, ReadOnlySpan<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!trainable.IsEmpty && trainable.Length != layout.Count)
            throw new ArgumentException($"trainable must hold one flag per weight of the layout ({layout.Count}), but has {trainable.Length}.", nameof(trainable));
        for (int v = 0; v < layout.Count; v++)
            if (layout[v] is var p && (p.Offset < 0 || p.Length < 0 || (long)p.Offset + p.Length > parameters.Length))
                throw new ArgumentException($"the weight {p.Name} (offset {p.Offset}, {p.Length} floats) lies outside the {parameters.Length} parameters.", nameof(parameters));
    }
}
