using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Model;

/// <summary>A diagnostic as plain values: descriptor id, location and message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments)
    {
        var args = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
            args[i] = System.Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor.Id, location, args.ToEquatableArray());
    }

    /// <summary>The diagnostic at a location in <paramref name="compilation"/>'s syntax tree of the same path, so that pragmas and .editorconfig apply.</summary>
    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        Location? location = null;
        if (Location is { } info)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == info.FilePath && info.Span.End <= tree.Length)
                {
                    location = Microsoft.CodeAnalysis.Location.Create(tree, info.Span);
                    break;
                }
            }
        }
        var descriptor = Diagnostics.Descriptors.ById(Id);
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(descriptor, location ?? Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, args);
    }

    public Diagnostic ToDiagnostic()
    {
        var descriptor = Diagnostics.Descriptors.ById(Id);
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, args);
    }
}
