using System;

namespace NetGen.Kernels;

/// <summary>Fills weights as Keras' initializers do (fans computed by the generator, Keras <c>compute_fans</c>).</summary>
public static class Initializers
{
    /// <summary>Fills <paramref name="weights"/> with draws of <paramref name="kind"/> from <paramref name="rng"/>.</summary>
    public static void Fill(Initializer kind, Span<float> weights, int fanIn, int fanOut, Rng rng)
        => throw new NotImplementedException();
}
