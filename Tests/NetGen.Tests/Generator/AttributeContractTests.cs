using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Layers;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The attribute contract, checked for every layer attribute of the runtime: a layer kind is registered for it; every
/// constructor argument and every settable property is read by that kind (changing it changes the generated code or
/// its diagnostics); and every property's default is the kind's fallback (writing the default explicitly generates
/// exactly the code that omitting it does).
/// </summary>
public class AttributeContractTests
{
    /// <summary>How each attribute is declared for the test: input shape, constructor arguments, other constructor arguments.</summary>
    private static readonly Dictionary<string, (string Input, string Args, string OtherArgs)> s_templates = new()
    {
        ["Dense"] = ("6", "4", "5"),
        ["Activation"] = ("6", "Activation.Relu", "Activation.Tanh"),
        ["PReLU"] = ("4, 3", "", ""),
        ["Flatten"] = ("4, 3", "", ""),
        ["Reshape"] = ("12", "3, 4", "4, 3"),
        ["Dropout"] = ("6", "0.5", "0.25"),
        ["GaussianNoise"] = ("6", "0.5", "0.25"),
        ["GaussianDropout"] = ("6", "0.5", "0.25"),
        ["AlphaDropout"] = ("6", "0.5", "0.25"),
        ["BatchNormalization"] = ("5, 4", "", ""),
        ["LayerNormalization"] = ("5, 4", "", ""),
        ["GroupNormalization"] = ("3, 32", "", "16"),
        ["Embedding"] = ("5, TokenIds = true", "10, 4", "12, 4"),
        ["Permute"] = ("4, 3", "2, 1", "1, 2"),
        ["RepeatVector"] = ("5", "3", "2"),
        ["Conv1D"] = ("9, 3", "4, 3", "4, 2"),
        ["Conv2D"] = ("9, 9, 3", "4, 3", "4, 2"),
        ["Conv3D"] = ("7, 7, 7, 2", "4, 3", "4, 2"),
        ["Conv2DTranspose"] = ("7, 7, 3", "4, 3", "4, 2"),
        ["DepthwiseConv2D"] = ("9, 9, 3", "3", "2"),
        ["SeparableConv2D"] = ("9, 9, 3", "4, 3", "4, 2"),
        ["LocallyConnected1D"] = ("9, 3", "4, 3", "4, 2"),
        ["LocallyConnected2D"] = ("7, 7, 3", "4, 3", "4, 2"),
        ["MaxPooling1D"] = ("9, 3", "", "3"),
        ["MaxPooling2D"] = ("9, 9, 3", "", "3"),
        ["MaxPooling3D"] = ("7, 7, 7, 2", "", "3"),
        ["AveragePooling1D"] = ("9, 3", "", "3"),
        ["AveragePooling2D"] = ("9, 9, 3", "", "3"),
        ["AveragePooling3D"] = ("7, 7, 7, 2", "", "3"),
        ["GlobalMaxPooling1D"] = ("9, 3", "", ""),
        ["GlobalMaxPooling2D"] = ("9, 9, 3", "", ""),
        ["GlobalMaxPooling3D"] = ("7, 7, 7, 2", "", ""),
        ["GlobalAveragePooling1D"] = ("9, 3", "", ""),
        ["GlobalAveragePooling2D"] = ("9, 9, 3", "", ""),
        ["GlobalAveragePooling3D"] = ("7, 7, 7, 2", "", ""),
        ["ZeroPadding1D"] = ("9, 3", "", "2"),
        ["ZeroPadding2D"] = ("9, 9, 3", "", "2"),
        ["ZeroPadding3D"] = ("7, 7, 7, 2", "", "2"),
        ["Cropping1D"] = ("9, 3", "", "2"),
        ["Cropping2D"] = ("9, 9, 3", "", "2"),
        ["Cropping3D"] = ("7, 7, 7, 2", "", "2"),
        ["UpSampling1D"] = ("9, 3", "", "3"),
        ["UpSampling2D"] = ("9, 9, 3", "", "3"),
        ["UpSampling3D"] = ("7, 7, 7, 2", "", "3"),
        ["Add"] = ("merge", "\"a\", \"b\"", "\"b\", \"a\""),
        ["Subtract"] = ("merge", "\"a\", \"b\"", "\"b\", \"a\""),
        ["Multiply"] = ("merge", "\"a\", \"b\"", "\"a\", \"b\", \"a\""),
        ["Average"] = ("merge", "\"a\", \"b\"", "\"a\", \"b\", \"a\""),
        ["Maximum"] = ("merge", "\"a\", \"b\"", "\"b\", \"a\""),
        ["Minimum"] = ("merge", "\"a\", \"b\"", "\"b\", \"a\""),
        ["Concatenate"] = ("merge", "\"a\", \"b\"", "\"b\", \"a\""),
        ["Dot"] = ("merge", "1, \"a\", \"b\"", "1, \"b\", \"a\""),
        ["MultiHeadAttention"] = ("5, 4", "2, 3", "2, 2"),
        ["Attention"] = ("5, 4", "Inputs = new[] { \"input_layer\", \"input_layer\" }", "Inputs = new[] { \"input_layer\", \"input_layer\", \"input_layer\" }"),
        ["AdditiveAttention"] = ("5, 4", "Inputs = new[] { \"input_layer\", \"input_layer\" }", "Inputs = new[] { \"input_layer\", \"input_layer\", \"input_layer\" }"),
        ["PositionEmbedding"] = ("5, 4", "6", "7"),
        ["ReLU"] = ("4, 3", "", ""),
        ["LeakyReLU"] = ("4, 3", "", ""),
        ["ELU"] = ("4, 3", "", ""),
        ["Softmax"] = ("4, 3", "", ""),
        ["Lambda"] = ("6", "nameof(F), Backward = nameof(B), ElementWise = true", "nameof(G), Backward = nameof(B), ElementWise = true"),
        ["SimpleRNN"] = ("6, 3", "4", "5"),
        ["LSTM"] = ("6, 3", "4", "5"),
        ["GRU"] = ("6, 3", "4", "5"),
        ["Masking"] = ("6, 3", "", ""),
        ["ConvLSTM1D"] = ("5, 7, 2", "4, 3", "4, 2"),
        ["ConvLSTM2D"] = ("5, 7, 7, 2", "4, 3", "4, 2"),
        ["ConvLSTM3D"] = ("5, 4, 7, 7, 2", "4, 3", "4, 2"),
        ["RNN"] = ("6, 3", "typeof(C1)", "typeof(C2)"),
    };

