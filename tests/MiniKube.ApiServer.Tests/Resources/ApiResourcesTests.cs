using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.ApiServer.Tests.Resources;

public sealed class ApiResourcesTests
{
    internal static JsonObject EstablishedCrd()
    {
        var crd = JsonNode.Parse(CustomResourceTests.Crd)!.AsObject();
        var strategy = BuiltInStrategies.CustomResourceDefinition;
        strategy.ApplyDefaults(crd);
        strategy.PrepareForCreate(crd);
        CustomResourceDefinitionNames.Accept(crd, [], DateTimeOffset.UnixEpoch);
        crd["metadata"]!["uid"] = "u1";
        crd["metadata"]!["resourceVersion"] = "5";
        return crd;
    }

    [Test]
    public void Set_CustomTypes_FoundAndVersionMoves()
    {
        var resources = new ApiResources();
        var before = resources.Version;

        resources.Set("widgets.example.com", CustomResourceTypes.From(EstablishedCrd()));

        Assert.That(resources.Version, Is.EqualTo(before + 1));
        Assert.That(resources.Find("example.com", "v1", "widgets")!.Kind, Is.EqualTo("Widget"));
        Assert.That(resources.FindKind("example.com", "v1beta1", "Widget")!.StoredAs!.Storage.Version, Is.EqualTo("v1"));
        Assert.That(resources.Find("", "v1", "pods"), Is.SameAs(ResourceCatalog.Find("", "v1", "pods")));
    }

    [Test]
    public void Set_SameCrdAgain_KeepsVersion()
    {
        var resources = new ApiResources();
        resources.Set("widgets.example.com", CustomResourceTypes.From(EstablishedCrd()));
        var version = resources.Version;

        resources.Set("widgets.example.com", CustomResourceTypes.From(EstablishedCrd()));

        Assert.That(resources.Version, Is.EqualTo(version));
    }

    [Test]
    public void Set_Empty_Unserves()
    {
        var resources = new ApiResources();
        resources.Set("widgets.example.com", CustomResourceTypes.From(EstablishedCrd()));

        resources.Set("widgets.example.com", []);

        Assert.That(resources.Find("example.com", "v1", "widgets"), Is.Null);
    }

    [Test]
    public void Set_OlderRevisionAfterNewer_Ignored()
    {
        var resources = new ApiResources();
        resources.Set("widgets.example.com", CustomResourceTypes.From(EstablishedCrd()), revision: 7);

        resources.Set("widgets.example.com", [], revision: 6);

        Assert.That(resources.Find("example.com", "v1", "widgets"), Is.Not.Null);
    }
}
