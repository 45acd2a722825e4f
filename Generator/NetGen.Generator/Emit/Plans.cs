using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Layers;

namespace NetGen.Generator.Emit;

/// <summary>
/// The inference memory plan: every tensor an offset (per sample) into one arena, regions reused once their last
/// reader has run (liveness over the emitted order). Reinterpreting layers share their input's region, element-wise
/// layers overwrite their input when nothing reads it later. Inputs stay in the caller's spans.
/// </summary>
internal sealed class InferencePlan
{
    private readonly Dictionary<int, int> _buffer = new();
    private readonly Dictionary<int, Dictionary<string, string>> _scratch = new();
    private readonly Allocator _arena;
    private readonly NetworkGraph _g;
    private readonly int _capacity;
    private readonly IReadOnlyList<string> _inputSpans;

    public InferencePlan(NetworkGraph g, IReadOnlyList<string> inputSpans)
    {
        _g = g;
        _capacity = g.Spec.InferenceBatchCapacity;
        _inputSpans = inputSpans;
        var lastUse = new Dictionary<int, int>();
        int Root(int v) => GraphBuilder.AliasRoot(g, v, training: false);
        for (int i = 0; i < g.Layers.Count; i++)
            foreach (var s in g.Layers[i].Sources) lastUse[Root(s)] = i;
        foreach (var o in g.Outputs) lastUse[Root(o)] = int.MaxValue;

        var arena = _arena = new Allocator("a", offset => (_capacity * offset).ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (int i = 0; i < g.Layers.Count; i++)
        {
            var l = g.Layers[i];
            if (l.InferenceUse == BufferUse.Alias) continue;
            int first = Root(l.Sources[0]);
            bool inPlace = l.InferenceUse == BufferUse.InPlace && l.Sources.Length == 1 && !g.IsInput(first)
                && lastUse[first] == i && g.ShapeOf(first).Size == l.OutputShape.Size;
            _buffer[l.Id] = inPlace ? _buffer[first] : arena.Allocate(l.OutputShape.Size);
            var scratch = new Dictionary<string, string>();
            var held = new List<int>();
            foreach (var s in l.InferenceScratch)
            {
                int b = arena.Allocate(s.PerSample);
                held.Add(b);
                scratch[s.Name] = Region(b, s.PerSample);
            }
            _scratch[l.Id] = scratch;
            foreach (var b in held) arena.Free(b);
            foreach (var r in l.Sources.Select(Root).Distinct())
                if (!g.IsInput(r) && lastUse[r] == i && !(inPlace && r == first)) arena.Free(_buffer[r]);
        }
        arena.Resolve();
        PerSample = arena.HighWater;
    }

    /// <summary>Replaces the arena's offset tokens in the emitted text.</summary>
    public string Substitute(string text) => _arena.Substitute(text);

    /// <summary>Arena floats per sample (the arena holds <c>InferenceBatchCapacity</c> samples).</summary>
    public int PerSample { get; }

    private string Region(int buffer, int size) => $"a.Slice({_arena.Offset(buffer)}, {Times("n", size)})";

    /// <summary>The span expression of a value inside <c>PredictChunk</c>.</summary>
    public string Span(int value)
    {
        int root = GraphBuilder.AliasRoot(_g, value, training: false);
        if (_g.IsInput(root)) return _inputSpans[_g.Input(root).Index];
        return Region(_buffer[root], _g.ShapeOf(value).Size);
    }

    public IReadOnlyDictionary<string, string> Scratch(LayerNode l) => _scratch[l.Id];

    public static string Times(string batch, int perSample) => perSample switch
    {
        0 => "0",
        1 => batch,
        _ => $"{batch} * {perSample}",
    };
}

/// <summary>
/// The training memory plan. Forward: every tensor the backward pass reads keeps its own region of the training arena
/// (offsets per sample). Backward: the gradient of each tensor lives in a region of the gradient arena from the first
/// reader's backward (in reverse order) to its producer's backward, so regions are reused; a tensor read by several
/// layers receives the sum of their gradients (the first writes, the others add).
/// </summary>
internal sealed class TrainingPlan
{
    private readonly NetworkGraph _g;
    private readonly IReadOnlyList<string> _inputSpans;
    private readonly Dictionary<int, int> _offset = new();

    public TrainingPlan(NetworkGraph g, IReadOnlyList<string> inputSpans)
    {
        _g = g;
        _inputSpans = inputSpans;
        int offset = 0;
        foreach (var l in g.Layers)
        {
            if (l.TrainingUse != BufferUse.Alias)
            {
                _offset[l.Id] = offset;
                offset += l.OutputShape.Size;
            }
            var scratch = new Dictionary<string, string>();
            foreach (var s in l.TrainingScratch)
            {
                scratch[s.Name] = TRegion(offset, s.PerSample);
                offset += s.PerSample;
            }
            Forward[l.Id] = new ForwardArgs(l.Sources.Select(Span).ToList(), Span(l.Id), scratch);
        }
        // An output that is an input itself (only reinterpreting layers) gets a copy, so TrainingOutput has a home.
        foreach (var o in g.Outputs)
        {
            int root = Root(o);
            if (!g.IsInput(root) || OutputCopies.Any(c => c.Value == o)) continue;
            OutputCopies.Add((o, offset, TRegion(offset, g.ShapeOf(o).Size)));
            offset += g.ShapeOf(o).Size;
        }
        ActivationsPerSample = offset;
        PlanBackward();
    }

