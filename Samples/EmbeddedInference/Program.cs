// Embedded inference: the Fashion-MNIST MLP (or, with --model cnn, the small CNN) with its weights baked into the
// binary, classifying images given as an IDX file on the command line or on stdin (IDX, or raw 28x28 grayscale
// bytes, one image after another). Publishes with NativeAOT; no JIT, no reflection, no file for the weights, and no
// allocation per image.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using NetGen;
using NetGen.Data;
using NetGen.Samples.Data;

namespace EmbeddedInference;

internal static class Program
{
    private const int Pixels = EmbeddedMlp.InputLength; // 28x28, both networks
    private const int Classes = EmbeddedMlp.OutputLength;

    private const string Usage =
        "Usage: EmbeddedInference [IMAGES | -] [--model mlp|cnn] [--first N] [--count K] [--weights FILE] [--repeat R] [--timing]\n" +
        "  IMAGES          an IDX image file (N, 28, 28), plain or gzip; '-' or nothing reads stdin: IDX, or raw\n" +
        "                  28x28 grayscale bytes, one image after another\n" +
        "  --model M       mlp (default: Dense 128-64-10) or cnn (Conv 32-MaxPool-Conv 64-MaxPool-Dense 128-10)\n" +
        "  --first N       the first image to classify (default 0)\n" +
        "  --count K       how many images (default: all from --first on)\n" +
        "  --weights FILE  load the weights from FILE (Save or SaveText form) instead of the baked ones\n" +
        "  --repeat R      then classify the images R more times and print the mean latency per image (stderr)\n" +
        "  --timing        print the wall-clock time of the first prediction (Unix ns, stderr)\n" +
        "Prints one line per image: its index, the predicted class and its probability (round-trip precision).";

