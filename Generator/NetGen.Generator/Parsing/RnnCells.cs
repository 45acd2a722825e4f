using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parsing;

/// <summary>
/// Checks the cell type an <c>[RNN(typeof(Cell))]</c> layer names: a non-generic struct accessible to the network,
/// implementing <c>NetGen.IRecurrentCell</c> with the two static methods the generated code calls, its size constants
/// and its <c>[CellWeight]</c> declarations. The verdict and the cell's description are recorded on the layer spec as
/// plain values (the graph builder reports and uses them), so that nothing after parsing needs symbols.
/// </summary>
internal static class RnnCells
{
    /// <summary>The problem with the cell, or absent when it is fine.</summary>
    public const string Problem = "$CellProblem";

    /// <summary>Which diagnostic the problem is (<see cref="ProblemKind"/> as a number).</summary>
    public const string ProblemKindArgument = "$CellProblemKind";

    /// <summary>The cell's fully qualified name (<c>global::...</c>).</summary>
    public const string TypeArgument = "$CellType";

    /// <summary>The cell's sizes: InputSize, StateSize, OutputSize, CacheSize.</summary>
    public const string SizesArgument = "$CellSizes";

    /// <summary>The cell's weights, one text each: <c>name|initializer|d1,d2,...</c>.</summary>
    public const string WeightsArgument = "$CellWeights";

    /// <summary>What kind of problem the cell has (each its own diagnostic).</summary>
    public enum ProblemKind
    {
        /// <summary>A method missing or of the wrong signature, or the interface not declared (NG0056).</summary>
        Method = 1,
        /// <summary>Not a usable type: a class, generic, inaccessible (NG0057).</summary>
        Type = 2,
        /// <summary>A size constant missing or out of range (NG0058).</summary>
        Sizes = 3,
        /// <summary>A [CellWeight] declaration that cannot be used (NG0085).</summary>
        Weight = 4,
    }

    public const string ForwardSignature = "static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights, Span<float> newState, Span<float> cache, int batchSize)";

    public const string BackwardSignature = "static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights, ReadOnlySpan<float> newState, "
        + "ReadOnlySpan<float> cache, ReadOnlySpan<float> dNewState, Span<float> dx, Span<float> dState, Span<float> dWeights, int batchSize)";

    private const string Read = "System.ReadOnlySpan<float>", Write = "System.Span<float>";

    private static readonly string[] s_forward = { Read, Read, Read, Write, Write, "int" };

    private static readonly string[] s_backward = { Read, Read, Read, Read, Read, Read, Write, Write, Write, "int" };

