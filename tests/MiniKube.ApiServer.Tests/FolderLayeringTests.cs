using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Tests;

/// <summary>
/// The API server's folders must stack without cycles (Objects and Errors at the bottom, Http on
/// top; see the project README). Reads the sources: a folder depends on another when one of its
/// files names the other's namespace, in a using directive, fully qualified
/// (<c>MiniKube.ApiServer.X.</c>) or relative to the root namespace (<c>X.Type</c>).
/// </summary>
public sealed partial class FolderLayeringTests
{
    [Test]
    public void Folders_DependOnEachOther_WithoutCycles()
    {
        var graph = FolderGraph(SourceDirectory());

        var cycle = FindCycle(graph);

        Assert.That(cycle, Is.Null, () => "folder cycle: " + string.Join(" -> ", cycle!));
    }

    [Test]
    public void Folders_ExpectedLayers_AreInPlace()
    {
        var graph = FolderGraph(SourceDirectory());

        // The edges the layering exists for: nothing below the registry reaches up into it or HTTP.
        foreach (var lower in new[] { "Objects", "Errors", "Cel", "Admission", "Strategies", "Resources" })
        {
            Assert.That(graph[lower], Does.Not.Contain("Registry").And.Not.Contain("Http"), lower);
        }
        Assert.That(graph["Objects"], Is.Empty);
        Assert.That(graph["Errors"], Is.EquivalentTo(new[] { "Objects" }));
        // The structural-schema engine is a rules-layer folder: it reaches strategies only through their adapter.
        Assert.That(graph["CustomResources"], Is.SubsetOf(new[] { "Objects", "Errors" }));
        // CEL is a rules layer for CRDs, webhooks and policies alike: it may use only the bottom.
        Assert.That(graph["Cel"], Is.SubsetOf(new[] { "Objects", "Errors" }));
        // Admission plugins sit on the registry: nothing at or below it reaches them, and they reach nothing that serves.
        foreach (var lower in new[] { "Objects", "Errors", "Cel", "Admission", "Strategies", "Resources", "Registry" })
        {
            Assert.That(graph[lower], Does.Not.Contain("AdmissionPlugins"), lower);
        }
        Assert.That(graph["AdmissionPlugins"], Does.Not.Contain("Http").And.Not.Contain("Discovery").And.Not.Contain("Auth"));
        // The HTTPS webhook client serves admission and CRD conversion webhooks alike: it may use only the bottom.
        Assert.That(graph["Webhooks"], Is.SubsetOf(new[] { "Objects", "Errors" }));
        Assert.That(graph["AdmissionPlugins"], Does.Contain("Registry"));
    }

    [Test]
    public void FindCycle_TwoFoldersNamingEachOther_ReportsThem()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        Assert.That(FindCycle(graph), Is.EqualTo(new[] { "A", "B", "C", "A" }));
    }

    private static string SourceDirectory()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "MiniKube.ApiServer");
            if (File.Exists(Path.Combine(candidate, "MiniKube.ApiServer.csproj")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("src/MiniKube.ApiServer not found above " + TestContext.CurrentContext.TestDirectory);
    }

    /// <summary>Folder → folders its files refer to.</summary>
    private static Dictionary<string, HashSet<string>> FolderGraph(string root)
    {
        var folders = Directory.GetDirectories(root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name is not ("bin" or "obj") && Directory.EnumerateFiles(Path.Combine(root, name), "*.cs", SearchOption.AllDirectories).Any())
            .ToHashSet(StringComparer.Ordinal);
        var graph = folders.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                foreach (Match match in Qualified().Matches(text))
                {
                    graph[folder].Add(match.Groups[1].Value);
                }
                foreach (Match match in Relative().Matches(text))
                {
                    graph[folder].Add(match.Groups[1].Value);
                }
            }
            graph[folder].IntersectWith(folders);
            graph[folder].Remove(folder);
        }
        return graph;
    }

    /// <summary>A cycle as its folders with the first repeated at the end, or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0)
            {
                return [.. path[at..], node];
            }
            if (!done.Add(node))
            {
                return null;
            }
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }
            path.RemoveAt(path.Count - 1);
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(node) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }

    [GeneratedRegex(@"MiniKube\.ApiServer\.(\w+)")]
    private static partial Regex Qualified();

    // Relative to the root namespace, as files inside MiniKube.ApiServer.* may write "Registry.ObjectCodec".
    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.[A-Z]\w*")]
    private static partial Regex Relative();
}
