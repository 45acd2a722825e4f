using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Printing;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;
using NetGen.Training;

namespace NetGen.Generator.Weights;

/// <summary>
/// The pipeline branch that bakes <c>[Weights("file")]</c> into the assembly. Networks that name a file (and generated
/// without errors) become <see cref="BakeRequest"/>s; only the AdditionalFiles whose path ends with one of the named
/// files are decoded and checked (<see cref="WeightsFileContent"/>); each request with its file then emits a separate
/// <c>{Namespace}.{Type}.Weights.g.cs</c> holding the values as an RVA static and a <c>FromBakedWeights()</c> factory.
/// Every step holds plain values, so an unrelated edit leaves the whole branch cached.
/// </summary>
internal static class WeightsBaking
{
    public static void Register(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<GenerationResult> results)
    {
        var requests = results.Select(static (r, _) => r.Bake).Where(static b => b is not null).Select(static (b, _) => b!)
            .WithTrackingName(TrackingNames.BakeRequest);

        var names = requests.Select(static (b, _) => b.File).Collect()
            .Select(static (files, _) => files.Distinct(StringComparer.Ordinal).OrderBy(f => f, StringComparer.Ordinal).ToEquatableArray());

        var files = context.AdditionalTextsProvider.Combine(names)
            .Where(static pair => pair.Right.Any(name => Matches(pair.Left.Path, name)))
            .Select(static (pair, ct) => Read(pair.Left, ct))
            .WithTrackingName(TrackingNames.WeightFiles)
            .Collect();

        var baked = requests.Combine(files).Select(static (pair, ct) => Bake(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.Bake);

        // One output for all files (hint names that differ only in case must be told apart) and diagnostics located in the
        // compilation's trees (so that pragmas apply), as in NetworkGenerator.
        context.RegisterSourceOutput(baked.Collect().Combine(context.CompilationProvider), static (spc, pair) =>
        {
            foreach (var result in pair.Left)
                foreach (var d in result.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic(pair.Right));
            foreach (var (hint, source) in HintNames.Unique(pair.Left.Where(r => r.Source is not null).Select(r => r.Source!)))
                spc.AddSource(hint, SourceText.From(source.Text, Encoding.UTF8));
        });
    }

    /// <summary>The bake request of a network that generated and names a weight file, else null.</summary>
    public static BakeRequest? Request(NetworkSpec spec, NetworkGraph graph)
    {
        if (spec.WeightsFile is null) return null;
        var hint = spec.WeightsHintName;
        return new BakeRequest(spec.Namespace, spec.ContainingTypes, spec.ClassName, hint, spec.WeightsFile, spec.WeightsFileLocation,
            SummaryPrinter.WeightSignature(graph), graph.ParameterCount, graph.StateCount);
    }

    /// <summary>Whether the AdditionalFiles <paramref name="path"/> is the file <paramref name="name"/> (its whole path or a tail of whole segments).</summary>
    public static bool Matches(string path, string name)
    {
        if (name.Length == 0) return false;
        var p = path.Replace('\\', '/');
        var n = name.Replace('\\', '/');
        if (n.StartsWith("./", StringComparison.Ordinal)) n = n.Substring(2);
        return p == n || p.EndsWith("/" + n, StringComparison.Ordinal);
    }

    /// <summary>Decodes the text form of a weight file and checks its header and checksum.</summary>
    public static WeightsFileContent Read(AdditionalText file, CancellationToken cancellationToken)
    {
        var text = file.GetText(cancellationToken)?.ToString();
        if (text is null)
            return Fail(file.Path, "could not be read as text: it is missing (the compiler reports CS2001; write it first, e.g. with net.SaveText(path) in a training run) or binary (CS2015); bake the text form, written by net.SaveText(path) or WeightFile.SaveText");
        if (text.StartsWith(WeightFileFormat.Magic, StringComparison.Ordinal))
            return Fail(file.Path, "is a binary weight file, but the compiler passes AdditionalFiles to generators as decoded text, which loses every byte that is not valid UTF-8; "
                + "bake the text form instead (write it with net.SaveText(path) or WeightFile.SaveText, or convert with WeightFile.ConvertToText)");
        var bytes = WeightFileFormat.FromText(text);
        if (bytes is null || !WeightFileFormat.StartsWithMagic(bytes))
            return Fail(file.Path, "is not a NetGen weight file in text form (the base64 of a file written by Save, as net.SaveText(path) writes it)");
        var problem = WeightFileFormat.Check(bytes, file.Path, out var header, out var message);
        if (problem != WeightFileFormat.Problem.None) return Fail(file.Path, "cannot be baked: " + message);
        var payload = new byte[header.Count * 4];
        Array.Copy(bytes, header.PayloadOffset, payload, 0, payload.Length);
        return new WeightsFileContent(file.Path, WeightsFileStatus.Ok, "", header.Signature, header.Count, new EquatableArray<byte>(payload));
    }

    private static WeightsFileContent Fail(string path, string problem)
        => new(path, WeightsFileStatus.WrongFormat, problem, "", 0, EquatableArray<byte>.Empty);

    public static BakeResult Bake(BakeRequest request, ImmutableArray<WeightsFileContent> files, CancellationToken cancellationToken)
    {
        int expected = request.ParameterCount + request.StateCount;
        string expectation = request.StateCount == 0
            ? $"{request.ParameterCount} parameters"
            : $"{request.ParameterCount} parameters and {request.StateCount} state values";
        var file = files.FirstOrDefault(f => Matches(f.Path, request.File));
        if (file is null)
            return Error(Descriptors.WeightsFileMissing, request, request.ClassName, request.File, expectation);
        if (file.Status != WeightsFileStatus.Ok)
            return Error(Descriptors.WeightsFileFormat, request, request.ClassName, request.File, file.Problem);
        if (file.Count != expected || file.Signature != request.Signature)
        {
            string found = file.Signature != request.Signature
                ? $"it holds {file.Count} values of another network (signature {file.Signature})"
                : $"it holds {file.Count} values";
            return Error(Descriptors.WeightsMismatch, request, request.ClassName, request.File, found, expectation, request.Signature);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return new BakeResult(new GeneratedSource(request.HintName, Emit(request, file.Payload)), EquatableArray<DiagnosticInfo>.Empty);
    }

    private static BakeResult Error(DiagnosticDescriptor descriptor, BakeRequest request, params object[] arguments)
        => new(null, new[] { DiagnosticInfo.Create(descriptor, request.FileLocation, arguments) }.ToEquatableArray());

    private static string Emit(BakeRequest r, EquatableArray<byte> payload)
    {
        var sb = new StringBuilder(payload.Count * 4 + 4096);
        string indent = "";
        void Line(string s) => sb.Append(s.Length == 0 ? "" : indent).Append(s).Append('\n');
        void Open(string s) { Line(s); Line("{"); indent += "    "; }
        void Close() { indent = indent.Substring(4); Line("}"); }

        Line("// <auto-generated/>");
        Line($"// Generated by NetGen {NetworkPrinter.Version}: the weights of '{Escape(r.File)}' baked in at compile time. Do not edit.");
        Line("#nullable enable");
        Line("#pragma warning disable CS1591 // members of user-declared partial types may be undocumented");
        Line("");
        if (r.Namespace is not null)
        {
            Line($"namespace {r.Namespace};");
            Line("");
        }
        foreach (var outer in r.ContainingTypes) Open($"partial {outer.Keyword} {outer.Name}");
        // [GeneratedCode] sits on the members: the main generated file already puts it on the class.
        string generated = $"[global::System.CodeDom.Compiler.GeneratedCode(\"NetGen\", \"{NetworkPrinter.Version}\")]";
        Open($"partial class {r.ClassName}");
        Line("/// <summary>The weight file baked into this assembly, as <c>[Weights]</c> names it.</summary>");
        Line($"public const string BakedWeightsFile = \"{Escape(r.File)}\";");
        Line("");
        Line($"/// <summary>Creates the network with the weights of <c>{Xml(r.File)}</c>, baked in at compile time: Predict reads them in the");
        Line("/// assembly's read-only data; they are copied into <c>Parameters</c> when that (or Load, or training) is first used" + (r.StateCount > 0 ? ", the state into <c>State</c> now" : "") + ". No file access and no random initialisation.</summary>");
        Line(generated);
        Line($"public static {r.ClassName} FromBakedWeights() => new {r.ClassName}(default(BakedWeightsMarker));");
        Line("");
        Line("private readonly struct BakedWeightsMarker { }");
        Line("");
        Line(generated);
        Line($"private {r.ClassName}(BakedWeightsMarker marker)");
        Line("    : this(0, initializeWeights: false)  // fields, layer state and workspace as any new network; no random weights");
        Line("{");
        indent += "    ";
        Line("_ = marker;");
        Line("global::System.ReadOnlySpan<byte> bytes = BakedWeightBytes;");
        // The parameters stay where they are (read-only data of the binary): Predict reads them in place, and only
        // Parameters, Load or training copy them into a writable array, when first used. A copy before the first
        // prediction would touch as many fresh heap pages as the weights fill, and on a VM each first touch of a page
        // is expensive (see BakedWeightsView). The state is small and written by training: it is copied as before
        // (BakedWeights.Copy fills the destination's pages in one system call where the OS allows).
        Line($"_bakedParameters = global::NetGen.BakedWeightsView.InPlace(bytes.Slice(0, {r.ParameterCount * 4}), {r.ParameterCount});  // read in place by Predict; copied when first written");
        if (r.StateCount > 0)
            Line($"global::NetGen.BakedWeights.Copy(bytes.Slice({r.ParameterCount * 4}, {r.StateCount * 4}), _state);");
        Close();
        Line("");
        Line($"/// <summary>The baked values: {r.ParameterCount} parameters" + (r.StateCount > 0 ? $", then {r.StateCount} state values" : "")
            + ", as little-endian float32. A <c>ReadOnlySpan&lt;byte&gt;</c> over constant data in the assembly image (no allocation).</summary>");
        Line("private static global::System.ReadOnlySpan<byte> BakedWeightBytes => new byte[]");
        Line("{");
        int column = 0;
        sb.Append(indent).Append("    ");
        foreach (var b in payload)
        {
            if (column == 32)
            {
                sb.Append('\n').Append(indent).Append("    ");
                column = 0;
            }
            sb.Append(b).Append(',');
            column++;
        }
        sb.Append('\n');
        Line("};");
        Close();
        foreach (var _ in r.ContainingTypes) Close();
        return sb.ToString();
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r");

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
