using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parsing;

/// <summary>
/// Checks the static methods a <c>[Lambda]</c> layer names against the signatures the generated code calls, and
/// records the verdict on the layer spec as plain text (the graph builder reports it), so that nothing after parsing
/// needs symbols.
/// </summary>
internal static class LambdaMethods
{
    /// <summary>Argument carrying the problem with the forward method, or null text when it is fine.</summary>
    public const string ForwardProblem = "$ForwardProblem";

    /// <summary>Argument carrying the problem with the backward method, or null text when it is fine or not named.</summary>
    public const string BackwardProblem = "$BackwardProblem";

    public const string ForwardSignature = "static void {0}(ReadOnlySpan<float> x, Span<float> y, int batchSize)";

    public const string BackwardSignature = "static void {0}(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batchSize)";

    private static readonly string[] s_forward = { "System.ReadOnlySpan<float>", "System.Span<float>", "int" };

    private static readonly string[] s_backward = { "System.ReadOnlySpan<float>", "System.ReadOnlySpan<float>", "System.ReadOnlySpan<float>", "System.Span<float>", "int" };

    public static LayerSpec Check(LayerSpec spec, INamedTypeSymbol network)
    {
        var args = spec.Arguments.ToList();
        if (spec.Find("forward")?.Text is { Length: > 0 } forward)
            args.Add(Problem(ForwardProblem, Find(network, forward, s_forward, ForwardSignature)));
        else
            args.Add(Problem(ForwardProblem, $"the forward method name is {(spec.Find("forward")?.Text is null ? "null" : "empty")}; name a static method of '{network.Name}': {string.Format(ForwardSignature, "Name")}"));
        if (spec.Find("Backward")?.Text is { } backward)
            args.Add(Problem(BackwardProblem, backward.Length == 0 ? "the backward method name is empty; name a " + string.Format(BackwardSignature, "method") : Find(network, backward, s_backward, BackwardSignature)));
        return spec with { Arguments = args.ToEquatableArray() };
    }

    private static ArgValue Problem(string name, string? problem)
        => new(name, ArgKind.Text, 0, problem, EquatableArray<double>.Empty, null);

    /// <summary>Null when <paramref name="name"/> is a static method of <paramref name="network"/> with exactly the expected signature.</summary>
    private static string? Find(INamedTypeSymbol network, string name, IReadOnlyList<string> parameters, string signature)
    {
        var expected = string.Format(signature, name);
        var candidates = network.GetMembers(name).OfType<IMethodSymbol>().ToList();
        if (candidates.Count == 0) return $"'{network.Name}' has no method '{name}'; expected {expected}";
        foreach (var m in candidates)
        {
            if (m.IsStatic && m.ReturnsVoid && !m.IsGenericMethod && m.Parameters.Length == parameters.Count
                && m.Parameters.Select((p, i) => p.RefKind == RefKind.None && p.Type.ToDisplayString() == parameters[i]).All(ok => ok))
                return null;
        }
        var found = candidates[0];
        var actual = (found.IsStatic ? "static " : "") + found.ReturnType.ToDisplayString() + " " + name + "("
            + string.Join(", ", found.Parameters.Select(p => p.Type.ToDisplayString() + " " + p.Name)) + ")";
        return $"method '{name}' is {actual}, but must be {expected}";
    }
}
