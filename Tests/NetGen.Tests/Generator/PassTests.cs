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
