using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>The activation functions the generator knows: Keras names, and their forward and backward operations.</summary>
internal static class ActivationFunctions
{
    public const int Linear = 0;
    public const int Sigmoid = 2;
    public const int Softmax = 4;

    // Indexed by the NetGen.Activation enum value.
    private static readonly string[] s_keras = { "linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "selu", "swish", "softplus", "gelu" };

    public static bool IsKnown(double value) => value >= 0 && value < s_keras.Length && value == (int)value;

    public static string KerasName(int activation) => s_keras[activation];

    /// <summary><c>y = f(x)</c> over rows of <paramref name="cols"/> elements (<paramref name="y"/> may be <paramref name="x"/>).</summary>
    public static void LowerForward(LoweringContext c, int activation, Tensor x, Tensor y, int cols)
    {
        if (activation == Linear)
        {
            if (x != y) c.Copy(x, y);
            return;
        }
        var kernel = KnownKernels.ActivationForward(activation);
        if (activation == Softmax) c.Call(kernel, x, Out(y), Int(cols));
        else c.Call(kernel, x, Out(y));
    }

    /// <summary><c>dx = dy · f'(x)</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void LowerBackward(LoweringContext c, int activation, Tensor x, Tensor y, Tensor dy, Tensor dx, int cols)
    {
        if (activation == Linear)
        {
            if (dx != dy) c.Copy(dy, dx);
            return;
        }
        var kernel = KnownKernels.ActivationBackward(activation);
        if (activation == Softmax) c.Call(kernel, x, y, dy, Out(dx), Int(cols));
        else c.Call(kernel, x, y, dy, Out(dx));
    }
}
