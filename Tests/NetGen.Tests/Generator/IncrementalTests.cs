using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;
using Xunit;

namespace NetGen.Tests.Generator;

public class IncrementalTests
{
    private const string Network = """
        using NetGen;
        namespace App;
        [Network]
        [Input(8)]
        [Dense(4, Activation = Activation.Relu)]
        [Dense(2, Activation = Activation.Softmax)]
        public partial class Net { }
        """;

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun(params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorDriver driver, string step)
        => driver.GetRunResult().Results.Single().TrackedSteps[step]
            .SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        var (driver, compilation) = FirstRun(Network, "namespace App; public class Other { }");
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace App; public class Other { public int X; }", GeneratorHarness.ParseOptions, path: "Source1.cs"));
        driver = driver.RunGenerators(edited);
        foreach (var step in new[] { TrackingNames.Parse, TrackingNames.Build, TrackingNames.Source, TrackingNames.Diagnostics })
            Assert.All(Reasons(driver, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
    }

    [Fact]
    public void EditInsideTheClassBodyRegeneratesNothing()
    {
        var (driver, compilation) = FirstRun(Network);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(Network.Replace("{ }", "{ public int Extra => 1; }"), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        driver = driver.RunGenerators(edited);
        Assert.All(Reasons(driver, TrackingNames.Build), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(driver, TrackingNames.Source), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void AttributeChangeRegenerates()
    {
        var (driver, compilation) = FirstRun(Network);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(Network.Replace("Dense(4,", "Dense(5,"), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        driver = driver.RunGenerators(edited);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, TrackingNames.Source));
    }
}
