namespace NetGen.Generator.Model;

/// <summary>Everything the generator needs from one <c>[Network]</c> class, as plain values.</summary>
internal sealed record NetworkSpec(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    string Accessibility,
    LocationInfo? NetworkAttributeLocation,
    int InferenceBatchCapacity,
    LocationInfo? InferenceBatchCapacityLocation,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool HasAttributeErrors)
{
    /// <summary>The names given by <c>[Output(...)]</c>, in order; empty when the last layer is the only output.</summary>
    public EquatableArray<string> Outputs { get; init; }

    /// <summary><c>[Network(Fusion = false)]</c> turns the optimising passes off (fused and unfused code can then be compared).</summary>
    public bool Fusion { get; init; } = true;

    /// <summary><c>[Network(Winograd = false)]</c> keeps Predict's 3×3 convolutions direct (the Winograd pass is off).</summary>
    public bool Winograd { get; init; } = true;

    /// <summary>Where <c>[Output(...)]</c> is, for its diagnostics.</summary>
    public LocationInfo? OutputsLocation { get; init; }
    // [Weights("file")] (issue 7), read by Weights/WeightsParsing.cs: the named file, or null without the attribute.
    public string? WeightsFile { get; init; }
    public LocationInfo? WeightsFileLocation { get; init; }

    /// <summary>
    /// The hint name of the generated file: <c>{Namespace}.{Outer}+{Type}.g.cs</c>. Namespaces are joined by '.', nested
    /// types by '+' (as in metadata names), so a nested class never takes the name of a namespace's class; the weights
    /// file adds <c>-Weights</c>, a character no name can hold (see <see cref="WeightsHintName"/>).
    /// </summary>
    public string HintName => Stem + ".g.cs";

    /// <summary>The hint name of the baked-weights file of <c>[Weights("file")]</c>: <c>{Namespace}.{Outer}+{Type}-Weights.g.cs</c>.</summary>
    public string WeightsHintName => Stem + "-Weights.g.cs";

    private string Stem
    {
        get
        {
            var name = ClassName;
            for (int i = ContainingTypes.Count - 1; i >= 0; i--) name = ContainingTypes[i].Name + "+" + name;
            return (Namespace is null ? "" : Namespace + ".") + name;
        }
    }
}

/// <summary>A type enclosing the network class, reopened by the generated code (<c>partial class Outer</c>).</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>One layer attribute: its kind (attribute name without the suffix), where it is, and its arguments.</summary>
internal sealed record LayerSpec(string Kind, LocationInfo? Location, EquatableArray<ArgValue> Arguments)
{
    public ArgValue? Find(string name)
    {
        foreach (var a in Arguments)
            if (a.Name == name) return a;
        return null;
    }
}

/// <summary>The kinds of attribute argument values.</summary>
internal enum ArgKind
{
    Number,
    Enum,
    Bool,
    Text,
    Array,
    TextArray,
}

/// <summary>
/// One attribute argument, by parameter or property name. Numbers, enums (their underlying value) and
/// booleans are stored in <see cref="Number"/>; numeric arrays in <see cref="Items"/>, string arrays in <see cref="Texts"/>.
/// </summary>
internal sealed record ArgValue(string Name, ArgKind Kind, double Number, string? Text, EquatableArray<double> Items, LocationInfo? Location,
    EquatableArray<string> Texts = default);
