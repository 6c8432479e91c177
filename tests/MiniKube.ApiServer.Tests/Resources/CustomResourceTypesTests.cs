using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Resources;

public sealed class CustomResourceTypesTests
{
    [Test]
    public void From_Crd_ServedVersionsWithTheirFacts()
    {
        var types = CustomResourceTypes.From(ApiResourcesTests.EstablishedCrd());

        Assert.That(types.Select(t => t.Version), Is.EqualTo(new[] { "v1", "v1beta1" }));
        var v1 = types[0];
        Assert.That(v1.KeyPrefix, Is.EqualTo("/registry/example.com/widgets/"));
        Assert.That(v1.Subresources.Select(s => s.Name), Is.EqualTo(new[] { "status", "scale" }));
        Assert.That(v1.Custom!.Scale, Is.EqualTo(new ScalePaths(".spec.replicas", ".status.replicas", ".status.selector")));
        Assert.That(v1.Custom.SelectableFields, Is.EqualTo(new[] { ".spec.color" }));
        Assert.That(v1.Custom.PrinterColumns.Count, Is.EqualTo(1));
        Assert.That(v1.ShortNames, Is.EqualTo(new[] { "wd" }));
        Assert.That(types[1].KeyPrefix, Is.EqualTo(v1.KeyPrefix));
        var stored = types[1].ToStorage(JsonNode.Parse("""{"apiVersion":"example.com/v1beta1","kind":"Widget"}""")!.AsObject());
        Assert.That(stored["apiVersion"]!.GetValue<string>(), Is.EqualTo("example.com/v1"));
    }

    [Test]
    public void From_StoredObject_GetsTheServedVersionsDefaultsOnRead()
    {
        var types = CustomResourceTypes.From(ApiResourcesTests.EstablishedCrd());

        var read = types[0].FromStorage(JsonNode.Parse("""{"apiVersion":"example.com/v1","kind":"Widget","spec":{"size":1}}""")!.AsObject());

        Assert.That(read["spec"]!["color"]!.GetValue<string>(), Is.EqualTo("blue"));
        Assert.That(types[0].ToStorage(read), Is.SameAs(read));
    }

    [Test]
    public void From_SchemaWithoutDefaults_StorageVersionHasNoConversion()
    {
        var crd = ApiResourcesTests.EstablishedCrd();
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["color"]!.AsObject().Remove("default");

        var types = CustomResourceTypes.From(crd);

        Assert.That(types[0].StoredAs, Is.Null);
        Assert.That(types[1].StoredAs!.FromStorageAllAsync, Is.Null, "conversion None converts one object at a time, in place");
    }

    [Test]
    public void From_NotEstablished_ServesNothing()
    {
        var crd = ApiResourcesTests.EstablishedCrd();
        crd["status"]!.AsObject().Remove("conditions");

        Assert.That(CustomResourceTypes.From(crd), Is.Empty);
    }
}
