using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace NetGen.Generator.Emit;

/// <summary>
/// The build-time memory planner of one arena (sizes in floats per sample). A plan walks the emitted order,
/// allocating a buffer when a tensor is born and freeing it after its last reader; every call is one tick of a clock,
/// so each buffer has an exact lifetime. <see cref="Resolve"/> then places the buffers greedily by size (largest first,
/// each at the lowest offset clear of every placed buffer whose lifetime overlaps its own), which reuses memory far
/// better than placing them as they come. Until then a buffer's offset is a token in the emitted text, replaced by
/// <see cref="Substitute"/>.
/// </summary>
internal sealed class Allocator
{
    private readonly List<(int Size, int Born, int Dies)> _buffers = new();
    private readonly string _tag;
    private readonly System.Func<int, string> _format;
    private int[] _offsets = System.Array.Empty<int>();
    private int _clock;

    /// <param name="tag">Distinguishes this arena's tokens from another's.</param>
    /// <param name="format">The offset expression for a per-sample offset, e.g. <c>n * 64</c>.</param>
    public Allocator(string tag, System.Func<int, string> format)
    {
        _tag = tag;
        _format = format;
    }

    public int HighWater { get; private set; }

    /// <summary>A new buffer of <paramref name="size"/> floats per sample, live until <see cref="Free"/>.</summary>
    public int Allocate(int size)
    {
        _buffers.Add((size, _clock++, int.MaxValue));
        return _buffers.Count - 1;
    }

    public void Free(int buffer)
    {
        var b = _buffers[buffer];
        _buffers[buffer] = (b.Size, b.Born, _clock++);
    }

    public void Resolve()
    {
        _offsets = new int[_buffers.Count];
        var placed = new List<int>();
        foreach (int i in Enumerable.Range(0, _buffers.Count).OrderByDescending(i => _buffers[i].Size).ThenBy(i => i))
        {
            var b = _buffers[i];
            var clashes = placed.Where(j => _buffers[j].Born < b.Dies && b.Born < _buffers[j].Dies)
                .Select(j => (Start: _offsets[j], End: _offsets[j] + _buffers[j].Size))
                .OrderBy(r => r.Start);
            int offset = 0;
            foreach (var (start, end) in clashes)
            {
                if (start >= offset + b.Size) break;
                offset = System.Math.Max(offset, end);
            }
            _offsets[i] = offset;
            placed.Add(i);
            HighWater = System.Math.Max(HighWater, offset + b.Size);
        }
    }

    /// <summary>The offset expression of a buffer in emitted text (a token until <see cref="Substitute"/>).</summary>
    public string Offset(int buffer) => $"\u27e6{_tag}{buffer}\u27e7";

    public string Substitute(string text)
        => Regex.Replace(text, "\u27e6" + _tag + "([0-9]+)\u27e7", m => _format(_offsets[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]));
}
