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

    /// <summary>Networks with <c>[Weights("file")]</c> → what baking needs.</summary>
    public const string BakeRequest = "NetGen.BakeRequest";

    /// <summary>The AdditionalFiles named by some <c>[Weights]</c>, decoded and checked.</summary>
    public const string WeightFiles = "NetGen.WeightFiles";

    /// <summary>Request + file → the <c>.Weights.g.cs</c> source and diagnostics.</summary>
    public const string Bake = "NetGen.Bake";
}
