using NetGen.Cli.Model;

namespace NetGen.Cli.Import;

/// <summary>Keras 3 (.keras), Keras 2 (.h5) and TensorFlow.js (model.json) models.</summary>
internal static class KerasImporter
{
    public static ImportedNetwork Import(string path)
        => throw new ImportException($"'{path}': Keras and TensorFlow.js import is not implemented yet.");
}
