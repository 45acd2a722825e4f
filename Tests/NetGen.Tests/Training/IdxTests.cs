using System;
using System.IO;
using System.IO.Compression;
using NetGen.Data;
using NetGen.Samples.Data;
using Xunit;

namespace NetGen.Tests.Training;

public class IdxTests
{
    public static string SliceDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "fashion-mnist-slice");

    [Fact]
    public void LoadsTheCommittedFashionMnistSlice()
    {
        var data = FashionMnist.Load(SliceDirectory);
        Assert.Equal(600, data.TrainCount);
        Assert.Equal(200, data.TestCount);
        Assert.Equal(600 * 784, data.TrainImages.Length);
        // The first labels of the real data set: ankle boot, T-shirt, T-shirt, dress, T-shirt (train);
        // ankle boot, pullover, trouser, trouser, shirt (test).
        Assert.Equal(new byte[] { 9, 0, 0, 3, 0 }, data.TrainLabels[..5]);
        Assert.Equal(new byte[] { 9, 2, 1, 1, 6 }, data.TestLabels[..5]);
        Assert.All(data.TrainImages, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(data.TrainImages, v => v == 1f);
    }

    [Fact]
    public void ReadsPlainAndGzipFilesAlike()
    {
        var bytes = new byte[] { 0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6 };
        var dir = Directory.CreateTempSubdirectory("netgen-idx-");
        try
        {
            var plain = Path.Combine(dir.FullName, "a-idx");
            File.WriteAllBytes(plain, bytes);
            var zipped = Path.Combine(dir.FullName, "b-idx");
            using (var stream = new GZipStream(File.Create(zipped), CompressionLevel.Fastest)) stream.Write(bytes);
            foreach (var path in new[] { plain, zipped })
            {
                var idx = Idx.Read(path);
                Assert.Equal(new[] { 2, 3 }, idx.Shape);
                Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, idx.Data);
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void OpenReadsTheHeaderThenTheValuesPiecewise()
    {
        var bytes = new byte[] { 0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6 };
        var dir = Directory.CreateTempSubdirectory("netgen-idx-");
        try
        {
            var plain = Path.Combine(dir.FullName, "a-idx");
            File.WriteAllBytes(plain, bytes);
            var zipped = Path.Combine(dir.FullName, "b-idx");
            using (var stream = new GZipStream(File.Create(zipped), CompressionLevel.Fastest)) stream.Write(bytes);
            foreach (var path in new[] { plain, zipped })
            {
                using var reader = Idx.Open(path);
                Assert.Equal(new[] { 2, 3 }, reader.Shape);
                Assert.Equal(6, reader.Count);
                var values = new byte[6];
                reader.ReadValues(values.AsSpan(0, 3)); // the first row, before the rest is decoded
                Assert.Equal(new byte[] { 1, 2, 3, 0, 0, 0 }, values);
                reader.ReadValues(values.AsSpan(3));
                Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, values);
                reader.EnsureEnd();
                Assert.Throws<ArgumentException>(() => reader.ReadValues(new byte[1]));
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void ReadRejectsTruncatedAndOverlongFiles()
    {
        var dir = Directory.CreateTempSubdirectory("netgen-idx-");
        try
        {
            var shortFile = Path.Combine(dir.FullName, "short-idx");
            File.WriteAllBytes(shortFile, new byte[] { 0, 0, 8, 1, 0, 0, 0, 5, 7, 7 });
            var e = Assert.Throws<InvalidDataException>(() => Idx.Read(shortFile));
            Assert.Contains("announces 5 values but it holds 2", e.Message);
            var longFile = Path.Combine(dir.FullName, "long-idx");
            using (var stream = new GZipStream(File.Create(longFile), CompressionLevel.Fastest)) stream.Write(new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 7, 7, 7 });
            e = Assert.Throws<InvalidDataException>(() => Idx.Read(longFile));
            Assert.Contains("announces 2 values but it holds 3", e.Message);
            var header = Path.Combine(dir.FullName, "header-idx");
            File.WriteAllBytes(header, new byte[] { 0, 0, 8, 2, 0, 0, 0 });
            e = Assert.Throws<InvalidDataException>(() => Idx.Read(header));
            Assert.Contains("ends inside its header", e.Message);
            var type = Path.Combine(dir.FullName, "type-idx");
            File.WriteAllBytes(type, new byte[] { 0, 0, 9, 1, 0, 0, 0, 1, 0 });
            e = Assert.Throws<InvalidDataException>(() => Idx.Read(type));
            Assert.Contains("IDX type 0x09", e.Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void RejectsBadMagicAndTruncatedData()
    {
        var e = Assert.Throws<InvalidDataException>(() => Idx.Parse(new byte[] { 1, 2, 8, 1, 0, 0, 0, 1, 7 }, "x.idx"));
        Assert.Contains("x.idx", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Idx.Parse(new byte[] { 0, 0, 8, 1, 0, 0, 0, 5, 7, 7 }, "y.idx"));
        Assert.Contains("announces 5 values but it holds 2", e.Message);
    }

    [Fact]
    public void MissingDataSaysHowToGetIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(Path.Combine(AppContext.BaseDirectory, "no-such-dir")));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data", e.Message);
    }
}
