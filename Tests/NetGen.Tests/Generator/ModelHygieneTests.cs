using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NetGen.Generator;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// Pipeline models must be plain, value-equatable data: no symbols, syntax, compilations or locations, which
/// would defeat caching and keep whole compilations alive.
/// </summary>
public class ModelHygieneTests
{
    private static readonly Assembly GeneratorAssembly = typeof(NetworkGenerator).Assembly;

    private static IEnumerable<Type> ModelTypes()
        => GeneratorAssembly.GetTypes().Where(t => t.Namespace == "NetGen.Generator.Model" && t.IsClass && !t.IsAbstract)
            .Concat(new[] { GeneratorAssembly.GetType("NetGen.Generator.GenerationResult")!, GeneratorAssembly.GetType("NetGen.Generator.GeneratedSource")! });

    [Fact]
    public void ModelsHoldOnlyPlainValues()
    {
        var seen = new HashSet<Type>();
        var types = ModelTypes().ToList();
        Assert.Contains(types, t => t.Name == "NetworkSpec");
        foreach (var type in types) Check(type, seen, type.Name);
    }

    private static void Check(Type type, HashSet<Type> seen, string path)
    {
        if (!seen.Add(type)) return;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)) return;
        if (type.Namespace?.StartsWith("Microsoft.CodeAnalysis.Text", StringComparison.Ordinal) == true && type.IsValueType) return; // TextSpan, LinePositionSpan
        Assert.False(type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true, $"{path} holds Roslyn type {type}");
        Assert.False(type.IsArray, $"{path} holds an array ({type}); use EquatableArray<T>");
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Check(underlying, seen, path);
            return;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition().Name.StartsWith("EquatableArray", StringComparison.Ordinal))
        {
            Check(type.GetGenericArguments()[0], seen, path + "[]");
            return;
        }
        Assert.True(type.GetMethod("Equals", new[] { type }) is not null, $"{path}: {type} is not value-equatable");
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Check(field.FieldType, seen, path + "." + field.Name);
    }
}
