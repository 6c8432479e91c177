using System.Text.Json.Nodes;
using MiniKube.Addons.Manifests;

namespace MiniKube.Addons.Tests.Manifests;

public sealed class ManifestPlanTests
{
    private static readonly ManifestObjectRef Web = new("apps/v1", "Deployment", "default", "web");
    private static readonly ManifestObjectRef Db = new("apps/v1", "StatefulSet", "default", "db");
    private static readonly ManifestObjectRef Settings = new("v1", "ConfigMap", "default", "settings");

    [Test]
    public void Orphans_DocumentRemoved_IsDeleted()
    {
        var next = ManifestPlan.NextRecord([Web], [Web, Db], incomplete: false);

        Assert.That(next, Is.EqualTo(new[] { Web }));
        Assert.That(ManifestPlan.Orphans([Web, Db], next, new HashSet<string>()), Is.EqualTo(new[] { Db }));
    }

    [Test]
    public void NextRecord_IncompleteFile_KeepsEverythingListedBefore()
    {
        var next = ManifestPlan.NextRecord([Web], [Web, Db], incomplete: true);

        Assert.That(next, Is.EqualTo(new[] { Web, Db }));
        Assert.That(ManifestPlan.Orphans([Web, Db], next, new HashSet<string>()), Is.Empty);
    }

    [Test]
    public void Orphans_DeclaredByAnotherFile_IsKept()
    {
        Assert.That(ManifestPlan.Orphans([Web, Settings], [Web], new HashSet<string> { Settings.Key }), Is.Empty);
    }

    [Test]
    public void Orphans_SameObjectInAnotherVersionOfItsGroup_IsKept()
    {
        var beta = Web with { ApiVersion = "apps/v1beta2" };

        Assert.That(ManifestPlan.Orphans([beta], [Web], new HashSet<string>()), Is.Empty);
    }

    [Test]
    public void ApplyOrder_NamespacesThenCrdsThenTheRestAsWritten()
    {
        ManifestObject Item(string apiVersion, string kind, string name) => new(1, new JsonObject(), apiVersion, kind, null, name);
        var objects = new[]
        {
            Item("example.com/v1", "Widget", "w"),
            Item("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
            Item("v1", "ConfigMap", "c"),
            Item("v1", "Namespace", "tools"),
        };

        Assert.That(ManifestPlan.ApplyOrder(objects).Select(o => o.Name), Is.EqualTo(new[] { "tools", "widgets.example.com", "w", "c" }));
    }
}
