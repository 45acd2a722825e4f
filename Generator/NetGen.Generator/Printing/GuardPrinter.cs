using System.Linq;
using NetGen.Generator.Graph;

namespace NetGen.Generator.Printing;

/// <summary>
/// The concurrency guard of the public entry points (issue 11): an entry point marks the instance busy for its thread
/// (one compare-exchange), calls <c>{name}Unguarded</c> and clears the mark; another thread entering meanwhile gets an
/// InvalidOperationException instead of silently mixing its buffers with this one's. Nested calls on the same thread pass.
/// Also the unambiguous crefs that overloads need.
/// </summary>
internal static class GuardPrinter
{
    /// <summary>The busy mark and <c>EnterBusy</c>.</summary>
    public static void BusyGuard(CodeWriter w)
    {
        w.Line("private int _busy;");
        w.Line();
        w.Line("/// <summary>Marks this instance busy for the calling thread; false when that thread already holds it (a nested call).</summary>");
        using (w.Open("private bool EnterBusy()"))
        {
            w.Line("int me = global::System.Environment.CurrentManagedThreadId;");
            w.Line("int owner = global::System.Threading.Interlocked.CompareExchange(ref _busy, me, 0);");
            w.Line("if (owner == 0) return true;");
            w.Line("if (owner == me) return false;");
            w.Line("throw new global::System.InvalidOperationException(\"This network instance is in use by another thread: Predict, ComputeGradients, Fit, Evaluate and TrainOnBatch share its buffers, so one instance must not be used by several threads at once; give each thread its own instance (copy the weights with Parameters).\");");
        }
        w.Line();
    }

    /// <summary>
    /// Writes the public entry point <paramref name="name"/>(<paramref name="parameters"/>), which runs
    /// <c>{name}Unguarded</c> under the busy mark, then opens <c>{name}Unguarded</c> for its body (close it with <see cref="CodeWriter.Close"/>).
    /// <paramref name="parameters"/> are (type, name, default or null).
    /// </summary>
    /// <remarks>
    /// With <paramref name="restoreState"/> the entry point copies the non-trainable state (BatchNormalization's moving
    /// statistics) first and puts it back if the body throws, so a call that fails (a bad class id found by the loss
    /// after the forward pass has updated the statistics) leaves nothing of itself behind.
    /// </remarks>
    public static void OpenGuarded(CodeWriter w, string modifiers, string returnType, string name, (string Type, string Name, string? Default)[] parameters, bool restoreState = false)
    {
        string declared = string.Join(", ", parameters.Select(p => p.Type + " " + p.Name + (p.Default is null ? "" : " = " + p.Default)));
        string plain = string.Join(", ", parameters.Select(p => p.Type + " " + p.Name));
        string arguments = string.Join(", ", parameters.Select(p => p.Name));
        using (w.Open($"{modifiers} {returnType} {name}({declared})"))
        {
            string call = $"{(returnType == "void" ? "" : "return ")}{name}Unguarded({arguments});";
            if (!restoreState)
            {
                Body(w, call);
            }
            else
            {
                w.Line("bool entered = EnterBusy();");
                using (w.Open("try"))
                {
                    w.Line("global::System.Array.Copy(_state, _stateBeforeCall, StateCount);");
                    w.Line($"try {{ {call} }}");
                    using (w.Open("catch"))
                    {
                        w.Line("global::System.Array.Copy(_stateBeforeCall, _state, StateCount);  // a call that throws leaves the moving statistics as they were");
                        w.Line("throw;");
                    }
                }
                w.Line("finally { if (entered) global::System.Threading.Volatile.Write(ref _busy, 0); }");
            }
        }
        w.Line();
        w.Open($"private {returnType} {name}Unguarded({plain})");
    }

    /// <summary>The statements of a guarded entry point around <paramref name="statement"/>.</summary>
    public static void Body(CodeWriter w, string statement)
    {
        w.Line("bool entered = EnterBusy();");
        w.Line($"try {{ {statement} }}");
        w.Line("finally { if (entered) global::System.Threading.Volatile.Write(ref _busy, 0); }");
    }

    /// <summary>
    /// A cref to one of the public entry points: with overloads (several inputs or outputs, token ids) a bare name is
    /// ambiguous (CS0419), so it names the packed-span overload.
    /// </summary>
    public static string Cref(NetworkGraph g, string member)
    {
        const string span = "global::System.ReadOnlySpan{float}";
        // Every network but those reading token ids has ComputeGradients with and without input-gradient spans.
        if (member == "ComputeGradients" && !g.TokenIds) return $"ComputeGradients({span}, {span}, int, global::NetGen.Loss)";
        // Fit and Evaluate are the runtime's extension methods over INetwork (Fit has an overload taking FitOptions).
        const string extensions = "global::NetGen.NetworkTrainingExtensions";
        if (member == "Fit") return $"{extensions}.Fit(global::NetGen.INetwork, {span}, {span}, int, int, double, bool, global::System.Action{{global::NetGen.Training.TrainingProgress}})";
        if (member == "Evaluate") return $"{extensions}.Evaluate(global::NetGen.INetwork, {span}, {span}, int)";
        if (g.Inputs.Count == 1 && g.Outputs.Count == 1 && !g.TokenIds) return member;
        return member switch
        {
            "ComputeGradients" => $"ComputeGradients({span}, {span}, int, global::NetGen.Loss)",
            "Predict" => $"Predict({span}, global::System.Span{{float}}, int)",
            _ => member,
        };
    }
}
