using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace NetGen.Tests.Api;

/// <summary>
/// NetGen.Runtime's public API, tracked as a sorted text file (<c>Tests/NetGen.Tests/Api/NetGen.Runtime.api.txt</c>):
/// every exported type and every public or protected member, one per line, with <c>[hidden]</c> on what generated code
/// alone should call (<c>EditorBrowsable(Never)</c>). Generated code in users' assemblies binds to this surface, so a
/// change to it is a change of binary API: review the diff, then rewrite the file with <c>NETGEN_ACCEPT_API=1</c>.
/// </summary>
public class PublicApiTests
{
    private static string SnapshotPath => Path.Combine(RepositoryRoot.Path, "Tests", "NetGen.Tests", "Api", "NetGen.Runtime.api.txt");

    [Fact]
    public void RuntimePublicApiMatchesTheSnapshot()
    {
        var actual = Describe(typeof(INetwork).Assembly);
        if (Environment.GetEnvironmentVariable("NETGEN_ACCEPT_API") == "1")
        {
            File.WriteAllText(SnapshotPath, actual);
            return;
        }
        var expected = File.Exists(SnapshotPath) ? File.ReadAllText(SnapshotPath).Replace("\r\n", "\n") : "";
        if (expected == actual) return;
        var before = new HashSet<string>(expected.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var after = new HashSet<string>(actual.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var message = new StringBuilder("NetGen.Runtime's public API changed (binary API of generated code). If the change is intended, run the tests with NETGEN_ACCEPT_API=1 to rewrite ")
            .Append(SnapshotPath).Append(" and commit it.\n");
        foreach (var line in before.Except(after).Take(40)) message.Append("- ").Append(line).Append('\n');
        foreach (var line in after.Except(before).Take(40)) message.Append("+ ").Append(line).Append('\n');
        Assert.Fail(message.ToString());
    }

    /// <summary>What only generated code calls is hidden from IntelliSense: every kernel class, Guard, WindowGeometry.</summary>
    [Fact]
    public void GeneratedCodeOnlyTypesAreHidden()
    {
        var exported = typeof(INetwork).Assembly.GetExportedTypes();
        var generatedOnly = exported.Where(t => t.Namespace == "NetGen.Kernels" || t == typeof(Guard)).ToList();
        Assert.Contains(generatedOnly, t => t.Name == "WindowGeometry");
        Assert.Contains(generatedOnly, t => t.Name == "Dense");
        var visible = generatedOnly.Where(t => !Hidden(t)).Select(t => t.FullName).ToList();
        Assert.True(visible.Count == 0, "add [EditorBrowsable(EditorBrowsableState.Never)] to: " + string.Join(", ", visible));
        // and what users call stays visible
        Assert.False(Hidden(typeof(INetwork)));
        Assert.False(Hidden(typeof(Parallelism)));
    }

    [Fact]
    public void TheFashionMnistLoaderIsNotInThePackage()
        => Assert.DoesNotContain(typeof(INetwork).Assembly.GetExportedTypes(), t => t.Name.StartsWith("FashionMnist", StringComparison.Ordinal));

    private static bool Hidden(MemberInfo m)
        => m.GetCustomAttribute<EditorBrowsableAttribute>() is { State: EditorBrowsableState.Never };

    /// <summary>One sorted line per exported type and per public or protected member.</summary>
    public static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            string name = TypeName(type);
            lines.Add($"{name} : {Kind(type)}{Base(type)}{(Hidden(type) ? " [hidden]" : "")}");
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(all))
            {
                var text = Member(member);
                if (text is null) continue;
                lines.Add($"{name} :: {text}{(Hidden(member) ? " [hidden]" : "")}");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines) + "\n";
    }

    private static string Kind(Type t)
        => t.IsEnum ? "enum"
        : t.IsInterface ? "interface"
        : t.IsValueType ? (t.GetCustomAttribute<IsReadOnlyAttribute>() is not null ? "readonly struct" : "struct")
        : t.IsAbstract && t.IsSealed ? "static class"
        : (t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class");

    private static string Base(Type t)
    {
        var parts = new List<string>();
        if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) parts.Add(TypeName(b));
        if (!t.IsEnum) parts.AddRange(t.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(TypeName).OrderBy(n => n, StringComparer.Ordinal));
        return parts.Count == 0 ? "" : " : " + string.Join(", ", parts);
    }

