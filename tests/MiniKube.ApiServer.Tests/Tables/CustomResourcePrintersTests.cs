using System.Text.Json.Nodes;
using MiniKube.ApiServer.Tables;

namespace MiniKube.ApiServer.Tests.Tables;

/// <summary>Tables of custom resources as apiextensions-apiserver's tableconvertor.go prints them.</summary>
public class CustomResourcePrintersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static JsonObject Crd(string columns, string uid = "u1", string resourceVersion = "7") => JsonNode.Parse($$"""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.example.com","uid":"{{uid}}","resourceVersion":"{{resourceVersion}}" },
         "spec":{"group":"example.com","names":{"plural":"widgets","kind":"Widget"},"scope":"Namespaced",
                 "versions":[{"name":"v1","served":true,"storage":true,"additionalPrinterColumns":{{columns}} },
                             {"name":"v2","served":true,"storage":false}] } }
        """)!.AsObject();

    private static readonly JsonObject Widget = JsonNode.Parse("""
        {"apiVersion":"example.com/v1","kind":"Widget",
         "metadata":{"name":"w1","namespace":"default","creationTimestamp":"2026-12-06T11:59:55Z"},
         "spec":{"size":3,"ratio":2,"enabled":true,"mode":"fast","tags":["x","y"],"config":{"b":1,"a":"<z>"},
                 "started":"2026-12-03T12:00:00Z","bad":"yesterday","zero":"0001-01-01T00:00:00Z","fraction":2.75,"nothing":null},
         "status":{"conditions":[{"type":"Ready","status":"True"}]}}
        """)!.AsObject();

    // A fresh uid per table: the printer cache trusts uid and resourceVersion to identify the columns.
    private static JsonObject Table(string columns, string version = "v1") =>
        TableBuilder.BuildTable(CustomResourcePrinters.For(Crd(columns, uid: Guid.NewGuid().ToString()), version), [Widget], new TableOptions(), Now);

    [Test]
    public void Columns_NameThenDeclared_WithUpstreamDescriptions()
    {
        var table = Table("""
            [{"name":"Size","type":"integer","jsonPath":".spec.size"},
             {"name":"Mode","type":"string","jsonPath":".spec.mode","description":"How it runs","priority":1,"format":"password"}]
            """);

        var columns = table["columnDefinitions"]!.AsArray();
        Assert.That(columns.Select(c => (string?)c!["name"]), Is.EqualTo(new[] { "Name", "Size", "Mode" }));
        Assert.That((string?)columns[0]!["format"], Is.EqualTo("name"));
        Assert.That(JsonNode.DeepEquals(columns[1], JsonNode.Parse("""
            {"name":"Size","type":"integer","format":"","description":"Custom resource definition column (in JSONPath format): .spec.size","priority":0}
            """)), Is.True, columns[1]!.ToJsonString());
        Assert.That(JsonNode.DeepEquals(columns[2], JsonNode.Parse("""
            {"name":"Mode","type":"string","format":"password","description":"How it runs","priority":1}
            """)), Is.True, columns[2]!.ToJsonString());
        Assert.That(table["rows"]![0]!["cells"]!.ToJsonString(), Is.EqualTo("""["w1",3,"fast"]"""));
    }

    [Test]
    public void NoColumns_DefaultIsAge()
    {
        var table = Table("[]", "v2");

        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => $"{c!["name"]}:{c["type"]}"), Is.EqualTo(new[] { "Name:string", "Age:date" }));
        Assert.That(table["rows"]![0]!["cells"]!.ToJsonString(), Is.EqualTo("""["w1","5s"]"""));
    }

    [TestCase("integer", ".spec.size", "3")]
    [TestCase("integer", ".spec.fraction", "2")]
    [TestCase("integer", ".spec.mode", "null")]
    [TestCase("number", ".spec.ratio", "2")]
    [TestCase("number", ".spec.fraction", "2.75")]
    [TestCase("boolean", ".spec.enabled", "true")]
    [TestCase("boolean", ".spec.mode", "null")]
    [TestCase("date", ".spec.started", "'3d'")]
    [TestCase("date", ".spec.bad", "'<invalid>'")]
    [TestCase("date", ".spec.zero", "'<unknown>'")]
    [TestCase("string", ".spec.mode", "'fast'")]
    [TestCase("string", ".spec.size", "'3'")]
    [TestCase("string", ".spec.fraction", "'2.75'")]
    [TestCase("string", ".spec.enabled", "'true'")]
    [TestCase("string", ".spec.tags", """'["x","y"]'""")]
    [TestCase("string", ".spec.config", """'{"a":"\u003cz\u003e","b":1}'""")]
    [TestCase("string", ".spec.tags[*]", "'x'")]
    [TestCase("string", ".status.conditions[?(@.type==\"Ready\")].status", "'True'")]
    [TestCase("string", ".spec.nothing", "'<no value>'")]
    [TestCase("string", ".spec.missing", "null")]
    [TestCase("integer", ".spec.nothing", "null")]
    public void Cells_ByColumnType(string type, string path, string expected)
    {
        var table = Table($$"""[{"name":"C","type":"{{type}}","jsonPath":{{JsonValue.Create(path).ToJsonString()}} }]""");

        var cell = table["rows"]![0]!["cells"]![1];
        var text = cell switch
        {
            null => "null",
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => "'" + v.GetValue<string>() + "'",
            _ => cell.ToJsonString(),
        };
        Assert.That(text, Is.EqualTo(expected));
    }

    [Test]
    public void For_SameCrdVersion_IsCached_UntilResourceVersionChanges()
    {
        var columns = """[{"name":"Size","type":"integer","jsonPath":".spec.size"}]""";
        var first = CustomResourcePrinters.For(Crd(columns), "v1");

        Assert.That(CustomResourcePrinters.For(Crd(columns), "v1"), Is.SameAs(first));
        var changed = CustomResourcePrinters.For(Crd("""[{"name":"Mode","type":"string","jsonPath":".spec.mode"}]""", resourceVersion: "8"), "v1");
        Assert.That(changed, Is.Not.SameAs(first));
        Assert.That(changed.Columns[1].Name, Is.EqualTo("Mode"));
    }

    [Test]
    public void UnparsableJsonPath_PrintsNull()
    {
        var table = Table("""[{"name":"Bad","type":"string","jsonPath":".spec["}]""");

        Assert.That(table["rows"]![0]!["cells"]!.ToJsonString(), Is.EqualTo("""["w1",null]"""));
    }
}
