using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>The activation functions the generator knows: Keras names, and their forward and backward operations.</summary>
internal static class ActivationFunctions
{
    public const int Linear = (int)Shared.Activation.Linear;
    public const int Sigmoid = (int)Shared.Activation.Sigmoid;
    public const int Softmax = (int)Shared.Activation.Softmax;
    public const int LogSoftmax = (int)Shared.Activation.LogSoftmax;

    /// <summary>Whether the function works along rows (softmax, log-softmax) and its kernels take the row length.</summary>
    public static bool IsRowWise(int activation) => activation is Softmax or LogSoftmax;

    public static bool IsKnown(double value) => value == (int)value && System.Enum.IsDefined(typeof(Shared.Activation), (int)value);

    /// <summary>Keras' name: the member's name in snake case (<c>LeakyRelu</c> → <c>leaky_relu</c>).</summary>
    public static string KerasName(int activation)
    {
        var name = ((Shared.Activation)activation).ToString();
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    /// <summary><c>y = f(x)</c> over rows of <paramref name="cols"/> elements (<paramref name="y"/> may be <paramref name="x"/>).</summary>
    public static void LowerForward(LoweringContext c, int activation, Tensor x, Tensor y, int cols)
    {
        if (activation == Linear)
        {
            if (x != y) c.Copy(x, y);
            return;
        }
        var kernel = KnownKernels.ActivationForward(activation);
        if (IsRowWise(activation)) c.Call(kernel, x, Out(y), Int(cols));
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
        if (IsRowWise(activation)) c.Call(kernel, x, y, dy, Out(dx), Int(cols));
        else c.Call(kernel, x, y, dy, Out(dx));
    }
}