    private static bool Visible(MethodBase? m) => m is not null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly);

    private static string Access(MethodBase m) => m.IsPublic ? "" : "protected ";

    private static string? Member(MemberInfo member)
    {
        switch (member)
        {
            case ConstructorInfo c when Visible(c):
                return $"{Access(c)}{(c.IsStatic ? "static " : "")}.ctor({Parameters(c)})";
            case MethodInfo method when Visible(method) && (!method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal)):
            {
                string generic = method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : "";
                return $"{Access(method)}{Modifiers(method)}{TypeName(method.ReturnType)} {method.Name}{generic}({Parameters(method)})";
            }
            case PropertyInfo p:
            {
                var get = p.GetMethod;
                var set = p.SetMethod;
                if (!Visible(get) && !Visible(set)) return null;
                var any = Visible(get) ? get! : set!;
                string accessors = (Visible(get) ? "get; " : "") + (Visible(set) ? (set!.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? "init; " : "set; ") : "");
                var index = p.GetIndexParameters();
                string name = index.Length > 0 ? "this[" + string.Join(", ", index.Select(i => TypeName(i.ParameterType))) + "]" : p.Name;
                return $"{Access(any)}{Modifiers(any)}{TypeName(p.PropertyType)} {name} {{ {accessors}}}";
            }
            case FieldInfo f when f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly:
            {
                if (f.DeclaringType!.IsEnum) return f.IsStatic ? $"{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}" : null;
                string modifiers = f.IsLiteral ? "const " : (f.IsStatic ? "static " : "") + (f.IsInitOnly ? "readonly " : "");
                string value = f.IsLiteral ? " = " + Convert.ToString(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture) : "";
                return $"{(f.IsPublic ? "" : "protected ")}{modifiers}{TypeName(f.FieldType)} {f.Name}{value}";
            }
            case EventInfo e when Visible(e.AddMethod):
                return $"event {TypeName(e.EventHandlerType!)} {e.Name}";
            default:
                return null;
        }
    }

    private static string Modifiers(MethodInfo m)
    {
        if (m.IsStatic) return m.IsAbstract ? "static abstract " : "static ";
        if (m.DeclaringType!.IsInterface) return m.IsAbstract ? "" : "default ";
        if (m.IsAbstract) return "abstract ";
        if (m.IsVirtual && !m.IsFinal) return m.GetBaseDefinition() == m ? "virtual " : "override ";
        if (m.IsVirtual && m.GetBaseDefinition() != m) return "sealed override ";
        return "";
    }

    private static string Parameters(MethodBase m)
        => string.Join(", ", m.GetParameters().Select(p =>
        {
            string prefix = p.ParameterType.IsByRef ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : p.GetCustomAttribute<ParamArrayAttribute>() is not null ? "params " : "";
            string optional = p.HasDefaultValue ? " = " + (p.DefaultValue is null ? "null" : Convert.ToString(p.DefaultValue, System.Globalization.CultureInfo.InvariantCulture)) : "";
            return $"{prefix}{TypeName(p.ParameterType)} {p.Name}{optional}";
        }));

    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(short)] = "short",
        [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long", [typeof(ulong)] = "ulong",
        [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal", [typeof(char)] = "char",
        [typeof(string)] = "string", [typeof(object)] = "object", [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    private static string TypeName(Type t)
    {
        if (t.IsByRef) return TypeName(t.GetElementType()!);
        if (t.IsPointer) return TypeName(t.GetElementType()!) + "*";
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        if (t.IsGenericParameter) return t.Name;
        if (s_keywords.TryGetValue(t, out var keyword)) return keyword;
        if (Nullable.GetUnderlyingType(t) is { } underlying) return TypeName(underlying) + "?";
        string name = t.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name.Substring(0, tick);
        string prefix = t.IsNested ? TypeName(t.DeclaringType!) + "." : (t.Namespace is null ? "" : t.Namespace + ".");
        if (t.IsGenericType)
        {
            // A nested type's own arguments are the ones its declaring type does not already have.
            var args = t.GetGenericArguments().Skip(t.IsNested ? t.DeclaringType!.GetGenericArguments().Length : 0).ToArray();
            if (args.Length > 0) name += "<" + string.Join(", ", args.Select(TypeName)) + ">";
        }
        return prefix + name;
    }
}
