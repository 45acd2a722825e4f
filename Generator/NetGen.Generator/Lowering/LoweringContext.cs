using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;

namespace NetGen.Generator.Lowering;

/// <summary>
/// What a layer uses while it lowers itself: it creates tensors (scratch asked for one way:
/// <see cref="Scratch"/>), names its operands and appends operations to the program. Plain C#: no text, no Roslyn.
/// </summary>
internal sealed class LoweringContext
{
    private readonly Program _program;
    private readonly Dictionary<(int Layer, string Name), Tensor> _scratch = new();

    public LoweringContext(Program program, Resources resources, bool training)
    {
        _program = program;
        Resources = resources;
        Training = training;
    }

    /// <summary>Fields and constants the operations refer to, shared by the inference and training programs.</summary>
    public Resources Resources { get; }

    /// <summary>Whether this is the training program (otherwise Predict's).</summary>
    public bool Training { get; }

    /// <summary>
    /// Whether the training program differentiates the inference-mode forward (Keras <c>training=False</c> under a
    /// gradient tape): a layer whose training forward differs from its inference (BatchNormalization) lowers its
    /// inference form and that form's backward; layers that are the identity at inference (dropout, noise) are passed
    /// through by the network lowering.
    /// </summary>
    public bool InferenceMode { get; set; }

    /// <summary>Whether the backward part is being lowered: new scratch then lives in the gradient arena.</summary>
    public bool Backward { get; set; }

    /// <summary>The layer being lowered; its operations are tagged with it.</summary>
    public LayerNode? Layer { get; set; }

    /// <summary>The layer's position in the network (random streams are numbered by it).</summary>
    public int LayerIndex { get; set; }

    /// <summary>The network inputs' tensors, in declaration order (a padding mask is read from its token input).</summary>
    public IReadOnlyList<Tensor> NetworkInputs { get; set; } = System.Array.Empty<Tensor>();

    public Program Program => _program;

    // ---------------------------------------------------------------- tensors

    /// <summary>
    /// How many of the layer's own samples one network sample holds (TimeDistributed: the steps). While above 1, a new
    /// tensor holds that many times the floats asked for per sample (its shape gains that leading axis), and every
    /// batch-scaled integer of an added operation (<see cref="Batch"/>, <see cref="Times"/>) is multiplied by it: the layer
    /// lowers as it always does and runs over batch·scale samples of the same memory.
    /// </summary>
    public int BatchScale { get; set; } = 1;

    public Tensor NewTensor(string name, int perSample, Arena arena, Shape? shape, int value = -1)
    {
        if (BatchScale != 1)
        {
            perSample = checked(perSample * BatchScale);
            if (shape is not null) shape = new Shape(new[] { BatchScale }.Concat(shape.Dims).ToArray());
        }
        var t = new Tensor(_program.Tensors.Count, name, perSample, arena, shape) { Value = value };
        _program.Tensors.Add(t);
        return t;
    }

    public Tensor External(string expression, Shape shape, int value, bool writable)
    {
        var t = new Tensor(_program.Tensors.Count, expression, shape.Size, Arena.External, shape) { Value = value, External = expression, Writable = writable };
        _program.Tensors.Add(t);
        return t;
    }

    /// <summary>
    /// A scratch tensor of the current layer, <paramref name="perSample"/> floats per sample. Training: the same name
    /// gives the same tensor in the forward and backward parts (what the forward keeps for the backward); a name first
    /// asked for in the backward part is a temporary of the gradient arena.
    /// </summary>
    public Tensor Scratch(string name, int perSample, Shape? shape = null)
    {
        var layer = Layer ?? throw new System.InvalidOperationException("scratch outside a layer");
        if (_scratch.TryGetValue((layer.Id, name), out var existing)) return existing;
        var t = NewTensor(layer.Name + "_" + name, perSample, Backward ? Arena.Gradients : Arena.Activations, shape);
        _scratch[(layer.Id, name)] = t;
        return t;
    }

