using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Layers;

namespace NetGen.Generator.Lowering;

/// <summary>
/// The streaming program of a recurrent network (issue 13): one time step of the input through the recurrent layers'
/// step kernels (their states live in a field the network owns across calls) and then through the layers after the last
/// recurrent layer, unchanged. A network can stream when it has one input (steps, ...) and one output, reads the input
/// with a chain of TimeDistributed layers (a per-step front end such as a convolution over each frame, run on the one
/// step) and then of unidirectional recurrent layers (every one but the last returning sequences, each read only by the
/// next), and every later layer depends only on the last recurrent layer's output (none when that layer returns
/// sequences: the step's output is then that step's row). Without a TimeDistributed front end the input is
/// (steps, features). Each recurrent layer (<see cref="IStreamingLayer"/>: the built-in layers, ConvLSTM, RNN over a
/// user's cell) says whether its options allow a step. Nothing else streams (a Masking or Embedding before the recurrent
/// layers, go_backwards, Bidirectional, state ports, a Flatten over the time axis).
/// </summary>
internal static class StreamingLowering
{
    /// <summary>The recurrent chain of a streamable network, or null.</summary>
    public static IReadOnlyList<LayerNode>? Chain(NetworkGraph g)
    {
        if (g.Inputs.Count != 1 || g.Outputs.Count != 1 || g.TokenIds || g.InputShape.Rank < 2) return null;
        var chain = new List<LayerNode>();
        int previous = g.Inputs[0].Id;
        int index = 0;
        // The per-step front end: TimeDistributed layers, each reading only the one before.
        for (; index < g.Layers.Count; index++)
        {
            if (g.Layers[index] is not TimeDistributedNode td || td.Inner is IStreamingLayer || td.Sources.Length != 1 || td.Sources[0] != previous) break;
            if (g.Readers(previous).Count() != 1) return null;
            previous = td.Id;
        }
        for (; index < g.Layers.Count; index++)
        {
            var l = g.Layers[index];
            if (l is not IStreamingLayer r || l.Sources.Length != 1 || l.Sources[0] != previous) break;
            if (!r.CanStream || (chain.Count > 0 && !((IStreamingLayer)chain[chain.Count - 1]).StreamsSequences)) return null;
            if (g.Readers(previous).Count() != 1) return null;
            chain.Add(l);
            previous = l.Id;
        }
        if (chain.Count == 0) return null;
        var last = chain[chain.Count - 1];
        var allowed = new HashSet<int> { last.Id };
        for (; index < g.Layers.Count; index++)
        {
            var l = g.Layers[index];
            if (l is IStreamingLayer or PortNode || l.Sources.Any(s => !allowed.Contains(s))) return null;
            allowed.Add(l.Id);
        }
        if (((IStreamingLayer)last).StreamsSequences && g.Layers.Count != chain.Count) return null;
        return chain;
    }

    /// <summary>The states kept between steps, in the state field's order: layer, state name, floats per sample.</summary>
    public static IReadOnlyList<(LayerNode Layer, string Name, int Floats)> States(IReadOnlyList<LayerNode> chain)
        => chain.SelectMany(l => ((IStreamingLayer)l).StreamStates.Select(s => (l, s.Name, s.Shape.Size))).ToList();

    /// <summary>Floats of one sample's streaming state: the states of every recurrent layer of the chain.</summary>
    public static int StateFloats(IReadOnlyList<LayerNode> chain) => States(chain).Sum(s => s.Floats);

    /// <summary>Lowers the step program: input <c>x</c> (n, features), output <c>y</c>; the states are external spans <c>s0</c>, <c>s1</c>...</summary>
    public static Program Lower(NetworkGraph g, IReadOnlyList<LayerNode> chain, Resources resources)
    {
        var program = new Program();
        var c = new LoweringContext(program, resources, training: false);
        var values = new Dictionary<int, Tensor>();
        var x = c.External("x", new Shape(g.InputShape.Dims.Skip(1).ToArray()), g.Inputs[0].Id, writable: false);
        values[g.Inputs[0].Id] = x;
        c.NetworkInputs = new[] { x };
        int state = 0;
        int front = 0; // the TimeDistributed front end: the layers before the first recurrent one
        while (!ReferenceEquals(g.Layers[front], chain[0])) front++;
        for (int index = 0; index < g.Layers.Count; index++)
        {
            var l = g.Layers[index];
            c.Layer = l;
            c.LayerIndex = index;
            if (l is IStreamingLayer r && chain.Contains(l))
            {
                c.Add(new LayerStart(l, null));
                var states = r.StreamStates.Select(s => c.External("s" + state++, s.Shape, -1, writable: true)).ToList();
                var y = c.NewTensor(l.Name, r.StepOutputShape.Size, Arena.Activations, r.StepOutputShape, l.Id);
                r.LowerStep(c, values[l.Sources[0]], states, y);
                values[l.Id] = y;
                continue;
            }
            bool alias = l.InferenceUse == BufferUse.Alias;
            c.Add(new LayerStart(l, alias ? "(no computation: the output is the input's floats)" : null));
            // A TimeDistributed front-end layer runs its wrapped layer on this one step.
            var step = l is TimeDistributedNode td && index < front ? td : null;
            var shape = step is null ? l.OutputShape : step.Inner.OutputShape;
            var output = c.NewTensor(l.Name, shape.Size, Arena.Activations, shape, l.Id);
            values[l.Id] = output;
            if (alias)
            {
                c.Alias(values[l.Sources[0]], output);
                continue;
            }
            if (l.InferenceUse == BufferUse.InPlace && l.Sources.Length == 1) output.ReuseOf = values[l.Sources[0]];
            (step?.Inner ?? l).LowerInference(c, l.Sources.Select(s => values[s]).ToList(), output);
        }
        c.Layer = null;
        var result = values[g.Outputs[0]];
        program.Outputs.Add(result);
        c.Copy(result, c.External("y", result.Shape ?? new Shape(result.PerSample), -1, writable: true));
        return program;
    }
}
