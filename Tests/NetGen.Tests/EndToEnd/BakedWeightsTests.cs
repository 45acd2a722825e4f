using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Weights baked by the compiler that builds this test project (not the in-process harness): the values equal those
/// an independent writer put into the file, and the baked network predicts exactly like one that loads the file.
/// </summary>
public class BakedWeightsTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "baked", name);

    [Fact]
    public void BakedValuesAreTheFilesValues()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("baked-norm-net.json")));
        var parameters = json.RootElement.GetProperty("parameters").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var state = json.RootElement.GetProperty("state").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        Assert.Equal(BakedNormNet.WeightSignature, json.RootElement.GetProperty("signature").GetString());

        var net = BakedNormNet.FromBakedWeights();
        Assert.Equal(parameters, net.Parameters.ToArray());
        Assert.Equal(state, net.State.ToArray());
        Assert.Equal("Fixtures/baked/baked-norm-net.weights.txt", BakedNormNet.BakedWeightsFile);
    }

    [Fact]
    public void BakedNetworkPredictsLikeOneLoadedFromTheFile()
    {
        var loaded = new BakedNormNet(seed: 5);
        loaded.Load(Fixture("baked-norm-net.weights.txt"));
        var baked = BakedNormNet.FromBakedWeights();
        var fresh = new BakedNormNet(seed: 5);

        var input = new float[4 * BakedNormNet.InputLength];
        var rng = new Random(11);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(rng.NextDouble() * 2 - 1);
        var a = new float[4 * BakedNormNet.OutputLength];
        var b = new float[a.Length];
        var c = new float[a.Length];
        baked.Predict(input, a, 4);
        loaded.Predict(input, b, 4);
        fresh.Predict(input, c, 4);
        Assert.Equal(b, a);
        Assert.NotEqual(c, a); // the baked weights matter
    }

    [Fact]
    public void ABakedConvolutionalNetworkHasItsWorkspaceAndTrains()
    {
        // The baked constructor shares the normal one's set-up (the convolution workspace, the layers' state) and
        // only skips the random initialisation.
        var loaded = new ConvTemplateNet(seed: 9);
        loaded.Load(Fixture("baked-conv-net.weights.txt"));
        var baked = BakedConvNet.FromBakedWeights();
        Assert.Equal(loaded.Parameters.ToArray(), baked.Parameters.ToArray());
        var input = new float[2 * BakedConvNet.InputLength];
        for (int i = 0; i < input.Length; i++) input[i] = (i % 7) / 7f;
        var a = new float[2 * 3];
        var b = new float[2 * 3];
        baked.Predict(input, a, 2);
        loaded.Predict(input, b, 2);
        Assert.Equal(b, a);
        Assert.Equal(loaded.ComputeGradients(input, new float[6], 2, Loss.MeanSquaredError), baked.ComputeGradients(input, new float[6], 2, Loss.MeanSquaredError));
        Assert.Equal(loaded.Gradients.ToArray(), baked.Gradients.ToArray());
    }

    [Fact]
    public void ABakedNetworkReadsItsWeightsInPlaceUntilTheyAreWritten()
    {
        // FromBakedWeights() leaves the weights in the binary's read-only data and Predict reads them there (when aligned to
        // 16 bytes; else the first prediction copies them, see the view's own test below); Parameters
        // (or Load, or training) first copies them into the network's own array, so a write changes this network's
        // predictions and no other's, and the baked data stays as it was.
        var loaded = new BakedNormNet(seed: 5);
        loaded.Load(Fixture("baked-norm-net.weights.txt"));
        float firstWeight = loaded.Parameters[0];
        var baked = BakedNormNet.FromBakedWeights();
        var input = new float[3 * BakedNormNet.InputLength];
        for (int i = 0; i < input.Length; i++) input[i] = (i % 5 - 2) / 3f;
        float[] Predict(BakedNormNet net)
        {
            var y = new float[3 * BakedNormNet.OutputLength];
            net.Predict(input, y, 3);
            return y;
        }
        var before = Predict(baked); // read in place
        Assert.Equal(Predict(loaded), before);

        baked.Parameters[0] += 0.5f; // copies, then writes the copy
        loaded.Parameters[0] += 0.5f;
        var after = Predict(baked);
        Assert.Equal(Predict(loaded), after);
        Assert.NotEqual(before, after);

        var other = BakedNormNet.FromBakedWeights(); // the baked values are unchanged
        Assert.Equal(before, Predict(other));
        Assert.Equal(firstWeight, other.Parameters[0]);

        // Load into a network that still reads in place replaces the baked values.
        var reloaded = BakedNormNet.FromBakedWeights();
        var path = Path.Combine(Path.GetTempPath(), $"netgen-baked-{Guid.NewGuid():N}.weights");
        try
        {
            baked.Save(path);
            reloaded.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(after, Predict(reloaded));
    }

    [Fact]
    public void TheViewReadsAlignedDataInPlaceAndMisalignedDataFromAnAlignedCopy()
    {
        // A pinned array stands in for the binary's read-only data (it never moves). Of 64 consecutive start offsets exactly
        // one is aligned to 64 bytes: only there are the values read in place; at every other offset the view reads its own
        // copy at a 64-byte boundary (loads then never straddle cache lines), and every view copies the values exactly.
        var values = new float[] { 1.5f, -2.25f, 3e-8f, float.MaxValue, -0f, 7f, float.NaN, float.Epsilon };
        var bytes = GC.AllocateArray<byte>(4 * values.Length + 64, pinned: true);
        int inPlace = 0;
        for (int offset = 0; offset < 64; offset++)
        {
            var data = bytes.AsSpan(offset, 4 * values.Length);
            for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(data.Slice(4 * i), values[i]);
            var view = BakedWeightsView.InPlace(data, values.Length);
            Assert.False(view.IsEmpty);
            Assert.Equal(values, view.ToArray(values.Length));
            Assert.Throws<ArgumentException>(() => view.ToArray(values.Length + 1));
            if (!BitConverter.IsLittleEndian)
            {
                Assert.False(view.IsReadable);
                Assert.Throws<InvalidOperationException>(() => view.Values.Length);
                continue;
            }
            Assert.True(view.IsReadable, $"offset {offset}");
            Assert.Equal(values, view.Values.ToArray());
            nint source = Address(ref MemoryMarshal.GetReference(data));
            nint read = Address(ref MemoryMarshal.GetReference(MemoryMarshal.AsBytes(view.Values)));
            Assert.Equal(0, read % BakedWeightsView.Alignment);
            if (read == source) inPlace++;
            // A second view of the same data reads the same place (one copy per process, not one per network).
            var again = BakedWeightsView.InPlace(data, values.Length);
            Assert.Equal(read, Address(ref MemoryMarshal.GetReference(MemoryMarshal.AsBytes(again.Values))));
            // A copy is a copy: changing the source afterwards does not reach it; a view made after the change sees the new
            // values (the cached copy is checked against the source, so a reused buffer never serves stale values).
            data[0] ^= 0x55;
            Assert.Equal(read == source ? data[0] : (byte)(data[0] ^ 0x55), MemoryMarshal.AsBytes(view.Values)[0]);
            var changed = BakedWeightsView.InPlace(data, values.Length);
            Assert.Equal(data[0], MemoryMarshal.AsBytes(changed.Values)[0]);
            data[0] ^= 0x55;
        }
        Assert.Equal(BitConverter.IsLittleEndian ? 1 : 0, inPlace);
        Assert.True(default(BakedWeightsView).IsEmpty);
        Assert.Equal(new float[3], default(BakedWeightsView).ToArray(3));
        Assert.Throws<ArgumentException>(() => BakedWeightsView.InPlace(bytes.AsSpan(0, 7), 2));
    }

    private static nint Address(ref byte b) => Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref b);
}
