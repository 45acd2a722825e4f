using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace NetGen.Training;

/// <summary>
/// Keras <c>CSVLogger(filename, separator=",", append=False)</c>: one row per epoch, the zero-based epoch first, then
/// the logs in alphabetical order of their names (as Keras sorts them), numbers in the invariant culture. The file is
/// flushed after every row, so it can be read while training runs.
/// </summary>
public sealed class CsvLogger : Callback
{
    private StreamWriter? _writer;
    private string[]? _keys;

    /// <summary>Creates the callback.</summary>
    public CsvLogger(string path, char separator = ',', bool append = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        Separator = separator;
        Append = append;
    }

    /// <summary>The CSV file.</summary>
    public string Path { get; }

    /// <summary>The field separator.</summary>
    public char Separator { get; }

    /// <summary>Whether rows are added to an existing file (no new header if it is not empty).</summary>
    public bool Append { get; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        bool existing = Append && File.Exists(Path) && new FileInfo(Path).Length > 0;
        _writer = new StreamWriter(Path, Append, new UTF8Encoding(false));
        _keys = null;
        if (existing) _keys = Array.Empty<string>(); // header already there: written keys follow the first row
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        if (_writer is null) return;
        if (_keys is null || _keys.Length == 0)
        {
            bool header = _keys is null;
            _keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
            if (header) _writer.WriteLine("epoch" + Separator + string.Join(Separator, _keys));
        }
        var row = new StringBuilder(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var key in _keys)
        {
            row.Append(Separator);
            if (logs.TryGetValue(key, out var v)) row.Append(v.ToString("R", CultureInfo.InvariantCulture));
        }
        _writer.WriteLine(row.ToString());
        _writer.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd() => Close();

    internal override void OnTrainAborted() => Close();

    private void Close()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
