using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CsCheck;

namespace NetGen.Fuzz;

/// <summary>
/// One random declaration: the attributes of a network and the shape of the class they sit on, rendered as a
/// compilation unit. <see cref="GradientCheckable"/> marks valid, smooth, deterministic networks whose gradients can be
/// checked by finite differences.
/// </summary>
public sealed record Declaration(string Shape, string Network, string[] Layers, bool GradientCheckable)
{
    /// <summary>Whether the declaration has [Network] or layer attributes, so that it must get code or a diagnostic.</summary>
    public bool ExpectsNetwork => Shape != "no-network" || Layers.Length > 0;

    public string Source => Render();

    public override string ToString() => Source;

    private string Render()
    {
        var attrs = new StringBuilder();
        if (Network.Length > 0) attrs.Append('[').Append(Network).Append("]\n");
        foreach (var l in Layers) attrs.Append('[').Append(l).Append("]\n");
        var a = attrs.ToString();
        const string head = "using NetGen;\n\n";
        var source = Shape switch
        {
            "global" => head + a + "public partial class Net { }\n",
            "internal" => head + "namespace Fuzz;\n\n" + a + "internal sealed partial class Net { }\n",
            "nested" => head + "namespace Fuzz;\n\npublic partial class Outer\n{\n" + a + "    private partial class Net { }\n}\n",
            "nested-in-record" => head + "namespace Fuzz;\n\npublic partial record Outer\n{\n" + a + "    public partial class Net { }\n}\n",
            "nested-non-partial" => head + "namespace Fuzz;\n\npublic class Outer\n{\n" + a + "    public partial class Net { }\n}\n",
            "static" => head + "namespace Fuzz;\n\n" + a + "public static partial class Net { }\n",
            "abstract" => head + "namespace Fuzz;\n\n" + a + "public abstract partial class Net { }\n",
            "record" => head + "namespace Fuzz;\n\n" + a + "public partial record Net;\n",
            "generic" => head + "namespace Fuzz;\n\n" + a + "public partial class Net<T> { }\n",
            "keyword" => head + "namespace Fuzz;\n\n" + a + "public partial class @class { }\n",
            "verbatim" => head + "namespace Fuzz;\n\n" + a + "public partial class @Net { }\n",
            "member-Fit" or "member-Predict" or "member-Summary" or "member-Outputs" or "member-Parameters" or "member-InputLength"
                or "member-Save" or "member-Diagram" or "member-WeightSignature" or "member-Compile"
                => head + "namespace Fuzz;\n\n" + a + $"public partial class {Shape.Substring(7)} {{ }}\n",
            "user-ctor" => head + "namespace Fuzz;\n\n" + a + "public partial class Net\n{\n    public Net(int seed) { }\n}\n",
            "user-member" => head + "namespace Fuzz;\n\n" + a + "public partial class Net\n{\n    public int InputLength => 3;\n}\n",
            "file" => head + "namespace Fuzz;\n\n" + a + "file partial class Net { }\n",
            "two-partials" => head + "namespace Fuzz;\n\n" + a + "public partial class Net { }\n\n[Network]\npublic partial class Net { }\n",
            "split-layers" => head + "namespace Fuzz;\n\n" + a + "public partial class Net { }\n\n[Dense(2)]\npublic partial class Net { }\n",
            "nested-weights" => head + "namespace Fuzz;\n\n[Network, Weights(\"missing.weights.txt\"), Input(2), Dense(1)]\npublic partial class Net\n{\n" + a + "    public partial class Weights { }\n}\n",
            "nested-same-name" => head + "namespace Fuzz;\n\n" + a + "public partial class Net\n{\n" + a + "    public partial class Net2 { }\n}\n",
            "case-twins" => head + "namespace Fuzz;\n\n" + a + "public partial class Net { }\n\n" + a + "public partial class net { }\n",
            "namespace-twins" => head + "namespace Fuzz.A\n{\n" + a + "    public partial class B { }\n}\n\nnamespace Fuzz\n{\n    public partial class A\n    {\n" + a + "        public partial class B { }\n    }\n}\n",
            "no-network" => head + "namespace Fuzz;\n\n" + a.Replace("[" + Network + "]\n", "") + "public partial class Net { }\n",
            "user-layer" => head + "namespace Fuzz;\n\npublic sealed class MyLayerAttribute : LayerAttribute { }\n\n" + a + "[MyLayer]\npublic partial class Net { }\n",
            "lambda-host" => head + "namespace Fuzz;\n\n" + a + "public partial class Net\n{\n    private static void Fwd(System.ReadOnlySpan<float> x, System.Span<float> y) { x.CopyTo(y); }\n}\n",
            _ => head + "namespace Fuzz;\n\n" + a + "public partial class Net { }\n",
        };
        // RNN layers over user cells name Fuzz.FuzzCell1 ... FuzzCell8 (InputSize 1 to 8): declare them where they are read.
        if (!a.Contains("FuzzCell")) return source;
        // A file-scoped namespace Fuzz already holds what follows it; other shapes get a block (the two cannot mix).
        return source.Contains("namespace Fuzz;\n") ? source + "\n" + Declarations.Cells : source + "\nnamespace Fuzz\n{\n" + Declarations.Cells + "}\n";
    }
}

/// <summary>CsCheck generators of declarations: valid shape-tracked chains and hostile mixtures over every layer attribute.</summary>
public static class Declarations
{
    /// <summary>
    /// User cells for <c>RNN</c>: <c>FuzzCellN</c> reads N features (N = 1..8), keeps a state of 3 floats and outputs the
    /// first 2: <c>h' = tanh(x·W + h·U + b)</c>, with its exact backward (so gradient checks apply).
    /// </summary>
    public static readonly string Cells = string.Concat(Enumerable.Range(1, 8).Select(n => $$"""
            [CellWeight("kernel", {{n}}, 3)]
            [CellWeight("recurrent_kernel", 3, 3)]
            [CellWeight("bias", 3, Initializer = Initializer.Zeros)]
            public struct FuzzCell{{n}} : IRecurrentCell
            {
                public const int InputSize = {{n}}, StateSize = 3, OutputSize = 2, CacheSize = 3;
                private const int U = {{n}} * 3, B = U + 9;

                public static void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize)
                {
                    for (int b = 0; b < batchSize; b++)
                        for (int j = 0; j < 3; j++)
                        {
                            float a = weights[B + j];
                            for (int f = 0; f < InputSize; f++) a += x[b * InputSize + f] * weights[f * 3 + j];
                            for (int k = 0; k < 3; k++) a += state[b * 3 + k] * weights[U + k * 3 + j];
                            newState[b * 3 + j] = cache[b * 3 + j] = System.MathF.Tanh(a);
                        }
                }

                public static void Backward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.ReadOnlySpan<float> newState,
                    System.ReadOnlySpan<float> cache, System.ReadOnlySpan<float> dNewState, System.Span<float> dx, System.Span<float> dState, System.Span<float> dWeights, int batchSize)
                {
                    System.Span<float> e = stackalloc float[3];
                    for (int b = 0; b < batchSize; b++)
                    {
                        for (int j = 0; j < 3; j++) e[j] = dNewState[b * 3 + j] * (1 - cache[b * 3 + j] * cache[b * 3 + j]);
                        for (int f = 0; f < InputSize; f++)
                        {
                            float s = 0;
                            for (int j = 0; j < 3; j++) { s += weights[f * 3 + j] * e[j]; dWeights[f * 3 + j] += x[b * InputSize + f] * e[j]; }
                            dx[b * InputSize + f] = s;
                        }
                        for (int k = 0; k < 3; k++)
                        {
                            float s = 0;
                            for (int j = 0; j < 3; j++) { s += weights[U + k * 3 + j] * e[j]; dWeights[U + k * 3 + j] += state[b * 3 + k] * e[j]; }
                            dState[b * 3 + k] = s;
                        }
                        for (int j = 0; j < 3; j++) dWeights[B + j] += e[j];
                    }
                }
            }

            """));

    // ------------------------------------------------------------------ literals

