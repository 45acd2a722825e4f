using System.Collections.Generic;
using NetGen.Generator.Graph;

namespace NetGen.Generator.Lowering;

/// <summary>Where a tensor's floats live.</summary>
internal enum Arena
{
    /// <summary>A span the caller passes in (the network inputs, the outputs of <c>Predict</c>) or a field: never planned.</summary>
    External,
    /// <summary>The activation arena: inference's <c>a</c>, training's <c>t</c>.</summary>
    Activations,
    /// <summary>The training gradient arena <c>g</c>.</summary>
    Gradients,
}

/// <summary>
/// One tensor of a program: a layer's output (value id and output port), a scratch region a layer asked for, a
/// gradient, or an external span. Sizes are floats per sample; the planner gives each tensor an offset.
/// </summary>
internal sealed class Tensor
{
    public Tensor(int id, string name, int perSample, Arena arena, Shape? shape)
    {
        Id = id;
        Name = name;
        PerSample = perSample;
        Arena = arena;
        Shape = shape;
    }

    /// <summary>Unique within its program.</summary>
    public int Id { get; }

    /// <summary>The local's wanted name (<c>dense_1</c>, <c>dense_1_z</c>, <c>d_dense_1</c>); the printer makes it a unique identifier.</summary>
    public string Name { get; }

    public int PerSample { get; }

    public Arena Arena { get; }

    /// <summary>The shape per sample, for the local's comment (null: a flat scratch region).</summary>
    public Shape? Shape { get; }

    /// <summary>The graph value this tensor holds (a layer's output or a network input), or -1.</summary>
    public int Value { get; init; } = -1;

    /// <summary>Which of the layer's outputs this is (0 for single-output layers).</summary>
    public int Port { get; init; }

    /// <summary>For an external tensor: the span expression in scope (a method parameter or a field).</summary>
    public string? External { get; init; }

    /// <summary>Whether an external tensor may be written (an output span) or only read.</summary>
    public bool Writable { get; init; } = true;

    /// <summary>A hint: this tensor may share <see cref="ReuseOf"/>'s memory when that tensor dies where this one is born.</summary>
    public Tensor? ReuseOf { get; set; }

    /// <summary>Kept alive to the end of the program (read after it returns: <c>TrainingOutput</c>).</summary>
    public bool LiveOut { get; set; }

    public override string ToString() => Name;

    /// <summary>A tensor passed where an operand is expected is read.</summary>
    public static implicit operator Operand(Tensor t) => new TensorArg(t, false);
}

/// <summary>An argument of an operation.</summary>
internal abstract class Operand
{
}

/// <summary>A tensor argument; <see cref="Take"/> passes only its first floats (batch-independent statistics).</summary>
internal sealed class TensorArg : Operand
{
    public TensorArg(Tensor tensor, bool writes, int? take = null)
    {
        Tensor = tensor;
        Writes = writes;
        Take = take;
    }

    public Tensor Tensor { get; }

    public bool Writes { get; }

    public int? Take { get; }
}

internal enum WeightRole
{
    Parameter,
    Gradient,
    /// <summary>State the operation may write (a side effect).</summary>
    State,
    /// <summary>State the operation only reads.</summary>
    StateRead,
}

/// <summary>One weight's span in the parameter buffer, its gradient in the gradient buffer, or a state variable.</summary>
internal sealed class WeightArg : Operand
{
    public WeightArg(ParameterDecl decl, WeightRole role)
    {
        Decl = decl;
        Role = role;
    }

    public ParameterDecl Decl { get; }

    public WeightRole Role { get; }
}

/// <summary>An empty span (an absent bias, a gradient nobody needs).</summary>
internal sealed class EmptyArg : Operand
{
    public static readonly EmptyArg ReadOnly = new(false);
    public static readonly EmptyArg Writable = new(true);

    private EmptyArg(bool writable) => IsWritable = writable;

    public bool IsWritable { get; }
}

/// <summary>An integer: a constant, or a per-sample count times the batch size in scope (<c>n * 64</c>).</summary>
internal sealed class IntArg : Operand
{
    public IntArg(int value, bool timesBatch)
    {
        Value = value;
        TimesBatch = timesBatch;
    }

