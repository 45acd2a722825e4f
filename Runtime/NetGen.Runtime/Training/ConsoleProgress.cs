using System;
using System.Globalization;
using System.IO;

namespace NetGen.Training;

/// <summary>
/// Keras-like progress display for <c>Fit</c>: <c>Epoch 3/10</c>, then a bar redrawn in place at most ten times
/// a second, ending as <c>1500/1500 [==============================] - 2s 1ms/step - loss: 0.3412 - accuracy: 0.8753 -
/// val_loss: 0.3611 - val_accuracy: 0.8690</c>. When the output is redirected only the final line of each epoch is written.
/// Pass <see cref="Report"/> as the callback.
/// </summary>
public sealed class ConsoleProgress
{
    private const int BarWidth = 30;
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private TimeSpan _lastDraw = TimeSpan.MinValue;

    /// <summary>Writes to <paramref name="writer"/> (default: the console; redrawing only when it is a terminal).</summary>
    public ConsoleProgress(TextWriter? writer = null)
    {
        _writer = writer ?? Console.Out;
        _interactive = writer is null && !Console.IsOutputRedirected;
    }

    /// <summary>The <c>Fit</c> callback.</summary>
    public void Report(TrainingProgress p)
    {
        if (p.Batch == 1 && !p.IsEpochEnd)
        {
            _writer.WriteLine($"Epoch {p.Epoch}/{p.Epochs}");
            _lastDraw = TimeSpan.MinValue;
        }
        if (p.IsEpochEnd)
        {
            if (_interactive) _writer.Write('\r');
            _writer.WriteLine(Line(p));
            return;
        }
        if (!_interactive || p.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(100)) return;
        _lastDraw = p.Elapsed;
        _writer.Write("\r" + Line(p));
    }

    private static string PerStep(double seconds)
        => seconds >= 1e-3
            ? (seconds * 1e3).ToString("0", CultureInfo.InvariantCulture) + "ms/step"
            : (seconds * 1e6).ToString("0", CultureInfo.InvariantCulture) + "us/step";

    /// <summary>The progress line for <paramref name="p"/>.</summary>
    public static string Line(TrainingProgress p)
    {
        var c = CultureInfo.InvariantCulture;
        string count = p.Batch.ToString(c).PadLeft(p.Batches.ToString(c).Length) + "/" + p.Batches.ToString(c);
        int filled = (int)((long)BarWidth * p.Batch / p.Batches);
        string bar = p.Batch == p.Batches
            ? new string('=', BarWidth)
            : new string('=', Math.Max(0, filled - 1)) + ">" + new string('.', BarWidth - Math.Max(1, filled));
        double seconds = p.Elapsed.TotalSeconds;
        string timing = p.IsEpochEnd
            ? $"{seconds.ToString("0.0", c)}s {PerStep(seconds / p.Batches)}"
            : $"ETA: {Math.Round(seconds / p.Batch * (p.Batches - p.Batch)).ToString(c)}s";
        string line = $"{count} [{bar}] - {timing} - loss: {p.Loss.ToString("F4", c)} - accuracy: {p.Accuracy.ToString("F4", c)}";
        foreach (var (name, value) in p.Metrics)
            if (!name.StartsWith("val_", StringComparison.Ordinal)) line += $" - {name}: {value.ToString("F4", c)}";
        if (p.ValLoss is { } vl) line += $" - val_loss: {vl.ToString("F4", c)}";
        if (p.ValAccuracy is { } va) line += $" - val_accuracy: {va.ToString("F4", c)}";
        foreach (var (name, value) in p.Metrics)
            if (name.StartsWith("val_", StringComparison.Ordinal)) line += $" - {name}: {value.ToString("F4", c)}";
        return line;
    }
}
