using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>TimeDistributed(layer)</c>, declared as <c>TimeDistributed = true</c> on any layer attribute (a property of
/// every layer, read here for every kind): the layer is built for one step's shape and applied to every step of a
/// <c>(steps, ...)</c> input with one set of weights.
/// </summary>
/// <remarks>
/// A layer computes each sample on its own (all but a trainable BatchNormalization, <see cref="LayerNode.MixesSamples"/>),
/// and a (batch, steps, ...) tensor is, in memory, batch·steps samples of the step shape one after the other. So the
/// wrapped layer lowers exactly as it always does, with <see cref="LoweringContext.BatchScale"/> set to the steps: its
/// batch sizes become <c>n * steps</c> and its scratch grows to match. No kind needs code of its own for this.
/// </remarks>
internal static class TimeDistributed
{
    /// <summary>Keras' name of the wrapper layer, the default name stem of a time-distributed layer.</summary>
    public const string DefaultName = "time_distributed";

    public const string Property = "TimeDistributed";

    /// <summary>Whether the declaration asks for its layer to be time-distributed.</summary>
    public static bool Requested(LayerSpec spec) => spec.Find(Property) is { Kind: ArgKind.Bool, Number: not 0 };

    /// <summary>
    /// Builds <paramref name="kind"/> for one step of <paramref name="input"/> and wraps it, or reports why it cannot be
    /// (NG0052 on the <c>TimeDistributed</c> argument, NG0053 for an input without a time axis) and returns null.
    /// </summary>
    public static LayerNode? Build(LayerKind kind, LayerSpec spec, string name, IReadOnlyList<Shape> inputs, BuildContext context)
    {
        var where = spec.Find(Property)?.Location ?? spec.Location;
        string label = $"{spec.Kind} '{name}'";
        string? refusal = kind switch
        {
            MultiInputKind => "it reads several inputs; TimeDistributed wraps a layer of one input",
            LambdaKind => "a Lambda's method sees whole samples; write the per-step loop in the method, or reshape around it",
            EmbeddingKind => "Embedding reads token ids: apply it to the (steps, ...) ids directly, it maps every id",
            MaskingKind => "Masking starts a padding mask over the input's time axis; apply it to the sequence directly",
            _ => null,
        };
        if (refusal is not null)
        {
            context.Report(Descriptors.TimeDistributedUnsupported, where, label, refusal);
            return null;
        }
        var input = inputs[0];
        if (input.Rank < 2)
        {
            context.Report(Descriptors.TimeDistributedRank, where, label, input.ToString(), input.Rank);
            return null;
        }
        int steps = input.Dims[0];
        var inner = kind.Build(spec, name, new Shape(input.Dims.Skip(1).ToArray()), context);
        if (inner is null) return null;
        inner.Trainable = !(spec.Find("Trainable") is { Kind: ArgKind.Bool, Number: 0 });
        refusal = inner.MixesSamples ? "a trainable BatchNormalization normalizes each step with that step's batch statistics in Keras; "
                + "apply BatchNormalization to the (steps, ...) tensor directly (statistics over batch and steps), or declare it Trainable = false"
            : inner.Ports.Count > 0 ? "its extra outputs (" + string.Join(", ", inner.Ports.Select(p => "'" + p.Port + "'")) + ") would be per step; remove ReturnState"
            : inner.ProducesMask || inner.ReadsTokenIds ? "it reads token ids or starts a padding mask; apply it to the sequence directly"
            : null;
        if (refusal is not null)
        {
            context.Report(Descriptors.TimeDistributedUnsupported, where, label, refusal);
            return null;
        }
        return new TimeDistributedNode(spec, name, input, inner);
    }
}

/// <summary>A layer applied to every step: <see cref="Inner"/>, built for one step, lowered over batch·steps samples.</summary>
internal sealed class TimeDistributedNode : LayerNode
{
    public TimeDistributedNode(LayerSpec spec, string name, Shape input, LayerNode inner)
        : base(spec, name, input, new Shape(new[] { input.Dims[0] }.Concat(inner.OutputShape.Dims).ToArray()))
    {
        Inner = inner;
        // The weights are the wrapped layer's, under this layer's name (time_distributed/kernel, as Keras names them).
        Parameters.AddRange(inner.Parameters);
        State.AddRange(inner.State);
    }

    /// <summary>The wrapped layer, whose shapes are one step's.</summary>
    public LayerNode Inner { get; }

    private int Steps => InputShape.Dims[0];

    public override string KerasClass => "TimeDistributed";

    public override string Description => $"TimeDistributed({Inner.Description})";

    /// <summary>Keras 3 (up to 3.15) passes the mask on: the time axis is kept. The wrapped layer sees none.</summary>
    public override MaskUse MaskUse => MaskUse.Propagates;

    public override bool DependsOnTrainingMode => Inner.DependsOnTrainingMode;

    public override BufferUse InferenceUse => Inner.InferenceUse;

    public override BufferUse TrainingUse => Inner.TrainingUse;

    public override BufferUse BackwardUse => Inner.BackwardUse;

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        Sync();
        int saved = c.BatchScale;
        c.BatchScale = saved * Steps;
        Inner.LowerInference(c, xs, y);
        c.BatchScale = saved;
    }

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        Sync();
        int saved = c.BatchScale;
        c.BatchScale = saved * Steps;
        Inner.LowerTrainingForward(c, xs, y);
        c.BatchScale = saved;
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        Sync();
        int saved = c.BatchScale;
        c.BatchScale = saved * Steps;
        Inner.LowerBackward(c, a);
        c.BatchScale = saved;
    }

    /// <summary>The wrapped layer answers to this layer's number (its scratch is this layer's) and reads the same values.</summary>
    private void Sync()
    {
        Inner.Id = Id;
        Inner.Sources = Sources;
        Inner.Trainable = Trainable;
    }
}
