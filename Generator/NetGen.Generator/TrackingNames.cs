namespace NetGen.Generator;

/// <summary>Names of the generator's pipeline steps, for incrementality tests.</summary>
public static class TrackingNames
{
    /// <summary>Symbols → <c>NetworkSpec</c>.</summary>
    public const string Parse = "NetGen.Parse";

    /// <summary><c>NetworkSpec</c> → generated text and diagnostics.</summary>
    public const string Build = "NetGen.Build";

    /// <summary>The generated source branch.</summary>
    public const string Source = "NetGen.Source";

    /// <summary>The diagnostics branch.</summary>
    public const string Diagnostics = "NetGen.Diagnostics";
}
