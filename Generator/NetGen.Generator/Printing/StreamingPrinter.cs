using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Layers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Printing;

/// <summary>
/// Prints the streaming API of a network whose recurrent layers can advance one step at a time
/// (<see cref="StreamingLowering.Chain"/>): <c>ResetState</c> and an allocation-free <c>Step</c> over the planned step
/// program, with the recurrent states in a field the instance keeps between calls.
/// </summary>
internal static class StreamingPrinter
{
    public static void Print(CodeWriter w, NetworkGraph g, Program program, MemoryPlan plan, IReadOnlyList<LayerNode> chain, IdentifierTable members)
    {
        int features = g.InputShape.Size / g.InputShape.Dims[0];
        int outputs = program.Outputs[0].PerSample;
        var states = StreamingLowering.States(chain);
        int state = StreamingLowering.StateFloats(chain);
        w.Line("// ---------------- streaming (one time step per call) ----------------");
        w.Line();
        w.Line($"/// <summary>Floats of one sample's step input for <see cref=\"Step\"/>: one time step of the input {new Shape(g.InputShape.Dims.Skip(1).ToArray())}.</summary>");
        w.Line($"public const int StepInputLength = {Literals.Int(features)};");
        w.Line($"/// <summary>Floats of one sample's step output from <see cref=\"Step\"/>.</summary>");
        w.Line($"public const int StepOutputLength = {Literals.Int(outputs)};");
        w.Line($"/// <summary>Floats of one sample's recurrent state kept between <see cref=\"Step\"/> calls: {string.Join(", ", chain.Select(l => l.Name + " " + string.Join(", ", states.Where(s => s.Layer == l).Select(s => s.Name))))}.</summary>");
        w.Line($"public const int StepStateFloats = {Literals.Int(state)};");
        w.Line("private readonly float[] _stepState = new float[InferenceBatchCapacity * StepStateFloats];");
        w.Line($"private readonly float[] _stepArena = new float[InferenceBatchCapacity * {Literals.Int(System.Math.Max(1, plan.ActivationsPerSample))}];");
        w.Line();
        w.Line("/// <summary>Clears the recurrent states (zeros, Keras' initial state): the next <see cref=\"Step\"/> starts a new sequence.</summary>");
        w.Line("public void ResetState() => global::System.Array.Clear(_stepState);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Streaming inference: advances every recurrent layer by one time step for <paramref name=\"batchSize\"/> independent");
        w.Line("/// streams (sample i continues sample i of the previous call) and writes the network's output after this step.");
        w.Line("/// Reads <c>batchSize · StepInputLength</c> floats and writes <c>batchSize · StepOutputLength</c>; allocates nothing.");
        w.Line("/// Stepping through a sequence from <see cref=\"ResetState\"/> gives what <c>Predict</c> gives for the sequence so far");
        w.Line("/// (to float rounding: the input projection sums in another order). A padded step is skipped by not calling Step.");
        w.Line("/// </summary>");
        GuardPrinter.OpenGuarded(w, "public", "void", "Step", new (string, string, string?)[]
        {
            ("global::System.ReadOnlySpan<float>", "input", null), ("global::System.Span<float>", "output", null), ("int", "batchSize", "1"),
        });
        w.Line("global::NetGen.Guard.BatchSize(batchSize);");
        w.Line("if (batchSize > InferenceBatchCapacity) throw new global::System.ArgumentOutOfRangeException(nameof(batchSize), batchSize, $\"Step keeps one state per stream: at most InferenceBatchCapacity ({InferenceBatchCapacity}) streams step at once.\");");
        w.Line("global::NetGen.Guard.Length(input.Length, (long)batchSize * StepInputLength, nameof(input), \"batchSize × StepInputLength\");");
        w.Line("global::NetGen.Guard.Length(output.Length, (long)batchSize * StepOutputLength, nameof(output), \"batchSize × StepOutputLength\");");
        w.Line("int n = batchSize;");
        w.Line("global::System.ReadOnlySpan<float> x = input;");
        w.Line("global::System.Span<float> y = output;");
        w.Line("global::System.ReadOnlySpan<float> p = InferenceParameters;");
        if (g.StateCount > 0) w.Line("global::System.Span<float> st = _state;");
        if (plan.ActivationsPerSample > 0) w.Line("global::System.Span<float> a = _stepArena;");
        int at = 0, k = 0;
        foreach (var (layer, name, floats) in states)
        {
            w.Line($"var s{k++} = new global::System.Span<float>(_stepState, InferenceBatchCapacity * {Literals.Int(at)}, n * {Literals.Int(floats)});  // {layer.Name} {name}");
            at += floats;
        }
        new OperationPrinter(w, g, program, plan, members, training: false, System.Array.Empty<string>()).PrintBody();
        w.Close();
        w.Line();
    }
}