    /// <summary>A C# string literal for <paramref name="text"/> (null → <c>null</c>).</summary>
    public static string Lit(string? text)
    {
        if (text is null) return "null";
        var sb = new StringBuilder("\"");
        foreach (var ch in text)
        {
            if (ch == '"') sb.Append("\\\"");
            else if (ch == '\\') sb.Append("\\\\");
            else if (ch < 0x20 || ch is '\u0085' or '\u2028' or '\u2029' || ch > 0x7e) sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(ch);
        }
        return sb.Append('"').ToString();
    }

    private static Gen<string> Const(params string[] values) => Gen.OneOf(values);

    /// <summary>One of the generators (Gen.OneOf with the generator overload chosen explicitly).</summary>
    private static Gen<T> One<T>(params Gen<T>[] gens) => Gen.OneOf(gens.Select(g => (IGen<T>)g).ToArray());

    /// <summary>One of the generators, weighted (Gen.Frequency with the generator overload chosen explicitly).</summary>
    private static Gen<T> Freq<T>(params (int Weight, Gen<T> Gen)[] gens) => Gen.Frequency(gens.Select(g => (g.Weight, (IGen<T>)g.Gen)).ToArray());

    private static readonly Gen<string> Int = Freq(
        (12, Gen.Int[1, 4].Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Const("0", "-1", "int.MaxValue", "int.MinValue", "65536", "46341", "1 << 20", "1000000")));

    private static readonly Gen<string> SignedInt = Freq((6, Int), (1, Const("-1", "-2", "0")));

    private static readonly Gen<string> IntList = Freq(
        (12, Int.Array[1, 3].Select(a => string.Join(", ", a))),
        (1, Const("null", "new int[0]")));

    private static readonly Gen<string> IntArray = Freq(
        (8, Int.Array[1, 3].Select(a => "new[] { " + string.Join(", ", a) + " }")),
        (1, Const("null", "new int[0]")));

    private static readonly Gen<string> Double = Freq(
        (10, Const("0.1", "0.5", "0", "0.25", "0.001")),
        (1, Const("-0.1", "1", "1.5", "double.NaN", "double.PositiveInfinity", "double.NegativeInfinity", "double.Epsilon", "1e300", "-0.0", "1e-300", "double.MaxValue")));

    private static readonly Gen<string> Long = Const("-1", "0", "42", "long.MaxValue", "long.MinValue");

    private static readonly Gen<string> Bool = Const("true", "false");

    // Infinitely differentiable activations only: SELU's slope jumps at 0 (1.05 vs 1.76), and ELU's curvature jumps at 0,
    // where a LayerNormalization of equal features puts every value exactly: central differences straddle either kink.
    private static readonly string[] SmoothActivations = { "Linear", "Sigmoid", "Tanh", "Swish", "Softplus", "Gelu", "Silu", "Mish", "GeluTanh" };

