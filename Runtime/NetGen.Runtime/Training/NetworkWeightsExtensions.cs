using System;
using System.IO;

namespace NetGen;

/// <summary>Weight-file helpers for every generated network.</summary>
public static class NetworkWeightsExtensions
{
    /// <summary>
    /// Writes the network's weights (and any non-trainable state) in the text form that <c>[Weights("...")]</c> bakes
    /// into an assembly; <c>Load</c> reads it as well as the binary form <c>Save</c> writes.
    /// </summary>
    public static void SaveText(this INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = Path.GetFullPath(path) + "." + Guid.NewGuid().ToString("N") + ".bin";
        try
        {
            network.Save(temporary);
            Training.WeightFile.ConvertToText(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
