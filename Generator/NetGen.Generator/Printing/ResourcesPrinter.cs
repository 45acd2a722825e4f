using System.Linq;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Printing;

/// <summary>Prints the class-level things operations refer to: geometry fields, random generators, constant data.</summary>
internal static class ResourcesPrinter
{
    public static void Fields(CodeWriter w, Resources resources, IdentifierTable members)
    {
        foreach (var g in resources.Geometries)
            w.Line($"private static readonly {KnownKernels.Prefix}WindowGeometry {ResourceNames.Geometry(members, g)} = new({string.Join(", ", g.Values.Select(v => Literals.Int(v)))});");
        foreach (var r in resources.RandomSources)
            w.Line($"private readonly global::NetGen.Rng {ResourceNames.Rng(members, r)};");
        // Constant data in the assembly image: reading these spans allocates nothing.
        foreach (var c in resources.Constants)
            w.Line($"private static global::System.ReadOnlySpan<int> {ResourceNames.Ints(members, c)} => new int[] {{ {string.Join(", ", c.Values.Select(v => Literals.Int(v)))} }};");
    }

    /// <summary>Constructor statements; <c>seed</c> is in scope.</summary>
    public static void Constructor(CodeWriter w, Resources resources, IdentifierTable members)
    {
        foreach (var r in resources.RandomSources)
        {
            var seed = r.FixedSeed >= 0 ? Literals.Int(r.FixedSeed) + "UL" : $"global::NetGen.Rng.DeriveSeed(unchecked((ulong)seed), {Literals.Int(r.Stream)})";
            w.Line($"{ResourceNames.Rng(members, r)} = new global::NetGen.Rng({seed});");
        }
    }
}
