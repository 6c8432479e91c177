using MiniKube.Addons.Manifests;

namespace MiniKube.Addons.Tests.Manifests;

public sealed class ManifestParserTests
{
    [Test]
    public void Parse_MultiDocumentYaml_EveryObjectInOrderWithItsDocumentNumber()
    {
        const string Yaml = """
            ---
            # comments only: not a document
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: tools
            data:
              replicas: "3"
            --- # the second one
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
            """;

        var parsed = ManifestParser.Parse("apps.yaml", Yaml);

        Assert.That(parsed.Errors, Is.Empty);
        Assert.That(parsed.Objects.Select(o => (o.Document, o.ApiVersion, o.Kind, o.Namespace, o.Name)),
            Is.EqualTo(new (int, string, string, string?, string)[] { (1, "v1", "ConfigMap", "tools", "settings"), (2, "apps/v1", "Deployment", null, "web") }));
        Assert.That(parsed.Objects[0].Body["data"]!["replicas"]!.GetValue<string>(), Is.EqualTo("3"));
        Assert.That(parsed.Objects[1].Body["spec"]!["replicas"]!.GetValue<long>(), Is.EqualTo(3));
    }

    [Test]
    public void Parse_BadDocumentsAmongGoodOnes_GoodOnesStayAndEachBadOneIsNamed()
    {
        const string Yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: first}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: [unclosed
            ---
            kind: ConfigMap
            metadata: {name: no-version}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {generateName: token-}
            ---
            just a string
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: last}
            """;

        var parsed = ManifestParser.Parse("mixed.yml", Yaml);

        Assert.That(parsed.Objects.Select(o => (o.Document, o.Name)), Is.EqualTo(new[] { (1, "first"), (6, "last") }));
        Assert.That(parsed.Errors.Select(e => e.Document), Is.EqualTo(new[] { 2, 3, 4, 5 }));
        Assert.That(parsed.Errors[0].Reason, Does.StartWith("not valid YAML at line 8: "), "where the parser found the sequence unclosed: the end of the document");
        Assert.That(parsed.Errors[1].Reason, Is.EqualTo("apiVersion is required"));
        Assert.That(parsed.Errors[2].Reason, Is.EqualTo("metadata.name is required (generateName cannot be applied)"));
        Assert.That(parsed.Errors[3].Reason, Is.EqualTo("a document must be an object (a mapping)"));
    }

    [Test]
    public void Parse_List_StandsForItsItems()
    {
        const string Yaml = """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ServiceAccount, metadata: {name: a}}
            - {apiVersion: v1, kind: ServiceAccount, metadata: {name: b}}
            """;

        var parsed = ManifestParser.Parse("list.yaml", Yaml);

        Assert.That(parsed.Objects.Select(o => (o.Document, o.Name)), Is.EqualTo(new[] { (1, "a"), (1, "b") }));
    }

    [Test]
    public void Parse_JsonFile_OneObject_OrAnError()
    {
        var good = ManifestParser.Parse("ns.json", """{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tools"}}""");
        var bad = ManifestParser.Parse("ns.json", """{"apiVersion": "v1",""");

        Assert.That(good.Objects.Single().Name, Is.EqualTo("tools"));
        Assert.That(bad.Objects, Is.Empty);
        Assert.That(bad.Errors.Single().Reason, Does.StartWith("not valid JSON: "));
    }
}
