using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers;

/// <summary>The activation functions the generator knows: Keras names and the runtime kernels that compute them.</summary>
internal static class ActivationFunctions
{
    public const int Linear = 0;
    public const int Sigmoid = 2;
    public const int Softmax = 4;

    // Indexed by the NetGen.Activation enum value.
    private static readonly string[] s_keras = { "linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "selu", "swish", "softplus", "gelu" };
    private static readonly string[] s_kernel = { "Linear", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Elu", "Selu", "Swish", "Softplus", "Gelu" };

    public static bool IsKnown(double value) => value >= 0 && value < s_keras.Length && value == (int)value;

    public static string KerasName(int activation) => s_keras[activation];

    /// <summary>Writes <c>y = f(x)</c> over rows of <paramref name="cols"/> elements.</summary>
    public static void EmitForward(EmitContext c, int activation, string x, string y, int cols)
    {
        if (activation == Linear)
        {
            if (x != y) c.W.Line($"{x}.CopyTo({y});");
            return;
        }
        var extra = activation == Softmax ? $", {cols}" : "";
        c.W.Line($"global::NetGen.Kernels.Activations.{s_kernel[activation]}({x}, {y}{extra});");
    }

    /// <summary>
    /// Writes <c>dx = dy · f'(x)</c>; <paramref name="dx"/> may be <paramref name="dy"/>. With
    /// <paramref name="skipWhenFused"/> (the name of a bool), the statement is skipped when the loss already
    /// produced the gradient with respect to the logits.
    /// </summary>
    public static void EmitBackward(EmitContext c, int activation, string x, string y, string dy, string dx, int cols, string? skipWhenFused = null)
    {
        string statement;
        if (activation == Linear)
        {
            if (dx == dy) return;
            statement = $"{dy}.CopyTo({dx});";
        }
        else
        {
            var extra = activation == Softmax ? $", {cols}" : "";
            statement = $"global::NetGen.Kernels.Activations.{s_kernel[activation]}Backward({x}, {y}, {dy}, {dx}{extra});";
        }
        if (skipWhenFused is null)
        {
            c.W.Line(statement);
            return;
        }
        c.W.Line($"if (!{skipWhenFused})");
        c.W.Line("    " + statement);
    }
}
