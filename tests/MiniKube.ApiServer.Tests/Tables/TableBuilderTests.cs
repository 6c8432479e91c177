using System.Text.Json.Nodes;
using MiniKube.ApiServer.Tables;
using static MiniKube.ApiServer.Tests.Tables.TableTestSupport;

namespace MiniKube.ApiServer.Tests.Tables;

public class TableBuilderTests
{
    private static JsonObject Pod() => Obj("""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"nginx","namespace":"default","resourceVersion":"42","labels":{"app":"web"},"creationTimestamp":"CREATED"},
         "spec":{"containers":[{"name":"c","image":"nginx"}],"nodeName":"node1"},
         "status":{"phase":"Running","podIP":"10.0.0.5",
                   "conditions":[{"type":"Ready","status":"True"}],
                   "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}}
        """.Replace("CREATED", Ago(TimeSpan.FromMinutes(5)), StringComparison.Ordinal));

    [Test]
    public void BuildTable_Pods_HasUpstreamShape()
    {
        var table = TableBuilder.BuildTable(Type("", "pods"), [Pod()], new TableOptions(), Now, new TableListMetadata("106", "tok", 3));

        Assert.That((string?)table["kind"], Is.EqualTo("Table"));
        Assert.That((string?)table["apiVersion"], Is.EqualTo("meta.k8s.io/v1"));
        Assert.That(table["metadata"]!.ToJsonString(), Is.EqualTo("""{"resourceVersion":"106","continue":"tok","remainingItemCount":3}"""));
        var columns = table["columnDefinitions"]!.AsArray();
        Assert.That(columns.Select(c => (string?)c!["name"]), Is.EqualTo(new[] { "Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates" }));
        Assert.That(columns.Select(c => (int)c!["priority"]!), Is.EqualTo(new[] { 0, 0, 0, 0, 0, 1, 1, 1, 1 }));
        Assert.That((string?)columns[0]!["format"], Is.EqualTo("name"));
        Assert.That(columns[1]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "name", "type", "format", "description", "priority" }));
        var row = table["rows"]![0]!;
        Assert.That(row["cells"]!.ToJsonString(TableTestSupport.Relaxed), Is.EqualTo("""["nginx","1/1","Running","0","5m","10.0.0.5","node1","<none>","<none>"]"""));
        Assert.That((string?)row["object"]!["kind"], Is.EqualTo("PartialObjectMetadata"));
        Assert.That((string?)row["object"]!["apiVersion"], Is.EqualTo("meta.k8s.io/v1"));
        Assert.That((string?)row["object"]!["metadata"]!["labels"]!["app"], Is.EqualTo("web"));
        Assert.That(row["object"]!["spec"], Is.Null);
    }

    [Test]
    public void BuildTable_IncludeObjectAndNoHeaders_AreHonoured()
    {
        var pod = Pod();
        var full = TableBuilder.BuildTable(Type("", "pods"), [pod], new TableOptions { IncludeObject = IncludeObject.Object, NoHeaders = true }, Now);
        var none = TableBuilder.BuildTable(Type("", "pods"), [pod], new TableOptions { IncludeObject = IncludeObject.None }, Now);

        Assert.That(full.ContainsKey("columnDefinitions"), Is.False);
        Assert.That(full["rows"]![0]!["object"]!.ToJsonString(), Is.EqualTo(pod.ToJsonString()));
        Assert.That(none["rows"]![0]!.AsObject().ContainsKey("object"), Is.False);
        Assert.That(none["columnDefinitions"], Is.Not.Null);
        Assert.That(pod.Parent, Is.Null, "the input object must not be adopted by the table");
    }

    [Test]
    public void BuildTable_V1beta1_UsesThatVersionThroughout()
    {
        var table = TableBuilder.BuildTable(Type("", "pods"), [Pod()], TableOptions.FromQuery(null, null, "v1beta1"), Now);

        Assert.That((string?)table["apiVersion"], Is.EqualTo("meta.k8s.io/v1beta1"));
        Assert.That((string?)table["rows"]![0]!["object"]!["apiVersion"], Is.EqualTo("meta.k8s.io/v1beta1"));
    }

    [Test]
    public void BuildTable_SingleObject_CarriesItsResourceVersion()
    {
        var table = TableBuilder.BuildObjectTable(Type("", "pods"), Pod(), new TableOptions(), Now);

        Assert.That((string?)table["metadata"]!["resourceVersion"], Is.EqualTo("42"));
        Assert.That(table["rows"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public void BuildTable_EmptyList_HasEmptyRowsAndMetadata()
    {
        var table = TableBuilder.BuildTable(Type("apps", "deployments"), [], new TableOptions(), Now);

        Assert.That(table["rows"]!.ToJsonString(), Is.EqualTo("[]"));
        Assert.That(table["metadata"]!.ToJsonString(), Is.EqualTo("{}"));
    }

    [TestCase("Metadata", IncludeObject.Metadata)]
    [TestCase(null, IncludeObject.Metadata)]
    [TestCase("None", IncludeObject.None)]
    [TestCase("Object", IncludeObject.Object)]
    public void FromQuery_ReadsIncludeObject(string? value, IncludeObject expected)
    {
        Assert.That(TableOptions.FromQuery(value, "true").IncludeObject, Is.EqualTo(expected));
        Assert.That(TableOptions.FromQuery(value, "true").NoHeaders, Is.True);
        Assert.That(TableOptions.FromQuery(value, null).NoHeaders, Is.False);
    }

    [Test]
    public void FromQuery_UnknownIncludeObject_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => TableOptions.FromQuery("Everything", null));

        Assert.That(error!.Message, Does.StartWith("unrecognized includeObject value: \"Everything\""));
    }

    [Test]
    public void TableWatchEncoder_OnlyFirstEventHasHeaders_StatusPassesThrough()
    {
        var encoder = new TableWatchEncoder(Type("", "pods"), new TableOptions());
        var status = Obj("""{"kind":"Status","apiVersion":"v1","status":"Failure","code":410}""");

        var first = encoder.Encode("ADDED", Pod(), Now);
        var second = encoder.Encode("MODIFIED", Pod(), Now);
        var error = encoder.Encode("ERROR", status, Now);

        Assert.That((string?)first["type"], Is.EqualTo("ADDED"));
        Assert.That(first["object"]!["columnDefinitions"], Is.Not.Null);
        Assert.That((string?)first["object"]!["metadata"]!["resourceVersion"], Is.EqualTo("42"));
        Assert.That(second["object"]!.AsObject().ContainsKey("columnDefinitions"), Is.False);
        Assert.That(second["object"]!["rows"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(error["object"]!.ToJsonString(), Is.EqualTo(status.ToJsonString()));
    }
}
