using System;
using System.CommandLine;
using System.IO;
using NetGen.Cli.Import;

namespace NetGen.Cli;

/// <summary>The <c>netgen</c> command line: <c>import</c> and <c>inspect</c>.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given writers (tests call this in process).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("netgen: imports ONNX (PyTorch), Keras and TensorFlow.js models into NetGen [Network] declarations and weight files.");

        var importFile = new Argument<FileInfo>("model") { Description = "The model: .onnx, .keras (Keras 3), .h5 (Keras 2) or model.json (TensorFlow.js layers format)." };
        var className = new Option<string?>("--class") { Description = "Name of the generated class (default: from the file name)." };
        var ns = new Option<string?>("--namespace") { Description = "Namespace of the generated class (default: none)." };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Directory for Name.cs, Name.weights and Name.weights.txt (default: the current directory)." };
        var bake = new Option<bool>("--bake") { Description = "Put [Weights(\"Name.weights.txt\")] on the class so the weights are baked into the assembly." };
        var import = new Command("import", "Write a [Network] declaration (Name.cs) and its weights (Name.weights, Name.weights.txt).") { importFile, className, ns, output, bake };
        import.SetAction(result =>
        {
            var options = new Importer.Options(
                result.GetValue(importFile)!.FullName,
                result.GetValue(className),
                result.GetValue(ns),
                result.GetValue(output)?.FullName ?? Directory.GetCurrentDirectory(),
                result.GetValue(bake));
            return Guarded(stderr, () => Importer.Import(options, stdout));
        });

        var inspectFile = new Argument<FileInfo>("model") { Description = "The model file to inspect." };
        var inspect = new Command("inspect", "Print the layers, shapes and parameter counts found, and the nodes that cannot be mapped.") { inspectFile };
        inspect.SetAction(result => Guarded(stderr, () => Importer.Inspect(result.GetValue(inspectFile)!.FullName, stdout)));

        root.Subcommands.Add(import);
        root.Subcommands.Add(inspect);
        var parsed = root.Parse(args);
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static int Guarded(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (ImportException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return 1;
        }
    }
}