    /// <summary>Another layer's scratch tensor by name (a port reads its owner's state), or null when that layer has not asked for it.</summary>
    public Tensor? ScratchOf(LayerNode layer, string name) => _scratch.TryGetValue((layer.Id, name), out var t) ? t : null;

    /// <summary>
    /// A scratch tensor of <paramref name="layer"/> (not the current layer): what a port layer hands its owner, e.g. the
    /// gradient of a final state, which the owner's backward reads (<see cref="ScratchOf"/>).
    /// </summary>
    public Tensor ScratchFor(LayerNode layer, string name, int perSample, Shape? shape = null)
    {
        if (_scratch.TryGetValue((layer.Id, name), out var existing)) return existing;
        var t = NewTensor(layer.Name + "_" + name, perSample, Backward ? Arena.Gradients : Arena.Activations, shape);
        _scratch[(layer.Id, name)] = t;
        return t;
    }

    private readonly Dictionary<int, Tensor> _masks = new();

    /// <summary>Registers <paramref name="mask"/> (batch, steps; nonzero = keep) as the padding mask the current layer starts.</summary>
    public void SetMask(Tensor mask) => _masks[(Layer ?? throw new System.InvalidOperationException("mask outside a layer")).Id] = mask;

    /// <summary>The padding mask reaching <paramref name="layer"/> (registered by the layer that starts it).</summary>
    public Tensor MaskOf(LayerNode layer) => _masks[layer.MaskSource];

    /// <summary>The padding mask registered by the layer numbered <paramref name="value"/> (see <see cref="LayerNode.SourceMasks"/>).</summary>
    public Tensor MaskStartedBy(int value) => _masks[value];

    // ---------------------------------------------------------------- operations

    public void Add(Operation op)
    {
        if (BatchScale != 1) op = Scaled(op);
        op.Layer ??= Layer;
        _program.Operations.Add(op);
    }

    /// <summary><paramref name="op"/> with its batch-scaled integers multiplied by <see cref="BatchScale"/>.</summary>
    private Operation Scaled(Operation op)
    {
        Operand Scale(Operand a) => a is IntArg { TimesBatch: true } i ? new IntArg(checked(i.Value * BatchScale), true) : a;
        return op switch
        {
            KernelCall k => new KernelCall(k.Kernel, k.Args.Select(Scale).ToArray()) { Layer = k.Layer, SkipWhen = k.SkipWhen, OnlyWhenGiven = k.OnlyWhenGiven },
            UserCall u => new UserCall(u.Method, u.Args.Select(Scale).ToArray()) { Layer = u.Layer, SkipWhen = u.SkipWhen, OnlyWhenGiven = u.OnlyWhenGiven, Pure = u.Pure },
            _ => op,
        };
    }

    public void Call(Kernel kernel, params Operand[] args) => Add(new KernelCall(kernel, args));

    /// <summary>A static method of the network class (Lambda). <paramref name="pure"/>: it only writes its tensor operands.</summary>
    public void CallUser(string method, bool pure, params Operand[] args) => Add(new UserCall(method, args) { Pure = pure });

    public void Copy(Tensor from, Tensor to) => Add(new CopyOp(from, to));

    public void Alias(Tensor from, Tensor to) => Add(new AliasOp(from, to));

    public void Accumulate(Tensor target, Tensor addend) => Add(new AccumulateOp(target, addend));

    // ---------------------------------------------------------------- operands

    /// <summary>A tensor the operation writes (reads are implicit: a <see cref="Tensor"/> converts to a read operand).</summary>
    public static TensorArg Out(Tensor t) => new(t, true);

    /// <summary>The first <paramref name="count"/> floats of a tensor (batch-independent statistics kept in a per-sample region).</summary>
    public static TensorArg Take(Tensor t, int count, bool writes) => new(t, writes, count);

    public static Operand Param(ParameterDecl p) => new WeightArg(p, WeightRole.Parameter);

    public static Operand Grad(ParameterDecl p) => new WeightArg(p, WeightRole.Gradient);

    public static Operand State(ParameterDecl p) => new WeightArg(p, WeightRole.State);

