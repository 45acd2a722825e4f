using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Cli.Model;
using NetGen.Training;

namespace NetGen.Cli.Import;

/// <summary>Format detection, and the import and inspect commands.</summary>
internal static class Importer
{
    public sealed record Options(string ModelPath, string? ClassName, string? Namespace, string OutputDirectory, bool Bake);

    /// <summary>What <c>netgen import</c> wrote.</summary>
    public sealed record Result(string SourcePath, string WeightsPath, string WeightsTextPath, ImportedNetwork Network);

    public static ImportedNetwork Load(string path)
    {
        if (!File.Exists(path)) throw new ImportException($"'{path}' does not exist.");
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".onnx", StringComparison.Ordinal)) return OnnxImporter.Import(path);
        if (name.EndsWith(".keras", StringComparison.Ordinal) || name.EndsWith(".h5", StringComparison.Ordinal) || name.EndsWith(".hdf5", StringComparison.Ordinal)
            || name.EndsWith(".json", StringComparison.Ordinal))
            return KerasImporter.Import(path);
        throw new ImportException($"'{path}': unknown model format. Expected .onnx, .keras, .h5 or a TensorFlow.js model.json.");
    }

    public static int Import(Options options, TextWriter stdout)
    {
        var result = Write(options);
        stdout.WriteLine($"Imported {result.Network.SourceDescription}: {result.Network.Layers.Count} layers, {result.Network.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} parameters"
            + (result.Network.StateCount > 0 ? $" + {result.Network.StateCount.ToString("N0", CultureInfo.InvariantCulture)} state values" : "") + ".");
        stdout.WriteLine("  " + result.SourcePath);
        stdout.WriteLine("  " + result.WeightsPath);
        stdout.WriteLine("  " + result.WeightsTextPath);
        foreach (var note in result.Network.Notes) stdout.WriteLine("Note: " + note);
        return 0;
    }

    /// <summary>Imports and writes the three files; on any error nothing is written.</summary>
    public static Result Write(Options options)
    {
        var network = Load(options.ModelPath);
        var className = options.ClassName ?? ClassNameFrom(options.ModelPath);
        if (!IsIdentifier(className)) throw new ImportException($"--class '{className}' is not a C# identifier.");
        if (options.Namespace is { } ns && !ns.Split('.').All(IsIdentifier)) throw new ImportException($"--namespace '{ns}' is not a C# namespace name.");
        Directory.CreateDirectory(options.OutputDirectory);
        var source = Path.Combine(options.OutputDirectory, className + ".cs");
        var weights = Path.Combine(options.OutputDirectory, className + ".weights");
        var text = Path.Combine(options.OutputDirectory, className + ".weights.txt");
        var code = DeclarationWriter.Write(network, new DeclarationWriter.Options(className, options.Namespace, Path.GetFileName(options.ModelPath),
            Path.GetFileName(weights), Path.GetFileName(text), options.Bake));
        string signature = network.WeightSignature;
        var values = network.WeightFileValues();
        // Everything computed: write temporaries, then rename them into place.
        var temps = new List<(string Temp, string Final)>();
        try
        {
            string Temp(string final)
            {
                var t = final + "." + Guid.NewGuid().ToString("N") + ".tmp";
                temps.Add((t, final));
                return t;
            }
            File.WriteAllText(Temp(source), code, new UTF8Encoding(false));
            WeightFile.Save(Temp(weights), signature, values);
            WeightFile.SaveText(Temp(text), signature, values);
            foreach (var (t, final) in temps) File.Move(t, final, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var (t, _) in temps)
                try { File.Delete(t); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new ImportException($"Cannot write to '{options.OutputDirectory}': {e.Message}", e);
        }
        return new Result(source, weights, text, network);
    }

    public static int Inspect(string path, TextWriter stdout)
    {
        if (!File.Exists(path)) throw new ImportException($"'{path}' does not exist.");
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var model = OnnxImporter.Read(path);
            stdout.WriteLine($"{Path.GetFileName(path)}: ONNX IR {model.IrVersion}, producer {model.ProducerName} {model.ProducerVersion}, opset {string.Join(", ", model.OpsetImport.Select(o => (o.Domain.Length == 0 ? "ai.onnx" : o.Domain) + " " + o.Version))}");
            stdout.WriteLine($"{model.Graph.Node.Count} nodes, {model.Graph.Initializer.Count} initializers");
            var unsupported = OnnxImporter.UnsupportedNodes(model);
            if (unsupported.Count > 0)
            {
                stdout.WriteLine("Nodes NetGen cannot map:");
                foreach (var n in unsupported) stdout.WriteLine("  " + n);
            }
        }
        ImportedNetwork network;
        try
        {
            network = Load(path);
        }
        catch (ImportException e)
        {
            stdout.WriteLine("Not importable: " + e.Message);
            return 1;
        }
        stdout.WriteLine($"As NetGen layers ({network.SourceDescription}):");
        stdout.WriteLine($"  {"layer",-28} {"output shape",-18} {"params",10}  source");
        foreach (var l in network.Layers)
            stdout.WriteLine($"  {l.Name + " (" + l.Kind + ")",-28} {"(" + string.Join(", ", l.OutputShape) + ")",-18} {l.ParameterCount.ToString("N0", CultureInfo.InvariantCulture),10}  {string.Join(", ", l.Sources)}");
        stdout.WriteLine($"Total: {network.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} parameters"
            + (network.StateCount > 0 ? $", {network.StateCount.ToString("N0", CultureInfo.InvariantCulture)} state values" : "") + ".");
        foreach (var note in network.Notes) stdout.WriteLine("Note: " + note);
        return 0;
    }

    /// <summary>A PascalCase class name from a file name: <c>fashion_cnn.onnx</c> → <c>FashionCnn</c>.</summary>
    public static string ClassNameFrom(string path)
    {
        var stem = Path.GetFileName(path);
        int dot = stem.IndexOf('.');
        if (dot > 0) stem = stem[..dot];
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in stem)
        {
            if (!char.IsLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, "Model");
        return sb.ToString();
    }

    private static bool IsIdentifier(string s)
        => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');
}
