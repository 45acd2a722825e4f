using System;
using NetGen;

namespace NetGen.Tests.EndToEnd;

// Functional graphs declared in the test project: skip connections, several inputs and outputs, fan-out, every
// merge layer, Permute, RepeatVector and Lambda.

/// <summary>A residual MLP: the output of <c>dense</c> skips two layers and is added back.</summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(64, Activation = Activation.Relu)]
[Dense(64, Activation = Activation.Relu)]
[Dense(64)]
[Add("dense", "dense_2")]
[Activation(Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class ResidualMlp { }

/// <summary>Two inputs: the image, and a derived feature (its mean brightness), merged by Concatenate.</summary>
[Network]
[Input(28, 28, Name = "image")]
[Input(1, Name = "brightness")]
[Flatten(Inputs = new[] { "image" })]
[Dense(32, Activation = Activation.Relu)]
[Dense(4, Activation = Activation.Tanh, Inputs = new[] { "brightness" })]
[Concatenate("dense", "dense_1")]
[Dense(10, Activation = Activation.Softmax)]
public partial class ImageAndBrightness { }

/// <summary>One trunk, two heads: the class (10) and a coarse group (tops, bottoms, shoes, other: 4).</summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(32, Activation = Activation.Relu, Name = "trunk")]
[Dense(10, Activation = Activation.Softmax, Name = "item", Inputs = new[] { "trunk" })]
[Dense(4, Activation = Activation.Softmax, Name = "group", Inputs = new[] { "trunk" })]
[Output("item", "group")]
public partial class TwoHeads { }

/// <summary>The same three graphs with smooth activations, for finite differences (see GraphTests).</summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(64, Activation = Activation.Swish)]
[Dense(64, Activation = Activation.Tanh)]
[Dense(64)]
[Add("dense", "dense_2")]
[Activation(Activation.Gelu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class ResidualSmooth { }

[Network]
[Input(28, 28, Name = "image")]
[Input(1, Name = "brightness")]
[Flatten(Inputs = new[] { "image" })]
[Dense(32, Activation = Activation.Swish)]
[Dense(4, Activation = Activation.Tanh, Inputs = new[] { "brightness" })]
[Concatenate("dense", "dense_1")]
[Dense(10, Activation = Activation.Softmax)]
public partial class ImageAndBrightnessSmooth { }

[Network]
[Input(28, 28)]
[Flatten]
[Dense(32, Activation = Activation.Tanh, Name = "trunk")]
[Dense(10, Activation = Activation.Softmax, Name = "item", Inputs = new[] { "trunk" })]
[Dense(4, Activation = Activation.Softmax, Name = "group", Inputs = new[] { "trunk" })]
[Output("item", "group")]
public partial class TwoHeadsSmooth { }

/// <summary>
/// Every merge layer and the reordering layers in one small graph, for finite differences: a tensor read by several
/// layers, a merge of a tensor with itself, Maximum against a network input (which needs no gradient), a reinterpreting
/// layer read twice, and a Lambda with a backward method.
/// </summary>
[Network]
[Input(6, Name = "a")]
[Input(6, Name = "b")]
[Dense(6, Activation = Activation.Tanh, Name = "da", Inputs = new[] { "a" })]
[Dense(6, Activation = Activation.Tanh, Name = "db", Inputs = new[] { "b" })]
[Add("da", "db", "da")]
[Subtract("add", "db")]
[Multiply("da", "subtract")]
[Average("multiply", "db", "add")]
[Maximum("average", "a")]
[Minimum("maximum", "da")]
[Lambda(nameof(Square), Backward = nameof(SquareBackward), ElementWise = true)]
[Reshape(2, 3, Name = "grid")]
[Reshape(2, 3, Name = "grid_b", Inputs = new[] { "db" })]
[Concatenate("grid", "grid_b", Axis = 1)]
[Permute(2, 1)]
[Dot(1, 2, "permute", "grid", Normalize = true)]
[Flatten]
[Dense(3, Activation = Activation.Tanh, Name = "pre")]
[RepeatVector(2)]
[Dot(2, "repeat_vector", "repeat_vector", Name = "gram")]
[Flatten(Name = "flat_gram")]
[Flatten(Name = "flat_grid", Inputs = new[] { "grid" })]
[Concatenate("flat_gram", "minimum", "flat_grid")]
[Dense(2, Activation = Activation.Softmax)]
public partial class EveryMergeGraph
{
    private static void Square(ReadOnlySpan<float> x, Span<float> y, int batchSize)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * x[i];
    }

    private static void SquareBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batchSize)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = 2 * x[i] * dy[i];
    }
}

/// <summary>An inference-only Lambda in front of the weights (so training works) and one behind them (so it cannot).</summary>
[Network]
[Input(4)]
[Lambda(nameof(Double), InferenceOnly = true, ElementWise = true)]
[Dense(3)]
public partial class LambdaInFront
{
    private static void Double(ReadOnlySpan<float> x, Span<float> y, int batchSize)
    {
        for (int i = 0; i < x.Length; i++) y[i] = 2 * x[i];
    }
}

[Network]
[Input(4)]
[Dense(3)]
[Lambda(nameof(Sum), InferenceOnly = true, OutputShape = new[] { 1 })]
[Dense(2)]
public partial class LambdaBehindWeights
{
    private static void Sum(ReadOnlySpan<float> x, Span<float> y, int batchSize)
    {
        for (int s = 0; s < batchSize; s++) y[s] = x[3 * s] + x[3 * s + 1] + x[3 * s + 2];
    }
}
