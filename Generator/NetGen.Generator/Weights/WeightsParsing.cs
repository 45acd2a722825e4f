using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Model;

namespace NetGen.Generator.Weights;

/// <summary>Reads <c>[Weights("file")]</c> off a network class onto its <see cref="NetworkSpec"/>.</summary>
internal static class WeightsParsing
{
    public const string AttributeName = "NetGen.WeightsAttribute";

    public static NetworkSpec Attach(NetworkSpec spec, GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        foreach (var attribute in context.TargetSymbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != AttributeName) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            // The span of the file-name argument, so a diagnostic underlines exactly the name.
            SyntaxNode? where = syntax?.ArgumentList is { Arguments.Count: > 0 } list ? list.Arguments[0].Expression : syntax;
            var file = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            return spec with { WeightsFile = file ?? "", WeightsFileLocation = LocationInfo.From(where) };
        }
        return spec;
    }
}
