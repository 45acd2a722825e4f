using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Passes;
using NetGen.Generator.Planning;
using NetGen.Generator.Printing;
using Xunit;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Tests.Generator;

/// <summary>The passes and the planner on hand-built operation lists: what they change, and what they must leave alone.</summary>
public class PassTests
{
    private static (Program Program, LoweringContext Context) New(bool training = true)
    {
        var program = new Program();
        return (program, new LoweringContext(program, new Resources(), training));
    }

    private static Tensor T(LoweringContext c, string name, int size = 4, Arena arena = Arena.Activations) => c.NewTensor(name, size, arena, new Shape(size));

    private static ParameterDecl Weight(int offset, int length) => new("kernel", new Shape(length), 0, 1, 1) { Offset = offset };

    /// <summary>A dense layer with softmax, its loss and its backward, as the network lowering writes them.</summary>
    private static (Program, LossOp, KernelCall Backward) SoftmaxHead(bool readElsewhere = false, bool inPlace = true)
    {
        var (p, c) = New();
        var x = c.External("input", new Shape(3), -1, writable: false);
        var z = T(c, "z");
        var y = T(c, "y");
        var dy = T(c, "dy", arena: Arena.Gradients);
        var dx = inPlace ? dy : T(c, "dx", arena: Arena.Gradients);
        var w = Weight(0, 12);
        c.Call(KnownKernels.DenseForward, x, Param(w), Empty, Out(z), Batch, Int(3), Int(4));
        c.Call(KnownKernels.ActivationForward(4), z, Out(y), Int(4));
        var loss = new LossOp(0, y, dy, 1, 4);
        c.Add(loss);
        if (readElsewhere) c.Call(KnownKernels.MergeScale, y, Float(2), Out(T(c, "other")));
        c.Call(KnownKernels.ActivationBackward(4), z, y, dy, Out(dx), Int(4));
        var backward = (KernelCall)p.Operations.Last();
        c.Call(KnownKernels.DenseBackwardWeights, x, dx, Grad(w), EmptyOut, Batch, Int(3), Int(4));
        return (p, loss, backward);
    }

    [Fact]
    public void LossFusionMarksTheLossAndSkipsTheActivationBackward()
    {
        var (p, loss, backward) = SoftmaxHead();
        LossFusion.Run(p);
        Assert.NotNull(loss.Logits);
        Assert.Equal("z", loss.Logits!.Tensor.Name);
        Assert.Same(loss.Flag, backward.SkipWhen);
    }

    [Fact]
    public void LossFusionLeavesAnOutputOthersReadAlone()
    {
        var (p, loss, backward) = SoftmaxHead(readElsewhere: true);
        LossFusion.Run(p);
        Assert.Null(loss.Logits);
        Assert.Null(backward.SkipWhen);
    }

    [Fact]
    public void LossFusionNeedsTheBackwardInPlace()
    {
        // Skipping a backward that writes another tensor would leave that tensor unwritten.
        var (p, loss, backward) = SoftmaxHead(inPlace: false);
        LossFusion.Run(p);
        Assert.Null(loss.Logits);
        Assert.Null(backward.SkipWhen);
    }

    [Fact]
    public void DeadGradientsDropsAChainNobodyReadsAndKeepsWeightGradients()
    {
        var (p, c) = New();
        var x = c.External("input", new Shape(4), -1, writable: false);
        var dy = T(c, "dy", arena: Arena.Gradients);
        var d1 = T(c, "d1", arena: Arena.Gradients);
        var d2 = T(c, "d2", arena: Arena.Gradients);
        var w = Weight(0, 16);
        c.Call(KnownKernels.MergeScale, x, Float(1), Out(dy));
        c.Call(KnownKernels.DenseBackwardWeights, x, dy, Grad(w), EmptyOut, Batch, Int(4), Int(4)); // writes a weight gradient: kept
        c.Call(KnownKernels.DenseBackwardInput, dy, Param(w), Out(d1), Batch, Int(4), Int(4));       // d1 is read only by ...
        c.Call(KnownKernels.MergeNegate, d1, Out(d2));                                              // ... this, and d2 by nobody
        DeadGradients.Run(p);
        var kernels = p.Operations.OfType<KernelCall>().Select(k => k.Kernel).ToList();
        Assert.Equal(new[] { KnownKernels.MergeScale, KnownKernels.DenseBackwardWeights }, kernels);
    }

