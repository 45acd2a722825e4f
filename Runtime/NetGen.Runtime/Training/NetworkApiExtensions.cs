using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Training;

namespace NetGen;

/// <summary>
/// Conveniences over any network (<see cref="INetwork"/>): weights by name, predictions whose batch size follows from the
/// input length, and evaluation without <c>Compile</c>.
/// </summary>
public static class NetworkApiExtensions
{
    /// <summary>The weight named <paramref name="name"/> (Keras <c>layer/weight</c>, e.g. <c>dense_1/kernel</c>) in <see cref="INetwork.ParameterLayout"/>.</summary>
    /// <exception cref="ArgumentException">No weight has that name; the message lists the names there are.</exception>
    public static ParameterInfo FindWeight(this INetwork network, string name)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(name);
        foreach (var p in network.ParameterLayout)
            if (p.Name == name) return p;
        throw new ArgumentException($"The {network.GetType().Name} has no weight named '{name}'; its weights are {string.Join(", ", network.ParameterLayout.Select(p => p.Name))}.", nameof(name));
    }

    /// <summary>A copy of the weight named <paramref name="name"/>, row-major in its <see cref="ParameterInfo.Shape"/> (Keras layout).</summary>
    public static float[] GetWeights(this INetwork network, string name)
    {
        var p = network.FindWeight(name);
        return network.Parameters.Slice(p.Offset, p.Length).ToArray();
    }

    /// <summary>Copies the weight named <paramref name="name"/> into <paramref name="destination"/>, which must hold exactly its size.</summary>
    public static void GetWeights(this INetwork network, string name, Span<float> destination)
    {
        var p = network.FindWeight(name);
        if (destination.Length != p.Length)
            throw new ArgumentException($"destination must hold {p.Length} floats ({name} has shape {Shape(p.ShapeArray)}), but has {destination.Length}.", nameof(destination));
        network.Parameters.Slice(p.Offset, p.Length).CopyTo(destination);
    }

    /// <summary>Overwrites the weight named <paramref name="name"/>; <paramref name="values"/> must hold exactly its size (row-major, Keras layout).</summary>
    public static void SetWeights(this INetwork network, string name, ReadOnlySpan<float> values)
    {
        var p = network.FindWeight(name);
        if (values.Length != p.Length)
            throw new ArgumentException($"values must hold {p.Length} floats ({name} has shape {Shape(p.ShapeArray)}), but has {values.Length}.", nameof(values));
        values.CopyTo(network.Parameters.Slice(p.Offset, p.Length));
    }

    /// <summary>
    /// Overwrites the weight named <paramref name="name"/> with <paramref name="values"/> of shape <paramref name="shape"/>,
    /// which must equal the weight's shape (a (3, 4) kernel does not take (4, 3) values even though the sizes agree).
    /// </summary>
    public static void SetWeights(this INetwork network, string name, ReadOnlySpan<float> values, ReadOnlySpan<int> shape)
    {
        var p = network.FindWeight(name);
        if (!shape.SequenceEqual(p.ShapeArray))
            throw new ArgumentException($"{name} has shape {Shape(p.ShapeArray)}, but the values have shape {Shape(shape.ToArray())}.", nameof(shape));
        network.SetWeights(name, values);
    }

    /// <summary>
    /// Inference on as many samples as <paramref name="input"/> holds (its length must be a multiple of
    /// <see cref="INetwork.InputLength"/>), into a new array of <c>batch · OutputLength</c> floats.
    /// </summary>
    public static float[] Predict(this INetwork network, ReadOnlySpan<float> input)
    {
        int batch = BatchOf(network, input);
        var output = new float[(long)batch * network.OutputLength];
        network.Predict(input, output, batch);
        return output;
    }

    /// <summary>
    /// Inference on as many samples as <paramref name="input"/> holds; <paramref name="output"/> must hold
    /// <c>batch · OutputLength</c> floats. Returns the batch size. Allocates nothing.
    /// </summary>
    public static int PredictBatch(this INetwork network, ReadOnlySpan<float> input, Span<float> output)
    {
        int batch = BatchOf(network, input);
        long expected = (long)batch * network.OutputLength;
        if (output.Length != expected)
            throw new ArgumentException($"output must hold {expected} floats ({batch} samples × OutputLength {network.OutputLength}), but has {output.Length}.", nameof(output));
        network.Predict(input, output, batch);
        return batch;
    }

    /// <summary>
    /// Keras <c>evaluate</c> without <c>compile</c>: loss (given here), accuracy and <paramref name="metrics"/> in inference mode.
    /// </summary>
    public static Evaluation Evaluate(this INetwork network, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Loss loss, int batchSize = 32, IEnumerable<Metric>? metrics = null)
        => Trainer.Evaluate(network, loss, x, y, batchSize, metrics);

    private static int BatchOf(INetwork network, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        int length = network.InputLength;
        if (input.Length == 0 || input.Length % length != 0)
            throw new ArgumentException($"input must hold a positive multiple of InputLength ({length}) floats, but has {input.Length}.", nameof(input));
        return input.Length / length;
    }

    private static string Shape(int[] shape) => "(" + string.Join(", ", shape) + ")";
}