    public int Value { get; }

    public bool TimesBatch { get; }
}

internal sealed class FloatArg : Operand
{
    public FloatArg(double value) => Value = value;

    public double Value { get; }
}

/// <summary>A boolean flag of a kernel (the recurrent kernels' <c>goBackwards</c>, <c>resetAfter</c>).</summary>
internal sealed class BoolArg : Operand
{
    public static readonly BoolArg True = new(true);
    public static readonly BoolArg False = new(false);

    private BoolArg(bool value) => Value = value;

    public bool Value { get; }

    public static BoolArg Of(bool value) => value ? True : False;
}

/// <summary>A Bidirectional merge mode, named as the runtime's <c>NetGen.BidirectionalMerge</c> value.</summary>
internal sealed class BidirectionalMergeArg : Operand
{
    public BidirectionalMergeArg(int value) => Value = value;

    public int Value { get; }
}

/// <summary>A recurrent cell's activation, named as the runtime's <c>NetGen.RecurrentActivation</c> value.</summary>
internal sealed class RecurrentActivationArg : Operand
{
    public RecurrentActivationArg(int value) => Value = value;

    public int Value { get; }
}

/// <summary>A window geometry (a static readonly field of the generated class), passed by <c>in</c>.</summary>
internal sealed class GeometryArg : Operand
{
    public GeometryArg(Geometry geometry) => Geometry = geometry;

    public Geometry Geometry { get; }
}

/// <summary>A layer's random generator (a field seeded by the constructor).</summary>
internal sealed class RngArg : Operand
{
    public RngArg(RandomSource source) => Source = source;

    public RandomSource Source { get; }
}

/// <summary>The network's shared, batch-independent kernel workspace.</summary>
internal sealed class WorkspaceArg : Operand
{
    public static readonly WorkspaceArg Instance = new();
}

/// <summary>Constant integers (a static <c>ReadOnlySpan&lt;int&gt;</c> property: data in the assembly image).</summary>
internal sealed class IntsArg : Operand
{
    public IntsArg(ConstantInts ints) => Ints = ints;

    public ConstantInts Ints { get; }
}

/// <summary>A C# constant printed as it is: a runtime enum member such as <c>global::NetGen.AttentionScore.Dot</c>.</summary>
internal sealed class LiteralArg : Operand
{
    public LiteralArg(string text) => Text = text;

    public string Text { get; }
}

/// <summary>The training call's <c>loss</c> argument.</summary>
internal sealed class LossKindArg : Operand
{
    public static readonly LossKindArg Instance = new();
}

/// <summary>Output <see cref="Index"/>'s target span in the training call.</summary>
internal sealed class TargetArg : Operand
{
    public TargetArg(int index) => Index = index;

    public int Index { get; }
}

/// <summary>A <c>WindowGeometry</c>: input, output, window, strides, dilation and padding before, on three axes.</summary>
internal sealed class Geometry
{
    public Geometry(string layer, int[] values)
    {
        Layer = layer;
        Values = values;
    }

    /// <summary>The layer it belongs to (names the field).</summary>
    public string Layer { get; }

    /// <summary>The 20 constructor arguments of <c>WindowGeometry</c>.</summary>
    public int[] Values { get; }
}

/// <summary>A layer's random generator: a fixed seed, or one derived from the network's seed and a stream number.</summary>
internal sealed class RandomSource
{
    public RandomSource(string layer, long fixedSeed, int stream)
    {
        Layer = layer;
        FixedSeed = fixedSeed;
        Stream = stream;
    }

    public string Layer { get; }

    /// <summary>The layer's own seed, or -1 to derive one from the network's.</summary>
    public long FixedSeed { get; }

    public int Stream { get; }
}

/// <summary>Named constant integers of a layer (e.g. Permute's shape and axes).</summary>
internal sealed class ConstantInts
{
    public ConstantInts(string name, int[] values)
    {
        Name = name;
        Values = values;
    }

    public string Name { get; }

    public int[] Values { get; }
}

