using System.Net;
using k8s;
using k8s.Models;
using MiniKube.Controllers.Namespace;
using MiniKube.Controllers.Tests.Common;
using MiniKube.Testing;

namespace MiniKube.Controllers.Tests.Namespace;

public sealed class NamespaceControllerTests
{
    private const string CoreResources = """
        {"kind":"APIResourceList","groupVersion":"v1","resources":[
          {"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["create","delete","deletecollection","get","list"]},
          {"name":"pods/status","namespaced":true,"kind":"Pod","verbs":["get","patch","update"]},
          {"name":"nodes","namespaced":false,"kind":"Node","verbs":["delete","deletecollection","get","list"]},
          {"name":"bindings","namespaced":true,"kind":"Binding","verbs":["create"]}]}
        """;

    private const string Groups = """
        {"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"example.com","versions":[{"groupVersion":"example.com/v1","version":"v1"}],"preferredVersion":{"groupVersion":"example.com/v1","version":"v1"}}]}
        """;

    private const string ExampleResources = """
        {"kind":"APIResourceList","groupVersion":"example.com/v1","resources":[{"name":"widgets","namespaced":true,"kind":"Widget","verbs":["delete","get","list"]}]}
        """;

    private static V1Namespace Terminating(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Uid = "u1", DeletionTimestamp = DateTime.UtcNow },
        Spec = new V1NamespaceSpec { Finalizers = ["kubernetes", "example.com/other"] },
        Status = new V1NamespaceStatus { Phase = "Terminating" },
    };

    /// <summary>Discovery as above; lists answer with <paramref name="items"/> per collection path.</summary>
    private static Func<ApiCall, (HttpStatusCode, string)> Api(Dictionary<string, string> items) => call =>
    {
        var path = call.Path.Split('?')[0].TrimEnd('/');
        return (call.Method, path) switch
        {
            ("GET", "/api/v1") => (HttpStatusCode.OK, CoreResources),
            ("GET", "/apis") => (HttpStatusCode.OK, Groups),
            ("GET", "/apis/example.com/v1") => (HttpStatusCode.OK, ExampleResources),
            ("GET", _) => (HttpStatusCode.OK, $$"""{"kind":"List","apiVersion":"v1","metadata":{},"items":[{{items.GetValueOrDefault(path, "")}}]}"""),
            ("DELETE", _) => (HttpStatusCode.OK, """{"kind":"Status","apiVersion":"v1","status":"Success"}"""),
            _ => (HttpStatusCode.OK, call.Body ?? "{}"),
        };
    };

    [Test]
    public async Task SyncAsync_TerminatingNamespaceEmptied_DeletesEveryResourceThenFinalizes()
    {
        await using var world = new ControllerHarness().Seed(Terminating("team"));
        world.Api.Respond = Api([]);
        var controller = new NamespaceController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(new NamespacedName("team"), CancellationToken.None);

        // deletecollection where served; one delete per object otherwise (there are none).
        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "DELETE /api/v1/namespaces/team/configmaps",
            "PUT /api/v1/namespaces/team/finalize",
        }));
        Assert.That(world.Api.Writes[0].Body, Does.Contain("\"propagationPolicy\":\"Background\""));
        var finalized = KubernetesJson.Deserialize<V1Namespace>(world.Api.Writes[1].Body!);
        Assert.That(finalized.Spec.Finalizers, Is.EqualTo(new[] { "example.com/other" }));
    }

    [Test]
    public async Task SyncAsync_ContentRemains_DeletesWhatIsNotDeletingAndDoesNotFinalize()
    {
        await using var world = new ControllerHarness().Seed(Terminating("team"));
        world.Api.Respond = Api(new()
        {
            ["/apis/example.com/v1/namespaces/team/widgets"] =
                """{"metadata":{"name":"a"}},{"metadata":{"name":"b","deletionTimestamp":"2026-01-01T00:00:00Z"}}""",
        });
        var controller = new NamespaceController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(new NamespacedName("team"), CancellationToken.None);

        Assert.That(world.Api.Writes.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "DELETE /api/v1/namespaces/team/configmaps",
            "DELETE /apis/example.com/v1/namespaces/team/widgets/a",
        }));
    }

    [Test]
    public async Task SyncAsync_ActiveOrAlreadyFinalizedNamespace_WritesNothing()
    {
        var finalized = Terminating("done");
        finalized.Spec.Finalizers = ["example.com/other"];
        await using var world = new ControllerHarness()
            .Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = "live" }, Status = new V1NamespaceStatus { Phase = "Active" } }, finalized);
        world.Api.Respond = Api([]);
        var controller = new NamespaceController(world.Context);
        await world.StartAsync();

        await controller.SyncAsync(new NamespacedName("live"), CancellationToken.None);
        await controller.SyncAsync(new NamespacedName("done"), CancellationToken.None);

        Assert.That(world.Api.Calls, Is.Empty);
    }

    private static V1Namespace Namespace(string name) => new() { Metadata = new V1ObjectMeta { Name = name } };

    private static V1ConfigMap ConfigMap(string name, params string[] finalizers) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Finalizers = finalizers.Length > 0 ? [.. finalizers] : null } };

    [Test]
    [Category("Integration")]
    public async Task DeletedNamespace_WithContentOfSeveralGroups_IsEmptiedAndRemoved()
    {
        await using var harness = await ClusterHarness.StartAsync("namespace");
        var client = harness.Client;
        await client.CoreV1.CreateNamespaceAsync(Namespace("team"));
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "team");
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
        }, "team");
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "lock" } }, "team");

        await client.CoreV1.DeleteNamespaceAsync("team");

        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespaceAsync("team"), ns => ns is null, "namespace gone");
        Assert.That((await client.CoreV1.ListNamespacedConfigMapAsync("team")).Items, Is.Empty);
        Assert.That((await client.CoreV1.ListNamespacedPodAsync("team")).Items, Is.Empty);
        Assert.That((await client.CoordinationV1.ListNamespacedLeaseAsync("team")).Items, Is.Empty);
    }

    [Test]
    [Category("Integration")]
    public async Task DeletedNamespace_WithCustomObjects_IsEmptiedThroughDiscovery()
    {
        await using var harness = await ClusterHarness.StartAsync("namespace");
        var client = harness.Client;
        await ClusterHarness.CreateWidgetCrdAsync(client);
        await client.CoreV1.CreateNamespaceAsync(Namespace("team"));
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new Dictionary<string, object> { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget", ["metadata"] = new Dictionary<string, object> { ["name"] = "w1" } },
            "example.com", "v1", "team", "widgets");

        await client.CoreV1.DeleteNamespaceAsync("team");

        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespaceAsync("team"), ns => ns is null, "namespace gone");
        var left = (System.Text.Json.JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync("example.com", "v1", "team", "widgets");
        Assert.That(left.GetProperty("items").GetArrayLength(), Is.Zero);
    }

    [Test]
    [Category("Integration")]
    public async Task DeletedNamespace_ContentHeldByFinalizer_StaysTerminatingUntilReleased()
    {
        await using var harness = await ClusterHarness.StartAsync("namespace");
        var client = harness.Client;
        await client.CoreV1.CreateNamespaceAsync(Namespace("team"));
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("held", "example.com/hold"), "team");

        await client.CoreV1.DeleteNamespaceAsync("team");

        var held = await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("held", "team"), cm => cm?.Metadata.DeletionTimestamp is not null, "content marked deleted");
        var ns = await client.CoreV1.ReadNamespaceAsync("team");
        Assert.That(ns.Status.Phase, Is.EqualTo("Terminating"));
        Assert.That(ns.Spec.Finalizers, Does.Contain("kubernetes"));

        held.Metadata.Finalizers = null;
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(held, "held", "team");

        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespaceAsync("team"), gone => gone is null, "namespace gone");
    }

    [Test]
    [Category("Integration")]
    public async Task DeletedNamespace_WithoutTheController_StaysTerminating()
    {
        await using var harness = await ClusterHarness.StartAsync();
        var client = harness.Client;
        await client.CoreV1.CreateNamespaceAsync(Namespace("team"));
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "team");

        await client.CoreV1.DeleteNamespaceAsync("team");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var ns = await client.CoreV1.ReadNamespaceAsync("team");
        Assert.That(ns.Status.Phase, Is.EqualTo("Terminating"));
        Assert.That((await client.CoreV1.ListNamespacedConfigMapAsync("team")).Items, Has.Count.EqualTo(1), "the API server no longer empties namespaces by itself");
    }
}
