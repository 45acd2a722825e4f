using System;
using System.Diagnostics;

namespace NetGen;

/// <summary>Argument checks used by generated code at its public entry points. Each failure names the argument and the expected size.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws unless <paramref name="batchSize"/> is at least 1.</summary>
    [StackTraceHidden]
    public static void BatchSize(int batchSize, string paramName = "batchSize")
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(paramName, batchSize, $"{paramName} must be at least 1, but was {batchSize}.");
    }

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    [StackTraceHidden]
    public static void Length(int actual, int expected, string paramName, string what)
    {
        if (actual != expected)
            Throw(actual, expected, paramName, what);
    }

    /// <summary>
    /// Throws unless <paramref name="actual"/> equals <paramref name="expected"/>, a size product computed in long
    /// arithmetic by generated code (so that a batch size whose product overflows int is refused, never wrapped).
    /// </summary>
    [StackTraceHidden]
    public static void Length(int actual, long expected, string paramName, string what)
    {
        if (actual != expected)
            throw new ArgumentException($"{paramName} must hold {expected} floats ({what}), but has {actual}.", paramName);
    }

    /// <summary>
    /// <paramref name="floats"/> as an array length, or an exception naming <paramref name="paramName"/> when it exceeds
    /// what one .NET array can hold.
    /// </summary>
    [StackTraceHidden]
    public static int ArenaFloats(long floats, string paramName, string what)
    {
        if (floats > Array.MaxLength)
            throw new ArgumentOutOfRangeException(paramName, $"{what} = {floats} floats exceeds the largest array .NET can allocate ({Array.MaxLength}); use a smaller {paramName}.");
        return (int)floats;
    }

    /// <summary>Throws unless <paramref name="actual"/> is at least <paramref name="expected"/>.</summary>
    [StackTraceHidden]
    public static void AtLeast(int actual, int expected, string paramName, string what)
    {
        if (actual < expected)
            throw new ArgumentException($"{paramName} must hold at least {expected} floats ({what}), but has {actual}.", paramName);
    }

    [StackTraceHidden]
    private static void Throw(int actual, int expected, string paramName, string what)
        => throw new ArgumentException($"{paramName} must hold {expected} floats ({what}), but has {actual}.", paramName);
}
