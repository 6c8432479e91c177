using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// pods/ephemeralcontainers over HTTP, as kubectl debug uses it (API-GUIDE-WAVE2 §3): a strategic
/// merge patch adds a container, the reply is the whole Pod, entries are append-only, and only
/// spec.ephemeralContainers may change.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class EphemeralContainersTests : ApiServerFixture
{
    private const string Path = "/api/v1/namespaces/default/pods/web/ephemeralcontainers";
    private const string Smp = "application/strategic-merge-patch+json";

    private const string Debugger = """
        {"spec":{"ephemeralContainers":[{"command":["sh"],"image":"busybox","name":"debugger-1","resources":{},"stdin":true,"terminationMessagePolicy":"File","tty":true}]}}
        """;

    [SetUp]
    public async Task CreatePod() => await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
    }, "default");

    [Test]
    public async Task Patch_AsKubectlDebug_AddsTheContainerAndAnswersTheWholePod()
    {
        var (code, body) = await SendAsync(HttpMethod.Patch, Path, Debugger, Smp);

        Assert.That(code, Is.EqualTo(200), body);
        var pod = RawHttp.Json(body);
        Assert.That((pod["kind"]!.GetValue<string>(), pod["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(("Pod", "web")));
        Assert.That(pod["spec"]!["containers"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("app"));
        var added = pod["spec"]!["ephemeralContainers"]![0]!;
        Assert.That(added["name"]!.GetValue<string>(), Is.EqualTo("debugger-1"));
        Assert.That(added["terminationMessagePath"]!.GetValue<string>(), Is.EqualTo("/dev/termination-log"), "defaulted as any container");
        var read = await Client.CoreV1.ReadNamespacedPodEphemeralcontainersAsync("web", "default");
        Assert.That(read.Spec.EphemeralContainers.Single().Stdin, Is.True);
    }

    [Test]
    public async Task Patch_SecondDebugWithSetElementOrder_KeepsBothInOrder()
    {
        Assert.That((await SendAsync(HttpMethod.Patch, Path, Debugger, Smp)).Code, Is.EqualTo(200));
        const string Second = """
            {"spec":{"$setElementOrder/ephemeralContainers":[{"name":"debugger-1"},{"name":"debugger-2"}],
             "ephemeralContainers":[{"command":["sh"],"image":"busybox","name":"debugger-2","resources":{},"stdin":true,"terminationMessagePolicy":"File","tty":true}]}}
            """;

        var (code, body) = await SendAsync(HttpMethod.Patch, Path, Second, Smp);

        Assert.That(code, Is.EqualTo(200), body);
        var names = RawHttp.Json(body)["spec"]!["ephemeralContainers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.That(names, Is.EqualTo(new[] { "debugger-1", "debugger-2" }));
    }

    [Test]
    public async Task Put_RemovingOrChangingAnExistingEntry_Gets422Forbidden()
    {
        var (_, added) = await SendAsync(HttpMethod.Patch, Path, Debugger, Smp);
        var pod = RawHttp.Json(added);
        var changed = pod.DeepClone().AsObject();
        changed["spec"]!["ephemeralContainers"]![0]!["image"] = "alpine";
        var removed = pod.DeepClone().AsObject();
        removed["spec"]!["ephemeralContainers"] = new JsonArray();

        var change = await SendAsync(HttpMethod.Put, Path, changed.ToJsonString(), "application/json");
        var remove = await SendAsync(HttpMethod.Put, Path, removed.ToJsonString(), "application/json");

        Assert.That(change.Code, Is.EqualTo(422), change.Body);
        var cause = RawHttp.Json(change.Body)["details"]!["causes"]![0]!;
        Assert.That(cause["field"]!.GetValue<string>(), Is.EqualTo("spec.ephemeralContainers[debugger-1]"));
        Assert.That(cause["message"]!.GetValue<string>(), Does.StartWith("Forbidden: existing ephemeral containers \"debugger-1\" may not be changed\n"));
        Assert.That(remove.Code, Is.EqualTo(422), remove.Body);
        Assert.That(RawHttp.Json(remove.Body)["message"]!.GetValue<string>(),
            Does.StartWith("Pod \"web\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger-1\" may not be removed\n"));
    }

    [Test]
    public async Task Put_OtherFieldsChanged_OnlyEphemeralContainersAreWritten()
    {
        var pod = RawHttp.Json((await SendAsync(HttpMethod.Get, Path, null, null)).Body);
        pod["metadata"]!["labels"] = new JsonObject { ["sneaky"] = "yes" };
        pod["spec"]!["containers"]![0]!["image"] = "changed";
        pod["spec"]!["ephemeralContainers"] = JsonNode.Parse("""[{"name":"dbg","image":"busybox"}]""");

        var (code, body) = await SendAsync(HttpMethod.Put, Path, pod.ToJsonString(), "application/json");

        Assert.That(code, Is.EqualTo(200), body);
        var stored = await Client.CoreV1.ReadNamespacedPodAsync("web", "default");
        Assert.That(stored.Metadata.Labels, Is.Null);
        Assert.That(stored.Spec.Containers[0].Image, Is.EqualTo("nginx"));
        Assert.That(stored.Spec.EphemeralContainers.Single().Name, Is.EqualTo("dbg"));
    }

    [Test]
    public async Task Patch_ForbiddenFieldsAndDuplicateNames_Get422WithUpstreamsCauses()
    {
        const string Bad = """
            {"spec":{"ephemeralContainers":[{"name":"app","image":"busybox","ports":[{"containerPort":80}],
              "resources":{"limits":{"cpu":"1"}},"readinessProbe":{"exec":{"command":["true"]}},"lifecycle":{},"targetContainerName":"nope"}]}}
            """;

        var (code, body) = await SendAsync(HttpMethod.Patch, Path, Bad, Smp);

        Assert.That(code, Is.EqualTo(422), body);
        var causes = RawHttp.Json(body)["details"]!["causes"]!.AsArray()
            .Select(c => $"{c!["field"]!.GetValue<string>()}: {c["message"]!.GetValue<string>()}").ToList();
        Assert.That(causes, Is.SupersetOf(new[]
        {
            "spec.ephemeralContainers[0].name: Duplicate value: \"app\"",
            "spec.ephemeralContainers[0].targetContainerName: Not found: \"nope\"",
            "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
            "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container",
            "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
            "spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container",
        }));
        Assert.That((await Client.CoreV1.ReadNamespacedPodAsync("web", "default")).Spec.EphemeralContainers, Is.Null.Or.Empty, "an invalid write stores nothing");
    }

    [Test]
    public async Task Patch_MissingPod_Gets404NamingThePod()
    {
        var (code, body) = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/pods/absent/ephemeralcontainers", Debugger, Smp);

        Assert.That(code, Is.EqualTo(404), body);
        var details = RawHttp.Json(body)["details"]!.AsObject();
        Assert.That(details.ToJsonString(), Is.EqualTo("""{"name":"absent","kind":"pods"}"""));
    }

    [Test]
    public async Task Discovery_ListsTheSubresourceWithGetPatchUpdate()
    {
        var (_, body) = await SendAsync(HttpMethod.Get, "/api/v1", null, null);

        var entry = RawHttp.Json(body)["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "pods/ephemeralcontainers")!;
        Assert.That(entry["kind"]!.GetValue<string>(), Is.EqualTo("Pod"));
        Assert.That(entry["namespaced"]!.GetValue<bool>(), Is.True);
        Assert.That(entry["verbs"]!.AsArray().Select(v => v!.GetValue<string>()), Is.EqualTo(new[] { "get", "patch", "update" }));
    }

    [Test]
    public async Task OpenApi_DescribesTheSubresourceWithPodBodies()
    {
        var (_, body) = await SendAsync(HttpMethod.Get, "/openapi/v3/api/v1", null, null);

        var path = RawHttp.Json(body)["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}/ephemeralcontainers"]!.AsObject();
        Assert.That(path.Select(p => p.Key), Is.SupersetOf(new[] { "get", "put", "patch" }));
        Assert.That(path["patch"]!["operationId"]!.GetValue<string>(), Is.EqualTo("patchCoreV1NamespacedPodEphemeralcontainers"));
    }

    [Test]
    public async Task Create_PodWithEphemeralContainers_Gets422()
    {
        const string Pod = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"early"},"spec":{"containers":[{"name":"a","image":"x"}],"ephemeralContainers":[{"name":"d","image":"x"}]}}
            """;

        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", Pod, "application/json");

        Assert.That(code, Is.EqualTo(422), body);
    }

    private Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body, string? contentType) =>
        RawHttp.SendAsync(Client, Server.Server.Address, method, path, body, contentType);
}
