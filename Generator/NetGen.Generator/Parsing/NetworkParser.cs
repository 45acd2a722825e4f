using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parsing;

/// <summary>
/// Turns the symbols of one <c>[Network]</c> class into a <see cref="NetworkSpec"/>. The only code of the
/// generator that touches Roslyn symbols and syntax.
/// </summary>
internal static class NetworkParser
{
    private const int DefaultInferenceBatchCapacity = 64;

    public static NetworkSpec Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var node = (ClassDeclarationSyntax)context.TargetNode;
        var networkAttribute = context.Attributes.Length > 0 ? context.Attributes[0] : null;
        var networkLocation = LocationInfo.From(networkAttribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        var diagnostics = new List<DiagnosticInfo>();
        var containing = new List<ContainingType>();
        var ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        try
        {
            bool partial = node.Modifiers.Any(SyntaxKind.PartialKeyword);
            bool generic = symbol.IsGenericType;
            for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                generic |= outer.IsGenericType;
                var outerSyntax = outer.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as TypeDeclarationSyntax;
                partial &= outer.DeclaringSyntaxReferences
                    .Select(r => r.GetSyntax(cancellationToken))
                    .OfType<TypeDeclarationSyntax>()
                    .All(t => t.Modifiers.Any(SyntaxKind.PartialKeyword));
                containing.Insert(0, new ContainingType(Keyword(outerSyntax), outer.Name));
            }

            if (!partial)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.NotPartial, LocationInfo.From(node.Identifier.GetLocation()), symbol.Name));
            if (generic)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.GenericNetwork, LocationInfo.From(node.Identifier.GetLocation()), symbol.Name));

            int capacity = DefaultInferenceBatchCapacity;
            LocationInfo? capacityLocation = null;
            bool fusion = true;
            if (networkAttribute is not null)
            {
                foreach (var named in networkAttribute.NamedArguments)
                {
                    if (named.Key == "Fusion" && named.Value.Value is bool f) fusion = f;
                    if (named.Key == "InferenceBatchCapacity" && named.Value.Value is int c)
                    {
                        capacity = c;
                        capacityLocation = ArgumentLocation(networkAttribute, named.Key, cancellationToken) ?? networkLocation;
                    }
                }
            }

            var layers = new List<LayerSpec>();
            var declarationsWithLayers = new HashSet<SyntaxNode>();
            bool hasErrors = false;
            var outputs = EquatableArray<string>.Empty;
            LocationInfo? outputsLocation = null;
            foreach (var attribute in symbol.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (IsOutputAttribute(attribute.AttributeClass))
                {
                    outputsLocation = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
                    if (attribute.ConstructorArguments.Length == 1 && ToArg("layers", attribute.ConstructorArguments[0], outputsLocation) is { Kind: ArgKind.TextArray } list)
                        outputs = list.Texts;
                    else hasErrors = true;
                    continue;
                }
                if (!IsLayerAttribute(attribute.AttributeClass)) continue;
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                if (syntax?.Parent?.Parent is TypeDeclarationSyntax declaration && declarationsWithLayers.Add(declaration) && declarationsWithLayers.Count == 2)
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.SplitDeclarations, LocationInfo.From(syntax), symbol.Name));
                var spec = ParseLayer(attribute, syntax, cancellationToken);
                if (spec is not null && spec.Kind == "Lambda") spec = LambdaMethods.Check(spec, symbol);
                if (spec is null) hasErrors = true;
                else layers.Add(spec);
            }

            // With a malformed layer attribute the compiler already reports the error; generating from a partial
            // list of layers would only add noise, so such a network is skipped (HasAttributeErrors).
            return new NetworkSpec(ns, containing.ToEquatableArray(), symbol.Name, Accessibility(symbol), networkLocation,
                capacity, capacityLocation, layers.ToEquatableArray(), diagnostics.ToEquatableArray(), hasErrors)
            {
                Outputs = outputs,
                OutputsLocation = outputsLocation,
                Fusion = fusion,
            };
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InternalError, networkLocation, symbol.Name, e.GetType().Name + ": " + e.Message));
            return new NetworkSpec(ns, containing.ToEquatableArray(), symbol.Name, Accessibility(symbol), networkLocation,
                DefaultInferenceBatchCapacity, null, EquatableArray<LayerSpec>.Empty, diagnostics.ToEquatableArray(), true);
        }
    }

    private static string Keyword(TypeDeclarationSyntax? syntax) => syntax switch
    {
        RecordDeclarationSyntax r when r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    private static string Accessibility(INamedTypeSymbol symbol) => symbol.DeclaredAccessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };

    private static bool IsLayerAttribute(INamedTypeSymbol? type)
    {
        if (type is null || type.ContainingNamespace?.ToDisplayString() != "NetGen") return false;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.Name == "LayerAttribute" && t.ContainingNamespace?.ToDisplayString() == "NetGen") return true;
        return false;
    }

    private static bool IsOutputAttribute(INamedTypeSymbol? type)
        => type is { Name: "OutputAttribute" } && type.ContainingNamespace?.ToDisplayString() == "NetGen";

    private static LayerSpec? ParseLayer(AttributeData attribute, AttributeSyntax? syntax, CancellationToken cancellationToken)
    {
        var constructor = attribute.AttributeConstructor;
        if (constructor is null) return null;
        var kind = attribute.AttributeClass!.Name;
        if (kind.EndsWith("Attribute", StringComparison.Ordinal)) kind = kind.Substring(0, kind.Length - "Attribute".Length);
        var args = new List<ArgValue>();
        for (int i = 0; i < constructor.Parameters.Length && i < attribute.ConstructorArguments.Length; i++)
        {
            var value = ToArg(constructor.Parameters[i].Name, attribute.ConstructorArguments[i], ParameterLocation(syntax, constructor, i));
            if (value is null) return null;
            args.Add(value);
        }
        foreach (var named in attribute.NamedArguments)
        {
            var value = ToArg(named.Key, named.Value, ArgumentLocation(attribute, named.Key, cancellationToken));
            if (value is null) return null;
            args.Add(value);
        }
        return new LayerSpec(kind, LocationInfo.From(syntax), args.ToEquatableArray());
    }

    private static ArgValue? ToArg(string name, TypedConstant constant, LocationInfo? location)
    {
        switch (constant.Kind)
        {
            case TypedConstantKind.Array when constant.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String }:
                var texts = new List<string>();
                foreach (var item in constant.Values)
                {
                    if (item.Kind == TypedConstantKind.Error || item.Value is not string text) return null;
                    texts.Add(text);
                }
                return new ArgValue(name, ArgKind.TextArray, 0, null, EquatableArray<double>.Empty, location, texts.ToEquatableArray());
            case TypedConstantKind.Array:
                var items = new List<double>();
                foreach (var item in constant.Values)
                {
                    if (item.Kind == TypedConstantKind.Error || item.Value is null) return null;
                    items.Add(Convert.ToDouble(item.Value, System.Globalization.CultureInfo.InvariantCulture));
                }
                return new ArgValue(name, ArgKind.Array, 0, null, items.ToEquatableArray(), location);
            case TypedConstantKind.Enum:
                return new ArgValue(name, ArgKind.Enum, Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture), null, EquatableArray<double>.Empty, location);
            case TypedConstantKind.Primitive:
                return constant.Value switch
                {
                    bool b => new ArgValue(name, ArgKind.Bool, b ? 1 : 0, null, EquatableArray<double>.Empty, location),
                    string s => new ArgValue(name, ArgKind.Text, 0, s, EquatableArray<double>.Empty, location),
                    null => new ArgValue(name, ArgKind.Text, 0, null, EquatableArray<double>.Empty, location),
                    var v => new ArgValue(name, ArgKind.Number, Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture), null, EquatableArray<double>.Empty, location),
                };
            default:
                return null;
        }
    }

    /// <summary>The span of the source arguments bound to constructor parameter <paramref name="index"/> (all of them for a params array).</summary>
    private static LocationInfo? ParameterLocation(AttributeSyntax? syntax, IMethodSymbol constructor, int index)
    {
        if (syntax?.ArgumentList is null) return LocationInfo.From(syntax);
        var parameter = constructor.Parameters[index];
        var positional = syntax.ArgumentList.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
        var byName = syntax.ArgumentList.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter.Name);
        if (byName is not null) return LocationInfo.From(byName.Expression);
        if (index >= positional.Count) return LocationInfo.From(syntax);
        int last = parameter.IsParams ? positional.Count - 1 : index;
        var first = positional[index];
        var end = positional[last];
        var span = TextSpan.FromBounds(first.SpanStart, end.Span.End);
        return LocationInfo.From(Location.Create(syntax.SyntaxTree, span));
    }

    private static LocationInfo? ArgumentLocation(AttributeData attribute, string propertyName, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax) return null;
        var argument = syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == propertyName);
        return LocationInfo.From((SyntaxNode?)argument?.Expression ?? syntax);
    }
}
