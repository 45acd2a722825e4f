using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// <c>[Weights("file")]</c>: the baked values come back bit for bit (every byte value, NaN payloads included), state
/// is baked after the parameters, and each way a file can be wrong is a diagnostic on the file name.
/// </summary>
public sealed class WeightsBakingTests : IDisposable
{
    private const string DenseSignature = "NetGen/1;dense/kernel(7,8);dense/bias(8)";

    private const string DenseNet = """
        using NetGen;
        namespace App;
        [Network, Input(7), Dense(8)]
        [Weights([|"models/w.txt"|])]
        public partial class Net
        {
            public static byte[] BakedBytes() => System.Runtime.InteropServices.MemoryMarshal.AsBytes(FromBakedWeights().Parameters).ToArray();
        }
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("netgen-bake-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>The text form of a weight file, as <see cref="WeightFile.SaveText"/> writes it.</summary>
    private string TextForm(string signature, float[] values)
    {
        var path = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".txt");
        WeightFile.SaveText(path, signature, values);
        return File.ReadAllText(path);
    }

    private string BinaryForm(string signature, float[] values)
    {
        var path = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".bin");
        WeightFile.Save(path, signature, values);
        // What the compiler gives a generator for a binary AdditionalFiles item on this machine: it is not valid
        // UTF-8, and the compiler's fallback decoder here is a replacing UTF-8 decoder (measured with csc of SDK 10.0.401).
        return Encoding.UTF8.GetString(File.ReadAllBytes(path));
    }

    /// <summary>64 floats whose 256 bytes are a permutation of 0..255: every byte value once.</summary>
    private static float[] EveryByteValue()
    {
        var bytes = new byte[256];
        for (int k = 0; k < 256; k++) bytes[k] = (byte)(k * 167 + 13);
        Assert.Equal(256, bytes.Distinct().Count());
        var values = new float[64];
        Buffer.BlockCopy(bytes, 0, values, 0, 256);
        return values;
    }

    private static string Plain(string marked) => marked.Replace("[|", "").Replace("|]", "");

    [Fact]
    public void BakedWeightsCopyGivesTheLittleEndianValuesBitForBit()
    {
        // 300,000 floats: large enough for the page-populating path (Linux), with every bit pattern class in it.
        var expected = new float[300_000];
        var rng = new Random(7);
        for (int i = 0; i < expected.Length; i++) expected[i] = BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));
        var bytes = new byte[4 * expected.Length];
        for (int i = 0; i < expected.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), expected[i]);
        foreach (int n in new[] { 3, expected.Length })
        {
            var destination = new float[n];
            BakedWeights.Copy(bytes.AsSpan(0, 4 * n), destination);
            for (int i = 0; i < n; i++) Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(destination[i]));
        }
        var e = Assert.Throws<ArgumentException>(() => BakedWeights.Copy(bytes.AsSpan(0, 11), new float[3]));
        Assert.Equal("source", e.ParamName);
        Assert.Contains("12 bytes", e.Message);
    }

    [Fact]
    public void EveryByteValueIsBakedBitForBit()
    {
        var values = EveryByteValue();
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", TextForm(DenseSignature, values));
        var baked = (byte[])WeightsHarness.CompileAndCall(Plain(DenseNet), new AdditionalText[] { file }, "App.Net", "BakedBytes")!;
        var expected = new byte[256];
        Buffer.BlockCopy(values, 0, expected, 0, 256);
        Assert.Equal(expected, baked);
    }

    [Fact]
    public void BakedFileIsSeparateAndAnRvaStatic()
    {
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", TextForm(DenseSignature, EveryByteValue()));
        var result = WeightsHarness.Run(Plain(DenseNet), file);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Contains(result.Sources, s => s.HintName == "App.Net.g.cs");
        var baked = Assert.Single(result.Sources, s => s.HintName == "App.Net-Weights.g.cs").Text;
        Assert.Contains("private static global::System.ReadOnlySpan<byte> BakedWeightBytes => new byte[]", baked);
        Assert.Contains("public static Net FromBakedWeights()", baked);
        // (k·167 + 13) mod 256 for k = 0, 1, 2: the first bytes in file order.
        Assert.Contains("13,180,91,", baked);
    }

    [Fact]
    public void StateIsBakedAfterTheParameters()
    {
        const string signature = "NetGen/1;batch_normalization/gamma(3);batch_normalization/beta(3);batch_normalization/moving_mean(3);batch_normalization/moving_variance(3)";
        const string source = """
            using NetGen;
            namespace App;
            [Network, Input(3), BatchNormalization, Weights("bn.txt")]
            public partial class Bn
            {
                public static float[] Baked()
                {
                    var n = FromBakedWeights();
                    var all = new float[n.Parameters.Length + n.State.Length];
                    n.Parameters.CopyTo(all);
                    n.State.CopyTo(new System.Span<float>(all, n.Parameters.Length, n.State.Length));
                    return all;
                }
            }
            """;
        var values = new float[] { 1.5f, 2, 3, -1, -2, -3, 0.25f, 0.5f, 0.75f, 4, 5, 6 };
        var file = new InMemoryAdditionalText("/src/bn.txt", TextForm(signature, values));
        var baked = (float[])WeightsHarness.CompileAndCall(source, new AdditionalText[] { file }, "App.Bn", "Baked")!;
        Assert.Equal(values, baked);
    }

    private static Diagnostic Single(string marked, string id, params AdditionalText[] files)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var result = WeightsHarness.Run(Plain(marked), files);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        Assert.DoesNotContain(result.Sources, s => s.HintName.EndsWith("-Weights.g.cs", StringComparison.Ordinal));
        return diagnostic;
    }

    [Fact]
    public void MissingFile()
    {
        var other = new InMemoryAdditionalText("/src/app/models/other.txt", TextForm(DenseSignature, EveryByteValue()));
        var d = Single(DenseNet, "NG0038", other);
        Assert.Equal("Network 'Net': the weight file 'models/w.txt' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"models/w.txt\" /> holding the network's 64 parameters", d.GetMessage());
    }

    [Fact]
    public void NameMatchesWholePathSegmentsOnly()
    {
        var lookalike = new InMemoryAdditionalText("/src/app/oldmodels/w.txt", TextForm(DenseSignature, EveryByteValue()));
        Single(DenseNet, "NG0038", lookalike);
    }

    [Fact]
    public void SizeMismatch()
    {
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", TextForm(DenseSignature, new float[63]));
        var d = Single(DenseNet, "NG0039", file);
        Assert.Equal("Network 'Net': the weight file 'models/w.txt' does not fit: it holds 63 values, but the network expects 64 parameters (signature " + DenseSignature + ")", d.GetMessage());
    }

    [Fact]
    public void AnotherNetworksWeights()
    {
        const string other = "NetGen/1;dense/kernel(8,7);dense/bias(8)";
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", TextForm(other, new float[64]));
        var d = Single(DenseNet, "NG0039", file);
        Assert.Contains("it holds 64 values of another network (signature " + other + "), but the network expects 64 parameters", d.GetMessage());
    }

    [Fact]
    public void StateCountsAreNamedInTheExpectation()
    {
        const string source = """
            using NetGen;
            [Network, Input(3), BatchNormalization, Weights([|"bn.txt"|])]
            public partial class Bn { }
            """;
        var file = new InMemoryAdditionalText("bn.txt", TextForm("NetGen/1;x", new float[6]));
        var d = Single(source, "NG0039", file);
        Assert.Contains("but the network expects 6 parameters and 6 state values", d.GetMessage());
    }

    [Fact]
    public void BinaryFormIsRefusedWithTheReason()
    {
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", BinaryForm(DenseSignature, EveryByteValue()));
        var d = Single(DenseNet, "NG0040", file);
        Assert.StartsWith("Network 'Net': the weight file 'models/w.txt' is a binary weight file", d.GetMessage());
        Assert.Contains("SaveText", d.GetMessage());
    }

    [Fact]
    public void TextThatIsNotAWeightFile()
    {
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", "these are not the weights you are looking for");
        var d = Single(DenseNet, "NG0040", file);
        Assert.Contains("is not a NetGen weight file in text form", d.GetMessage());
    }

    [Fact]
    public void CorruptTextFormFailsTheChecksum()
    {
        var text = TextForm(DenseSignature, EveryByteValue());
        var bytes = Convert.FromBase64String(text);
        bytes[100] ^= 0x04;
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", Convert.ToBase64String(bytes));
        var d = Single(DenseNet, "NG0040", file);
        Assert.Contains("cannot be baked: '/src/app/models/w.txt' is corrupt: its checksum is", d.GetMessage());
    }

    [Fact]
    public void TruncatedTextForm()
    {
        var bytes = Convert.FromBase64String(TextForm(DenseSignature, EveryByteValue()));
        var file = new InMemoryAdditionalText("/src/app/models/w.txt", Convert.ToBase64String(bytes, 0, bytes.Length - 8));
        var d = Single(DenseNet, "NG0040", file);
        Assert.Contains("is truncated or corrupt", d.GetMessage());
    }

    [Fact]
    public void SnapshotOfANestedNetworkWithState()
    {
        const string signature = "NetGen/1;batch_normalization/gamma(2);batch_normalization/beta(2);batch_normalization/moving_mean(2);batch_normalization/moving_variance(2)";
        const string source = """
            using NetGen;
            namespace App.Models;
            public static partial class Outer
            {
                [Network, Input(2), BatchNormalization, Weights("bn.weights.txt")]
                internal partial class Tiny { }
            }
            """;
        var file = new InMemoryAdditionalText("/src/bn.weights.txt", TextForm(signature, new float[] { 1, 2, -1, -2, 0.5f, 0.25f, 3, 4 }));
        var result = WeightsHarness.Run(source, file);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.DoesNotContain(result.CompilationDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Snapshot.Match("BakedNestedWithState.Weights", Assert.Single(result.Sources, s => s.HintName == "App.Models.Outer+Tiny-Weights.g.cs").Text);
    }

    /// <summary>What the compiler gives for a file it calls binary (CS2015, see CompilerDecodingTests): no text.</summary>
    private sealed class UnreadableAdditionalText : AdditionalText
    {
        public UnreadableAdditionalText(string path) => Path = path;

        public override string Path { get; }

        public override SourceText? GetText(System.Threading.CancellationToken cancellationToken = default) => null;
    }

    [Fact]
    public void FileTheCompilerCannotReadAsText()
    {
        var d = Single(DenseNet, "NG0040", new UnreadableAdditionalText("/src/app/models/w.txt"));
        Assert.Equal("Network 'Net': the weight file 'models/w.txt' could not be read as text: it is missing (the compiler reports CS2001; write it first, e.g. with net.SaveText(path) in a training run) or binary (CS2015); bake the text form, written by net.SaveText(path) or WeightFile.SaveText", d.GetMessage());
    }
}
