using NetGen.Generator.Graph;

namespace NetGen.Generator.Emit;

/// <summary>What a layer needs while it writes code: the writer and the names of the buffers in scope.</summary>
internal sealed class EmitContext
{
    public EmitContext(CodeWriter writer) => W = writer;

    public CodeWriter W { get; }

    /// <summary>The batch-size variable in scope.</summary>
    public string Batch => "n";

    /// <summary>The network input in scope (token ids, for layers that use the padding mask).</summary>
    public string NetworkInput { get; set; } = "x";

    /// <summary>The inference scratch regions of the layer being emitted (see <see cref="LayerNode.InferenceScratch"/>).</summary>
    public System.Collections.Generic.IReadOnlyDictionary<string, string> Scratch { get; set; } = new System.Collections.Generic.Dictionary<string, string>();

    /// <summary>The shared kernel workspace (see <see cref="LayerNode.WorkspaceLength"/>).</summary>
    public string Workspace => "_workspace";

    /// <summary>The read-only span of one weight inside the parameter buffer.</summary>
    public string Param(ParameterDecl p) => $"p.Slice({p.Offset}, {p.Length})";

    /// <summary>The span of one non-trainable state variable.</summary>
    public string State(ParameterDecl p) => $"st.Slice({p.Offset}, {p.Length})";

    /// <summary>The span of one weight's gradient.</summary>
    public string Grad(ParameterDecl p) => $"dp.Slice({p.Offset}, {p.Length})";

    /// <summary>Rows seen by a last-axis operation on <paramref name="shape"/>: <c>n</c> or <c>n * 3</c>.</summary>
    public string Rows(Shape shape) => Times(shape.LeadingSize);

    /// <summary><c>n</c> times a per-sample count.</summary>
    public string Times(int perSample) => perSample == 1 ? Batch : $"{Batch} * {perSample}";

    /// <summary>A C# identifier made from a layer name.</summary>
    public static string Identifier(string layerName)
    {
        var chars = layerName.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!char.IsLetterOrDigit(chars[i])) chars[i] = '_';
        return new string(chars);
    }

    /// <summary>A float literal in invariant round-trip form.</summary>
    public static string Float(double value)
        => ((float)value).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f";
}
