using System.Linq;
using NetGen.Generator.Layers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Passes;

/// <summary>
/// Predict's 2-D 3×3 convolutions with stride 1 and dilation 1 (any padding) and at least <see cref="MinChannels"/>
/// input and output channels go to <c>WinogradConvolution</c> (F(2×2, 3×3): 16 multiplications per 2×2 outputs and
/// channel pair instead of 36): a plain <c>Convolution.Forward</c>, a fused convolution + ReLU (or linear) epilogue,
/// and a fused convolution + 2×2 max pooling whose raw convolution output nobody else reads (the pooled output is then
/// the only one written). Other activations, and layers with fewer channels (where the transforms cost more than the
/// multiplications saved: a first layer on grey or RGB images keeps its direct kernel), are left as they are.
/// <para>
/// Each converted layer gets a region of the network's <c>_folded</c> buffer (after the BatchNormalization folds) for
/// the kernel's transform and a copy of the kernel it came from: the transform is recomputed only when the kernel
/// differs, so it is never stale. Results equal the direct convolution up to float rounding (the kernel tests bound the
/// difference; the end-to-end tests compare whole networks with <c>[Network(Winograd = false)]</c> twins). Training
/// keeps the exact convolution. Runs last, after <see cref="ConvolutionPooling"/>.
/// </para>
/// </summary>
internal static class Winograd
{
    /// <summary>Fewest input and output channels for which the transforms pay.</summary>
    public const int MinChannels = 8;

    private const int Relu = (int)Shared.Activation.Relu;

    public static void Run(Program program, Resources resources)
    {
        var ops = program.Operations;
        int cacheOffset = BatchNormFolding.FoldedFloats(program);
        for (int i = 0; i < ops.Count; i++)
        {
            if (ops[i] is not KernelCall conv || conv.SkipWhen is not null) continue;
            var a = conv.Args;
            Operand? pool = null;
            Operand batch;
            Tensor output;
            int activation;
            if (conv.Kernel == KnownKernels.ConvolutionForward && a.Count == 7 && a[4] is TensorArg { Writes: true, Take: null } y0)
            {
                (output, activation, batch) = (y0.Tensor, ActivationFunctions.Linear, a[5]);
            }
            else if (conv.Kernel == KnownKernels.FusedConvolutionForward && a.Count == 9 && a[4] is TensorArg { Writes: true, Take: null } z
                && a[5] is TensorArg { Writes: true, Take: null } y1 && a[8] is ActivationArg act1)
            {
                // The fused call writes z too: it must be y, or read by nobody else.
                if (z.Tensor != y1.Tensor && ReadElsewhere(program, i, z.Tensor)) continue;
                (output, activation, batch) = (y1.Tensor, act1.Value, a[6]);
            }
            else if ((conv.Kernel == KnownKernels.FusedConvolutionMaxPoolForward || conv.Kernel == KnownKernels.FusedPooledConvolutionForward) && a.Count == 10 && a[5] is TensorArg { Writes: true, Take: null } z2
                && a[6] is TensorArg { Writes: true, Take: null } pooled && a[9] is ActivationArg act2 && a[1] is GeometryArg poolGeometry)
            {
                if (ReadElsewhere(program, i, z2.Tensor) || !PoolApplies(poolGeometry.Geometry.Values)) continue;
                (output, activation, pool, batch) = (pooled.Tensor, act2.Value, a[1], a[7]);
            }
            else continue;
            if (activation != ActivationFunctions.Linear && activation != Relu) continue;
            // The convolution's own batch operand: a time-distributed layer runs over batch·steps samples.
            if (batch is not IntArg { TimesBatch: true }) continue;
            if (a[0] is not GeometryArg geometry || !Applies(geometry.Geometry.Values)) continue;
            var (x, kernel, bias) = pool is null ? (a[1], a[2], a[3]) : (a[2], a[3], a[4]);
            int[] g = geometry.Geometry.Values;
            int cacheLength = CacheLength(g[3], g[7]);
            resources.Workspace(new KernelCall(KnownKernels.WinogradWorkspaceLength, new Operand[] { geometry }));
            var cache = new FoldedArg(cacheOffset, cacheLength, writes: true);
            cacheOffset += cacheLength;
            ops[i] = pool is null
                ? new KernelCall(KnownKernels.WinogradForward, new[] { a[0], x, kernel, bias, Out(output), batch, WorkspaceArg.Instance, cache, Activation(activation) }) { Layer = conv.Layer }
                : new KernelCall(KnownKernels.WinogradForwardMaxPool, new[] { a[0], pool, x, kernel, bias, Out(output), batch, WorkspaceArg.Instance, cache, Activation(activation) }) { Layer = conv.Layer };
        }
    }

    private static bool ReadElsewhere(Program program, int at, Tensor t)
        => program.Outputs.Contains(t) || program.Operations.Where((o, k) => k != at).Any(o => o.Operands.OfType<TensorArg>().Any(arg => arg.Tensor == t));

    // WindowGeometry's constructor order: InD, InH, InW, InChannels, OutD, OutH, OutW, OutChannels, KD, KH, KW, SD, SH, SW,
    // DD, DH, DW, PadD, PadH, PadW. The conditions mirror WinogradConvolution.Applies / PoolApplies.
    private static bool Applies(int[] g)
        => g.Length == 20 && g[0] == 1 && g[4] == 1 && g[8] == 1 && g[9] == 3 && g[10] == 3 && g[11] == 1 && g[12] == 1 && g[13] == 1
           && g[14] == 1 && g[15] == 1 && g[16] == 1 && g[17] == 0 && g[3] >= MinChannels && g[7] >= MinChannels && g[5] > 0 && g[6] > 0;

    private static bool PoolApplies(int[] p)
        => p.Length == 20 && p[0] == 1 && p[4] == 1 && p[8] == 1 && p[9] == 2 && p[10] == 2 && p[12] == 2 && p[13] == 2
           && p[15] == 1 && p[16] == 1 && p[17] == 0 && p[18] == 0 && p[19] == 0 && p[5] == p[1] / 2 && p[6] == p[2] / 2;

    /// <summary>WinogradConvolution.CacheLength: a copy of the kernel and its transform, panels of 32 output channels.</summary>
    private static int CacheLength(int cin, int cout) => 9 * cin * cout + 16 * cin * ((cout + 31) / 32 * 32);
}
