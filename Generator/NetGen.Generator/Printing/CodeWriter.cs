using System.Text;

namespace NetGen.Generator.Printing;

/// <summary>Writes indented C# text with <c>\n</c> line ends, so output is identical on every OS.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace; disposing the result closes the block.</summary>
    public Block Open(string header, string closeSuffix = "")
    {
        Line(header);
        Line("{");
        _indent++;
        return new Block(this, closeSuffix);
    }

    /// <summary>Opens a brace block under the line just written; disposing the result closes it.</summary>
    public Block Brace()
    {
        Line("{");
        _indent++;
        return new Block(this, "");
    }

    /// <summary>Closes the innermost block opened by <see cref="Open"/> when it was not used as a <c>using</c> block.</summary>
    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    /// <summary>Indents the lines written until the result is disposed (no braces).</summary>
    public Indentation Indented()
    {
        _indent++;
        return new Indentation(this);
    }

    public override string ToString() => _text.ToString();

    /// <summary>An open block: <c>using (w.Open("..."))</c> closes it with <c>}</c>.</summary>
    public readonly struct Block : System.IDisposable
    {
        private readonly CodeWriter _writer;
        private readonly string _suffix;

        public Block(CodeWriter writer, string suffix)
        {
            _writer = writer;
            _suffix = suffix;
        }

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}" + _suffix);
        }
    }

    public readonly struct Indentation : System.IDisposable
    {
        private readonly CodeWriter _writer;

        public Indentation(CodeWriter writer) => _writer = writer;

        public void Dispose() => _writer._indent--;
    }
}
