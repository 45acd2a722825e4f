using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>Keras <c>Reshape(target_shape)</c>: one entry may be -1 (inferred); the element count must not change.</summary>
internal sealed class ReshapeKind : LayerKind
{
    public override string AttributeName => "Reshape";

    public override string DefaultName => "reshape";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var arg = spec.Find("targetShape");
        var location = arg?.Location ?? spec.Location;
        var dims = arg?.Items.Select(d => (int)d).ToArray() ?? new int[0];
        var label = $"Reshape '{name}'";
        if (dims.Length == 0)
        {
            context.Report(Descriptors.ReshapeInfer, location, label, "the target shape is empty");
            return null;
        }
        int unknown = dims.Count(d => d == -1);
        if (unknown > 1)
        {
            context.Report(Descriptors.ReshapeInfer, location, label, $"target shape {Show(dims)} has more than one -1");
            return null;
        }
        foreach (var d in dims)
        {
            if (d == 0 || d < -1)
            {
                context.Report(Descriptors.NonPositive, location, label, "every target dimension", d);
                return null;
            }
        }
        int known = dims.Where(d => d != -1).Aggregate(1, (a, d) => a * d);
        if (unknown == 1)
        {
            if (input.Size % known != 0)
            {
                context.Report(Descriptors.ReshapeInfer, location, label,
                    $"target shape {Show(dims)} cannot hold the {input.Size} elements of its input {input}: {input.Size} is not a multiple of {known}");
                return null;
            }
            dims = dims.Select(d => d == -1 ? input.Size / known : d).ToArray();
        }
        else if (known != input.Size)
        {
            context.Report(Descriptors.ReshapeCount, location, label, Show(dims), known, input.ToString(), input.Size);
            return null;
        }
        var output = new Shape(dims);
        return new ReinterpretNode(spec, name, input, output, "Reshape", $"Reshape{output}");
    }

    private static string Show(int[] dims) => "(" + string.Join(", ", dims) + ")";
}
