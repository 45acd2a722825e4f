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

    /// <summary>
    /// Members the generated code declares (public and private): a class of one of these names, or a user member of one
    /// of them other than a method, would clash with the generated code (CS0542, CS0102).
    /// </summary>
    internal static readonly HashSet<string> GeneratedMembers = new(NetGen.Generator.Printing.NetworkPrinter.ReservedMembers, StringComparer.Ordinal)
    {
        // Declared by [Weights] baking.
        "FromBakedWeights", "BakedWeightsFile", "BakedWeightBytes", "BakedWeightsMarker",
    };

    /// <summary>
    /// The spec of one <c>[Network]</c> declaration, or null for a second partial declaration of the same class that also
    /// carries <c>[Network]</c> (the compiler reports the duplicate; generating twice would collide).
    /// </summary>
    public static NetworkSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var first = symbol.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == "NetGen.NetworkAttribute")
            .Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken)?.FirstAncestorOrSelf<TypeDeclarationSyntax>())
            .FirstOrDefault(t => t is not null);
        if (first is not null && first != context.TargetNode) return null;
        var node = (TypeDeclarationSyntax)context.TargetNode;
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
            if (ShapeProblem(symbol, node, cancellationToken) is { } problem)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedClass, LocationInfo.From(node.Identifier.GetLocation()), symbol.Name, problem));

            int capacity = DefaultInferenceBatchCapacity;
            LocationInfo? capacityLocation = null;
            bool fusion = true, winograd = true;
            if (networkAttribute is not null)
            {
                foreach (var named in networkAttribute.NamedArguments)
                {
                    if (named.Key == "Fusion" && named.Value.Value is bool f) fusion = f;
                    if (named.Key == "Winograd" && named.Value.Value is bool w) winograd = w;
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
                    if (attribute.ConstructorArguments.Length == 1 && ToArg("layers", attribute.ConstructorArguments[0], outputsLocation, "Output", false, diagnostics, out _) is { Kind: ArgKind.TextArray } list)
                        outputs = list.Texts;
                    else hasErrors = true;
                    continue;
                }
                if (IsForeignLayerAttribute(attribute.AttributeClass))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedLayer, LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
                        $"Network '{symbol.Name}'", attribute.AttributeClass!.ToDisplayString()));
                    continue;
                }
                if (!IsLayerAttribute(attribute.AttributeClass)) continue;
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                if (syntax?.Parent?.Parent is TypeDeclarationSyntax declaration && declarationsWithLayers.Add(declaration) && declarationsWithLayers.Count == 2)
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.SplitDeclarations, LocationInfo.From(syntax), symbol.Name));
                var spec = ParseLayer(attribute, syntax, diagnostics, cancellationToken);
                if (spec is not null && spec.Kind == "Lambda") spec = LambdaMethods.Check(spec, symbol);
                if (spec is not null && spec.Kind == "RNN") spec = RnnCells.Check(spec, attribute, symbol, context.SemanticModel.Compilation);
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
                Winograd = winograd,
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

    /// <summary>
    /// NG0041 for a type declaration that carries layer attributes while its type has no [Network], reported once: on
    /// the first declaration (in syntax order) with a layer attribute. Null otherwise.
    /// </summary>
    public static DiagnosticInfo? LayersWithoutNetwork(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol symbol) return null;
        AttributeData? firstLayer = null;
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "NetGen.NetworkAttribute") return null;
            if (firstLayer is null && (IsLayerAttribute(attribute.AttributeClass) || IsForeignLayerAttribute(attribute.AttributeClass)
                || IsOutputAttribute(attribute.AttributeClass)))
                firstLayer = attribute;
        }
        var syntax = firstLayer?.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        if (syntax is null || syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() != context.Node) return null;
        return DiagnosticInfo.Create(Descriptors.LayersWithoutNetwork, LocationInfo.From(syntax), symbol.Name);
    }

    /// <summary>Why the generated members cannot be added to this class, or null when they can.</summary>
    private static string? ShapeProblem(INamedTypeSymbol symbol, TypeDeclarationSyntax node, CancellationToken cancellationToken)
    {
        if (node is RecordDeclarationSyntax || symbol.IsRecord) return "it is a record; declare it as a partial class";
        if (symbol.TypeKind != TypeKind.Class) return $"it is a{(symbol.TypeKind == TypeKind.Interface ? "n" : "")} {symbol.TypeKind.ToString().ToLowerInvariant()}; declare it as a partial class";
        if (symbol.IsStatic) return "it is static, but a network is an object with weights; remove 'static'";
        for (var t = symbol; t is not null; t = t.ContainingType)
        {
            if (t.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().Any(d => d.Modifiers.Any(m => m.ValueText == "file")))
                return $"'{t.Name}' is a file-local type, which generated code in another file cannot extend; remove 'file'";
            if (SyntaxFacts.GetKeywordKind(t.Name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(t.Name) != SyntaxKind.None)
                return $"the type name '{t.Name}' is a C# keyword; choose another name";
        }
        if (GeneratedMembers.Contains(symbol.Name))
            return $"the class name '{symbol.Name}' is also the name of a generated member; choose another name";
        foreach (var member in symbol.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member.DeclaringSyntaxReferences.Length == 0) continue;
            if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor && !ctor.IsStatic
                && (ctor.Parameters.Length == 1 && ctor.Parameters[0].Type.SpecialType == SpecialType.System_Int32
                    || ctor.Parameters.Length == 2 && ctor.Parameters[0].Type.SpecialType == SpecialType.System_Int32 && ctor.Parameters[1].Type.SpecialType == SpecialType.System_Boolean))
                return $"it declares the constructor {symbol.Name}({string.Join(", ", ctor.Parameters.Select(p => p.Type.ToDisplayString()))}), which the generated code declares; remove it or give it other parameters";
            if (member is not IMethodSymbol && GeneratedMembers.Contains(member.Name))
                return $"it declares a member named '{member.Name}', which the generated code declares; rename it";
        }
        return null;
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

    /// <summary>A subclass of <c>NetGen.LayerAttribute</c> declared outside the NetGen namespace: not a layer this generator knows.</summary>
    internal static bool IsForeignLayerAttribute(INamedTypeSymbol? type)
    {
        if (type is null || type.ContainingNamespace?.ToDisplayString() == "NetGen") return false;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.Name == "LayerAttribute" && t.ContainingNamespace?.ToDisplayString() == "NetGen") return true;
        return false;
    }

    private static bool IsOutputAttribute(INamedTypeSymbol? type)
        => type is { Name: "OutputAttribute" } && type.ContainingNamespace?.ToDisplayString() == "NetGen";

    private static LayerSpec? ParseLayer(AttributeData attribute, AttributeSyntax? syntax, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var constructor = attribute.AttributeConstructor;
        if (constructor is null) return null;
        var kind = attribute.AttributeClass!.Name;
        if (kind.EndsWith("Attribute", StringComparison.Ordinal)) kind = kind.Substring(0, kind.Length - "Attribute".Length);
        var args = new List<ArgValue>();
        for (int i = 0; i < constructor.Parameters.Length && i < attribute.ConstructorArguments.Length; i++)
        {
            var value = ToArg(constructor.Parameters[i].Name, attribute.ConstructorArguments[i], ParameterLocation(syntax, constructor, i), kind, false, diagnostics, out bool absent);
            if (absent) continue;
            if (value is null) return null;
            args.Add(value);
        }
        foreach (var named in attribute.NamedArguments)
        {
            var value = ToArg(named.Key, named.Value, ArgumentLocation(attribute, named.Key, cancellationToken), kind, true, diagnostics, out bool absent);
            if (absent) continue;
            if (value is null) return null;
            args.Add(value);
        }
        return new LayerSpec(kind, LocationInfo.From(syntax), args.ToEquatableArray());
    }

    /// <summary>
    /// One argument as plain values, or null when it cannot be used: a compiler error (already reported) or a null array
    /// or array element (NG0048, reported here). A null array given to an optional property means "not set" (<paramref name="absent"/>).
    /// </summary>
    private static ArgValue? ToArg(string name, TypedConstant constant, LocationInfo? location, string kind, bool property, List<DiagnosticInfo> diagnostics, out bool absent)
    {
        absent = false;
        if (constant.Kind == TypedConstantKind.Array && constant.IsNull)
        {
            if (property)
            {
                absent = true;
                return null;
            }
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.NullArgument, location, kind, name));
            return null;
        }
        switch (constant.Kind)
        {
            case TypedConstantKind.Array when constant.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String }:
                var texts = new List<string>();
                foreach (var item in constant.Values)
                {
                    if (item.Kind == TypedConstantKind.Error) return null;
                    if (item.Value is not string text)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Descriptors.NullArgument, location, kind, name));
                        return null;
                    }
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
            case TypedConstantKind.Type when constant.Value is ITypeSymbol type && type.TypeKind != TypeKind.Error:
                // typeof(X) (RNN's cell): its name; RnnCells reads the symbol itself.
                return new ArgValue(name, ArgKind.Text, 0, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), EquatableArray<double>.Empty, location);
            case TypedConstantKind.Enum:
                return new ArgValue(name, ArgKind.Enum, Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture), null, EquatableArray<double>.Empty, location);
            case TypedConstantKind.Primitive:
                return constant.Value switch
                {
                    bool b => new ArgValue(name, ArgKind.Bool, b ? 1 : 0, null, EquatableArray<double>.Empty, location),
                    // A long (a seed) keeps its exact value as text: a double cannot hold every long.
                    long l => new ArgValue(name, ArgKind.Number, l, l.ToString(System.Globalization.CultureInfo.InvariantCulture), EquatableArray<double>.Empty, location),
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
