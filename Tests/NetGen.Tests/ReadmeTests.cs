using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests;

/// <summary>Keeps README's tables true: every layer attribute of the runtime is documented.</summary>
public class ReadmeTests
{
    [Fact]
    public void EveryLayerAttributeIsInTheLayersTable()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var attributes = typeof(LayerAttribute).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LayerAttribute)) && !t.IsAbstract)
            .Select(t => t.Name[..^"Attribute".Length])
            .ToList();
        Assert.Contains("Dense", attributes);
        foreach (var name in attributes)
            Assert.Matches($@"`\[{name}[\]\(]", readme); // `[Conv2D(` or `[Flatten]`, not `[Conv2DTranspose`
    }
}