/// <summary>A runtime kernel: family (class under <c>NetGen.Kernels</c>) and method; spelled only by the printer.</summary>
internal sealed class Kernel
{
    public Kernel(string family, string method)
    {
        Family = family;
        Method = method;
    }

    public string Family { get; }

    public string Method { get; }

    public override string ToString() => Family + "." + Method;
}

/// <summary>A flag set at run time by a fused loss; operations marked with it are skipped when it is true.</summary>
internal sealed class FusedFlag
{
    public FusedFlag(int output) => Output = output;

    public int Output { get; }
}

/// <summary>One step of a program.</summary>
internal abstract class Operation
{
    /// <summary>The layer that asked for it (null for the network's own steps).</summary>
    public LayerNode? Layer { get; set; }

    /// <summary>When set, the operation runs only when the flag is false.</summary>
    public FusedFlag? SkipWhen { get; set; }

    /// <summary>
    /// When set, the operation only serves these external spans and runs only when the caller passed one of them
    /// non-empty: the gradients with respect to the inputs (<see cref="Program.InputGradients"/>, set by the dead-gradient
    /// pass) and the layer outputs of <c>PredictLayers</c>.
    /// </summary>
    public IReadOnlyList<Tensor>? OnlyWhenGiven { get; set; }

    /// <summary>Every operand, in order.</summary>
    public abstract IEnumerable<Operand> Operands { get; }

    /// <summary>Whether the operation does anything besides writing its tensor operands (weight gradients, state, random state, user code, the loss).</summary>
    public virtual bool HasSideEffects
    {
        get
        {
            foreach (var o in Operands)
                if (o is WeightArg { Role: WeightRole.State } or RngArg or LossKindArg || o is WeightArg { Role: WeightRole.Gradient } w && !w.Decl.Frozen) return true;
            return false;
        }
    }
}

/// <summary>A runtime kernel call.</summary>
internal sealed class KernelCall : Operation
{
    public KernelCall(Kernel kernel, IReadOnlyList<Operand> args)
    {
        Kernel = kernel;
        Args = args;
    }

    public Kernel Kernel { get; }

    public IReadOnlyList<Operand> Args { get; }

    public override IEnumerable<Operand> Operands => Args;
}

/// <summary>A call to a static method of the network class (Lambda): may do anything.</summary>
internal sealed class UserCall : Operation
{
    public UserCall(string method, IReadOnlyList<Operand> args)
    {
        Method = method;
        Args = args;
    }

    public string Method { get; }

    public IReadOnlyList<Operand> Args { get; }

    public override IEnumerable<Operand> Operands => Args;

    /// <summary>Whether the method only writes its tensor operands (a Lambda's backward), so it may be dropped when nobody reads them.</summary>
    public bool Pure { get; set; }

    public override bool HasSideEffects => !Pure;
}

/// <summary><c>from.CopyTo(to)</c>.</summary>
internal sealed class CopyOp : Operation
{
    public CopyOp(Tensor from, Tensor to)
    {
        From = new TensorArg(from, false);
        To = new TensorArg(to, true);
    }

    public TensorArg From { get; }

    public TensorArg To { get; }

    public override IEnumerable<Operand> Operands => new Operand[] { From, To };
}

/// <summary><c>target.Clear()</c>: the gradient with respect to an input the loss does not depend on.</summary>
internal sealed class ClearOp : Operation
{
    public ClearOp(Tensor target) => Target = new TensorArg(target, true);

    public TensorArg Target { get; }

    public override IEnumerable<Operand> Operands => new Operand[] { Target };
}

/// <summary><c>target += addend</c>: the gradient of a tensor read by several layers is the sum of theirs.</summary>
internal sealed class AccumulateOp : Operation
{
    public AccumulateOp(Tensor target, Tensor addend)
    {
        Target = new TensorArg(target, true);
        Addend = new TensorArg(addend, false);
    }

    public TensorArg Target { get; }

    public TensorArg Addend { get; }

    public override IEnumerable<Operand> Operands => new Operand[] { Target, Addend };
}