    private static int Main(string[] args)
    {
        string source = "-";
        int first = 0, count = -1, repeat = 0;
        string? weights = null;
        string model = "mlp";
        bool timing = false;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--first": first = NonNegative(args, ref i); break;
                    case "--count": count = NonNegative(args, ref i); break;
                    case "--repeat": repeat = NonNegative(args, ref i); break;
                    case "--weights": weights = Value(args, ref i); break;
                    case "--model":
                        model = Value(args, ref i);
                        if (model is not ("mlp" or "cnn")) throw new ArgumentException($"--model must be mlp or cnn, not '{model}'");
                        break;
                    case "--timing": timing = true; break;
                    case "--help" or "-h": Console.WriteLine(Usage); return 0;
                    default:
                        if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unknown option '{args[i]}'");
                        source = args[i];
                        break;
                }
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // A file is decoded up to the first image to classify, which is classified before the rest is decoded: the first
        // prediction does not wait for the other images (nor touch the memory they go to).
        byte[] images;
        IdxReader? file = null;
        int decoded;
        try
        {
            if (source == "-")
            {
                images = ReadStdin();
                decoded = images.Length / Pixels;
            }
            else
            {
                file = Idx.Open(source);
                var shape = file.Shape;
                if (shape.Length != 3 || shape[1] != 28 || shape[2] != 28)
                    throw new InvalidDataException($"'{source}' has shape ({string.Join(", ", shape)}); expected (N, 28, 28) images.");
                images = GC.AllocateUninitializedArray<byte>(checked(shape[0] * Pixels));
                decoded = 0;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or OverflowException)
        {
            file?.Dispose();
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        using var _ = file;
        int available = images.Length / Pixels;
        if (first > available || (count >= 0 && first + count > available))
        {
            Console.Error.WriteLine($"--first {first} --count {count}: only {available} images are given.");
            return 1;
        }
        if (count < 0) count = available - first;
        // Decodes the file's images up to (not including) image `end`; after the last one, checks that nothing follows.
        bool Decode(int end)
        {
            if (file is null || decoded >= end) return true;
            try
            {
                file.ReadValues(images.AsSpan(decoded * Pixels, (end - decoded) * Pixels));
                decoded = end;
                if (decoded == available) file.EnsureEnd();
                return true;
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return false;
            }
        }
        if (!Decode(count > 0 ? first + 1 : available)) return 1;

        INetwork net = model == "cnn" ? EmbeddedCnn.FromBakedWeights() : EmbeddedMlp.FromBakedWeights();
        if (weights is not null)
        {
            try
            {
                net.Load(weights);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        }

        // Everything is allocated: from here on, classifying an image allocates nothing.
        var input = new float[Pixels];
        Span<float> probabilities = stackalloc float[Classes];
        TextWriter? output = null;
        for (int i = first; i < first + count; i++)
        {
            int best = Classify(net, images, i, input, probabilities);
            if (i == first)
            {
                // The clock is read before Console.Error is first touched (setting it up is not part of the prediction).
                long at = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
                if (timing) Console.Error.WriteLine($"first prediction at unix ns {at}");
                if (!Decode(available)) return 1;
                output = Console.Out;
            }
            output!.Write("image ");
            output.Write(i);
            output.Write(": ");
            output.Write(FashionMnist.ClassNames[best]);
            output.Write(' ');
            output.WriteLine(probabilities[best].ToString("R", CultureInfo.InvariantCulture));
        }
        if (!Decode(available)) return 1;
        output ??= Console.Out;
        output.Flush();

        if (repeat > 0 && count > 0)
        {
            // The allocation counter brackets the loop alone, inside the Stopwatch calls: with the Stopwatch calls
            // inside the counted window, the NativeAOT builds counted a constant 40 bytes whatever the number of
            // predictions (so never a prediction's); counted this way every build reports 0.
            long start = Stopwatch.GetTimestamp();
            long before = GC.GetAllocatedBytesForCurrentThread();
            int checksum = 0;
            for (int r = 0; r < repeat; r++)
                for (int i = first; i < first + count; i++)
                    checksum += Classify(net, images, i, input, probabilities);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var elapsed = Stopwatch.GetElapsedTime(start);
            double micros = elapsed.TotalMicroseconds / ((double)repeat * count);
            Console.Error.WriteLine($"latency: {micros.ToString("F2", CultureInfo.InvariantCulture)} us per image over {(long)repeat * count} predictions, {allocated} bytes allocated (class sum {checksum})");
        }
        return 0;
    }

    /// <summary>Scales image <paramref name="index"/> to [0, 1] as the training data was, predicts, returns the best class.</summary>
    private static int Classify(INetwork net, byte[] images, int index, float[] input, Span<float> probabilities)
    {
        var pixels = new ReadOnlySpan<byte>(images, index * Pixels, Pixels);
        for (int p = 0; p < Pixels; p++) input[p] = pixels[p] / 255f;
        net.Predict(input, probabilities);
        int best = 0;
        for (int k = 1; k < probabilities.Length; k++) if (probabilities[k] > probabilities[best]) best = k;
        return best;
    }

    private static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        var bytes = buffer.ToArray();
        if (bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0x08)
            return ImagesOf(Idx.Parse(bytes, "stdin"), "stdin");
        if (bytes.Length % Pixels != 0)
            throw new InvalidDataException($"stdin holds {bytes.Length} bytes, not a whole number of {Pixels}-byte (28x28) images and not an IDX file.");
        return bytes;
    }

    private static byte[] ImagesOf(IdxArray idx, string name)
    {
        if (idx.Shape.Length != 3 || idx.Shape[1] != 28 || idx.Shape[2] != 28)
            throw new InvalidDataException($"'{name}' has shape ({string.Join(", ", idx.Shape)}); expected (N, 28, 28) images.");
        return idx.Data;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value");
        return args[++i];
    }

    private static int NonNegative(string[] args, ref int i)
    {
        var name = args[i];
        if (!int.TryParse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new ArgumentException($"{name} needs a non-negative integer, but got '{args[i]}'");
        return n;
    }
}
