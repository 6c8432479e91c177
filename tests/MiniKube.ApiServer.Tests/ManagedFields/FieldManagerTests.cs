using System.Text.Json.Nodes;
using k8s.Models;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Tests.Patching;

namespace MiniKube.ApiServer.Tests.ManagedFields;

public class FieldManagerTests
{
    private static readonly IFieldShape ConfigMap = ModelShapes.Instance.For(typeof(V1ConfigMap));
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 0, 4, 35, 500, TimeSpan.Zero);

    private static FieldOwner Applier(string manager) => new(manager, ManagerEntry.Apply, "v1", null, Now);

    private static FieldOwner Updater(string manager, string? subresource = null) => new(manager, ManagerEntry.Update, "v1", subresource, Now);

    private static JsonObject Cm(string data) => Json.Object($$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"demo","namespace":"default"},"data":{{data}}}""");

    [Test]
    public void Update_Create_RecordsTheCreatorsFieldsAsUpstreamWritesThem()
    {
        var created = Cm("""{"k":"v1"}""");

        FieldManager.Update(null, created, Updater("kubectl-create"), ConfigMap);

        Json.AssertEqual(created["metadata"]!["managedFields"], """
            [{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2026-12-06T00:04:35Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:k":{}}}}]
            """);
    }

    [Test]
    public void Apply_SecondManagerChangingAField_ConflictsWithUpstreamMessage()
    {
        var live = FieldManager.Apply(null, Cm("""{"k":"v1","other":"x"}"""), Applier("kubectl"), false, ConfigMap);

        var error = Assert.Throws<ApiException>(() => FieldManager.Apply((JsonObject)live.DeepClone(), Cm("""{"k":"v2"}"""), Applier("other"), false, ConfigMap));

        Assert.That(error!.Code, Is.EqualTo(409));
        Assert.That(error.Reason, Is.EqualTo("Conflict"));
        Assert.That(error.Message, Is.EqualTo("Apply failed with 1 conflict: conflict with \"kubectl\": .data.k"));
        Json.AssertEqual(error.Details, """{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl\"","field":".data.k"}]}""");
    }

    [Test]
    public void Apply_UpdateOwnerAndSeveralFields_NamesVersionAndListsPaths()
    {
        var live = Cm("""{"a":"1","b":"2"}""");
        FieldManager.Update(null, live, Updater("kubectl-create"), ConfigMap);

        var error = Assert.Throws<ApiException>(() => FieldManager.Apply(live, Cm("""{"a":"9","b":"9"}"""), Applier("kubectl"), false, ConfigMap));

        Assert.That(error!.Message, Is.EqualTo("Apply failed with 2 conflicts: conflicts with \"kubectl-create\" using v1:\n- .data.a\n- .data.b"));
    }

    [Test]
    public void Apply_EqualValue_SharesOwnership_ForceTakesIt()
    {
        var live = FieldManager.Apply(null, Cm("""{"k":"v1"}"""), Applier("kubectl"), false, ConfigMap);

        var shared = FieldManager.Apply((JsonObject)live.DeepClone(), Cm("""{"k":"v1"}"""), Applier("other"), false, ConfigMap);
        Assert.That(Managers(shared), Is.EqualTo(new[] { "kubectl", "other" }));

        var forced = FieldManager.Apply((JsonObject)live.DeepClone(), Cm("""{"k":"v2"}"""), Applier("other"), true, ConfigMap);
        Assert.That(forced["data"]!["k"]!.GetValue<string>(), Is.EqualTo("v2"));
        Assert.That(Managers(forced), Is.EqualTo(new[] { "other" }));
    }

    [Test]
    public void Apply_FieldDroppedFromConfiguration_IsRemovedUnlessSomeoneElseOwnsIt()
    {
        var live = FieldManager.Apply(null, Cm("""{"a":"1","b":"2","c":"3"}"""), Applier("kubectl"), false, ConfigMap);
        live = FieldManager.Apply(live, Cm("""{"c":"3"}"""), Applier("other"), false, ConfigMap);

        var result = FieldManager.Apply(live, Cm("""{"a":"1"}"""), Applier("kubectl"), false, ConfigMap);

        Json.AssertEqual(result["data"], """{"a":"1","c":"3"}""");
    }

    [Test]
    public void Update_ChangedField_MovesFromApplierToUpdater()
    {
        var live = FieldManager.Apply(null, Cm("""{"k":"v1","o":"x"}"""), Applier("kubectl"), false, ConfigMap);
        var edited = Cm("""{"k":"v2","o":"x"}""");
        edited["metadata"]!["managedFields"] = live["metadata"]!["managedFields"]!.DeepClone();

        FieldManager.Update(live, edited, Updater("kubectl-edit"), ConfigMap);

        var entries = edited["metadata"]!["managedFields"]!.AsArray();
        Json.AssertEqual(entries[0]!["fieldsV1"], """{"f:data":{"f:o":{}}}""");
        Json.AssertEqual(entries[1]!["fieldsV1"], """{"f:data":{"f:k":{}}}""");
        Assert.That(entries[1]!["manager"]!.GetValue<string>(), Is.EqualTo("kubectl-edit"));
    }

    [Test]
    public void Update_StatusSubresource_KeepsStoredEntriesAndNamesTheSubresource()
    {
        var shape = ModelShapes.Instance.For(typeof(V1Pod));
        var live = Json.Object("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}""");
        FieldManager.Update(null, live, Updater("kubectl-create"), shape, FieldManager.ResetFields(true, null));
        var updated = (JsonObject)live.DeepClone();
        updated["status"] = new JsonObject { ["phase"] = "Running" };
        updated["metadata"]!["managedFields"] = new JsonArray();

        FieldManager.Update(live, updated, Updater("kubelet", "status"), shape, FieldManager.ResetFields(true, "status"));

        var entries = updated["metadata"]!["managedFields"]!.AsArray();
        Assert.That(entries.Select(e => (string?)e!["manager"]), Is.EqualTo(new[] { "kubectl-create", "kubelet" }));
        Assert.That((string?)entries[1]!["subresource"], Is.EqualTo("status"));
        // A Go struct, status is always there: the first status write does not own the node.
        Json.AssertEqual(entries[1]!["fieldsV1"], """{"f:status":{"f:phase":{}}}""");
    }

    [Test]
    public void Update_EmptyManagedFieldsList_ResetsToTheWritersEntry()
    {
        var live = FieldManager.Apply(null, Cm("""{"k":"v1"}"""), Applier("kubectl"), false, ConfigMap);
        var updated = Cm("""{"k":"v1","n":"new"}""");
        updated["metadata"]!["managedFields"] = new JsonArray();

        FieldManager.Update(live, updated, Updater("kubectl-replace"), ConfigMap);

        Assert.That(Managers(updated), Is.EqualTo(new[] { "kubectl-replace" }));
    }

    [Test]
    public void Update_InvalidClientEntries_KeepTheStoredOnes()
    {
        var live = FieldManager.Apply(null, Cm("""{"k":"v1"}"""), Applier("kubectl"), false, ConfigMap);
        var updated = Cm("""{"k":"v1"}""");
        updated["metadata"]!["managedFields"] = JsonNode.Parse("""[{"manager":"x","operation":"Bogus","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{}}]""");

        FieldManager.Update(live, updated, Updater("kubectl-replace"), ConfigMap);

        Assert.That(Managers(updated), Is.EqualTo(new[] { "kubectl" }));
    }

    [Test]
    public void Update_MoreThanTenUpdaters_OldestMergeIntoAncientChanges()
    {
        var live = Cm("""{}""");
        for (var i = 0; i < 12; i++)
        {
            var updated = (JsonObject)live.DeepClone();
            updated["data"]![$"k{i}"] = "v";
            FieldManager.Update(live, updated, new FieldOwner($"m{i:D2}", ManagerEntry.Update, "v1", null, Now.AddSeconds(i)), ConfigMap);
            live = updated;
        }

        var managers = Managers(live);
        Assert.That(managers, Has.Count.EqualTo(10));
        Assert.That(managers[0], Is.EqualTo("ancient-changes"));
    }

    [Test]
    public void Apply_ByKubectlOverClientSideApply_TakesTheLastAppliedFieldsAndUpdatesTheAnnotation()
    {
        var live = Cm("""{"k":"v1"}""");
        live["metadata"]!["annotations"] = new JsonObject { [FieldManager.LastAppliedAnnotation] = """{"apiVersion":"v1","data":{"k":"v1"},"kind":"ConfigMap","metadata":{"name":"demo","namespace":"default"}}""" };
        FieldManager.Update(null, live, Updater("kubectl-client-side-apply"), ConfigMap);

        var result = FieldManager.Apply(live, Cm("""{"k":"v2"}"""), Applier("kubectl"), false, ConfigMap);

        Assert.That(result["data"]!["k"]!.GetValue<string>(), Is.EqualTo("v2"));
        Assert.That(result["metadata"]!["annotations"]![FieldManager.LastAppliedAnnotation]!.GetValue<string>(),
            Is.EqualTo("{\"apiVersion\":\"v1\",\"data\":{\"k\":\"v2\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"demo\",\"namespace\":\"default\"}}\n"));
    }

    [Test]
    public void Apply_ManagedFieldsInConfiguration_IsBadRequest()
    {
        var config = Cm("""{"k":"v"}""");
        config["metadata"]!["managedFields"] = new JsonArray();

        var error = Assert.Throws<ApiException>(() => FieldManager.Apply(null, config, Applier("kubectl"), false, ConfigMap));

        Assert.That(error!.Code, Is.EqualTo(400));
        Assert.That(error.Message, Is.EqualTo("metadata.managedFields must be nil"));
    }

    [Test]
    public void Apply_ContainerDroppedFromConfiguration_GoesUnlessAnotherManagerOwnsPartOfIt()
    {
        var shape = ModelShapes.Instance.For(typeof(V1Deployment));
        static JsonObject Deployment(string containers) => Json.Object(
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":""" + containers + "}}}}");
        var live = FieldManager.Apply(null, Deployment("""[{"name":"a","image":"1"},{"name":"b","image":"2"},{"name":"c","image":"3"}]"""), Applier("kubectl"), false, shape);
        var owner2 = new FieldOwner("sidecar-injector", ManagerEntry.Apply, "apps/v1", null, Now);
        live = FieldManager.Apply(live, Deployment("""[{"name":"c","image":"3"}]"""), owner2, false, shape);

        var result = FieldManager.Apply(live, Deployment("""[{"name":"a","image":"1"}]"""), Applier("kubectl"), false, shape);

        Json.AssertEqual(result["spec"]!["template"]!["spec"]!["containers"], """[{"name":"a","image":"1"},{"name":"c","image":"3"}]""");
    }

    private static List<string?> Managers(JsonObject obj) =>
        obj["metadata"]!["managedFields"]!.AsArray().Select(e => (string?)e!["manager"]).ToList();
}