    private static readonly Gen<string> Act = Freq(
        (10, Const("Linear", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Elu", "Selu", "Swish", "Softplus", "Gelu").Select(a => "Activation." + a)),
        (6, Const("Exponential", "HardSigmoid", "HardSilu", "Softsign", "Relu6", "Mish", "LogSoftmax", "Silu", "GeluTanh").Select(a => "Activation." + a)),
        (1, Const("(Activation)19", "(Activation)20")),
        (1, Const("(Activation)11", "(Activation)(-1)", "(Activation)int.MaxValue")));

    private static readonly Gen<string> Init = Freq(
        (10, Const("GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Zeros", "Ones", "RandomUniform", "RandomNormal", "TruncatedNormal", "Orthogonal").Select(a => "Initializer." + a)),
        (1, Const("(Initializer)12", "(Initializer)(-1)")));

    private static readonly Gen<string> RecAct = Freq(
        (10, Const("Tanh", "Sigmoid", "Relu", "Linear", "HardSigmoid", "HardSigmoidKeras2").Select(a => "RecurrentActivation." + a)),
        (1, Const("(RecurrentActivation)6", "(RecurrentActivation)(-1)", "(RecurrentActivation)int.MaxValue")));

    private static readonly Gen<string> Pad = Freq((8, Const("Padding.Valid", "Padding.Same", "Padding.Causal")), (1, Const("(Padding)3", "(Padding)(-1)")));

    private static readonly Gen<string> ScoreMode = Freq((6, Const("AttentionScore.Dot", "AttentionScore.Concat")), (1, Const("AttentionScore.Additive", "(AttentionScore)7")));

    private static readonly Gen<string> Axis = Const("-1", "1", "2", "3", "0", "-2", "4", "int.MinValue", "int.MaxValue");

    /// <summary>Names: the ones the chains and default naming use, and hostile ones (quotes, backslashes, newlines, markup, keywords, member names, colliding spellings).</summary>
    private static readonly string?[] HostileNames =
    {
        null, "", " ", "a-b", "a_b", "a.b", "q\"x", "b\\s", "n\nl", "r\rl", "u\u2028v", "p\u0085q", "<&>", "a</c>", "class", "Fit", "Predict", "x", "1a",
        "é", "a/b", "*/", "/*", "batchSize", "input", "output", "dense-1", "in\tput", "{0}", "x0", "_parameters", "@a", "a b", "\u0000",
    };

    private static readonly Gen<string> Name = Freq(
        (6, Const("a", "b", "c", "in", "dense", "dense_1", "input_layer", "l0", "l1", "l2", "flatten", "conv2d")),
        (3, Gen.OneOf(HostileNames).Select(Lit)));

    private static readonly Gen<string> NameLit = Freq(
        (6, Const("a", "b", "c", "in", "dense", "dense_1", "input_layer", "l0", "l1", "l2").Select(n => Lit(n))),
        (3, Gen.OneOf(HostileNames).Select(Lit)));

    private static readonly Gen<string> NameList = Freq(
        (10, NameLit.Array[1, 3].Select(a => string.Join(", ", a))),
        (1, Const("null", "new string[0]", "new string[] { null }")));

    private static readonly Gen<string> NameArray = Freq(
        (10, NameLit.Array[1, 3].Select(a => "new[] { " + string.Join(", ", a) + " }")),
        (1, Const("null", "new string[0]", "new string[] { null }")));

    // ------------------------------------------------------------------ hostile layers

    // Keras regularizer and constraint spellings, valid and not (weights the layer lacks, bad factors, axes out of range,
    // malformed text): any layer may carry them (LayerAttribute), so every layer draws them, rarely.
    private static readonly Gen<string> RegularizerText = Freq(
        (6, Const("l2(1e-4)", "l1(0.01)", "l1_l2(l1=0.01, l2=0.001)", "L1L2(0.5, 0.5)", "l2", "l1_l2()").Select(v => Lit(v))),
        (2, Const("l2(-1)", "l3(1)", "l2(1e39)", "l1_l2(l1=1, l1=2)", "l2(", "", "()", "l2(nan)", "l1(1, 2)").Select(v => Lit(v))),
        (1, Gen.OneOf(HostileNames).Select(Lit)));

    private static readonly Gen<string> ConstraintText = Freq(
        (6, Const("max_norm(3)", "non_neg", "unit_norm(axis=0)", "min_max_norm(0.5, 2, rate=0.5, axis=[0])", "MaxNorm(max_value=2, axis=-1)", "max_norm(2, axis=(0, 1, 2))").Select(v => Lit(v))),
        (2, Const("max_norm(2, axis=9)", "max_norm(2, axis=[0, 0])", "min_max_norm(3, 1)", "unit_norm(axis=[])", "non_neg(1)", "max_norm(axis=1.5)", "max_norm(-1)", "clip(1)", "max_norm(2, axis=[-7])").Select(v => Lit(v))),
        (1, Gen.OneOf(HostileNames).Select(Lit)));

    private static readonly Gen<string> WeightOption = Freq(
        (1, Const("Kernel", "Bias", "Recurrent", "Depthwise", "Pointwise", "Embeddings", "Gamma", "Beta", "Alpha").SelectMany(role =>
            Freq((1, RegularizerText.Select(v => role + "Regularizer = " + v)), (1, ConstraintText.Select(v => role + "Constraint = " + v))))));

    private static Gen<string> Opt(string property, Gen<string> value, int off = 4)
        => Freq((off, Gen.Const("")), (1, value.Select(v => property + " = " + v)));

    private static Gen<string[]> All(IEnumerable<Gen<string>> gens)
        => gens.Aggregate(Gen.Const(Array.Empty<string>()), (acc, g) => Gen.Select(acc, g, (l, s) => s.Length == 0 ? l : l.Append(s).ToArray()));

    private static Gen<string> Layer(string kind, Gen<string>? positional, params Gen<string>[] named)
    {
        var common = new[] { Opt("Name", NameLit, 3), Opt("Inputs", NameArray, 8), Opt("Trainable", Bool, 10), Opt("TimeDistributed", Bool, 10),
            Freq((8, Gen.Const("")), (1, WeightOption)) };
        return Gen.Select(positional ?? Gen.Const(""), All(named.Concat(common)), (p, n) =>
        {
            var args = (p.Length > 0 ? new[] { p } : Array.Empty<string>()).Concat(n).ToArray();
            return args.Length == 0 ? kind : kind + "(" + string.Join(", ", args) + ")";
        });
    }

    private static Gen<string>[] KernelNamed(bool padded, bool transpose = false, bool depthwise = false, bool separable = false, bool filters = true)
    {
        var list = new List<Gen<string>>
        {
            Opt("Strides", Int), Opt("StridesPerAxis", IntArray, 8), Opt("Activation", Act), Opt("UseBias", Bool, 8), Opt("BiasInitializer", Init, 8),
        };
        if (filters && !separable) list.Add(Opt("KernelInitializer", Init, 8));
        if (padded)
        {
            list.Add(Opt("Padding", Pad, 2));
            list.Add(Opt("DilationRate", Int));
            list.Add(Opt("DilationPerAxis", IntArray, 8));
        }
        if (transpose)
        {
            list.Add(Opt("OutputPadding", SignedInt));
            list.Add(Opt("OutputPaddingPerAxis", IntArray, 8));
        }
        if (depthwise || separable)
        {
            list.Add(Opt("DepthMultiplier", Int));
            list.Add(Opt("DepthwiseInitializer", Init, 8));
        }
        if (separable) list.Add(Opt("PointwiseInitializer", Init, 8));
        return list.ToArray();
    }

    private static Gen<string> NormLayer(string kind, Gen<string>? positional, bool momentum)
    {
        var named = new List<Gen<string>>
        {
            Opt("Axis", Axis), Opt("Epsilon", Double), Opt("Center", Bool, 8), Opt("Scale", Bool, 8),
            Opt("BetaInitializer", Init, 8), Opt("GammaInitializer", Init, 8),
        };
        if (momentum) named.Add(Opt("Momentum", Double));
        return Layer(kind, positional, named.ToArray());
    }

    /// <summary>Every layer attribute of <c>Runtime/NetGen.Runtime/Attributes/**</c>, with valid, boundary and hostile arguments.</summary>
    public static readonly IReadOnlyDictionary<string, Gen<string>> HostileLayers = new Dictionary<string, Gen<string>>
    {
        ["Input"] = Layer("Input", IntList, Opt("TokenIds", Bool, 6)),
        ["Dense"] = Layer("Dense", Int, Opt("Activation", Act), Opt("UseBias", Bool, 8), Opt("KernelInitializer", Init, 8), Opt("BiasInitializer", Init, 8)),
        ["Activation"] = Layer("Activation", Act),
        ["ReLU"] = Layer("ReLU", null, Opt("MaxValue", Double), Opt("NegativeSlope", Double), Opt("Threshold", Double)),
        ["LeakyReLU"] = Layer("LeakyReLU", null, Opt("NegativeSlope", Double)),
        ["ELU"] = Layer("ELU", null, Opt("Alpha", Double)),
        ["Softmax"] = Layer("Softmax", null, Opt("Axis", Axis)),
        ["Dropout"] = Layer("Dropout", Double, Opt("Seed", Long)),
        ["GaussianDropout"] = Layer("GaussianDropout", Double, Opt("Seed", Long)),
        ["AlphaDropout"] = Layer("AlphaDropout", Double, Opt("Seed", Long)),
        ["GaussianNoise"] = Layer("GaussianNoise", Double, Opt("Seed", Long)),
        ["Flatten"] = Layer("Flatten", null),
        ["Reshape"] = Layer("Reshape", Freq((3, IntList), (1, Gen.Select(SignedInt, Int, (a, b) => a + ", " + b)))),
        ["Permute"] = Layer("Permute", IntList),
        ["RepeatVector"] = Layer("RepeatVector", Int),
        ["Lambda"] = Layer("Lambda", Gen.OneOf(new string?[] { "Fwd", "Missing", null, "", "Fwd(" }).Select(Lit),
            Opt("Backward", Gen.OneOf(new string?[] { "Fwd", "Missing", null }).Select(Lit)), Opt("OutputShape", IntArray), Opt("ElementWise", Bool), Opt("InferenceOnly", Bool)),
        ["Embedding"] = Layer("Embedding", Gen.Select(Int, Int, (a, b) => a + ", " + b), Opt("MaskZero", Bool), Opt("EmbeddingsInitializer", Init, 8)),
        ["BatchNormalization"] = NormLayer("BatchNormalization", null, momentum: true),
        ["LayerNormalization"] = NormLayer("LayerNormalization", null, momentum: false),
        ["GroupNormalization"] = NormLayer("GroupNormalization", Freq((4, Int), (1, Gen.Const(""))), momentum: false),
        ["Add"] = Layer("Add", NameList),
        ["Subtract"] = Layer("Subtract", NameList),
        ["Multiply"] = Layer("Multiply", NameList),
        ["Average"] = Layer("Average", NameList),
        ["Maximum"] = Layer("Maximum", NameList),
        ["Minimum"] = Layer("Minimum", NameList),
        ["Concatenate"] = Layer("Concatenate", NameList, Opt("Axis", Axis)),
        ["Dot"] = Layer("Dot", Freq((2, Gen.Select(Axis, NameList, (a, n) => a + ", " + n)), (1, Gen.Select(Axis, Axis, NameList, (a, b, n) => a + ", " + b + ", " + n))),
            Opt("Normalize", Bool)),
        ["Conv1D"] = Layer("Conv1D", Gen.Select(Int, IntList, (f, k) => f + ", " + k), KernelNamed(padded: true)),
        ["Conv2D"] = Layer("Conv2D", Gen.Select(Int, IntList, (f, k) => f + ", " + k), KernelNamed(padded: true)),
        ["Conv3D"] = Layer("Conv3D", Gen.Select(Int, IntList, (f, k) => f + ", " + k), KernelNamed(padded: true)),
        ["Conv2DTranspose"] = Layer("Conv2DTranspose", Gen.Select(Int, IntList, (f, k) => f + ", " + k), KernelNamed(padded: true, transpose: true)),
        ["SeparableConv2D"] = Layer("SeparableConv2D", Gen.Select(Int, IntList, (f, k) => f + ", " + k), KernelNamed(padded: true, separable: true)),
        ["DepthwiseConv2D"] = Layer("DepthwiseConv2D", IntList, KernelNamed(padded: true, depthwise: true, filters: false)),
        ["LocallyConnected1D"] = Layer("LocallyConnected1D", Gen.Select(Int, IntList, (f, k) => f + ", " + k), KernelNamed(padded: false)),
        ["LocallyConnected2D"] = Layer("LocallyConnected2D", Gen.Select(Int, IntList, (f, k) => f + ", " + k), KernelNamed(padded: false)),
        ["MaxPooling1D"] = Pooling("MaxPooling1D"),
        ["MaxPooling2D"] = Pooling("MaxPooling2D"),
        ["MaxPooling3D"] = Pooling("MaxPooling3D"),
        ["AveragePooling1D"] = Pooling("AveragePooling1D"),
        ["AveragePooling2D"] = Pooling("AveragePooling2D"),
        ["AveragePooling3D"] = Pooling("AveragePooling3D"),
        ["GlobalAveragePooling1D"] = Layer("GlobalAveragePooling1D", null, Opt("KeepDims", Bool)),
        ["GlobalAveragePooling2D"] = Layer("GlobalAveragePooling2D", null, Opt("KeepDims", Bool)),
        ["GlobalAveragePooling3D"] = Layer("GlobalAveragePooling3D", null, Opt("KeepDims", Bool)),
        ["GlobalMaxPooling1D"] = Layer("GlobalMaxPooling1D", null, Opt("KeepDims", Bool)),
        ["GlobalMaxPooling2D"] = Layer("GlobalMaxPooling2D", null, Opt("KeepDims", Bool)),
        ["GlobalMaxPooling3D"] = Layer("GlobalMaxPooling3D", null, Opt("KeepDims", Bool)),
        ["UpSampling1D"] = Layer("UpSampling1D", IntList),
        ["UpSampling2D"] = Layer("UpSampling2D", IntList, Opt("Interpolation", Freq((6, Const("Interpolation.Nearest", "Interpolation.Bilinear")), (1, Const("(Interpolation)2", "(Interpolation)(-1)"))))),
        ["UpSampling3D"] = Layer("UpSampling3D", IntList),
        ["ZeroPadding1D"] = Layer("ZeroPadding1D", IntList),
        ["ZeroPadding2D"] = Layer("ZeroPadding2D", IntList),
        ["ZeroPadding3D"] = Layer("ZeroPadding3D", IntList),
        ["Cropping1D"] = Layer("Cropping1D", IntList),
        ["Cropping2D"] = Layer("Cropping2D", IntList),
        ["Cropping3D"] = Layer("Cropping3D", IntList),
        ["MultiHeadAttention"] = Layer("MultiHeadAttention", Gen.Select(SignedInt, SignedInt, (h, k) => h + ", " + k), Opt("ValueDim", SignedInt), Opt("OutputShape", SignedInt),
            Opt("UseBias", Bool, 8), Opt("Dropout", Double), Opt("UseCausalMask", Bool), Opt("AttentionAxes", IntArray), Opt("KernelInitializer", Init, 8),
            Opt("BiasInitializer", Init, 8), Opt("Seed", Long), Opt("ReturnAttentionScores", Bool), Opt("AttentionMask", NameLit, 8)),
        ["Attention"] = Layer("Attention", null, Opt("UseScale", Bool), Opt("ScoreMode", ScoreMode), Opt("UseCausalMask", Bool), Opt("Dropout", Double), Opt("Seed", Long),
            Opt("ReturnAttentionScores", Bool)),
        ["AdditiveAttention"] = Layer("AdditiveAttention", null, Opt("UseScale", Bool), Opt("UseCausalMask", Bool), Opt("Dropout", Double), Opt("Seed", Long),
            Opt("ReturnAttentionScores", Bool)),
        ["PositionEmbedding"] = Layer("PositionEmbedding", SignedInt, Opt("EmbeddingsInitializer", Init, 8)),
        ["Output"] = NameList.Select(n => "Output(" + n + ")"),
        ["SimpleRNN"] = Recurrent("SimpleRNN"),
        ["LSTM"] = Recurrent("LSTM", Opt("RecurrentActivation", RecAct), Opt("UnitForgetBias", Bool)),
        ["GRU"] = Recurrent("GRU", Opt("RecurrentActivation", RecAct), Opt("ResetAfter", Bool)),
        ["Masking"] = Layer("Masking", null, Opt("MaskValue", Double, 2)),
        ["ConvLSTM1D"] = ConvLstm("ConvLSTM1D"),
        ["ConvLSTM2D"] = ConvLstm("ConvLSTM2D"),
        ["ConvLSTM3D"] = ConvLstm("ConvLSTM3D"),
        // RNN over cell types that are not cells: a struct without the methods, generic and ref structs, class, interface, enum.
        ["RNN"] = Layer("RNN", Const("typeof(int)", "typeof(System.DayOfWeek)", "typeof(string)", "typeof(System.ValueTuple<int, int>)", "typeof(System.Span<float>)",
            "typeof(NetGen.IRecurrentCell)", "typeof(NetGen.Loss)", "typeof(Fuzz.FuzzCell2)", "typeof(Fuzz.FuzzCell3)"), Opt("ReturnSequences", Bool, 2),
            Opt("ReturnState", Bool, 2), Opt("GoBackwards", Bool, 2), Opt("Dropout", Double, 4), Opt("Seed", Long, 8),
            Opt("Bidirectional", Freq((8, Const("None", "Concat", "Sum", "Mul", "Ave", "Separate").Select(m => "BidirectionalMerge." + m)), (1, Const("(BidirectionalMerge)5", "(BidirectionalMerge)(-1)"))))),
        // Extra outputs read by name: valid, unknown and hostile ports.
        ["Port"] = Gen.Select(NameLit, Const("h", "c", "x", "", "h:c", " h", "state"), (n, port) => $"Dense(2, Inputs = new[] {{ \"{n.Trim('"')}:{port}\" }})"),
    };

    private static Gen<string> ConvLstm(string kind)
        => Layer(kind, Gen.Select(Int, IntList, (f, k) => f + ", " + k),
            Opt("Strides", Int), Opt("StridesPerAxis", IntArray, 8), Opt("Padding", Pad, 2), Opt("DilationRate", Int), Opt("DilationPerAxis", IntArray, 8),
            Opt("Activation", RecAct), Opt("RecurrentActivation", RecAct), Opt("UseBias", Bool, 8), Opt("UnitForgetBias", Bool, 8),
            Opt("KernelInitializer", Init, 8), Opt("RecurrentInitializer", Init, 8), Opt("BiasInitializer", Init, 8),
            Opt("ReturnSequences", Bool, 2), Opt("ReturnState", Bool, 2), Opt("GoBackwards", Bool, 2), Opt("Dropout", Double), Opt("Seed", Long),
            Opt("Bidirectional", Freq((8, Const("None", "Concat", "Sum", "Mul", "Ave", "Separate").Select(m => "BidirectionalMerge." + m)), (1, Const("(BidirectionalMerge)6", "(BidirectionalMerge)(-1)")))),
            Opt("RecurrentDropout", Double, 8));

    private static Gen<string> Recurrent(string kind, params Gen<string>[] extra)
        => Layer(kind, Int, new[]
        {
            Opt("Activation", RecAct), Opt("UseBias", Bool, 8), Opt("KernelInitializer", Init, 8), Opt("RecurrentInitializer", Init, 8),
            Opt("BiasInitializer", Init, 8), Opt("ReturnSequences", Bool, 2), Opt("ReturnState", Bool, 2), Opt("GoBackwards", Bool, 2),
            Opt("Dropout", Double), Opt("RecurrentDropout", Double, 8), Opt("Seed", Long, 8),
            Opt("Bidirectional", Freq((8, Const("None", "Concat", "Sum", "Mul", "Ave").Select(m => "BidirectionalMerge." + m)), (1, Const("(BidirectionalMerge)5", "(BidirectionalMerge)(-1)")))),
        }.Concat(extra).ToArray());

    private static Gen<string> Pooling(string kind) => Layer(kind, IntList, Opt("Strides", Int), Opt("StridesPerAxis", IntArray, 8), Opt("Padding", Pad, 2));

    private static readonly Gen<string> NetworkAttribute = Freq(
        (8, Gen.Const("Network")),
        (1, Const("Network(InferenceBatchCapacity = 1)", "Network(InferenceBatchCapacity = 0)", "Network(InferenceBatchCapacity = -1)", "Network(InferenceBatchCapacity = int.MaxValue)", "Network(InferenceBatchCapacity = 3)")));

    private static readonly string[] Shapes =
    {
        "global", "internal", "nested", "nested-in-record", "nested-non-partial", "static", "abstract", "record", "generic", "keyword", "verbatim",
        "member-Fit", "member-Predict", "member-Summary", "member-Outputs", "member-Parameters", "member-InputLength", "member-Save", "member-Diagram",
        "member-WeightSignature", "member-Compile", "user-ctor", "user-member", "file", "two-partials", "split-layers", "nested-weights",
        "nested-same-name", "case-twins", "namespace-twins", "no-network", "user-layer", "lambda-host",
    };

    private static readonly Gen<string> AnyLayer = One(HostileLayers.Values.ToArray());

    /// <summary>Any attribute mixture: sometimes a valid chain with hostile layers mixed in, sometimes random layers only.</summary>
    public static Gen<Declaration> Hostile =>
        Gen.Select(Freq((6, Gen.Const("plain")), (4, Gen.OneOf(Shapes))), NetworkAttribute,
            Freq((2, Chain.Select(c => c.Layers)), (1, Gen.Const(new[] { "Input(2, 3)" })), (1, Gen.Const(Array.Empty<string>()))),
            AnyLayer.Array[0, 4], Gen.Int[0, 8],
            (shape, network, prefix, extra, at) =>
            {
                var layers = prefix.ToList();
                foreach (var e in extra) layers.Insert(Math.Min(at++, layers.Count), e);
                return new Declaration(shape, network, layers.ToArray(), false);
            });

    // ------------------------------------------------------------------ valid chains

    /// <summary>A chain of layers built along the inferred shape, so that most of them are valid networks.</summary>
    public sealed record ChainState(string[] Layers, int[] Shape, bool Smooth, List<(string Name, int[] Shape)> Values);

    private static int Prod(int[] s) => s.Aggregate(1, (a, d) => a * d);

    private static string Dims(int[] s) => string.Join(", ", s);

    private static readonly Gen<string> SmoothAct = Gen.OneOf(SmoothActivations);

    /// <summary>The candidate next layers for a value of <paramref name="s"/>: (attribute without the name, output shape, smooth).</summary>
    private static Gen<(string Attr, int[] Shape, bool Smooth)> Step(int[] s)
    {
        int r = s.Length, last = s[r - 1];
        var options = new List<Gen<(string, int[], bool)>>
        {
            Gen.Select(Gen.Int[1, 4], SmoothAct, (u, a) => ($"Dense({u}, Activation = Activation.{a}", s.Take(r - 1).Append(u).ToArray(), true)),
            Gen.Select(Gen.Int[1, 4], Const("Relu", "LeakyRelu", "Softmax"), (u, a) => ($"Dense({u}, Activation = Activation.{a}", s.Take(r - 1).Append(u).ToArray(), a == "Softmax")),
            SmoothAct.Select(a => ($"Activation(Activation.{a}", s, true)),
            Gen.Int[1, r].Select(ax => ($"Softmax(Axis = {ax}", s, true)),
            Const("ReLU(MaxValue = 2, NegativeSlope = 0.1, Threshold = 0.5", "LeakyReLU(", "ELU(Alpha = 0.5", "Activation(Activation.Relu6", "Activation(Activation.HardSilu").Select(a => (a, s, false)),
            Gen.Const(("Activation(Activation.LogSoftmax", s, true)),
            // Normalising a single value gives a constant, and a later normalisation of equal values sits where the loss
            // bends faster than float32 finite differences can follow: such chains stay out of the gradient sample.
            Gen.Const(("LayerNormalization(", s, last > 1)),
            // Not gradient-checked here: over the check's batch of 2 the batch statistics make each output a near step
            // function of its inputs, which a float32 central difference with h = 1e-2 cannot follow (seen: 2.8x the bound
            // on a correct network). BatchNormalization's gradients are checked in double by Tests/NetGen.Tests NormTests.
            Gen.Int[1, r].Select(ax => ($"BatchNormalization(Axis = {ax}", s, false)),
            Gen.Int[1, r].Select(ax => ($"LayerNormalization(Axis = {ax}", s, s[ax - 1] > 1)),
            Const("Dropout(0.25", "GaussianNoise(0.1", "GaussianDropout(0.2", "AlphaDropout(0.1").Select(d => (d, s, false)),
            Gen.Const(($"Reshape({Prod(s)}", new[] { Prod(s) }, true)),
            Gen.Const(($"Reshape(-1, {last}", new[] { Prod(s) / last, last }, true)),
        };
        if (r >= 2) options.Add(Gen.Const(("Flatten(", new[] { Prod(s) }, true)));
        if (r == 1 && last <= 6) options.Add(Gen.Int[1, 3].Select(n => ($"RepeatVector({n}", new[] { n, last }, true)));
        if (r == 2)
        {
            int steps = s[0];
            options.Add(Gen.Select(Gen.Int[1, 3], Gen.Int[1, steps], Const("Valid", "Same", "Causal"), (f, k, p) =>
                ($"Conv1D({f}, {k}, Padding = Padding.{p}", new[] { p == "Valid" ? steps - k + 1 : steps, f }, true)));
            options.Add(Gen.Select(Gen.Int[1, 3], Gen.Int[1, steps], (f, k) => ($"LocallyConnected1D({f}, {k}", new[] { steps - k + 1, f }, true)));
            options.Add(Gen.Select(Const("Max", "Average"), Gen.Int[1, steps], (m, p) => ($"{m}Pooling1D({p}", new[] { steps / p, last }, m == "Average")));
            options.Add(Const("Max", "Average").Select(m => ($"Global{m}Pooling1D(", new[] { last }, m == "Average")));
            options.Add(Gen.Const(("UpSampling1D(2", new[] { steps * 2, last }, true)));
            options.Add(Gen.Const(("ZeroPadding1D(1", new[] { steps + 2, last }, true)));
            if (steps > 2) options.Add(Gen.Const(("Cropping1D(1", new[] { steps - 2, last }, true)));
            options.Add(Gen.Const(("Permute(2, 1", new[] { last, steps }, true)));
            // Recurrent layers with smooth activations (relu's kink and dropout's randomness stay out of the gradient sample).
            options.Add(Gen.Select(Const("SimpleRNN", "LSTM", "GRU"), Gen.Int[1, 3], Bool, Bool, Const("Tanh", "Sigmoid", "Linear"), (k, u, seq, back, a) =>
                ($"{k}({u}, ReturnSequences = {seq}, GoBackwards = {back}, Activation = RecurrentActivation.{a}", seq == "true" ? new[] { steps, u } : new[] { u }, true)));
            options.Add(Gen.Select(Gen.Int[1, 3], Bool, (u, seq) => ($"GRU({u}, ResetAfter = false, ReturnSequences = {seq}", seq == "true" ? new[] { steps, u } : new[] { u }, true)));
            options.Add(Gen.Select(Gen.Int[1, 3], Const("Relu", "HardSigmoid"), (u, a) => ($"LSTM({u}, Dropout = 0.25, RecurrentActivation = RecurrentActivation.{a}", new[] { u }, false)));
            options.Add(Gen.Select(Const("SimpleRNN", "LSTM", "GRU"), Gen.Int[1, 3], Bool, Const("None", "Concat", "Sum"), (k, u, seq, m) =>
            {
                int w = m == "Concat" ? 2 * u : u;
                return ($"{k}({u}, RecurrentDropout = 0.3, Dropout = 0.1, ReturnSequences = {seq}, Bidirectional = BidirectionalMerge.{m}", seq == "true" ? new[] { steps, w } : new[] { w }, false);
            }));
            options.Add(Gen.Const(("Masking(", s, true)));
            // RNN over a user cell (Cells: FuzzCellN reads N features, outputs 2 of its 3 state floats).
            if (last <= 8)
                options.Add(Gen.Select(Bool, Bool, Const("None", "Concat", "Sum", "Mul", "Ave", "Separate"), Gen.Int[0, 3], (seq, back, m, drop) =>
                {
                    int w = m == "Concat" ? 4 : 2;
                    string dropout = drop == 0 ? ", Dropout = 0.2" : "";
                    return ($"RNN(typeof(Fuzz.FuzzCell{last}), ReturnSequences = {seq}, GoBackwards = {back}, Bidirectional = BidirectionalMerge.{m}{dropout}",
                        seq == "true" ? new[] { steps, w } : new[] { w }, drop != 0);
                }));
            options.Add(Gen.Select(Const("SimpleRNN", "LSTM", "GRU"), Gen.Int[1, 3], Bool, Const("Concat", "Sum", "Mul", "Ave", "Separate"), (k, u, seq, m) =>
            {
                int w = m == "Concat" ? 2 * u : u;
                return ($"{k}({u}, ReturnSequences = {seq}, Bidirectional = BidirectionalMerge.{m}", seq == "true" ? new[] { steps, w } : new[] { w }, true);
            }));
            options.Add(Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Bool, (h, k, c) => ($"MultiHeadAttention({h}, {k}, UseCausalMask = {c}", s, true)));
            options.Add(Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 4], (h, k, v, u) =>
                ($"MultiHeadAttention({h}, {k}, ValueDim = {v}, OutputShape = {u}, UseBias = {(u % 2 == 0 ? "false" : "true")}", new[] { steps, u }, true)));
            options.Add(Gen.Int[0, 2].Select(e => ($"PositionEmbedding({steps + e}", s, true)));
        }
        if (r == 3)
        {
            int h = s[0], w = s[1], m = Math.Min(h, w);
            options.Add(Gen.Select(Gen.Int[1, 3], Gen.Int[1, m], Const("Valid", "Same"), (f, k, p) =>
                ($"Conv2D({f}, {k}, Padding = Padding.{p}", p == "Valid" ? new[] { h - k + 1, w - k + 1, f } : new[] { h, w, f }, true)));
            options.Add(Gen.Select(Gen.Int[1, m], Const("Valid", "Same"), (k, p) =>
                ($"DepthwiseConv2D({k}, Padding = Padding.{p}", p == "Valid" ? new[] { h - k + 1, w - k + 1, last } : new[] { h, w, last }, true)));
            options.Add(Gen.Select(Gen.Int[1, 3], Gen.Int[1, m], (f, k) => ($"SeparableConv2D({f}, {k}", new[] { h - k + 1, w - k + 1, f }, true)));
            options.Add(Gen.Select(Gen.Int[1, 2], Gen.Int[1, 3], (f, k) => ($"Conv2DTranspose({f}, {k}", new[] { h + k - 1, w + k - 1, f }, true)));
            options.Add(Gen.Select(Gen.Int[1, 2], Gen.Int[1, m], (f, k) => ($"LocallyConnected2D({f}, {k}", new[] { h - k + 1, w - k + 1, f }, true)));
            options.Add(Gen.Select(Const("Max", "Average"), Gen.Int[1, m], (mm, p) => ($"{mm}Pooling2D({p}", new[] { h / p, w / p, last }, mm == "Average")));
            options.Add(Const("Max", "Average").Select(mm => ($"Global{mm}Pooling2D(", new[] { last }, mm == "Average")));
            options.Add(Const("Nearest", "Bilinear").Select(i => ($"UpSampling2D(2, Interpolation = Interpolation.{i}", new[] { h * 2, w * 2, last }, true)));
            options.Add(Gen.Const(("ZeroPadding2D(1", new[] { h + 2, w + 2, last }, true)));
            if (m > 2) options.Add(Gen.Const(("Cropping2D(1", new[] { h - 2, w - 2, last }, true)));
            options.Add(Gen.Const(("Permute(2, 1, 3", new[] { w, h, last }, true)));
            // ConvLSTM1D reads (steps, rows, channels).
            options.Add(Gen.Select(Gen.Int[1, 2], Gen.Int[1, w], Const("Valid", "Same"), Bool, (f, k, p, seq) =>
            {
                int rows = p == "Valid" ? w - k + 1 : w;
                return ($"ConvLSTM1D({f}, {k}, Padding = Padding.{p}, ReturnSequences = {seq}", seq == "true" ? new[] { h, rows, f } : new[] { rows, f }, true);
            }));
            options.Add(Gen.Select(Gen.Int[1, 2], Gen.Int[1, 3], (nh, k) => ($"MultiHeadAttention({nh}, {k}", s, true)));
            var groups = Enumerable.Range(1, last).Where(g => last % g == 0).Select(g => g.ToString(CultureInfo.InvariantCulture)).ToArray();
            options.Add(Gen.OneOf(groups).Select(g => ($"GroupNormalization({g}", s, h * w * (last / int.Parse(g, CultureInfo.InvariantCulture)) > 1)));
        }
        if (r == 4)
        {
            int m = Math.Min(s[0], Math.Min(s[1], s[2]));
            options.Add(Gen.Select(Gen.Int[1, 2], Gen.Int[1, m], (f, k) => ($"Conv3D({f}, {k}", new[] { s[0] - k + 1, s[1] - k + 1, s[2] - k + 1, f }, true)));
            options.Add(Gen.Select(Const("Max", "Average"), Gen.Int[1, m], (mm, p) => ($"{mm}Pooling3D({p}", new[] { s[0] / p, s[1] / p, s[2] / p, last }, mm == "Average")));
            options.Add(Const("Max", "Average").Select(mm => ($"Global{mm}Pooling3D(", new[] { last }, mm == "Average")));
            options.Add(Gen.Const(("UpSampling3D(2", new[] { s[0] * 2, s[1] * 2, s[2] * 2, last }, true)));
            options.Add(Gen.Const(("ZeroPadding3D(1", new[] { s[0] + 2, s[1] + 2, s[2] + 2, last }, true)));
            // ConvLSTM2D reads (steps, rows, cols, channels); smooth activations only.
            int mc = Math.Min(s[1], s[2]);
            options.Add(Gen.Select(Gen.Int[1, 2], Gen.Int[1, mc], Const("Valid", "Same"), Bool, Bool, (f, k, p, seq, back) =>
            {
                int rows = p == "Valid" ? s[1] - k + 1 : s[1], cols = p == "Valid" ? s[2] - k + 1 : s[2];
                return ($"ConvLSTM2D({f}, {k}, Padding = Padding.{p}, ReturnSequences = {seq}, GoBackwards = {back}",
                    seq == "true" ? new[] { s[0], rows, cols, f } : new[] { rows, cols, f }, true);
            }));
            // Bidirectional ConvLSTM2D: Concat doubles the filters axis.
            options.Add(Gen.Select(Gen.Int[1, 2], Gen.Int[1, mc], Bool, Const("Concat", "Sum", "Mul", "Ave", "Separate"), (f, k, seq, m) =>
            {
                int rows = s[1] - k + 1, cols = s[2] - k + 1, w = m == "Concat" ? 2 * f : f;
                return ($"ConvLSTM2D({f}, {k}, ReturnSequences = {seq}, Bidirectional = BidirectionalMerge.{m}",
                    seq == "true" ? new[] { s[0], rows, cols, w } : new[] { rows, cols, w }, true);
            }));
        }
        options.AddRange(Wild(s));
        // An option whose output would be empty or large becomes a shape-keeping activation (a Where would give up).
        return One(options.ToArray()).Select(o => o.Item2.All(d => d > 0) && Prod(o.Item2) <= 256 ? o : ("Activation(Activation.Tanh", s, true));
    }

