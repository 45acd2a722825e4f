using System;

namespace NetGen;

/// <summary>Keras <c>RepeatVector(n)</c>: repeats a flat input <c>n</c> times, (F) → (n, F).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RepeatVectorAttribute : LayerAttribute
{
    /// <summary>Declares the repetition.</summary>
    public RepeatVectorAttribute(int n) => N = n;

    /// <summary>How many times the input is repeated.</summary>
    public int N { get; }
}
