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
        // Records, structs and interfaces too, so that a [Network] on one of them gets a diagnostic instead of silence.
        var specs = context.SyntaxProvider.ForAttributeWithMetadataName(
                "NetGen.NetworkAttribute",
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse(ctx, ct) is { } spec ? Weights.WeightsParsing.Attach(spec, ctx, ct) : null)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Parse);

        var results = specs.Select(static (spec, ct) => Generate(spec, ct)).WithTrackingName(TrackingNames.Build);

        var sources = results.Select(static (r, _) => r.Source).WithTrackingName(TrackingNames.Source);
        // All files in one output, so that hint names differing only in case (classes Net and net) are told apart:
        // the compiler compares hint names ignoring case and throws on a duplicate.
        context.RegisterSourceOutput(sources.Collect(), static (spc, all) =>
        {
            foreach (var (hint, source) in HintNames.Unique(all.Where(s => s is not null).Select(s => s!)))
                spc.AddSource(hint, SourceText.From(source.Text, System.Text.Encoding.UTF8));
        });

        // Diagnostics are reported at locations in the compilation's own syntax trees, so that #pragma warning disable
        // and per-file .editorconfig severities apply to them (a location made from a file path is outside every tree).
        var diagnostics = results.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, pair) =>
        {
            foreach (var d in pair.Left) spc.ReportDiagnostic(d.ToDiagnostic(pair.Right));
        });

        // Layer attributes on a class without [Network] (NG0041): nothing would be generated, so say so.
        var orphans = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => node is TypeDeclarationSyntax { AttributeLists.Count: > 0 },
                static (ctx, ct) => NetworkParser.LayersWithoutNetwork(ctx, ct))
            .Where(static d => d is not null)
            .Select(static (d, _) => d!);
        context.RegisterSourceOutput(orphans.Combine(context.CompilationProvider), static (spc, pair) => spc.ReportDiagnostic(pair.Left.ToDiagnostic(pair.Right)));

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
            GeneratedSource? source = graph is null || context.HasErrors ? null : new GeneratedSource(spec.HintName, NetworkPrinter.Print(graph, spec.Fusion ? PassOptions.All with { Winograd = spec.Winograd } : PassOptions.None));
            return new GenerationResult(source, context.Diagnostics.ToEquatableArray())
            {
                Bake = source is null ? null : Weights.WeightsBaking.Request(spec, graph!), // [Weights("file")]
            };
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Printing.PlanTooLargeException e)
        {
            context.Diagnostics.Add(DiagnosticInfo.Create(Descriptors.TooLarge, spec.NetworkAttributeLocation, $"Network '{spec.ClassName}'", e.What,
                $"at most {Graph.GraphBuilder.MaxFloats} floats in all, with room for the work buffers"));
            return new GenerationResult(null, context.Diagnostics.ToEquatableArray());
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
