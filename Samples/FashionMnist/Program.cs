// The main job: the Keras MNIST example's MLP on Fashion-MNIST, declared with NetGen attributes
// (FashionMlp.cs), trained with Adam and categorical cross-entropy (EarlyStopping and ModelCheckpoint as
// callbacks), evaluated, saved and reloaded; the training curves are written to training.png.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NetGen.Optimizers;
using NetGen;
using NetGen.Data;
using NetGen.Samples.Data;
using NetGen.Plotting;
using NetGen.Training;

namespace FashionMnist;

internal static class Program
{
    private const string DefaultData = "/usr/share/datasets/fashion-mnist";

    private static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        if (options.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }
        if (options.Diagram)
        {
            // The network's picture, computed at build time: pipe it to Graphviz (dot -Tsvg) to render it.
            Console.Write(options.Model switch
            {
                "cnn" => FashionCnn.Diagram,
                "mlp-bn" => FashionBnMlp.Diagram,
                "residual" => FashionResidualMlp.Diagram,
                "lstm" => FashionLstm.Diagram,
                "transformer" => FashionTransformer.Diagram,
                _ => FashionMlp.Diagram,
            });
            return 0;
        }

        Console.WriteLine(options.Model switch
        {
            "cnn" => "NetGen Fashion-MNIST CNN: Conv2D(32, 3x3, relu) -> MaxPooling2D -> Conv2D(64, 3x3, relu) -> MaxPooling2D -> Flatten -> Dense(128, relu) -> Dense(10, softmax)",
            "transformer" => "NetGen Fashion-MNIST vision Transformer: Conv2D(64, 7x7, stride 7) -> 16 tokens + PositionEmbedding -> 2 x [MultiHeadAttention(4 heads) + residual + LayerNormalization -> Dense(128, gelu) -> Dense(64) + residual + LayerNormalization] -> GlobalAveragePooling1D -> Dense(10, softmax)",
            "residual" => "NetGen Fashion-MNIST residual MLP: Flatten(28x28) -> dense: Dense(128, relu) -> Dense(128, relu) -> Dense(128) -> Add(dense, ...) -> relu -> Dense(10, softmax)",
            "lstm" => "NetGen Fashion-MNIST LSTM: 28 steps x 28 features -> LSTM(128) -> Dense(10, softmax)",
            "mlp-bn" => "NetGen Fashion-MNIST MLP with batch normalization: Flatten(28x28) -> [Dense(128) -> BatchNormalization -> relu -> Dropout(0.2)] -> [Dense(64) -> BatchNormalization -> relu -> Dropout(0.2)] -> Dense(10, softmax)",
            _ => "NetGen Fashion-MNIST MLP: Flatten(28x28) -> Dense(128, relu) -> Dense(64, relu) -> Dense(10, softmax)",
        });
        Console.WriteLine($"Adam, categorical cross-entropy, {options.Epochs} epochs, batch {options.BatchSize}, validation split 0.2, seed {options.Seed}");
        FashionMnistData data;
        try
        {
            data = NetGen.Samples.Data.FashionMnist.Load(options.DataDirectory);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        Console.WriteLine($"Data: {data.TrainCount} training and {data.TestCount} test images from {options.DataDirectory}");

        var testTargets = NetGen.Samples.Data.FashionMnist.OneHot(data.TestLabels, 10);
        INetwork Create(int seed) => options.Model switch
        {
            "cnn" => new FashionCnn(seed),
            "mlp-bn" => new FashionBnMlp(seed),
            "residual" => new FashionResidualMlp(seed),
            "lstm" => new FashionLstm(seed),
            "transformer" => new FashionTransformer(seed),
            _ => new FashionMlp(seed),
        };
        if (options.PredictOnly)
        {
            var loaded = Create(options.Seed);
            loaded.Load(options.WeightsPath);
            var eval = loaded.Evaluate(data.TestImages, testTargets, Loss.CategoricalCrossentropy); // no Compile needed
            Console.WriteLine($"Loaded {options.WeightsPath}; test loss: {eval.Loss:F4}");
            Console.WriteLine($"Test accuracy: {eval.Accuracy:F4}");
            return 0;
        }

        var model = Create(options.Seed);
        Console.Write(options.Model switch { "cnn" => FashionCnn.SummaryText, "mlp-bn" => FashionBnMlp.SummaryText, "residual" => FashionResidualMlp.SummaryText, "lstm" => FashionLstm.SummaryText, "transformer" => FashionTransformer.SummaryText, _ => FashionMlp.SummaryText });
        // Keras: model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"]).
        var trainer = new Trainer(model, new Adam(), Loss.CategoricalCrossentropy, Rng.DeriveSeed((ulong)options.Seed, 1));
        var progress = new ConsoleProgress();
        // Keras: callbacks=[EarlyStopping(patience=3, restore_best_weights=True), ModelCheckpoint(path, save_best_only=True)].
        var checkpoint = new ModelCheckpoint(CheckpointPath(options.WeightsPath), monitor: "val_loss", saveBestOnly: true);
        var earlyStopping = new EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true);
        var history = trainer.Fit(data.TrainImages, NetGen.Samples.Data.FashionMnist.OneHot(data.TrainLabels, 10), new FitOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            ValidationSplit = 0.2,
            Progress = progress.Report,
            Callbacks = new Callback[] { earlyStopping, checkpoint },
        });
        if (history.Epochs < options.Epochs) Console.WriteLine($"Early stopping after epoch {history.Epochs}: val_loss did not improve for 3 epochs.");
        Console.WriteLine($"Best val_loss {earlyStopping.Best:F4} in epoch {earlyStopping.BestEpoch + 1} (its weights restored; checkpoint {checkpoint.LastSaved})");
        if (options.PlotPath.Length > 0)
        {
            history.SavePng(options.PlotPath, $"NetGen Fashion-MNIST {options.Model}");
            Console.WriteLine($"Training curves: {options.PlotPath}");
        }
        double meanEpoch = history.EpochSeconds.Average();
        Console.WriteLine($"Mean epoch time: {meanEpoch:F2} s (fastest {history.EpochSeconds.Min():F2} s)");

        var result = trainer.Evaluate(data.TestImages, testTargets);
        Console.WriteLine($"Test loss: {result.Loss:F4}");

        // A .txt path gets the text form, which [Weights("...")] can bake into an assembly (Samples/EmbeddedInference).
        if (options.WeightsPath.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) model.SaveText(options.WeightsPath);
        else model.Save(options.WeightsPath);
        var reloaded = Create(options.Seed + 1);
        reloaded.Load(options.WeightsPath);
        var probabilities = new float[reloaded.OutputLength];
        Console.WriteLine($"Saved the weights to {options.WeightsPath} and reloaded them; predictions of the reloaded model:");
        for (int i = 0; i < 5; i++)
        {
            reloaded.Predict(data.TestImages.AsSpan(i * reloaded.InputLength, reloaded.InputLength), probabilities);
            int best = 0;
            for (int k = 1; k < probabilities.Length; k++) if (probabilities[k] > probabilities[best]) best = k;
            var truth = NetGen.Samples.Data.FashionMnist.ClassNames[data.TestLabels[i]];
            Console.WriteLine($"  test image {i}: {NetGen.Samples.Data.FashionMnist.ClassNames[best]} ({probabilities[best]:P1}), truth {truth}");
        }
        Console.WriteLine($"Test accuracy: {result.Accuracy:F4}");
        return 0;
    }

    /// <summary>Where ModelCheckpoint keeps the best epoch: fashion-mlp.weights → fashion-mlp.best.weights.</summary>
    private static string CheckpointPath(string weights)
    {
        var stem = weights.EndsWith(".weights.txt", StringComparison.OrdinalIgnoreCase) ? weights[..^".weights.txt".Length]
            : Path.ChangeExtension(weights, null);
        return stem + ".best.weights";
    }

    private sealed record Options(string DataDirectory, int Epochs, int BatchSize, int Seed, string WeightsPath, bool PredictOnly, bool Help, string Model, bool Diagram = false, string PlotPath = "training.png")
    {
        public const string Usage =
            "Usage: FashionMnist [--model mlp|mlp-bn|residual|cnn|lstm|transformer] [--data DIR] [--epochs N] [--batch-size N] [--seed N] [--weights FILE] [--plot FILE] [--predict-only] [--diagram]\n" +
            "  --model M       mlp: the Keras MNIST example's MLP (default); mlp-bn: the MLP with batch\n" +
            "                  normalization and dropout; residual: the residual MLP; cnn: the small CNN;\n" +
            "                  lstm: 28 steps of 28 pixels through LSTM(128);\n" +
            "                  transformer: a small vision Transformer (FashionTransformer.cs)\n" +
            "  --data DIR      Fashion-MNIST IDX files, plain or gzip (default " + DefaultData + ";\n" +
            "                  install with: sudo apt-get install dataset-fashion-mnist)\n" +
            "  --epochs N      training epochs (default 10; EarlyStopping may end sooner: patience 3 on val_loss)\n" +
            "  --batch-size N  batch size (default 32)\n" +
            "  --seed N        seed of the initial weights, shuffling and dropout (default 0)\n" +
            "  --weights FILE  where the trained weights are saved (default fashion-<model>.weights; a .txt\n" +
            "                  name writes the text form that [Weights] bakes in)\n" +
            "  --plot FILE     PNG of loss and accuracy per epoch (default training.png; \"\" for none)\n" +
            "  --predict-only  load --weights and evaluate on the test set instead of training\n" +
            "  --diagram       print the model's Graphviz DOT picture (e.g. | dot -Tsvg > model.svg) and exit";

        public static Options Parse(string[] args)
        {
            var o = new Options(DefaultData, 10, 32, 0, "", false, false, "mlp");
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Positive(string name)
                {
                    var text = Value();
                    return int.TryParse(text, out int v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer, not '{text}'");
                }
                o = args[i] switch
                {
                    "--data" => o with { DataDirectory = Value() },
                    "--epochs" => o with { Epochs = Positive("--epochs") },
                    "--batch-size" => o with { BatchSize = Positive("--batch-size") },
                    "--seed" => o with { Seed = int.TryParse(Value(), out int s) ? s : throw new ArgumentException("--seed must be an integer") },
                    "--weights" => o with { WeightsPath = Value() },
                    "--plot" => o with { PlotPath = Value() },
                    "--predict-only" => o with { PredictOnly = true },
                    "--diagram" => o with { Diagram = true },
                    "--help" or "-h" => o with { Help = true },
                    "--model" => Value() switch
                    {
                        "mlp" => o with { Model = "mlp" },
                        "cnn" => o with { Model = "cnn" },
                        "mlp-bn" => o with { Model = "mlp-bn" },
                        "residual" => o with { Model = "residual" },
                        "lstm" => o with { Model = "lstm" },
                        "transformer" => o with { Model = "transformer" },
                        var m => throw new ArgumentException($"--model must be mlp, mlp-bn, residual, cnn, lstm or transformer, not '{m}'"),
                    },
                    _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
                };
            }
            return o.WeightsPath.Length > 0 ? o : o with { WeightsPath = $"fashion-{o.Model}.weights" };
        }
    }
}
