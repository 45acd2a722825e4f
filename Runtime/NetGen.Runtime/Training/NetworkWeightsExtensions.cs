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
        var full = Path.GetFullPath(path);
        // The binary form goes through a file of its own in the temporary directory (INetwork only saves to a path), so
        // nothing but the target appears beside it; the conversion writes the target atomically and names it in errors.
        var binary = Path.Combine(Path.GetTempPath(), "netgen-" + Guid.NewGuid().ToString("N") + ".weights");
        try
        {
            try
            {
                network.Save(binary);
            }
            catch (IOException e)
            {
                throw new IOException($"Could not save '{full}': writing its binary form to '{binary}' failed: {e.Message}", e);
            }
            Training.WeightFile.ConvertToText(binary, full);
        }
        finally
        {
            try { File.Delete(binary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
