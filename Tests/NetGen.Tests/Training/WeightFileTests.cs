using System;
using System.IO;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

public sealed class WeightFileTests : IDisposable
{
    private const string Signature = "NetGen/1;dense/kernel(2,2);dense/bias(2)";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("netgen-wf-");
    private readonly float[] _weights = { 1.5f, -2.25f, 3e-8f, float.MaxValue, 0f, -0f };

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    private string Saved()
    {
        var path = PathOf("w.weights");
        WeightFile.Save(path, Signature, _weights);
        return path;
    }

    private static void AssertUntouched(Action load, float[] destination, string messagePart)
    {
        var before = (float[])destination.Clone();
        var e = Assert.ThrowsAny<Exception>(load);
        Assert.Contains(messagePart, e.Message);
        Assert.Equal(before, destination);
    }

    [Fact]
    public void RoundTripIsBitExactAndLeavesNoTemporaryFile()
    {
        var path = Saved();
        var loaded = new float[_weights.Length];
        WeightFile.Load(path, Signature, loaded);
        for (int i = 0; i < loaded.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(_weights[i]), BitConverter.SingleToInt32Bits(loaded[i]));
        Assert.Single(_dir.GetFiles());
    }

    [Fact]
    public void SavingOverAnExistingFileReplacesIt()
    {
        var path = Saved();
        WeightFile.Save(path, Signature, new float[6]);
        var loaded = new float[6];
        loaded[0] = 9;
        WeightFile.Load(path, Signature, loaded);
        Assert.Equal(new float[6], loaded);
        Assert.Single(_dir.GetFiles());
    }

    [Fact]
    public void AnotherNetworksFileIsRefused()
    {
        var path = Saved();
        AssertUntouched(() => WeightFile.Load(path, "NetGen/1;dense/kernel(3,2);dense/bias(2)", new float[8]), new float[8], "another network");
        var destination = new float[] { 7, 7, 7, 7, 7, 7 };
        AssertUntouched(() => WeightFile.Load(path, "NetGen/1;other", destination), destination, "dense/kernel(2,2)");
    }

    [Fact]
    public void WrongParameterCountIsRefused()
    {
        var path = Saved();
        var destination = new float[5];
        AssertUntouched(() => WeightFile.Load(path, Signature, destination), destination, "holds 6 parameters, but the network has 5");
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        var path = Saved();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^7]);
        var destination = new float[] { 1, 2, 3, 4, 5, 6 };
        AssertUntouched(() => WeightFile.Load(path, Signature, destination), destination, "truncated");
    }

    [Fact]
    public void FlippedBitIsCaughtByTheChecksum()
    {
        var path = Saved();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 10] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var destination = new float[] { 1, 2, 3, 4, 5, 6 };
        AssertUntouched(() => WeightFile.Load(path, Signature, destination), destination, "checksum");
    }

    [Fact]
    public void ForeignFileAndNewerVersionAreRefused()
    {
        var path = PathOf("foreign.bin");
        File.WriteAllText(path, "not weights at all");
        var destination = new float[6];
        AssertUntouched(() => WeightFile.Load(path, Signature, destination), destination, "not a NetGen weight file");
        var saved = File.ReadAllBytes(Saved());
        saved[4] = 9;
        File.WriteAllBytes(path, saved);
        AssertUntouched(() => WeightFile.Load(path, Signature, destination), destination, "version 9");
    }

    [Fact]
    public void MissingFileThrowsFileNotFound()
    {
        var destination = new float[6];
        Assert.Throws<FileNotFoundException>(() => WeightFile.Load(PathOf("absent.weights"), Signature, destination));
    }
}
