using System;
using System.Collections.Generic;
using System.Numerics;

namespace NetGen.Optimizers;

/// <summary>
/// Base of the optimizers. One <see cref="Apply(INetwork)"/> is one Keras training step: gradient clipping (at most one of
/// <see cref="ClipNorm"/>, <see cref="GlobalClipNorm"/>, <see cref="ClipValue"/>), decoupled weight decay
/// (<see cref="WeightDecay"/>), the optimizer's update rule, then <see cref="Iterations"/> + 1.
/// State slots are allocated on the first step and never again.
/// </summary>
public abstract class Optimizer
{
    private float? _clipNorm, _globalClipNorm, _clipValue;
    private float[] _clipped = Array.Empty<float>();
    private int _built = -1;
    private WeakReference<INetwork>? _network;
    private LearningRateSchedule? _schedule;
    private float _learningRate;
    private float? _weightDecay;

    /// <summary>Creates an optimizer with the given learning rate.</summary>
    protected Optimizer(float learningRate)
    {
        if (!(learningRate >= 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learningRate must be a finite value ≥ 0.");
        LearningRate = learningRate;
    }

    /// <summary>The learning rate: finite and at least 0 (anything else throws, leaving the rate as it was).</summary>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = value >= 0 && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, $"LearningRate must be a finite value ≥ 0, but is {value}.");
    }

    /// <summary>
    /// A learning rate that follows the step (Keras passes a schedule as <c>learning_rate</c>): before every update
    /// <see cref="LearningRate"/> becomes <c>Schedule.At(Iterations)</c>. Null: the rate stays as set.
    /// </summary>
    public LearningRateSchedule? Schedule
    {
        get => _schedule;
        set
        {
            _schedule = value;
            if (value is not null) LearningRate = value.At(Iterations);
        }
    }

    /// <summary>
    /// Ties this optimizer to <paramref name="network"/> (Compile and the trainer do it): its state slots (Adam's moments)
    /// belong to that network's weights, so using it for another network throws instead of mixing their moments.
    /// Binding again to the same network does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The optimizer already trains another network that is still alive.</exception>
    public void Bind(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (_network is not null && _network.TryGetTarget(out var bound))
        {
            if (ReferenceEquals(bound, network)) return;
            throw new InvalidOperationException(
                $"This {GetType().Name} already trains a {bound.GetType().Name}; its slots hold that network's moments. Create a new optimizer for the {network.GetType().Name}.");
        }
        if (_built >= 0 && _built != network.ParameterCount)
            throw new InvalidOperationException($"This {GetType().Name} was built for {_built} parameters; the {network.GetType().Name} has {network.ParameterCount}. Create a new optimizer.");
        _network = new WeakReference<INetwork>(network);
    }

    /// <summary>Applies one update to <paramref name="network"/>'s weights from its last <c>ComputeGradients</c>, binding to it first (see <see cref="Bind"/>).</summary>
    public void Apply(INetwork network)
    {
        Bind(network);
        Apply(network.Parameters, network.Gradients, network.ParameterLayout, network.TrainableWeights);
    }

    /// <summary>Number of updates applied so far (Keras <c>iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>Decoupled weight decay: before each update <c>w ← w − w·WeightDecay·LearningRate</c>, on every weight. Null: none; otherwise finite and at least 0.</summary>
    public float? WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = value is null || (value >= 0 && float.IsFinite(value.Value))
            ? value
            : throw new ArgumentOutOfRangeException(nameof(WeightDecay), value, $"WeightDecay must be a finite value ≥ 0 (or null), but is {value}.");
    }

    /// <summary>Clips each weight's gradient to this L2 norm (per variable of the parameter layout).</summary>
    public float? ClipNorm
    {
        get => _clipNorm;
        set { EnsureOneClip(value, _globalClipNorm, _clipValue); _clipNorm = Positive(value, nameof(ClipNorm)); }
    }

    /// <summary>Scales all gradients so that their joint L2 norm is at most this value.</summary>
    public float? GlobalClipNorm
    {
        get => _globalClipNorm;
        set { EnsureOneClip(value, _clipNorm, _clipValue); _globalClipNorm = Positive(value, nameof(GlobalClipNorm)); }
    }

    /// <summary>Clips every gradient element to [−ClipValue, ClipValue].</summary>
    public float? ClipValue
    {
        get => _clipValue;
        set { EnsureOneClip(value, _clipNorm, _globalClipNorm); _clipValue = Positive(value, nameof(ClipValue)); }
    }

    /// <summary>State slots per weight (e.g. Adam: 2).</summary>
    public abstract int SlotsPerWeight { get; }

    /// <summary>Keras' "Optimizer params" for a network of <paramref name="parameterCount"/> weights: the slots plus the iteration and learning-rate scalars.</summary>
    public long VariableCount(int parameterCount) => (long)SlotsPerWeight * parameterCount + 2;

    /// <summary>
    /// Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/>. This span form cannot tell
    /// networks of the same size apart: prefer <see cref="Apply(INetwork)"/>, which binds the optimizer to one network.
    /// </summary>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, IReadOnlyList<ParameterInfo> layout)
        => Apply(parameters, gradients, layout, ReadOnlySpan<bool>.Empty);

