using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>Issue 11: stale temporary files, errors that name the target, loads that stop at the declared size.</summary>
public sealed class WeightFileSafetyTests : IDisposable
{
    private const string Signature = "NetGen/1;dense/kernel(2,2);dense/bias(2)";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("netgen-wfs-");
    private readonly float[] _weights = { 1, 2, 3, 4, 5, 6 };

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    [Fact]
    public void StaleTemporaryFilesOfTheTargetAreCleanedOnTheNextSave()
    {
        var target = PathOf("w.weights");
        var stale1 = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var stale2 = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var otherTarget = PathOf("other.weights") + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var userFile = target + ".notes.tmp";
        foreach (var f in new[] { stale1, stale2, otherTarget, userFile }) File.WriteAllBytes(f, new byte[1000]);
        WeightFile.Save(target, Signature, _weights);
        Assert.False(File.Exists(stale1));
        Assert.False(File.Exists(stale2));
        Assert.True(File.Exists(otherTarget)); // another target's
        Assert.True(File.Exists(userFile)); // not our naming pattern
        var loaded = new float[6];
        WeightFile.Load(target, Signature, loaded);
        Assert.Equal(_weights, loaded);
    }

    [Fact]
    public void ATemporaryFileHeldOpenByARunningSaveIsNotDeleted()
    {
        var target = PathOf("w.weights");
        var running = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        // How a save holds its temporary file until the rename.
        using (var held = new FileStream(running, FileMode.CreateNew, FileAccess.Write, FileShare.Delete))
        {
            held.Write(new byte[10]);
            WeightFile.Save(target, Signature, _weights);
            Assert.True(File.Exists(running));
        }
        WeightFile.Save(target, Signature, _weights);
        Assert.False(File.Exists(running));
    }

    [Fact]
    public void SaveErrorsNameTheTargetNotTheTemporaryFile()
    {
        var target = Path.Combine(_dir.FullName, "missing-directory", "w.weights");
        var e = Assert.ThrowsAny<IOException>(() => WeightFile.Save(target, Signature, _weights));
        Assert.Contains(target, e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }

    [Fact]
    public void LoadOfDevZeroStopsWithAClearError()
    {
        if (!File.Exists("/dev/zero")) return; // Unix only
        var destination = new float[6];
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => WeightFile.Load("/dev/zero", Signature, destination));
        Assert.Contains("/dev/zero", e.Message);
        Assert.Contains("not a NetGen weight file", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void BytesBeyondTheDeclaredSizeAreRefused()
    {
        var path = PathOf("w.weights");
        WeightFile.Save(path, Signature, _weights);
        using (var f = new FileStream(path, FileMode.Append)) f.Write(new byte[] { 0, 0, 0, 0 });
        var destination = new float[6];
        var e = Assert.Throws<InvalidDataException>(() => WeightFile.Load(path, Signature, destination));
        Assert.Contains("longer than", e.Message);
        Assert.Equal(new float[6], destination);
    }

    /// <summary>A named pipe fed a valid file's start and then zeros (or 'A's) without end: Load must stop by itself.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadOfAnEndlessStreamStopsAtTheDeclaredSize(bool text)
    {
        if (!File.Exists("/usr/bin/mkfifo")) return; // Unix only
        var source = PathOf("source.weights");
        if (text) WeightFile.SaveText(source, Signature, _weights);
        else WeightFile.Save(source, Signature, _weights);
        var bytes = File.ReadAllBytes(source);
        var fifo = PathOf("endless");
        using (var mk = Process.Start("/usr/bin/mkfifo", fifo)) mk.WaitForExit();
        var writer = new Thread(() =>
        {
            try
            {
                using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                pipe.Write(bytes);
                var filler = new byte[4096];
                if (text) Array.Fill(filler, (byte)'A');
                for (long written = 0; written < 1L << 32; written += filler.Length) pipe.Write(filler);
            }
            catch (IOException)
            {
                // the reader closed the pipe
            }
        }) { IsBackground = true };
        writer.Start();
        var destination = new float[6];
        var e = Assert.Throws<InvalidDataException>(() => WeightFile.Load(fifo, Signature, destination));
        Assert.Contains("longer than", e.Message);
        Assert.Contains(fifo, e.Message);
        Assert.True(writer.Join(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void TextFormStillLoads()
    {
        var path = PathOf("w.txt");
        WeightFile.SaveText(path, Signature, _weights);
        var loaded = new float[6];
        WeightFile.Load(path, Signature, loaded);
        Assert.Equal(_weights, loaded);
        Assert.StartsWith("TkdXRg", Encoding.ASCII.GetString(File.ReadAllBytes(path)));
    }
}