    /// <summary>Properties every layer has, handled by the graph builder rather than the kind.</summary>
    private static readonly string[] s_common = { "Name", "Inputs" };

    public static IEnumerable<object[]> Attributes()
        => typeof(LayerAttribute).Assembly.GetTypes()
            .Where(t => typeof(LayerAttribute).IsAssignableFrom(t) && !t.IsAbstract && t != typeof(InputAttribute))
            .Select(t => new object[] { t.Name.Substring(0, t.Name.Length - "Attribute".Length) })
            .OrderBy(a => (string)a[0], StringComparer.Ordinal);

    [Fact]
    public void EveryLayerAttributeHasAKindAndATemplate()
    {
        foreach (var a in Attributes().Select(a => (string)a[0]))
        {
            Assert.True(LayerRegistry.Find(a) is not null, $"no layer kind is registered for [{a}]");
            Assert.True(s_templates.ContainsKey(a), $"[{a}] needs a template in this test");
        }
    }

    [Theory]
    [MemberData(nameof(Attributes))]
    public void ArgumentsAreReadAndDefaultsAgree(string attribute)
    {
        var (input, args, otherArgs) = s_templates[attribute];
        var type = typeof(LayerAttribute).Assembly.GetType("NetGen." + attribute + "Attribute")!;
        string baseline = Generate(Declare(attribute, input, args, ""));
        Assert.DoesNotContain("error NG", baseline);
        if (otherArgs != args)
            Assert.True(baseline != Generate(Declare(attribute, input, otherArgs, "")), $"[{attribute}({otherArgs})] generates what [{attribute}({args})] does: a constructor argument is not read");
        var instance = Instance(type, attribute);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && !s_common.Contains(p.Name)))
        {
            if (attribute == "Lambda" && p.Name is "Backward" or "ElementWise") continue; // set by the template itself
            if ((typeof(RecurrentLayerAttribute).IsAssignableFrom(type) || attribute.StartsWith("ConvLSTM", StringComparison.Ordinal) || attribute == "RNN") && p.Name == "Seed") continue; // seeds the dropout stream: read only with Dropout > 0 (RecurrentLayerTests)
            var value = p.GetValue(instance);
            if (value is not null)
            {
                string explicitDefault = Generate(Declare(attribute, input, args, $"{p.Name} = {Literal(value)}"));
                Assert.True(baseline == explicitDefault, $"[{attribute}]: writing {p.Name} = {Literal(value)} (the attribute's default) changes the generated code: the kind's fallback differs");
            }
            // Some other value must change the code (a single one may happen to mean the default, e.g. strides equal to the pool size).
            var others = Others(p.PropertyType, value).ToList();
            Assert.True(others.Any(o => baseline != Generate(Declare(attribute, input, args, $"{p.Name} = {Literal(o)}"))),
                $"[{attribute}]: {p.Name} = {string.Join(" or ", others.Select(Literal))} generates what the default does: the kind does not read {p.Name}");
        }
    }

    /// <summary>The attribute as the test declares it, constructed the way the compiler would (to read its defaults).</summary>
    private static object Instance(Type type, string attribute)
    {
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var values = ctor.GetParameters().Select(p => p.ParameterType == typeof(int) ? (object)1
            : p.ParameterType == typeof(double) ? 0.5
            : p.ParameterType == typeof(string) ? "F"
            : p.ParameterType.IsEnum ? Enum.GetValues(p.ParameterType).GetValue(0)!
            : p.ParameterType.IsArray ? Array.CreateInstance(p.ParameterType.GetElementType()!, 0)
            : p.ParameterType == typeof(Type) ? typeof(object)
            : throw new InvalidOperationException(attribute + ": constructor parameter " + p.Name)).ToArray();
        return ctor.Invoke(values);
    }

    /// <summary>Values other than the default to try, in order.</summary>
    private static IEnumerable<object> Others(Type type, object? value)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(bool)) return new object[] { !(bool)value! };
        if (t == typeof(int)) return new object[] { (int)value! + 1, (int)value! + 2, 0 }; // -1 (the last axis) also tries 0, which no axis accepts
        if (t == typeof(long)) return new object[] { 5L };
        if (t == typeof(double) && (double)value! == float.MaxValue) return new object[] { 6.0 }; // ReLU's MaxValue: no cap by default
        if (t == typeof(double)) return new object[] { (double)value! + 0.125 };
        if (t.IsEnum)
        {
            var members = Enum.GetValues(t).Cast<object>().ToList();
            return members.Where(m => !m.Equals(value)).Take(2);
        }
        if (t == typeof(int[])) return new object[] { new[] { 2 }, new[] { 3 } };
        if (t == typeof(string)) return new object[] { "G" };
        throw new InvalidOperationException("no other value for " + type);
    }

    private static string Literal(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Enum e => e.GetType().Name + "." + e,
        int[] a => "new[] { " + string.Join(", ", a.Select(v => v.ToString(CultureInfo.InvariantCulture))) + " }",
        string s when s is "F" or "G" or "B" => $"nameof({s})",
        string s => "\"" + s + "\"",
        _ => throw new InvalidOperationException("no literal for " + value.GetType()),
    };

    private static string Declare(string attribute, string input, string args, string named)
    {
        string all = string.Join(", ", new[] { args, named }.Where(s => s.Length > 0));
        string layer = all.Length == 0 ? $"[{attribute}]" : $"[{attribute}({all})]";
        string inputs = input == "merge" ? "[Input(4, Name = \"a\")]\n[Input(4, Name = \"b\")]" : $"[Input({input})]";
        return $$"""
            using NetGen;
            [Network]
            {{inputs}}
            {{layer}}
            public partial class Net
            {
                private static void F(System.ReadOnlySpan<float> x, System.Span<float> y, int n) => x.CopyTo(y);
                private static void G(System.ReadOnlySpan<float> x, System.Span<float> y, int n) => x.CopyTo(y);
                private static void B(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> y, System.ReadOnlySpan<float> dy, System.Span<float> dx, int n) => dy.CopyTo(dx);
                public struct C1 : IRecurrentCell
                {
                    public const int InputSize = 3, StateSize = 4;
                    public static void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize) { }
                    public static void Backward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.ReadOnlySpan<float> newState, System.ReadOnlySpan<float> cache, System.ReadOnlySpan<float> dNewState, System.Span<float> dx, System.Span<float> dState, System.Span<float> dWeights, int batchSize) { }
                }
                public struct C2 : IRecurrentCell
                {
                    public const int InputSize = 3, StateSize = 2;
                    public static void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize) { }
                    public static void Backward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.ReadOnlySpan<float> newState, System.ReadOnlySpan<float> cache, System.ReadOnlySpan<float> dNewState, System.Span<float> dx, System.Span<float> dState, System.Span<float> dWeights, int batchSize) { }
                }
            }
            """;
    }

    private static readonly MetadataReference[] s_references = GeneratorHarness.Compile().References.ToArray();

    /// <summary>The generated code and the generator's diagnostics (ids, messages) for one declaration.</summary>
    private static string Generate(string source)
    {
        var compilation = CSharpCompilation.Create("Contract", new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions) }, s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var result = driver.GetRunResult();
        var text = string.Concat(result.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()));
        var diagnostics = result.Diagnostics.Select(d => $"{d.Severity.ToString().ToLowerInvariant()} {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}");
        return string.Join("\n", diagnostics) + "\n" + text;
    }
}
