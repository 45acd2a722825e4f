using System.Collections.Generic;
using System.Linq;
using System.Text;
using NetGen.Generator.Graph;

namespace NetGen.Generator.Printing;

/// <summary>
/// The network's picture as Graphviz DOT text, computed at build time: one box per input and layer (name, Keras
/// class and description, output shape with the batch axis, parameter count) and an edge for every connection.
/// </summary>
internal static class DiagramPrinter
{
    public static string Dot(NetworkGraph g)
    {
        var sb = new StringBuilder();
        sb.Append("digraph \"").Append(g.Spec.ClassName).Append("\" {\n");
        sb.Append("  rankdir=TB;\n");
        sb.Append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=\"Helvetica\", fontsize=11];\n");
        foreach (var i in g.Inputs)
            sb.Append("  ").Append(Id(i.Name)).Append(" [label=\"").Append(Escape($"{i.Name}\nInputLayer\n{i.Shape.ToKerasString()}"))
              .Append("\", fillcolor=\"#dbe9f6\"];\n");
        foreach (var l in g.Layers)
        {
            int count = l.Parameters.Sum(p => p.Length) + l.State.Sum(p => p.Length);
            var label = $"{l.Name}\n{l.Description}\n{l.OutputShape.ToKerasString()}\n{Literals.Count(count)} params";
            sb.Append("  ").Append(Id(l.Name)).Append(" [label=\"").Append(Escape(label)).Append('"');
            if (g.Outputs.Contains(l.Id)) sb.Append(", fillcolor=\"#e2f0d9\"");
            sb.Append("];\n");
        }
        foreach (var l in g.Layers)
            foreach (var s in l.Sources)
                sb.Append("  ").Append(Id(g.NameOf(s))).Append(" -> ").Append(Id(l.Name)).Append(";\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>
    /// The same picture as a Mermaid flowchart (GitHub renders a <c>```mermaid</c> block without Graphviz): one node per
    /// input and layer, inputs blue and outputs green as in the DOT graph.
    /// </summary>
    public static string Mermaid(NetworkGraph g)
    {
        var sb = new StringBuilder();
        sb.Append("flowchart TD\n");
        var ids = new Dictionary<int, string>();
        foreach (var i in g.Inputs)
        {
            var id = ids[i.Id] = "n" + Literals.Int(i.Id);
            sb.Append("  ").Append(id).Append("[\"").Append(MermaidText($"{i.Name}\nInputLayer\n{i.Shape.ToKerasString()}")).Append("\"]\n");
        }
        foreach (var l in g.Layers)
        {
            var id = ids[l.Id] = "n" + Literals.Int(l.Id);
            int count = l.Parameters.Sum(p => p.Length) + l.State.Sum(p => p.Length);
            var label = $"{l.Name}\n{l.Description}\n{l.OutputShape.ToKerasString()}\n{Literals.Count(count)} params" + (l.Trainable ? "" : "\nfrozen");
            sb.Append("  ").Append(id).Append("[\"").Append(MermaidText(label)).Append("\"]\n");
        }
        foreach (var l in g.Layers)
            foreach (var source in l.Sources)
                sb.Append("  ").Append(ids[source]).Append(" --> ").Append(ids[l.Id]).Append('\n');
        sb.Append("  classDef input fill:#dbe9f6,stroke:#555\n");
        sb.Append("  classDef output fill:#e2f0d9,stroke:#555\n");
        sb.Append("  class ").Append(string.Join(",", g.Inputs.Select(i => ids[i.Id]))).Append(" input\n");
        sb.Append("  class ").Append(string.Join(",", g.Outputs.Distinct().Select(o => ids[o]))).Append(" output\n");
        return sb.ToString();
    }

    /// <summary>A Mermaid label: quotes and angle brackets as entities, line breaks as &lt;br/&gt;.</summary>
    private static string MermaidText(string text)
        => text.Replace("#", "#35;").Replace("\"", "#quot;").Replace("<", "#lt;").Replace(">", "#gt;").Replace("\n", "<br/>");

    public static void Print(CodeWriter w, NetworkGraph g)
    {
        var lines = Dot(g).Split('\n');
        w.Line("/// <summary>The network as a Graphviz DOT graph (layers with output shapes and parameter counts, an edge per connection); render it with <c>dot -Tsvg</c>.</summary>");
        w.Line("public const string Diagram =");
        using (w.Indented())
        {
            for (int i = 0; i < lines.Length - 1; i++)
                w.Line(Literals.String(lines[i] + "\n") + (i == lines.Length - 2 ? ";" : " +"));
        }
        w.Line();
        var mermaid = Mermaid(g).Split('\n');
        w.Line("/// <summary>The network as a Mermaid flowchart (paste it into a <c>```mermaid</c> block: GitHub renders it without Graphviz).</summary>");
        w.Line("public const string MermaidDiagram =");
        using (w.Indented())
        {
            for (int i = 0; i < mermaid.Length - 1; i++)
                w.Line(Literals.String(mermaid[i] + "\n") + (i == mermaid.Length - 2 ? ";" : " +"));
        }
        w.Line();
    }

    private static string Id(string name) => "\"" + Escape(name) + "\"";

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
