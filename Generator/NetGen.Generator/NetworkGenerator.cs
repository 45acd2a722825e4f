using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Passes;
using NetGen.Generator.Printing;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;

namespace NetGen.Generator;

/// <summary>
/// Expands every <c>[Network]</c> partial class into straight-line, shape-checked forward and backward code.
/// Pipeline: parse (symbols → <see cref="NetworkSpec"/>), build and emit (spec → text + diagnostics), then
/// separate source and diagnostics branches so that a moved diagnostic does not regenerate code.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.SyntaxProvider.ForAttributeWithMetadataName(
                "NetGen.NetworkAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => Weights.WeightsParsing.Attach(NetworkParser.Parse(ctx, ct), ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        var results = specs.Select(static (spec, ct) => Generate(spec, ct)).WithTrackingName(TrackingNames.Build);

        var sources = results.Select(static (r, _) => r.Source).WithTrackingName(TrackingNames.Source);
        context.RegisterSourceOutput(sources, static (spc, source) =>
        {
            if (source is not null) spc.AddSource(source.HintName, SourceText.From(source.Text, System.Text.Encoding.UTF8));
        });

        var diagnostics = results.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list) spc.ReportDiagnostic(d.ToDiagnostic());
        });

        Weights.WeightsBaking.Register(context, results); // [Weights("file")]: the separate .Weights.g.cs branch
    }

    internal static GenerationResult Generate(NetworkSpec spec, CancellationToken cancellationToken)
    {
        var context = new BuildContext();
        try
        {
            context.Diagnostics.AddRange(spec.Diagnostics);
            bool blocked = spec.Diagnostics.Any(d => Descriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
            var graph = blocked ? null : GraphBuilder.Build(spec, context, cancellationToken);
            GeneratedSource? source = graph is null || context.HasErrors ? null : new GeneratedSource(spec.HintName, NetworkPrinter.Print(graph, spec.Fusion ? PassOptions.All : PassOptions.None));
            return new GenerationResult(source, context.Diagnostics.ToEquatableArray())
            {
                Bake = source is null ? null : Weights.WeightsBaking.Request(spec, graph!), // [Weights("file")]
            };
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            context.Diagnostics.Add(DiagnosticInfo.Create(Descriptors.InternalError, spec.NetworkAttributeLocation, spec.ClassName, e.GetType().Name + ": " + e.Message));
            return new GenerationResult(null, context.Diagnostics.ToEquatableArray());
        }
    }
}

/// <summary>One generated file.</summary>
internal sealed record GeneratedSource(string HintName, string Text);

/// <summary>What one network produces: its file (unless an error stopped it) and its diagnostics.</summary>
internal sealed record GenerationResult(GeneratedSource? Source, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>What baking <c>[Weights("file")]</c> needs (signature and counts), when the network names a file.</summary>
    public BakeRequest? Bake { get; init; }
}