    /// <summary>
    /// Applies one update to the weights of <paramref name="layout"/> whose entry in <paramref name="trainable"/> is true
    /// (empty: every weight). A frozen weight is left exactly as it is, as are its slots (Adam's moments), and its gradient
    /// takes no part in the clipping norms: what Keras does with the variables that are not trainable.
    /// </summary>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<bool> trainable)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"gradients must hold {parameters.Length} floats (one per parameter), but has {gradients.Length}.", nameof(gradients));
        if (!trainable.IsEmpty && trainable.Length != layout.Count)
            throw new ArgumentException($"trainable must hold one flag per weight of the layout ({layout.Count}), but has {trainable.Length}.", nameof(trainable));
        bool partial = trainable.Contains(false);
        if (_built != parameters.Length)
        {
            if (_built >= 0)
                throw new ArgumentException($"this optimizer was built for {_built} parameters; use a new optimizer for a network of {parameters.Length}.", nameof(parameters));
            Build(parameters.Length);
            _built = parameters.Length;
        }
        bool clips = _clipNorm is not null || _globalClipNorm is not null || _clipValue is not null;
        if ((clips || partial) && _clipped.Length != parameters.Length) _clipped = new float[parameters.Length];

        if (_schedule is not null)
        {
            // Checked before any weight or slot changes: a NaN or infinite rate would write NaN into every weight.
            float rate = _schedule.At(Iterations);
            if (!(rate >= 0 && float.IsFinite(rate)))
                throw new InvalidOperationException(
                    $"The learning-rate schedule ({_schedule.GetType().Name}) returned {rate} at step {Iterations}; a rate must be finite and ≥ 0. No weight was changed.");
            LearningRate = rate;
        }
        var g = gradients;
        if (partial)
        {
            // Frozen gradients count as zero (they take no part in a global norm) and their weights are skipped below.
            gradients.CopyTo(_clipped);
            for (int v = 0; v < layout.Count; v++)
                if (!trainable[v]) _clipped.AsSpan(layout[v].Offset, layout[v].Length).Clear();
            g = _clipped;
        }
        if (_clipNorm is { } c)
        {
            g.CopyTo(_clipped);
            foreach (var variable in layout)
                ScaleToNorm(_clipped.AsSpan(variable.Offset, variable.Length), c);
            g = _clipped;
        }
        else if (_globalClipNorm is { } gc)
        {
            g.CopyTo(_clipped);
            ScaleToNorm(_clipped, gc);
            g = _clipped;
        }
        else if (_clipValue is { } cv)
        {
            for (int i = 0; i < g.Length; i++) _clipped[i] = Math.Clamp(g[i], -cv, cv);
            g = _clipped;
        }

        if (!partial)
        {
            Decay(parameters);
            Update(parameters, g, 0, Iterations + 1);
        }
        else
        {
            // One update per run of consecutive trainable weights (the layout is in buffer order).
            for (int v = 0; v < layout.Count;)
            {
                if (!trainable[v]) { v++; continue; }
                int start = layout[v].Offset, end = start + layout[v].Length;
                for (v++; v < layout.Count && trainable[v] && layout[v].Offset == end; v++) end += layout[v].Length;
                Decay(parameters.Slice(start, end - start));
                Update(parameters.Slice(start, end - start), g.Slice(start, end - start), start, Iterations + 1);
            }
        }
        // Keras applies each variable's constraint after the update (kernel_constraint, ...): only to the weights that train.
        Training.Regularization.Constrain(layout, trainable, parameters);
        Iterations++;
    }

    private void Decay(Span<float> parameters)
    {
        if (WeightDecay is not { } wd || wd == 0) return;
        float keep = 1 - wd * LearningRate;
        for (int i = 0; i < parameters.Length; i++) parameters[i] *= keep;
    }

    /// <summary>Allocates the state slots (zeros) for <paramref name="parameterCount"/> weights.</summary>
    protected abstract void Build(int parameterCount);

    /// <summary>
    /// The update rule over a run of weights that starts at <paramref name="offset"/> in the parameter buffer (index the
    /// state slots from there); <paramref name="step"/> is Keras' <c>iterations + 1</c> (1 on the first step).
    /// </summary>
    protected abstract void Update(Span<float> weights, ReadOnlySpan<float> gradients, int offset, long step);

    /// <summary>Throws unless <paramref name="value"/> is in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    protected static double InRange(double value, double min, double max, string name)
        => value >= min && value <= max ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{min}, {max}], but is {value}.");

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1): a decay rate of 1 never forgets and divides by 1 − rate^t = 0.</summary>
    internal static double DecayRate(double value, string name)
        => value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), but is {value}.");

    /// <summary>Throws unless <paramref name="value"/> is finite and positive: with 0 a weight whose gradient is zero divides 0 by 0.</summary>
    internal static double PositiveEpsilon(double value, string name)
        => value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite value > 0 (a zero gradient would divide 0 by 0), but is {value}.");

    private static void ScaleToNorm(Span<float> g, float maxNorm)
    {
        double sum = 0;
        foreach (var x in g) sum += (double)x * x;
        double norm = Math.Sqrt(sum);
        if (norm <= maxNorm) return;
        float scale = (float)(maxNorm / norm);
        for (int i = 0; i < g.Length; i++) g[i] *= scale;
    }

    private static float? Positive(float? value, string name)
        => value is null or > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");

    private static void EnsureOneClip(float? value, float? other1, float? other2)
    {
        if (value is not null && (other1 is not null || other2 is not null))
            throw new ArgumentException("Set at most one of ClipNorm, GlobalClipNorm and ClipValue.");
    }

    /// <summary>Number of floats a <see cref="Vector{T}"/> holds, for the vectorised update loops.</summary>
    protected static int Lanes => Vector<float>.Count;
}
