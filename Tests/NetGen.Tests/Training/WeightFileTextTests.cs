using System;
using System.IO;
using System.Linq;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>The text form (base64 of the binary file) that <c>[Weights]</c> bakes: written, converted and loaded.</summary>
public sealed class WeightFileTextTests : IDisposable
{
    private const string Signature = "NetGen/1;dense/kernel(2,2);dense/bias(2)";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("netgen-wft-");
    private readonly float[] _weights = { 1.5f, -2.25f, 3e-8f, float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC12345), -0f };

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    private static void AssertBitsEqual(float[] expected, float[] actual)
        => Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));

    [Fact]
    public void TextFormIsTheBinaryFileInWrappedBase64()
    {
        WeightFile.Save(PathOf("w.bin"), Signature, _weights);
        WeightFile.SaveText(PathOf("w.txt"), Signature, _weights);
        var text = File.ReadAllText(PathOf("w.txt"));
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.InRange(line.Length, 1, 76));
        Assert.Equal(File.ReadAllBytes(PathOf("w.bin")), Convert.FromBase64String(text));
        Assert.StartsWith("TkdXRg", text); // "NGWF"
    }

    [Fact]
    public void LoadReadsTheTextFormBitForBit()
    {
        WeightFile.SaveText(PathOf("w.txt"), Signature, _weights);
        var loaded = new float[6];
        WeightFile.Load(PathOf("w.txt"), Signature, loaded);
        AssertBitsEqual(_weights, loaded);
    }

    [Fact]
    public void ConvertToTextKeepsTheBytesAndChecksTheSource()
    {
        WeightFile.Save(PathOf("w.bin"), Signature, _weights);
        WeightFile.ConvertToText(PathOf("w.bin"), PathOf("w.txt"));
        Assert.Equal(File.ReadAllBytes(PathOf("w.bin")), Convert.FromBase64String(File.ReadAllText(PathOf("w.txt"))));
        File.WriteAllText(PathOf("junk.bin"), "junk");
        var e = Assert.Throws<InvalidDataException>(() => WeightFile.ConvertToText(PathOf("junk.bin"), PathOf("junk.txt")));
        Assert.Contains("not a NetGen weight file", e.Message);
        Assert.False(File.Exists(PathOf("junk.txt")));
    }

    [Fact]
    public void CorruptTextFormIsRefusedAndLeavesTheDestinationUntouched()
    {
        WeightFile.SaveText(PathOf("w.txt"), Signature, _weights);
        var bytes = Convert.FromBase64String(File.ReadAllText(PathOf("w.txt")));
        bytes[20] ^= 1;
        File.WriteAllText(PathOf("w.txt"), Convert.ToBase64String(bytes));
        var destination = new float[] { 1, 2, 3, 4, 5, 6 };
        var e = Assert.Throws<InvalidDataException>(() => WeightFile.Load(PathOf("w.txt"), Signature, destination));
        Assert.Contains("checksum", e.Message);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, destination);
    }

    [Fact]
    public void NetworkSaveTextIncludesStateAndLoadsBack()
    {
        var net = new NetGen.Tests.EndToEnd.NormalizedNet(seed: 3);
        for (int i = 0; i < net.State.Length; i++) net.State[i] = 0.5f + i;
        net.SaveText(PathOf("n.txt"));
        var other = new NetGen.Tests.EndToEnd.NormalizedNet(seed: 4);
        Assert.NotEqual(net.Parameters.ToArray(), other.Parameters.ToArray());
        other.Load(PathOf("n.txt"));
        Assert.Equal(net.Parameters.ToArray(), other.Parameters.ToArray());
        Assert.Equal(net.State.ToArray(), other.State.ToArray());
        Assert.Single(_dir.GetFiles());
    }
}
