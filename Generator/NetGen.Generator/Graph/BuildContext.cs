using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Graph;

/// <summary>Collects diagnostics while layers are built, and reads their arguments with defaults.</summary>
internal sealed class BuildContext
{
    public List<DiagnosticInfo> Diagnostics { get; } = new();

    public bool HasErrors { get; private set; }

    public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args)
    {
        if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) HasErrors = true;
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));
    }

    /// <summary>Reads an integer argument, reporting NG0004 unless it is positive.</summary>
    public int PositiveInt(LayerSpec spec, string layerName, string argument, int fallback)
    {
        var arg = spec.Find(argument);
        if (arg is null) return fallback;
        int value = (int)arg.Number;
        if (value <= 0)
        {
            Report(Descriptors.NonPositive, arg.Location ?? spec.Location, $"{spec.Kind} '{layerName}'", argument, value);
            return fallback;
        }
        return value;
    }

    public const int GlorotUniform = (int)Shared.Initializer.GlorotUniform;
    public const int Zeros = (int)Shared.Initializer.Zeros;

    /// <summary>
    /// Reads the arguments every bias-and-activation layer shares: <c>Activation</c>, the kernel initializer
    /// named <paramref name="kernelInitializer"/> (glorot_uniform by default), <c>BiasInitializer</c> and <c>UseBias</c>.
    /// </summary>
    public AffineArguments Affine(LayerSpec spec, string layerName, string kernelInitializer = "KernelInitializer")
        => new(Activation(spec, layerName), Initializer(spec, layerName, kernelInitializer, GlorotUniform),
            Initializer(spec, layerName, "BiasInitializer", Zeros), Bool(spec, "UseBias", true));

    /// <summary>Reads the <c>Activation</c> named argument (default linear), reporting NG0007 for an unknown value.</summary>
    public int Activation(LayerSpec spec, string layerName)
    {
        if (spec.Find("Activation") is not { } arg) return 0;
        if (Layers.ActivationFunctions.IsKnown(arg.Number)) return (int)arg.Number;
        Report(Descriptors.UnknownActivation, arg.Location ?? spec.Location, $"{spec.Kind} '{layerName}'", arg.Number);
        return 0;
    }

    /// <summary>Reads an initializer argument, reporting NG0012 for an unknown value.</summary>
    public int Initializer(LayerSpec spec, string layerName, string argument, int fallback)
    {
        if (spec.Find(argument) is not { } arg) return fallback;
        if (arg.Number == (int)arg.Number && System.Enum.IsDefined(typeof(Shared.Initializer), (int)arg.Number)) return (int)arg.Number;
        Report(Descriptors.UnknownInitializer, arg.Location ?? spec.Location, $"{spec.Kind} '{layerName}'", arg.Number);
        return fallback;
    }

    public static double Number(LayerSpec spec, string argument, double fallback) => spec.Find(argument)?.Number ?? fallback;

    public static bool Bool(LayerSpec spec, string argument, bool fallback) => spec.Find(argument) is { } a ? a.Number != 0 : fallback;
}

/// <summary>The arguments shared by layers computing <c>activation(linear(x) + bias)</c>.</summary>
internal sealed record AffineArguments(int Activation, int KernelInitializer, int BiasInitializer, bool UseBias);
