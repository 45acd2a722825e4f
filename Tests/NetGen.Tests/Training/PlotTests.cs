using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using NetGen.Optimizers;
using NetGen.Plotting;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

public class PlotTests
{
    private static History Train(int seed)
    {
        var data = NetGen.Samples.Data.FashionMnist.Load(IdxTests.SliceDirectory);
        var y = NetGen.Samples.Data.FashionMnist.OneHot(data.TrainLabels, 10);
        var net = new SliceMlp(seed);
        var trainer = new Trainer(net, new Adam(), Loss.CategoricalCrossentropy, 1, new[] { Metric.TopKAccuracy(3) });
        return trainer.Fit(data.TrainImages.AsSpan(0, 96 * 784), y.AsSpan(0, 960), new FitOptions { Epochs = 3, ValidationSplit = 0.25 });
    }

    [Fact]
    public void HistoryBecomesAPngOfTheRequestedSize()
    {
        var dir = Directory.CreateTempSubdirectory("netgen-plot-");
        try
        {
            var a = Path.Combine(dir.FullName, "a.png");
            var b = Path.Combine(dir.FullName, "b.png");
            Train(1).SavePng(a, width: 640, height: 400);
            Train(2).SavePng(b, width: 640, height: 400);
            var bytes = File.ReadAllBytes(a);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
            Assert.NotEqual(bytes, File.ReadAllBytes(b)); // different curves, different pictures
            Assert.Equal(2, Directory.GetFiles(dir.FullName).Length); // no temporary file left
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void PlotHasOneSeriesPerLoggedKey()
    {
        var history = Train(3);
        var plot = HistoryPlot.Create(history);
        Assert.Equal(history.Keys.Count, plot.GetPlottables().Count());
        Assert.Throws<ArgumentException>(() => new History().SavePng("x.png"));
    }
}