    public Dictionary<int, ForwardArgs> Forward { get; } = new();

    /// <summary>Outputs that are network inputs, with the region their copy goes to.</summary>
    public List<(int Value, int Offset, string Region)> OutputCopies { get; } = new();

    /// <summary>Per-sample offset in the training arena of an output (its copy, for a network-input output).</summary>
    public int OffsetOf(int value)
    {
        foreach (var (v, at, _) in OutputCopies)
            if (v == value) return at;
        return _offset[Root(value)];
    }

    public int ActivationsPerSample { get; }

    public int GradientsPerSample { get; private set; }

    /// <summary>Whether a value's gradient is needed: it depends on some trainable weight.</summary>
    public HashSet<int> NeedsGradient { get; } = new();

    /// <summary>For each output: where its loss writes the gradient, and the region to add it to (null when it writes in place).</summary>
    public List<(string? Gradient, string? AddTo)> LossGradients { get; } = new();

    /// <summary>Per layer with a backward pass (reverse order): its arguments and the gradient sums that follow it.</summary>
    public List<(LayerNode Layer, string Dy, IReadOnlyList<string?> Dxs, List<(string Target, string Addend)> Adds)> Backward { get; } = new();

    private int Root(int v) => GraphBuilder.AliasRoot(_g, v, training: true);

    private static string TRegion(int offsetPerSample, int sizePerSample)
        => $"t.Slice({InferencePlan.Times("n", offsetPerSample)}, {InferencePlan.Times("n", sizePerSample)})";

    private Allocator _gradients = null!;

    private string GRegion(int buffer, int sizePerSample)
        => $"g.Slice({_gradients.Offset(buffer)}, {InferencePlan.Times("n", sizePerSample)})";

    /// <summary>Replaces the gradient arena's offset tokens in the emitted text.</summary>
    public string Substitute(string text) => _gradients.Substitute(text);

    /// <summary>The span expression of a value in the training pass.</summary>
    public string Span(int value)
    {
        int root = Root(value);
        if (_g.IsInput(root))
        {
            return _inputSpans[_g.Input(root).Index];
        }
        return TRegion(_offset[root], _g.ShapeOf(value).Size);
    }

    /// <summary>The span of an output as the loss sees it (a network-input output reads its copy).</summary>
    public string OutputSpan(int value)
    {
        foreach (var (v, _, region) in OutputCopies)
            if (v == value) return region;
        return Span(value);
    }

    private void PlanBackward()
    {
        var g = _g;
        foreach (var l in g.Layers)
            if (l.Parameters.Count > 0 || l.Sources.Any(NeedsGradient.Contains)) NeedsGradient.Add(l.Id);

        var arena = _gradients = new Allocator("g", offset => InferencePlan.Times("n", offset));
        var gradient = new Dictionary<int, int>(); // root -> buffer
        int Size(int root) => g.ShapeOf(root).Size;

        foreach (var o in g.Outputs)
        {
            if (!NeedsGradient.Contains(o))
            {
                LossGradients.Add((null, null));
                continue;
            }
            int r = Root(o);
            if (!gradient.ContainsKey(r))
            {
                gradient[r] = arena.Allocate(Size(r));
                LossGradients.Add((GRegion(gradient[r], g.ShapeOf(o).Size), null));
            }
            else
            {
                int temp = arena.Allocate(Size(r));
                LossGradients.Add((GRegion(temp, Size(r)), GRegion(gradient[r], Size(r))));
                arena.Free(temp);
            }
        }

        for (int i = g.Layers.Count - 1; i >= 0; i--)
        {
            var l = g.Layers[i];
            if (l.TrainingUse == BufferUse.Alias || !NeedsGradient.Contains(l.Id) || !gradient.TryGetValue(l.Id, out int dyAt)) continue;
            string dy = GRegion(dyAt, l.OutputShape.Size);
            var dxs = new string?[l.Sources.Length];
            var adds = new List<(string, string)>();
            var temps = new List<int>();
            bool transferred = false;
            for (int k = 0; k < l.Sources.Length; k++)
            {
                int s = l.Sources[k];
                if (!NeedsGradient.Contains(s)) continue;
                int r = Root(s), size = Size(r);
                string target() => GRegion(gradient[r], size);
                if (l.BackwardUse == BufferUse.InPlace && l.Sources.Length == 1)
                {
                    dxs[k] = GRegion(dyAt, size);
                    if (!gradient.ContainsKey(r))
                    {
                        gradient[r] = dyAt;
                        transferred = true;
                    }
                    else adds.Add((target(), dxs[k]!));
                }
                else if (!gradient.ContainsKey(r))
                {
                    gradient[r] = arena.Allocate(size);
                    dxs[k] = target();
                }
                else
                {
                    int temp = arena.Allocate(size);
                    temps.Add(temp);
                    dxs[k] = GRegion(temp, size);
                    adds.Add((target(), dxs[k]!));
                }
            }
            Backward.Add((l, dy, dxs, adds));
            foreach (var temp in temps) arena.Free(temp);
            if (!transferred) arena.Free(dyAt);
        }
        arena.Resolve();
        GradientsPerSample = arena.HighWater;
    }
}