    [Fact]
    public void DeadGradientsStopsALossWritingAGradientNobodyReads()
    {
        var (p, c) = New();
        var y = T(c, "y");
        y.LiveOut = true;
        var loss = new LossOp(0, y, T(c, "dy", arena: Arena.Gradients), 1, 4);
        c.Add(loss);
        DeadGradients.Run(p);
        Assert.Null(loss.Gradient);
        Assert.Single(p.Operations);
    }

    [Fact]
    public void EpilogueFusesBiasAndActivationIntoTheDenseCall()
    {
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(3), -1, writable: false);
        var y = T(c, "y");
        var w = Weight(0, 12);
        c.Layer = null;
        c.Call(KnownKernels.DenseForward, x, Param(w), Param(Weight(12, 4)), Out(y), Batch, Int(3), Int(4));
        c.Call(KnownKernels.ActivationForward(1), y, Out(y));
        Epilogues.Run(p);
        var call = Assert.IsType<KernelCall>(Assert.Single(p.Operations));
        Assert.Same(KnownKernels.FusedDenseForward, call.Kernel);
        Assert.Equal(1, Assert.IsType<ActivationArg>(call.Args[8]).Value);
        Assert.Same(y, ((TensorArg)call.Args[3]).Tensor);
        Assert.Same(y, ((TensorArg)call.Args[4]).Tensor);
    }

    [Fact]
    public void EpilogueLeavesAnActivationOfAnotherTensorAlone()
    {
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(3), -1, writable: false);
        var y = T(c, "y");
        var other = T(c, "other");
        c.Call(KnownKernels.DenseForward, x, Param(Weight(0, 12)), Empty, Out(y), Batch, Int(3), Int(4));
        c.Call(KnownKernels.ActivationForward(1), other, Out(other));
        Epilogues.Run(p);
        Assert.Equal(2, p.Operations.Count);
    }

    private static ParameterDecl Statistic(int offset, int length) => new("moving", new Shape(length), 0, 1, 1) { Offset = offset };

    /// <summary>A producer (Dense of 3 → 4, or a convolution with 4 filters and a 9 × 4 kernel) writing z, then BatchNormalization z → y.</summary>
    private static (Program, Tensor Z, Tensor Y) ProducerThenBatchNorm(bool convolution, bool readZElsewhere = false)
    {
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(3), -1, writable: false);
        var z = T(c, "z");
        var y = T(c, "y");
        if (convolution)
        {
            var geometry = new GeometryArg(new Geometry("conv", new int[20]));
            c.Call(KnownKernels.ConvolutionForward, geometry, x, Param(Weight(0, 36)), Empty, Out(z), Batch, WorkspaceArg.Instance);
        }
        else c.Call(KnownKernels.DenseForward, x, Param(Weight(0, 12)), Param(Weight(12, 4)), Out(z), Batch, Int(3), Int(4));
        c.Call(KnownKernels.BatchNormInference, z, Param(Weight(16, 4)), Param(Weight(20, 4)), State(Statistic(0, 4)), State(Statistic(4, 4)), Out(y), Batch, Int(4), Float(1e-3));
        if (readZElsewhere) c.Call(KnownKernels.MergeAdd, z, y, Out(T(c, "sum")));
        return (p, z, y);
    }

    [Fact]
    public void BatchNormFoldingFusesDenseAndNormalisationIntoOneCall()
    {
        var (p, z, y) = ProducerThenBatchNorm(convolution: false);
        BatchNormFolding.Run(p);
        var call = Assert.IsType<KernelCall>(Assert.Single(p.Operations));
        Assert.Same(KnownKernels.FusedDenseBatchNormForward, call.Kernel);
        Assert.Same(y, ((TensorArg)call.Args[7]).Tensor);
        Assert.DoesNotContain(call.Args, a => a is TensorArg t && t.Tensor == z);
        var folded = Assert.IsType<FoldedArg>(call.Args[12]);
        Assert.Equal(3 * 4 + 4, folded.Length); // the kernel and the bias
        Assert.Equal(16, BatchNormFolding.FoldedFloats(p));
    }

    [Fact]
    public void BatchNormFoldingFoldsIntoTheConvolutionsWeightsBeforeItRuns()
    {
        var (p, _, y) = ProducerThenBatchNorm(convolution: true);
        BatchNormFolding.Run(p);
        var calls = p.Operations.Cast<KernelCall>().ToList();
        Assert.Equal(new[] { KnownKernels.BatchNormFold, KnownKernels.ConvolutionForward }, calls.Select(k => k.Kernel));
        var fold = calls[0];
        Assert.True(Assert.IsType<FoldedArg>(fold.Args[6]).Writes);
        Assert.Equal(9, Assert.IsType<IntArg>(fold.Args[7]).Value);   // kernel rows: 36 / 4 channels
        var conv = calls[1];
        var kernel = Assert.IsType<FoldedArg>(conv.Args[2]);
        var bias = Assert.IsType<FoldedArg>(conv.Args[3]);
        Assert.False(kernel.Writes);
        Assert.Equal((0, 36), (kernel.Offset, kernel.Length));
        Assert.Equal((36, 4), (bias.Offset, bias.Length));
        Assert.Same(y, ((TensorArg)conv.Args[4]).Tensor);
    }

    [Fact]
    public void BatchNormFoldingLeavesAnOutputOthersReadAlone()
    {
        // z is read after the normalisation: folding would leave it unwritten.
        var (p, _, _) = ProducerThenBatchNorm(convolution: false, readZElsewhere: true);
        BatchNormFolding.Run(p);
        Assert.Equal(new[] { KnownKernels.DenseForward, KnownKernels.BatchNormInference, KnownKernels.MergeAdd }, p.Operations.Cast<KernelCall>().Select(k => k.Kernel));
    }

    [Fact]
    public void BatchNormFoldingLeavesUnknownProducersAlone()
    {
        // An operation the pass does not know (a recurrent or attention kernel arriving later) writing the normalised tensor.
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(3), -1, writable: false);
        var z = T(c, "z");
        var y = T(c, "y");
        var unknown = new Kernel("Recurrent", "SomeForward");
        c.Call(unknown, x, Param(Weight(0, 12)), Out(z), Batch, Int(3), Int(4), Int(4));
        c.Call(KnownKernels.BatchNormInference, z, Empty, Empty, State(Statistic(0, 4)), State(Statistic(4, 4)), Out(y), Batch, Int(4), Float(1e-3));
        BatchNormFolding.Run(p);
        Assert.Equal(new[] { unknown, KnownKernels.BatchNormInference }, p.Operations.Cast<KernelCall>().Select(k => k.Kernel));
    }

    [Fact]
    public void EpilogueFusesTheActivationOfTheNextLayer()
    {
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(3), -1, writable: false);
        var z = T(c, "z");
        var y = T(c, "y");
        c.Call(KnownKernels.DenseForward, x, Param(Weight(0, 12)), Empty, Out(z), Batch, Int(3), Int(4));
        c.Add(new LayerStart(null!, null));
        c.Call(KnownKernels.ActivationForward(1), z, Out(y));
        Epilogues.Run(p);
        var call = Assert.IsType<KernelCall>(p.Operations[0]);
        Assert.Same(KnownKernels.FusedDenseForward, call.Kernel);
        Assert.Same(z, ((TensorArg)call.Args[3]).Tensor);
        Assert.Same(y, ((TensorArg)call.Args[4]).Tensor);
        Assert.IsType<LayerStart>(Assert.Single(p.Operations.Skip(1)));
    }

    private static (Program, Tensor Pooled) ConvolutionThenPooling(Kernel pooling, bool readConvolutionOutput = false)
    {
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(3), -1, writable: false);
        var z = T(c, "z");
        var pooled = T(c, "pooled");
        var geometry = new GeometryArg(new Geometry("conv", new int[20]));
        var poolGeometry = new GeometryArg(new Geometry("pool", new int[20]));
        c.Call(KnownKernels.FusedConvolutionForward, geometry, x, Param(Weight(0, 36)), Empty, Out(z), Out(z), Batch, WorkspaceArg.Instance, Activation(1));
        c.Call(pooling, poolGeometry, z, Out(pooled), Batch);
        if (readConvolutionOutput) c.Call(KnownKernels.MergeAdd, z, z, Out(T(c, "sum")));
        return (p, pooled);
    }

    [Fact]
    public void ConvolutionPoolingFusesTheMaxPoolingIntoTheConvolution()
    {
        var (p, pooled) = ConvolutionThenPooling(KnownKernels.MaxPoolingForward);
        ConvolutionPooling.Run(p);
        var call = Assert.IsType<KernelCall>(Assert.Single(p.Operations));
        Assert.Same(KnownKernels.FusedPooledConvolutionForward, call.Kernel); // nobody else reads the convolution's output
        Assert.Equal("pool", Assert.IsType<GeometryArg>(call.Args[1]).Geometry.Layer);
        Assert.Same(pooled, ((TensorArg)call.Args[6]).Tensor);
        Assert.Equal(1, Assert.IsType<ActivationArg>(call.Args[9]).Value);
    }

    // WindowGeometry constructor arguments: the small CNN's second convolution (13×13×32 → 11×11×64) and its pooling.
    private static readonly int[] Conv3x3 = { 1, 13, 13, 32, 1, 11, 11, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0 };
    private static readonly int[] Pool2x2 = { 1, 11, 11, 64, 1, 5, 5, 64, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0 };

    private static NetGen.Kernels.WindowGeometry Runtime(int[] v)
        => new(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18], v[19]);

    /// <summary>A convolution (fused ReLU epilogue, or plain) optionally followed by max pooling, on real geometries.</summary>
    private static (Program, Resources, Tensor Output) Convolution3x3(int[] conv, int activation, bool pooling, bool fused = true)
    {
        var program = new Program();
        var resources = new Resources();
        var c = new LoweringContext(program, resources, false);
        var x = c.External("x", new Shape(conv[1], conv[2], conv[3]), -1, writable: false);
        var z = T(c, "z");
        var geometry = new GeometryArg(new Geometry("conv", conv));
        if (fused) c.Call(KnownKernels.FusedConvolutionForward, geometry, x, Param(Weight(0, 9 * conv[3] * conv[7])), Empty, Out(z), Out(z), Batch, WorkspaceArg.Instance, Activation(activation));
        else c.Call(KnownKernels.ConvolutionForward, geometry, x, Param(Weight(0, 9 * conv[3] * conv[7])), Empty, Out(z), Batch, WorkspaceArg.Instance);
        if (!pooling) return (program, resources, z);
        var pooled = T(c, "pooled");
        c.Call(KnownKernels.MaxPoolingForward, new GeometryArg(new Geometry("pool", Pool2x2)), z, Out(pooled), Batch);
        ConvolutionPooling.Run(program);
        return (program, resources, pooled);
    }

    [Fact]
    public void WinogradTakesTheConvolutionWithItsReluAndPooling()
    {
        int relu = (int)NetGen.Activation.Relu;
        var (p, resources, pooled) = Convolution3x3(Conv3x3, relu, pooling: true);
        Winograd.Run(p, resources);
        var call = Assert.IsType<KernelCall>(Assert.Single(p.Operations));
        Assert.Same(KnownKernels.WinogradForwardMaxPool, call.Kernel);
        Assert.Equal("pool", Assert.IsType<GeometryArg>(call.Args[1]).Geometry.Layer);
        Assert.Same(pooled, ((TensorArg)call.Args[5]).Tensor);
        Assert.Equal(relu, Assert.IsType<ActivationArg>(call.Args[9]).Value);
        // The cache region the generator reserves is the size the runtime checks for; the workspace is registered.
        var cache = Assert.IsType<FoldedArg>(call.Args[8]);
        Assert.Equal(NetGen.Kernels.WinogradConvolution.CacheLength(Runtime(Conv3x3)), cache.Length);
        Assert.Contains(resources.WorkspaceLengths, k => k.Kernel == KnownKernels.WinogradWorkspaceLength);

        var (plain, plainResources, z) = Convolution3x3(Conv3x3, relu, pooling: false, fused: false);
        Winograd.Run(plain, plainResources);
        var single = Assert.IsType<KernelCall>(Assert.Single(plain.Operations));
        Assert.Same(KnownKernels.WinogradForward, single.Kernel);
        Assert.Same(z, ((TensorArg)single.Args[4]).Tensor);
        Assert.Equal((int)NetGen.Activation.Linear, Assert.IsType<ActivationArg>(single.Args[8]).Value);
    }

    [Fact]
    public void WinogradLeavesOtherConvolutionsAlone()
    {
        int relu = (int)NetGen.Activation.Relu;
        var fewChannels = (int[])Conv3x3.Clone();
        fewChannels[3] = 3; // an RGB first layer: the direct kernel is faster
        var strided = (int[])Conv3x3.Clone();
        strided[12] = strided[13] = 2;
        strided[5] = strided[6] = 6;
        foreach (var (conv, activation) in new[] { (fewChannels, relu), (strided, relu), (Conv3x3, (int)NetGen.Activation.Sigmoid) })
        {
            var (p, resources, _) = Convolution3x3(conv, activation, pooling: false);
            Winograd.Run(p, resources);
            Assert.Same(KnownKernels.FusedConvolutionForward, Assert.IsType<KernelCall>(Assert.Single(p.Operations)).Kernel);
            Assert.Empty(resources.WorkspaceLengths);
        }
    }

    [Fact]
    public void ConvolutionPoolingKeepsAConvolutionOutputOthersRead()
    {
        var (p, _) = ConvolutionThenPooling(KnownKernels.MaxPoolingForward, readConvolutionOutput: true);
        ConvolutionPooling.Run(p);
        Assert.Same(KnownKernels.FusedConvolutionMaxPoolForward, Assert.IsType<KernelCall>(p.Operations[0]).Kernel);
    }

    [Fact]
    public void ConvolutionPoolingLeavesAveragePoolingAlone()
    {
        var (p, _) = ConvolutionThenPooling(KnownKernels.AveragePoolingForward);
        ConvolutionPooling.Run(p);
        Assert.Equal(2, p.Operations.Count);
    }

    [Fact]
    public void PlannerReusesADeadInputInPlaceAndKeepsLiveTensorsApart()
    {
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(4), -1, writable: false);
        var a = T(c, "a");
        var b = T(c, "b");
        b.ReuseOf = a;                // a dies where b is born: same memory
        var d = T(c, "d");
        d.ReuseOf = b;                // b is read after d is born: separate memory
        var e = T(c, "e");
        c.Call(KnownKernels.MergeScale, x, Float(1), Out(a));
        c.Call(KnownKernels.ActivationForward(1), a, Out(b));
        c.Call(KnownKernels.ActivationForward(1), b, Out(d));
        c.Call(KnownKernels.MergeAdd, b, d, Out(e));
        var plan = Planner.Plan(p);
        Assert.Equal(plan.Offset(a), plan.Offset(b));
        Assert.NotEqual(plan.Offset(b), plan.Offset(d));
        Assert.NotEqual(plan.Offset(b), plan.Offset(e));
        Assert.NotEqual(plan.Offset(d), plan.Offset(e));
        Assert.Equal(12, plan.ActivationsPerSample); // b, d and e live at once: 3 × 4
    }

    [Fact]
    public void PlannerGivesAnAliasItsSourcesMemory()
    {
        var (p, c) = New(training: false);
        var x = c.External("x", new Shape(4), -1, writable: false);
        var a = T(c, "a");
        var flat = T(c, "flat");
        var b = T(c, "b");
        c.Call(KnownKernels.MergeScale, x, Float(1), Out(a));
        c.Alias(a, flat);
        c.Call(KnownKernels.MergeScale, flat, Float(2), Out(b));
        var plan = Planner.Plan(p);
        Assert.Equal(plan.Offset(a), plan.Offset(flat));
        Assert.NotEqual(plan.Offset(flat), plan.Offset(b));
    }

    [Fact]
    public void NamesOfLayersThatLookAlikeStayDistinct()
    {
        var names = new IdentifierTable(new[] { "n" });
        var first = names.Of(new object(), "c-1");
        var second = names.Of(new object(), "c_1");
        var third = names.Of(new object(), "n");
        var keyword = names.Of(new object(), "class");
        Assert.Equal("c_1", first);
        Assert.NotEqual(first, second);
        Assert.NotEqual("n", third);
        Assert.Equal("class_", keyword);
    }
}