    public static LayerSpec Check(LayerSpec spec, AttributeData attribute, INamedTypeSymbol network, Compilation compilation)
    {
        var args = spec.Arguments.ToList();
        if (attribute.ConstructorArguments.Length == 0 || attribute.ConstructorArguments[0].Value is not ITypeSymbol type) return spec;
        void Fail(ProblemKind kind, string problem)
        {
            args.Add(Text(Problem, problem));
            args.Add(new ArgValue(ProblemKindArgument, ArgKind.Number, (int)kind, null, EquatableArray<double>.Empty, null));
        }
        var problem = Inspect(type, network, compilation, out var kind, out var sizes, out var weights);
        if (problem is not null) Fail(kind, problem);
        else
        {
            args.Add(Text(TypeArgument, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
            args.Add(new ArgValue(SizesArgument, ArgKind.Array, 0, null, sizes.Select(v => (double)v).ToEquatableArray(), null));
            args.Add(new ArgValue(WeightsArgument, ArgKind.TextArray, 0, null, EquatableArray<double>.Empty, null, weights.ToEquatableArray()));
        }
        return spec with { Arguments = args.ToEquatableArray() };
    }

    private static ArgValue Text(string name, string text) => new(name, ArgKind.Text, 0, text, EquatableArray<double>.Empty, null);

    private static string? Inspect(ITypeSymbol type, INamedTypeSymbol network, Compilation compilation, out ProblemKind kind, out int[] sizes, out List<string> weights)
    {
        sizes = new int[4];
        weights = new List<string>();
        kind = ProblemKind.Type;
        string name = type.ToDisplayString();
        if (type is not INamedTypeSymbol cell || type.TypeKind != TypeKind.Struct)
        {
            string what = type.TypeKind switch
            {
                TypeKind.Class => type.IsStatic ? "a static class" : "a class",
                TypeKind.Interface => "an interface",
                TypeKind.Enum => "an enum",
                TypeKind.Delegate => "a delegate",
                _ => "not a struct",
            };
            return $"the cell type '{name}' is {what}; declare the cell as a struct (struct {type.Name} : NetGen.IRecurrentCell) so that the generated code calls its static methods directly";
        }
        if (cell.IsGenericType)
            return $"the cell type '{name}' is generic; declare a non-generic struct (the generator reads its constants and weights)";
        if (cell.IsRefLikeType)
            return $"the cell type '{name}' is a ref struct, which cannot be a generic argument of the time-loop kernel; remove 'ref'";
        if (!compilation.IsSymbolAccessibleWithin(cell, network))
            return $"the cell type '{name}' is not accessible from '{network.Name}'; make it internal or public";

        // A struct declaring the interface has its methods checked by the compiler (CS0535; explicit implementations are
        // fine). Otherwise say which method is missing or wrong, and then that the interface is missing.
        kind = ProblemKind.Method;
        if (!cell.AllInterfaces.Any(i => i.ToDisplayString() == "NetGen.IRecurrentCell"))
        {
            var methodProblem = Method(cell, "Forward", s_forward, ForwardSignature) ?? Method(cell, "Backward", s_backward, BackwardSignature);
            return methodProblem ?? $"the cell type '{name}' has the right methods but does not declare the interface; write 'struct {cell.Name} : NetGen.IRecurrentCell'";
        }

        kind = ProblemKind.Sizes;
        int? Constant(string constant, bool required, out string? problem)
        {
            problem = null;
            var field = cell.GetMembers(constant).OfType<IFieldSymbol>().FirstOrDefault();
            if (field is null)
            {
                if (required) problem = $"the cell type '{name}' declares no constant '{constant}'; add 'public const int {constant} = ...;'";
                return null;
            }
            if (!field.IsConst || field.Type.SpecialType != SpecialType.System_Int32 || field.ConstantValue is not int value)
            {
                problem = $"'{name}.{constant}' must be an int constant ('public const int {constant} = ...;')";
                return null;
            }
            return value;
        }
        int? input = Constant("InputSize", true, out var p1);
        if (p1 is not null) return p1;
        int? state = Constant("StateSize", true, out var p2);
        if (p2 is not null) return p2;
        int? output = Constant("OutputSize", false, out var p3);
        if (p3 is not null) return p3;
        int? cache = Constant("CacheSize", false, out var p4);
        if (p4 is not null) return p4;
        if (input <= 0) return $"'{name}.InputSize' must be positive, but is {input}";
        if (state <= 0) return $"'{name}.StateSize' must be positive, but is {state}";
        if (output is { } o && (o <= 0 || o > state)) return $"'{name}.OutputSize' must be in [1, StateSize = {state}], but is {o}";
        if (cache < 0) return $"'{name}.CacheSize' must not be negative, but is {cache}";
        sizes = new[] { input!.Value, state!.Value, output ?? state.Value, cache ?? 0 };

        kind = ProblemKind.Weight;
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var a in cell.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() != "NetGen.CellWeightAttribute") continue;
            if (a.ConstructorArguments.Length != 2 || a.ConstructorArguments[0].Value is not string weight || a.ConstructorArguments[1].Kind != TypedConstantKind.Array
                || a.ConstructorArguments[1].IsNull)
                return $"a [CellWeight] of '{name}' has no name or no shape";
            if (weight.Length == 0 || !weight.All(ch => ch is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_'))
                return $"the weight name '{weight}' of '{name}' must be letters, digits and underscores";
            if (!names.Add(weight)) return $"'{name}' declares the weight '{weight}' twice";
            var dims = a.ConstructorArguments[1].Values.Select(v => v.Value is int d ? d : 0).ToArray();
            if (dims.Length == 0 || dims.Any(d => d <= 0))
                return $"the weight '{weight}' of '{name}' has the shape ({string.Join(", ", dims)}); every axis must be positive";
            int initializer = (int)Shared.Initializer.GlorotUniform;
            foreach (var named in a.NamedArguments)
                if (named.Key == "Initializer" && named.Value.Value is int i) initializer = i;
            if (!System.Enum.IsDefined(typeof(Shared.Initializer), initializer))
                return $"the weight '{weight}' of '{name}' has initializer {initializer}, which is not a NetGen.Initializer value";
            weights.Add(weight + "|" + initializer.ToString(CultureInfo.InvariantCulture) + "|" + string.Join(",", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))));
        }
        return null;
    }

    /// <summary>Null when <paramref name="cell"/> has a public static void method <paramref name="method"/> with exactly these parameter types.</summary>
    private static string? Method(INamedTypeSymbol cell, string method, IReadOnlyList<string> parameters, string signature)
    {
        var candidates = cell.GetMembers(method).OfType<IMethodSymbol>().ToList();
        if (candidates.Count == 0) return $"the cell type '{cell.Name}' has no method '{method}'; expected public {signature}";
        foreach (var m in candidates)
        {
            if (m.IsStatic && m.ReturnsVoid && !m.IsGenericMethod && m.Parameters.Length == parameters.Count && m.DeclaredAccessibility == Accessibility.Public
                && m.Parameters.Select((p, i) => p.RefKind == RefKind.None && p.Type.ToDisplayString() == parameters[i]).All(ok => ok))
                return null;
        }
        var found = candidates[0];
        var actual = (found.DeclaredAccessibility == Accessibility.Public ? "public " : "") + (found.IsStatic ? "static " : "") + found.ReturnType.ToDisplayString() + " " + method + "("
            + string.Join(", ", found.Parameters.Select(p => p.Type.ToDisplayString() + " " + p.Name)) + ")";
        return $"method '{cell.Name}.{method}' is {actual}, but must be public {signature}";
    }
}