    private static int ConvOut(int n, int k, int s, int d, string padding)
        => padding == "Valid" ? (n - d * (k - 1) - 1) / s + 1 : (n + s - 1) / s;

    /// <summary>
    /// Windowed layers with strides, dilation and padding (Keras' output-size formulas), per-axis lists, KeepDims, depth
    /// multipliers, Dot and Concatenate over other axes: valid arguments off the common path. Marked not smooth when
    /// they hold a max.
    /// </summary>
    private static IEnumerable<Gen<(string, int[], bool)>> Wild(int[] s)
    {
        int r = s.Length, last = s[r - 1];
        var pads = Const("Valid", "Same");
        if (r >= 2 && r <= 4)
        {
            int spatial = r - 1;
            string conv = spatial switch { 1 => "Conv1D", 2 => "Conv2D", _ => "Conv3D" };
            string pool = spatial switch { 1 => "Pooling1D", 2 => "Pooling2D", _ => "Pooling3D" };
            int m = s.Take(spatial).Min();
            yield return Gen.Select(Gen.Int[1, 3], Gen.Int[1, Math.Max(1, m)], Gen.Int[1, 3], Gen.Int[1, 2], pads, (f, k, st, dl, p) =>
            {
                if (st > 1) dl = 1;
                var o = s.Take(spatial).Select(n => ConvOut(n, k, st, dl, p)).Append(f).ToArray();
                return ($"{conv}({f}, {k}, Strides = {st}, DilationRate = {dl}, Padding = Padding.{p}, Activation = Activation.Tanh", o, true);
            });
            yield return Gen.Select(Const("Max", "Average"), Gen.Int[1, Math.Max(1, m)], Gen.Int[1, 3], pads, (mm, k, st, p) =>
            {
                var o = s.Take(spatial).Select(n => ConvOut(n, k, st, 1, p)).Append(last).ToArray();
                return ($"{mm}{pool}({k}, Strides = {st}, Padding = Padding.{p}", o, mm == "Average");
            });
            yield return Gen.Select(Const("Max", "Average"), Gen.Int[1, Math.Max(1, m)].Array[spatial], pads, (mm, ks, p) =>
            {
                var o = s.Take(spatial).Select((n, i) => ConvOut(n, ks[i], ks[i], 1, p)).Append(last).ToArray();
                return ($"{mm}{pool}({Dims(ks)}, Padding = Padding.{p}", o, mm == "Average");
            });
            yield return Const("Max", "Average").Select(mm => ($"Global{mm}{pool}(KeepDims = true", Enumerable.Repeat(1, spatial).Append(last).ToArray(), mm == "Average"));
            yield return Gen.Int[0, 2].Array[2 * spatial].Select(pd => ($"ZeroPadding{spatial}D({Dims(pd)}", s.Take(spatial).Select((n, i) => n + pd[2 * i] + pd[2 * i + 1]).Append(last).ToArray(), true));
            yield return Gen.Int[1, 3].Array[spatial].Select(up => ($"UpSampling{spatial}D({Dims(up)}", s.Take(spatial).Select((n, i) => n * up[i]).Append(last).ToArray(), true));
            yield return Gen.Int[0, 1].Array[2 * spatial].Select(c => ($"Cropping{spatial}D({Dims(c)}", s.Take(spatial).Select((n, i) => n - c[2 * i] - c[2 * i + 1]).Append(last).ToArray(), true));
        }
        if (r == 3)
        {
            int m = Math.Min(s[0], s[1]);
            yield return Gen.Select(Gen.Int[1, m], Gen.Int[1, 3], Gen.Int[1, 2], pads, (k, st, dm, p) =>
                ($"DepthwiseConv2D({k}, Strides = {st}, DepthMultiplier = {dm}, Padding = Padding.{p}", new[] { ConvOut(s[0], k, st, 1, p), ConvOut(s[1], k, st, 1, p), last * dm }, true));
            yield return Gen.Select(Gen.Int[1, 2], Gen.Int[1, m], Gen.Int[1, 2], Gen.Int[1, 2], pads, (f, k, st, dm, p) =>
                ($"SeparableConv2D({f}, {k}, Strides = {st}, DepthMultiplier = {dm}, Padding = Padding.{p}", new[] { ConvOut(s[0], k, st, 1, p), ConvOut(s[1], k, st, 1, p), f }, true));
            yield return Gen.Select(Gen.Int[1, 2], Gen.Int[1, 3], Gen.Int[1, 2], pads, (f, k, st, p) =>
                ($"Conv2DTranspose({f}, {k}, Strides = {st}, Padding = Padding.{p}", p == "Same" ? new[] { s[0] * st, s[1] * st, f } : new[] { (s[0] - 1) * st + k, (s[1] - 1) * st + k, f }, true));
            yield return Gen.Select(Gen.Int[1, 2], Gen.Int[1, m], Gen.Int[1, 2], (f, k, st) =>
                ($"LocallyConnected2D({f}, {k}, Strides = {st}", new[] { (s[0] - k) / st + 1, (s[1] - k) / st + 1, f }, true));
            yield return Gen.Const(("Permute(3, 1, 2", new[] { last, s[0], s[1] }, true));
            yield return Gen.Const(("GroupNormalization(-1", s, s[0] * s[1] > 1));
        }
        if (r == 2)
            yield return Gen.Select(Gen.Int[1, 2], Gen.Int[1, s[0]], Gen.Int[1, 2], (f, k, st) =>
                ($"LocallyConnected1D({f}, {k}, Strides = {st}", new[] { (s[0] - k) / st + 1, f }, true));
        if (r >= 2)
            yield return Gen.Int[1, r - 1].Select(ax => ($"LayerNormalization(Axis = {ax}", s, s[ax - 1] > 1));
        var init = Const("GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Zeros", "Ones", "RandomUniform", "RandomNormal", "TruncatedNormal");
        yield return Gen.Select(Gen.Int[1, 3], init, init, Bool, (u, ki, bi, ub) =>
            ($"Dense({u}, KernelInitializer = Initializer.{ki}, BiasInitializer = Initializer.{bi}, UseBias = {ub}", s.Take(r - 1).Append(u).ToArray(), true));
    }

