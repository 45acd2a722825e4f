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

    // [Weights("file")]: the baking branch (request, named AdditionalFiles, .Weights.g.cs) stays cached on an unrelated
    // edit, and re-runs when the weight file changes.
    private const string BakedNetwork = """
        using NetGen;
        namespace App;
        [Network]
        [Input(2)]
        [Dense(2)]
        [Weights("net.weights.txt")]
        public partial class Baked { }
        """;

    private static AdditionalText BakedFile(float first)
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            NetGen.Training.WeightFile.SaveText(path, "NetGen/1;dense/kernel(2,2);dense/bias(2)", new[] { first, 2f, 3f, 4f, 5f, 6f });
            return new InMemoryAdditionalText("/src/net.weights.txt", System.IO.File.ReadAllText(path));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void UnrelatedEditLeavesTheBakingBranchCached()
    {
        var compilation = GeneratorHarness.Compile(BakedNetwork, "namespace App; public class Other { }");
        var driver = WeightsHarness.CreateDriver(BakedFile(1f), new InMemoryAdditionalText("/src/notes.txt", "unrelated")).RunGenerators(compilation);
        Assert.Contains(driver.GetRunResult().Results.Single().GeneratedSources, s => s.HintName == "App.Baked-Weights.g.cs");
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace App; public class Other { public int X; }", GeneratorHarness.ParseOptions, path: "Source1.cs"));
        driver = driver.RunGenerators(edited);
        foreach (var step in new[] { TrackingNames.BakeRequest, TrackingNames.WeightFiles, TrackingNames.Bake })
        {
            var reasons = Reasons(driver, step);
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
        // Only the named file is read: "notes.txt" never reaches the decoding step.
        Assert.Single(Reasons(driver, TrackingNames.WeightFiles));
    }

    [Fact]
    public void ChangedWeightFileRebakes()
    {
        var compilation = GeneratorHarness.Compile(BakedNetwork);
        var before = BakedFile(1f);
        var driver = WeightsHarness.CreateDriver(before).RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(before, BakedFile(-1f)).RunGenerators(compilation);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, TrackingNames.Bake));
        Assert.All(Reasons(driver, TrackingNames.Build), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }
}
