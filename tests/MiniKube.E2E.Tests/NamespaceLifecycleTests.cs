namespace MiniKube.E2E.Tests;

/// <summary>
/// A namespace's life with the real kubectl: created, labelled, annotated, then deleted with its
/// content. Deletion needs the controller manager (its namespace controller empties and
/// finalizes the namespace, as upstream's does), so this server runs it; kubectl waits until the
/// namespace is gone.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class NamespaceLifecycleTests : DataDirFixture
{
    [Test]
    public async Task Namespace_CreateLabelAnnotateDelete_GoesAwayWithItsContent()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--disable-scheduler"));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));

        await kubectl.OkAsync("create", "namespace", "ns-life");
        await kubectl.OkAsync("create", "configmap", "inside", "-n", "ns-life", "--from-literal=a=b");
        Assert.That(await kubectl.OkAsync("get", "namespace", "ns-life", "-o", "yaml"), Does.Contain("phase: Active").And.Contain("kubernetes.io/metadata.name: ns-life"));
        Assert.That(await kubectl.OkAsync("get", "namespaces"), Does.Match(@"ns-life\s+Active\s+\d+s"));

        await kubectl.OkAsync("label", "namespace", "ns-life", "team=edge");
        await kubectl.OkAsync("annotate", "namespace", "ns-life", "note=hello");
        Assert.That(await kubectl.OkAsync("get", "namespace", "-l", "team=edge", "-o", "name"), Is.EqualTo("namespace/ns-life\n"));
        Assert.That(await kubectl.OkAsync("get", "namespace", "ns-life", "-o", "jsonpath={.metadata.annotations.note}"), Is.EqualTo("hello"));

        Assert.That(await kubectl.OkAsync("delete", "namespace", "ns-life"), Does.Contain("namespace \"ns-life\" deleted"));
        var gone = await kubectl.RunAsync("get", "namespace", "ns-life");
        Assert.That(gone.Error, Does.Contain("Error from server (NotFound): namespaces \"ns-life\" not found"));
        var refused = await kubectl.RunAsync("create", "configmap", "late", "-n", "ns-life", "--from-literal=a=b");
        Assert.That(refused.Error, Does.Contain("namespaces \"ns-life\" not found"));
    }
}