    private static string Close(string attr, string name, string? inputs = null)
        => attr + (attr.EndsWith("(", StringComparison.Ordinal) ? "" : ", ") + $"Name = \"{name}\"" + (inputs is null ? "" : $", Inputs = new[] {{ \"{inputs}\" }}") + ")";

    private static Gen<ChainState> Grow(ChainState state, int remaining)
    {
        if (remaining == 0) return Gen.Const(state);
        var previous = state.Values[state.Values.Count - 1];
        int i = state.Values.Count;
        // A merge of the previous value with an activated copy of it (same shape), or one more layer.
        var merge = Gen.Select(Const("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"), SmoothAct, (m, a) =>
        {
            var branch = Close($"Activation(Activation.{a}", "b" + i, previous.Name);
            var shape = m == "Concatenate" ? previous.Shape.Take(previous.Shape.Length - 1).Append(previous.Shape[^1] * 2).ToArray() : previous.Shape;
            var merged = $"{m}(\"{previous.Name}\", \"b{i}\", Name = \"l{i}\")";
            var values = state.Values.Append(("b" + i, previous.Shape)).Append(("l" + i, shape)).ToList();
            return new ChainState(state.Layers.Append(branch).Append(merged).ToArray(), shape, state.Smooth && m is not ("Maximum" or "Minimum"), values);
        }).Select(c => Prod(c.Shape) <= 256 ? c : state);
        var concatAxis = Gen.Int[1, previous.Shape.Length].Select(ax =>
        {
            var branch = Close("Activation(Activation.Sigmoid", "b" + i, previous.Name);
            var shape = previous.Shape.Select((d, k) => k == ax - 1 ? d * 2 : d).ToArray();
            var merged = $"Concatenate(\"{previous.Name}\", \"b{i}\", Axis = {ax}, Name = \"l{i}\")";
            var values = state.Values.Append(("b" + i, previous.Shape)).Append(("l" + i, shape)).ToList();
            return new ChainState(state.Layers.Append(branch).Append(merged).ToArray(), shape, state.Smooth, values);
        }).Select(c => Prod(c.Shape) <= 256 ? c : state);
        var step = Step(state.Shape).Select(o => new ChainState(state.Layers.Append(Close(o.Attr, "l" + i)).ToArray(), o.Shape, state.Smooth && o.Smooth,
            state.Values.Append(("l" + i, o.Shape)).ToList()));
        var dot = Gen.Const(0).Select(_ =>
        {
            var p = previous.Shape;
            var branch = Close("Activation(Activation.Tanh", "b" + i, previous.Name);
            var merged = $"Dot({p.Length}, \"{previous.Name}\", \"b{i}\", Name = \"l{i}\")";
            var shape = p.Length == 1 ? new[] { 1 } : new[] { p[0], p[0] };
            var values = state.Values.Append(("b" + i, p)).Append(("l" + i, shape)).ToList();
            return new ChainState(state.Layers.Append(branch).Append(merged).ToArray(), shape, state.Smooth, values);
        });
        // Attention between the previous value (query) and an activated copy of it (value and key).
        var attention = Gen.Select(Const("Attention(UseScale = true", "Attention(ScoreMode = AttentionScore.Concat", "Attention(UseCausalMask = true", "AdditiveAttention(",
            "AdditiveAttention(UseScale = false, UseCausalMask = true"), SmoothAct, (kind, a) =>
        {
            var branch = Close($"Activation(Activation.{a}", "b" + i, previous.Name);
            var merged = kind + (kind.EndsWith("(", StringComparison.Ordinal) ? "" : ", ") + $"Inputs = new[] {{ \"{previous.Name}\", \"b{i}\" }}, Name = \"l{i}\")";
            var values = state.Values.Append(("b" + i, previous.Shape)).Append(("l" + i, previous.Shape)).ToList();
            return new ChainState(state.Layers.Append(branch).Append(merged).ToArray(), previous.Shape, state.Smooth, values);
        });
        var state2 = Gen.Select(Const("LSTM", "GRU", "SimpleRNN"), Gen.Int[1, 3], (k, u) =>
        {
            var p = previous.Shape;
            var rnn = Close($"{k}({u}, ReturnState = true", "r" + i, previous.Name);
            var ports = k == "LSTM" ? $"\"r{i}:h\", \"r{i}:c\"" : $"\"r{i}:h\"";
            var merged = $"Concatenate(\"r{i}\", {ports}, Name = \"l{i}\")";
            var shape = new[] { u * (k == "LSTM" ? 3 : 2) };
            var values = state.Values.Append(("r" + i, new[] { u })).Append(("l" + i, shape)).ToList();
            return new ChainState(state.Layers.Append(rnn).Append(merged).ToArray(), shape, state.Smooth, values);
        });
        // A bidirectional layer with separate directions and states: every port read by one Concatenate.
        var biPorts = Gen.Select(Const("LSTM", "GRU", "SimpleRNN"), Gen.Int[1, 3], (k, u) =>
        {
            var rnn = Close($"{k}({u}, ReturnState = true, Bidirectional = BidirectionalMerge.Separate", "r" + i, previous.Name);
            var ports = k == "LSTM" ? $"\"r{i}:backward\", \"r{i}:forward_h\", \"r{i}:forward_c\", \"r{i}:backward_h\", \"r{i}:backward_c\""
                : $"\"r{i}:backward\", \"r{i}:forward_h\", \"r{i}:backward_h\"";
            var merged = $"Concatenate(\"r{i}:forward\", {ports}, Name = \"l{i}\")";
            var shape = new[] { u * (k == "LSTM" ? 6 : 4) };
            var values = state.Values.Append(("r" + i, new[] { u })).Append(("l" + i, shape)).ToList();
            return new ChainState(state.Layers.Append(rnn).Append(merged).ToArray(), shape, state.Smooth, values);
        });
        var options = new List<(int, Gen<ChainState>)> { (8, step), (1, merge), (1, concatAxis) };
        if (previous.Shape.Length == 2) options.Add((1, biPorts));
        // Self-attention whose scores (heads, T, T) are the next value: the "name:scores" port.
        var scores = Gen.Select(Gen.Int[1, 2], Gen.Int[1, 3], Bool, (h, k, causal) =>
        {
            var p = previous.Shape;
            var layer = $"MultiHeadAttention({h}, {k}, ReturnAttentionScores = true, UseCausalMask = {causal}, Inputs = new[] {{ \"{previous.Name}\" }}, Name = \"m{i}\")";
            var reader = $"Dense(2, Activation = Activation.Tanh, Inputs = new[] {{ \"m{i}:scores\" }}, Name = \"l{i}\")";
            var shape = new[] { h, p[0], 2 };
            // Only the scores are read: the main output gets a zero gradient in the backward pass.
            var values = state.Values.Append(("l" + i, shape)).ToList();
            return new ChainState(state.Layers.Append(layer).Append(reader).ToArray(), shape, state.Smooth, values);
        }).Select(c => Prod(c.Shape) <= 256 ? c : state);
        if (previous.Shape.Length == 2) options.Add((1, attention));
        if (previous.Shape.Length == 2) options.Add((1, scores));
        // A square (T, T) value as Keras' attention_mask of self-attention on itself: the mask is also query, value and
        // key, so its gradient is the projections' alone.
        var masked = Gen.Select(Gen.Int[1, 2], Gen.Int[1, 3], Bool, (h, k, causal) =>
        {
            var layer = $"MultiHeadAttention({h}, {k}, UseCausalMask = {causal}, AttentionMask = \"{previous.Name}\", Inputs = new[] {{ \"{previous.Name}\" }}, Name = \"l{i}\")";
            var values = state.Values.Append(("l" + i, previous.Shape)).ToList();
            return new ChainState(state.Layers.Append(layer).ToArray(), previous.Shape, state.Smooth, values);
        });
        if (previous.Shape.Length == 2 && previous.Shape[0] == previous.Shape[1]) options.Add((1, masked));
        if (previous.Shape.Length <= 2) options.Add((1, dot));
        if (previous.Shape.Length == 2) options.Add((1, state2));
        // TimeDistributed: a chain layer built for one step of a (steps, ...) value and applied to every step. Masking and
        // a trainable BatchNormalization cannot be wrapped (NG0052): those picks become an activation.
        if (previous.Shape.Length >= 2)
        {
            var perStep = previous.Shape.Skip(1).ToArray();
            var timeDistributed = Step(perStep)
                .Select(o =>
                {
                    if (o.Attr.StartsWith("BatchNormalization", StringComparison.Ordinal) || o.Attr.StartsWith("Masking", StringComparison.Ordinal))
                        o = ("Activation(Activation.Tanh", perStep, true);
                    var attr = o.Attr + (o.Attr.EndsWith("(", StringComparison.Ordinal) ? "" : ", ") + "TimeDistributed = true";
                    var shape = new[] { previous.Shape[0] }.Concat(o.Shape).ToArray();
                    var values = state.Values.Append(("l" + i, shape)).ToList();
                    return new ChainState(state.Layers.Append(Close(attr, "l" + i)).ToArray(), shape, state.Smooth && o.Smooth, values);
                }).Select(c => Prod(c.Shape) <= 256 ? c : state);
            options.Add((2, timeDistributed));
        }
        return Freq(options.ToArray()).SelectMany(next => Grow(next, remaining - 1));
    }