/// <summary><paramref name="To"/> is <paramref name="From"/> under another name and shape (Flatten, Reshape, a gradient passed through): no code but a local.</summary>
internal sealed class AliasOp : Operation
{
    public AliasOp(Tensor from, Tensor to)
    {
        From = new TensorArg(from, false);
        To = new TensorArg(to, true);
    }

    public TensorArg From { get; }

    public TensorArg To { get; }

    public override IEnumerable<Operand> Operands => new Operand[] { From, To };
}

/// <summary>
/// The loss of output <see cref="Index"/>: <c>lossValue (+)= Losses.Compute(loss, output, target, dOutput, rows, cols)</c>.
/// The loss-fusion pass sets <see cref="Logits"/> and <see cref="Activation"/> when the output is a softmax or sigmoid of
/// logits kept for the backward pass: then the matching losses compute the gradient with respect to the logits directly.
/// </summary>
internal sealed class LossOp : Operation
{
    public LossOp(int index, Tensor output, Tensor? gradient, int rows, int cols)
    {
        Index = index;
        Output = new TensorArg(output, false);
        Gradient = gradient is null ? null : new TensorArg(gradient, true);
        Rows = rows;
        Cols = cols;
    }

    public int Index { get; }

    public TensorArg Output { get; }

    /// <summary>Where the gradient with respect to the output goes; null when no weight depends on this output.</summary>
    public TensorArg? Gradient { get; set; }

    /// <summary>Loss rows per sample.</summary>
    public int Rows { get; }

    public int Cols { get; }

    public TensorArg? Logits { get; set; }

    /// <summary>The output's padding mask (1 = real step, 0 = padding; one value per sample and step), or null.</summary>
    public TensorArg? Mask { get; set; }

    public int Activation { get; set; }

    public FusedFlag? Flag { get; set; }

    public override IEnumerable<Operand> Operands
    {
        get
        {
            yield return LossKindArg.Instance;
            yield return Output;
            yield return new TargetArg(Index);
            if (Gradient is not null) yield return Gradient;
            if (Logits is not null) yield return Logits;
            if (Mask is not null) yield return Mask;
        }
    }
}

/// <summary>Where the program's parts begin; the printer writes headings and comments from these.</summary>
internal enum Section
{
    Forward,
    Loss,
    Backward,
}

/// <summary>A section heading.</summary>
internal sealed class SectionOp : Operation
{
    public SectionOp(Section section) => Section = section;

    public Section Section { get; }

    public override IEnumerable<Operand> Operands => System.Array.Empty<Operand>();

    public override bool HasSideEffects => true;
}

/// <summary>The start of a layer's operations (the printer writes the layer's comment), and why it may have none.</summary>
internal sealed class LayerStart : Operation
{
    public LayerStart(LayerNode layer, string? noCode)
    {
        Layer = layer;
        NoCode = noCode;
    }

    /// <summary>Why the layer has no code here (an alias), or null.</summary>
    public string? NoCode { get; }

    public override IEnumerable<Operand> Operands => System.Array.Empty<Operand>();

    public override bool HasSideEffects => true;
}

/// <summary>A lowered program (Predict's chunk, or the training step) and what its printer needs to know.</summary>
internal sealed class Program
{
    public List<Operation> Operations { get; } = new();

    public List<Tensor> Tensors { get; } = new();

    /// <summary>The tensors holding the network's outputs, in order.</summary>
    public List<Tensor> Outputs { get; } = new();

    /// <summary>
    /// Training only: per network input, the caller's span that receives d(loss)/d(input) (an external writable tensor,
    /// written only when the caller passes a non-empty span), or null for an input without one (token ids).
    /// </summary>
    public List<Tensor?> InputGradients { get; } = new();

    /// <summary>Training only: per entry of <see cref="InputGradients"/>, why that gradient cannot be computed (an inference-only Lambda on its path), or null.</summary>
    public List<string?> InputGradientBlocked { get; } = new();

    /// <summary>Training only: the program differentiates the inference-mode forward (<c>training: false</c>).</summary>
    public bool InferenceMode { get; set; }

    /// <summary>Training only: why this network cannot train (an inference-only Lambda on the gradient path), or null.</summary>
    public string? Blocked { get; set; }
}
