using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Training;

namespace NetGen.Plotting;

/// <summary>Training curves as pictures: Keras users plot <c>history.history</c> with matplotlib; this draws the same with ScottPlot.</summary>
public static class HistoryPlot
{
    /// <summary>
    /// Writes a PNG of <paramref name="history"/>: the losses (<c>loss</c>, <c>val_loss</c>) against the left axis and every
    /// other logged series (accuracy and the compiled metrics, training solid and validation dashed) against the right,
    /// one point per epoch. The file is written to a temporary name and renamed, as weight files are.
    /// </summary>
    /// <param name="history">What <c>Fit</c> returned.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="title">Title above the plot; null for none.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static void SavePng(this History history, string path, string? title = "Training", int width = 900, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (history.Epochs == 0) throw new ArgumentException("The history holds no epoch to plot.", nameof(history));
        if (width < 100 || height < 100) throw new ArgumentOutOfRangeException(width < 100 ? nameof(width) : nameof(height), "The picture must be at least 100 × 100 pixels.");

        var plot = Create(history, title);
        var full = Path.GetFullPath(path);
        var temporary = full + "." + Guid.NewGuid().ToString("N") + ".png";
        try
        {
            plot.SavePng(temporary, width, height);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The ScottPlot plot <see cref="SavePng"/> draws, for callers who want to restyle it or save another format.</summary>
    public static ScottPlot.Plot Create(History history, string? title = "Training")
    {
        ArgumentNullException.ThrowIfNull(history);
        var plot = new ScottPlot.Plot();
        double[] epochs = Enumerable.Range(1, history.Epochs).Select(e => (double)e).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        var metricColours = new Dictionary<string, ScottPlot.Color>(StringComparer.Ordinal);
        bool rightUsed = false;
        foreach (var key in history.Keys)
        {
            bool validation = key.StartsWith("val_", StringComparison.Ordinal);
            string series = validation ? key[4..] : key;
            if (!metricColours.TryGetValue(series, out var color)) metricColours[series] = color = palette.GetColor(colour++);
            var values = history[key].Select(v => (double)v).ToArray();
            var line = plot.Add.Scatter(epochs, values);
            line.LegendText = key;
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 5;
            if (validation) line.LinePattern = ScottPlot.LinePattern.Dashed;
            if (series != "loss")
            {
                line.Axes.YAxis = plot.Axes.Right;
                rightUsed = true;
            }
        }
        plot.XLabel("epoch");
        plot.YLabel("loss");
        if (rightUsed) plot.Axes.Right.Label.Text = "metric";
        if (title is not null) plot.Title(title);
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        return plot;
    }
}