    /// <summary>A (mostly valid) chain: one input of rank 1 to 4, up to five layers, sometimes merges and several outputs.</summary>
    public static readonly Gen<ChainState> Chain =
        Gen.Int[1, 4].SelectMany(rank => Gen.Select(Gen.Int[1, 4].Array[rank], Gen.Int[0, 5], (dims, n) => (dims, n)))
            .SelectMany(t => Grow(new ChainState(new[] { $"Input({Dims(t.dims)}, Name = \"in\")" }, t.dims, true,
                new List<(string, int[])> { ("in", t.dims) }), t.n));

    /// <summary>Valid chains on a plain class, sometimes with two outputs.</summary>
    public static Gen<Declaration> Valid =>
        Gen.Select(Chain, Gen.Int[0, 5], (c, o) =>
        {
            var layers = c.Layers.ToList();
            bool several = o == 0 && c.Values.Count >= 3;
            if (several) layers.Add($"Output(\"{c.Values[c.Values.Count - 1].Name}\", \"{c.Values[c.Values.Count - 2].Name}\")");
            return new Declaration("plain", "Network", layers.ToArray(), c.Smooth && !several && c.Layers.Length > 1);
        });

    /// <summary>Two thirds hostile, one third valid chains.</summary>
    public static Gen<Declaration> Any => Freq((2, Hostile), (1, Valid));
}
