using System;
using System.IO;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NetGen.Optimizers;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// Saves that fail midway (a full disk, a device or permission error, a directory in the way, a missing directory) and loads
/// of files that are not weight files: the previous file survives, no temporary file stays behind, the network keeps its
/// weights, state and optimizer, and the error names the path the caller gave.
/// </summary>
public sealed class WeightFileFaultTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("netgen-wff-");

    public void Dispose()
    {
        WeightFile.WrapTemporaryStream = null;
        try { _dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    private string[] Entries() => _dir.GetFileSystemInfos().Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>Passes the first <c>limit</c> bytes through, then throws <c>error</c> as a device that fills up would.</summary>
    private sealed class FailingStream : Stream
    {
        private readonly Stream _inner;
        private readonly Exception _error;
        private long _left;

        public FailingStream(Stream inner, long limit, Exception error)
        {
            _inner = inner;
            _left = limit;
            _error = error;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int now = (int)Math.Min(_left, buffer.Length);
            _inner.Write(buffer[..now]);
            _left -= now;
            if (now < buffer.Length) throw _error;
        }

        public override void Flush() => _inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    public static TheoryData<string> Failures() => new() { "disk full", "permission", "device" };

    private static Exception Failure(string kind) => kind switch
    {
        "disk full" => new IOException("No space left on device"),
        "permission" => new UnauthorizedAccessException("Access to the path is denied."),
        _ => new IOException("Input/output error"),
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void ASaveThatFailsMidwayKeepsThePreviousFileAndLeavesNoTemporaryFile(string kind)
    {
        var target = PathOf("model.weights");
        var first = new GuardedBnNet(seed: 1);
        first.Save(target);
        var before = File.ReadAllBytes(target);
        var second = new GuardedBnNet(seed: 2);
        WeightFile.WrapTemporaryStream = s => new FailingStream(s, 40, Failure(kind));
        Exception e;
        try
        {
            e = Assert.ThrowsAny<Exception>(() => second.Save(target));
        }
        finally
        {
            WeightFile.WrapTemporaryStream = null;
        }
        Assert.IsType(Failure(kind).GetType(), e);
        Assert.Contains(target, e.Message);
        Assert.Contains(Failure(kind).Message, e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(new[] { "model.weights" }, Entries());
        var back = new GuardedBnNet(seed: 3);
        back.Load(target);
        Assert.Equal(first.Parameters.ToArray(), back.Parameters.ToArray());
    }

    [Fact]
    public void SaveTextThatFailsMidwayKeepsThePreviousFileAndLeavesNothingBehind()
    {
        var target = PathOf("model.weights.txt");
        new GuardedBnNet(seed: 1).SaveText(target);
        var before = File.ReadAllBytes(target);
        int failAt = 0;
        // The binary form (in the temporary directory) saves; the text form's write fails.
        WeightFile.WrapTemporaryStream = s => ++failAt == 2 ? new FailingStream(s, 100, new IOException("No space left on device")) : s;
        try
        {
            var e = Assert.ThrowsAny<IOException>(() => new GuardedBnNet(seed: 2).SaveText(target));
            Assert.Contains(target, e.Message);
        }
        finally
        {
            WeightFile.WrapTemporaryStream = null;
        }
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(new[] { "model.weights.txt" }, Entries());
    }

    [Fact]
    public void SaveIntoAReadOnlyDirectoryFailsNamingTheTarget()
    {
        if (OperatingSystem.IsWindows()) return;
        var locked = Directory.CreateDirectory(PathOf("locked")).FullName;
        var target = Path.Combine(locked, "model.weights");
        new GuardedBnNet(seed: 1).Save(target);
        var before = File.ReadAllBytes(target);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            try
            {
                File.WriteAllText(Path.Combine(locked, "probe"), "");
                return; // running as root: permissions do not stop writes (the simulated failures above cover it)
            }
            catch (UnauthorizedAccessException)
            {
            }
            var e = Assert.Throws<UnauthorizedAccessException>(() => new GuardedBnNet(seed: 2).Save(target));
            Assert.Contains(target, e.Message);
            Assert.Equal(before, File.ReadAllBytes(target));
            Assert.Equal(new[] { "model.weights" }, Directory.GetFileSystemEntries(locked).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void SaveTextIntoAMissingDirectoryNamesTheTargetNotATemporaryFile()
    {
        var net = new GuardedBnNet(seed: 1);
        var target = Path.Combine(_dir.FullName, "missing", "w.weights.txt");
        var e = Assert.ThrowsAny<IOException>(() => net.SaveText(target));
        Assert.Contains(target, e.Message);
        Assert.DoesNotContain(".bin", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Empty(Entries());
    }

    [Fact]
    public void SaveOverADirectoryFailsAndLeavesNoTemporaryFile()
    {
        var target = Directory.CreateDirectory(PathOf("w.weights")).FullName;
        File.WriteAllText(Path.Combine(target, "keep.txt"), "x");
        var net = new GuardedBnNet(seed: 1);
        var e = Assert.ThrowsAny<IOException>(() => net.Save(target));
        Assert.Contains(target, e.Message);
        Assert.True(File.Exists(Path.Combine(target, "keep.txt")));
        Assert.Equal(new[] { "w.weights" }, Entries());
    }

    [Fact]
    public void SavingThroughASymbolicLinkReplacesTheFileItPointsToAndKeepsTheLink()
    {
        var real = PathOf("real.weights");
        var link = PathOf("latest.weights");
        new GuardedBnNet(seed: 1).Save(real);
        File.CreateSymbolicLink(link, "real.weights"); // relative, as `ln -s real.weights latest.weights` makes it
        var other = new GuardedBnNet(seed: 2);
        other.Save(link);
        Assert.Equal("real.weights", new FileInfo(link).LinkTarget);
        var back = new GuardedBnNet(seed: 3);
        back.Load(real);
        Assert.Equal(other.Parameters.ToArray(), back.Parameters.ToArray());
        Assert.Equal(new[] { "latest.weights", "real.weights" }, Entries());
    }

    [Fact]
    public void AReaderHoldingTheOldFileKeepsReadingItWhileASaveReplacesIt()
    {
        var target = PathOf("model.weights");
        new GuardedBnNet(seed: 1).Save(target);
        var before = File.ReadAllBytes(target);
        using (var reader = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            new GuardedBnNet(seed: 2).Save(target);
            var held = new byte[before.Length + 1];
            int got = reader.ReadAtLeast(held, held.Length, throwOnEndOfStream: false);
            Assert.Equal(before, held.AsSpan(0, got).ToArray());
        }
        var back = new GuardedBnNet(seed: 3);
        back.Load(target);
        Assert.Equal(new GuardedBnNet(seed: 2).Parameters.ToArray(), back.Parameters.ToArray());
    }

    [Fact]
    public void ConcurrentSavesOfOneTargetLeaveOneCompleteFile()
    {
        var target = PathOf("model.weights");
        var nets = new[] { new GuardedBnNet(seed: 1), new GuardedBnNet(seed: 2) };
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            for (int k = 0; k < 25; k++) nets[t].Save(target);
        });
        var back = new GuardedBnNet(seed: 3);
        back.Load(target); // complete and valid: one of the two
        Assert.Contains(nets, n => n.Parameters.SequenceEqual(back.Parameters));
        Assert.Equal(new[] { "model.weights" }, Entries());
    }

    [Fact]
    public void LoadOfADirectoryOrAnEmptyFileThrowsAndKeepsTheWeights()
    {
        var net = new GuardedBnNet(seed: 1);
        var weights = net.Parameters.ToArray();
        var dir = Directory.CreateDirectory(PathOf("d")).FullName;
        var e1 = Assert.ThrowsAny<Exception>(() => net.Load(dir));
        Assert.Contains(dir, e1.Message);
        var empty = PathOf("empty.weights");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        var e2 = Assert.Throws<InvalidDataException>(() => net.Load(empty));
        Assert.Contains(empty, e2.Message);
        Assert.Equal(weights, net.Parameters.ToArray());
    }

    [Fact]
    public void AFailedLoadInTheMiddleOfTrainingLosesNeitherWeightsNorStateNorOptimizerMoments()
    {
        var rng = new Rng(5);
        var x = Enumerable.Range(0, 8 * 6).Select(_ => rng.NextFloat() - 0.5f).ToArray();
        var y = new float[8 * 3];
        for (int s = 0; s < 8; s++) y[s * 3 + s % 3] = 1;
        var corrupt = PathOf("corrupt.weights");
        new GuardedBnNet(seed: 9).Save(corrupt);
        var bytes = File.ReadAllBytes(corrupt);
        bytes[bytes.Length / 2] ^= 0x40; // the checksum catches it
        File.WriteAllBytes(corrupt, bytes);
        var wrongNetwork = PathOf("other.weights");
        new TrapNet(seed: 1).Save(wrongNetwork);

        var net = new GuardedBnNet(seed: 4);
        var reference = new GuardedBnNet(seed: 4);
        net.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
        reference.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
        net.TrainOnBatch(x, y, 8);
        reference.TrainOnBatch(x, y, 8);
        Assert.Throws<InvalidDataException>(() => net.Load(corrupt));
        Assert.Throws<InvalidDataException>(() => net.Load(wrongNetwork));
        Assert.Throws<FileNotFoundException>(() => net.Load(PathOf("missing.weights")));
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(reference.State.ToArray(), net.State.ToArray());
        // Adam's moments survived: the next steps equal the reference's bit for bit.
        net.TrainOnBatch(x, y, 8);
        reference.TrainOnBatch(x, y, 8);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void SaveSafetensorsFailsLikeSaveNamingTheTargetAndKeepingThePreviousFile()
    {
        var target = PathOf("model.safetensors");
        var first = new GuardedBnNet(seed: 1);
        first.SaveSafetensors(target);
        var before = File.ReadAllBytes(target);
        int writes = 0;
        // The network's own Save (into the temporary directory, to read its values) succeeds; the target's write fails.
        WeightFile.WrapTemporaryStream = s => ++writes == 2 ? new FailingStream(s, 64, new IOException("No space left on device")) : s;
        try
        {
            var e = Assert.ThrowsAny<IOException>(() => new GuardedBnNet(seed: 2).SaveSafetensors(target));
            Assert.Equal(2, writes);
            Assert.Contains(target, e.Message);
            Assert.DoesNotContain(".tmp", e.Message);
        }
        finally
        {
            WeightFile.WrapTemporaryStream = null;
        }
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(new[] { "model.safetensors" }, Entries());

        var missing = Path.Combine(_dir.FullName, "missing", "m.safetensors");
        var e2 = Assert.ThrowsAny<IOException>(() => first.SaveSafetensors(missing));
        Assert.Contains(missing, e2.Message);
        Assert.DoesNotContain(".tmp", e2.Message);
    }

    [Fact]
    public void LoadSafetensorsOfAnEndlessStreamStopsAtTheDeclaredSize()
    {
        if (!File.Exists("/usr/bin/mkfifo")) return; // Unix only
        var net = new GuardedBnNet(seed: 1);
        var weights = net.Parameters.ToArray();
        var clock = Stopwatch.StartNew();
        var zero = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors("/dev/zero"));
        Assert.Contains("/dev/zero", zero.Message);

        // A pipe fed a valid file and then zeros without end (File.ReadAllBytes read until memory ran out).
        var source = PathOf("source.safetensors");
        new GuardedBnNet(seed: 2).SaveSafetensors(source);
        var bytes = File.ReadAllBytes(source);
        var fifo = PathOf("endless");
        using (var mk = Process.Start("/usr/bin/mkfifo", fifo)) mk.WaitForExit();
        var writer = new Thread(() =>
        {
            try
            {
                using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                pipe.Write(bytes);
                var filler = new byte[1 << 16];
                for (long written = 0; written < 1L << 33; written += filler.Length) pipe.Write(filler);
            }
            catch (IOException)
            {
                // the reader closed the pipe
            }
        }) { IsBackground = true };
        writer.Start();
        var e = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(fifo));
        Assert.Contains("longer than", e.Message);
        Assert.True(writer.Join(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));
        Assert.Equal(weights, net.Parameters.ToArray());

        // The same bytes through a pipe that ends load.
        var finite = PathOf("finite");
        using (var mk = Process.Start("/usr/bin/mkfifo", finite)) mk.WaitForExit();
        var feeder = new Thread(() =>
        {
            using var pipe = new FileStream(finite, FileMode.Open, FileAccess.Write);
            pipe.Write(bytes);
        }) { IsBackground = true };
        feeder.Start();
        net.LoadSafetensors(finite);
        Assert.True(feeder.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(new GuardedBnNet(seed: 2).Parameters.ToArray(), net.Parameters.ToArray());
    }
}