    /// <summary>State the operation only reads (no side effect: the dead-gradient pass may drop the operation).</summary>
    public static Operand StateRead(ParameterDecl p) => new WeightArg(p, WeightRole.StateRead);

    public static Operand Int(int value) => new IntArg(value, false);

    public static Operand Float(double value) => new FloatArg(value);

    /// <summary>The batch size in scope.</summary>
    public static Operand Batch => new IntArg(1, true);

    /// <summary>The batch size times a per-sample count.</summary>
    public static Operand Times(int perSample) => new IntArg(perSample, true);

    /// <summary>Rows seen by a last-axis operation on <paramref name="shape"/>.</summary>
    public static Operand Rows(Shape shape) => Times(shape.LeadingSize);

    public static Operand Empty => EmptyArg.ReadOnly;

    public static Operand EmptyOut => EmptyArg.Writable;

    public static Operand Activation(int activation) => new ActivationArg(activation);

    /// <summary>The current layer's window geometry (one field per layer).</summary>
    public Operand Geometry(int[] values) => new GeometryArg(Resources.Geometry(Layer!.Name, values));

    /// <summary>The current layer's random generator.</summary>
    public Operand Rng(long fixedSeed) => new RngArg(Resources.Rng(Layer!.Name, fixedSeed, 1000 + LayerIndex));

    /// <summary>Constant integers of the current layer (a static property named <paramref name="stem"/>_layer).</summary>
    public Operand Ints(string stem, int[] values) => new IntsArg(Resources.Ints(stem + "_" + Layer!.Name, values));

    /// <summary>The shared workspace, at least as large as <paramref name="lengthKernel"/>(args) floats.</summary>
    public Operand Workspace(Kernel lengthKernel, params Operand[] args)
    {
        Resources.Workspace(new KernelCall(lengthKernel, args));
        return WorkspaceArg.Instance;
    }
}

/// <summary>An activation function named as the runtime's <c>NetGen.Activation</c> value.</summary>
internal sealed class ActivationArg : Operand
{
    public ActivationArg(int activation) => Value = activation;

    public int Value { get; }
}

/// <summary>The class-level things operations refer to: geometry fields, random generators, constant data, the workspace.</summary>
internal sealed class Resources
{
    private readonly Dictionary<string, Geometry> _geometries = new();
    private readonly Dictionary<string, RandomSource> _rngs = new();
    private readonly Dictionary<string, ConstantInts> _ints = new();

    public List<Geometry> Geometries { get; } = new();

    public List<RandomSource> RandomSources { get; } = new();

    public List<ConstantInts> Constants { get; } = new();

    /// <summary>Calls giving workspace lengths; the network allocates the largest.</summary>
    public List<KernelCall> WorkspaceLengths { get; } = new();

    public Geometry Geometry(string layer, int[] values)
    {
        if (!_geometries.TryGetValue(layer, out var g))
        {
            _geometries[layer] = g = new Geometry(layer, values);
            Geometries.Add(g);
        }
        return g;
    }

    public RandomSource Rng(string layer, long fixedSeed, int stream)
    {
        if (!_rngs.TryGetValue(layer, out var r))
        {
            _rngs[layer] = r = new RandomSource(layer, fixedSeed, stream);
            RandomSources.Add(r);
        }
        return r;
    }

    public ConstantInts Ints(string name, int[] values)
    {
        if (!_ints.TryGetValue(name, out var c))
        {
            _ints[name] = c = new ConstantInts(name, values);
            Constants.Add(c);
        }
        return c;
    }

    public void Workspace(KernelCall length)
    {
        foreach (var known in WorkspaceLengths)
            if (known.Kernel == length.Kernel && known.Args.Count == length.Args.Count && SameGeometry(known, length)) return;
        WorkspaceLengths.Add(length);
    }

    private static bool SameGeometry(KernelCall a, KernelCall b)
    {
        for (int i = 0; i < a.Args.Count; i++)
            if (!(a.Args[i] is GeometryArg ga && b.Args[i] is GeometryArg gb && ga.Geometry == gb.Geometry)) return false;
        return true;
    }
}
