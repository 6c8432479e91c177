using System.Net;
using k8s.Models;
using MiniKube.Controllers.ResourceQuota;
using MiniKube.Testing;

namespace MiniKube.Controllers.Tests.ResourceQuota;

public sealed class ResourceQuotaControllerTests
{
    private const string StatusPath = "/api/v1/namespaces/ns/resourcequotas/q1/status";

    private static V1ResourceQuota Quota(Dictionary<string, string> hard, Dictionary<string, string>? statusHard = null, Dictionary<string, string>? used = null, string[]? scopes = null) => new()
    {
        ApiVersion = "v1",
        Kind = "ResourceQuota",
        Metadata = new V1ObjectMeta { Name = "q1", NamespaceProperty = "ns", ResourceVersion = "5" },
        Spec = new V1ResourceQuotaSpec { Hard = Quantities(hard), Scopes = scopes },
        Status = statusHard is null ? null : new V1ResourceQuotaStatus { Hard = Quantities(statusHard), Used = used is null ? null : Quantities(used) },
    };

    private static Dictionary<string, ResourceQuantity> Quantities(Dictionary<string, string> list) => list.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value));

    private static V1Pod Pod(string name, string? cpu = null, string? memoryLimit = null, string phase = "Running", long? activeDeadline = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns" },
        Spec = new V1PodSpec
        {
            ActiveDeadlineSeconds = activeDeadline,
            Containers =
            [
                new V1Container
                {
                    Name = "main",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = cpu is null ? null : new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) },
                        Limits = memoryLimit is null ? null : new Dictionary<string, ResourceQuantity> { ["memory"] = new(memoryLimit) },
                    },
                },
            ],
        },
        Status = new V1PodStatus { Phase = phase },
    };

    private static async Task<(ControllerHarness Harness, ResourceQuotaController Controller)> StartAsync(V1ResourceQuota quota, V1Pod[]? pods = null, V1Service[]? services = null, V1ConfigMap[]? configMaps = null)
    {
        var harness = new ControllerHarness().Seed(quota).Seed(pods ?? []).Seed(services ?? []).Seed<V1PersistentVolumeClaim>().Seed(configMaps ?? [])
            .Seed<V1Secret>().Seed<V1ReplicationController>();
        var controller = new ResourceQuotaController(harness.Context);
        await harness.StartAsync();
        return (harness, controller);
    }

    private static Dictionary<string, string> Texts(IDictionary<string, ResourceQuantity> list) => list.ToDictionary(p => p.Key, p => p.Value.ToString());

    [Test]
    public async Task SyncAsync_NewQuota_CopiesHardAndCountsTheNamespace()
    {
        var quota = Quota(new() { ["pods"] = "10", ["requests.cpu"] = "2", ["limits.memory"] = "1Gi", ["services.loadbalancers"] = "1", ["count/configmaps"] = "5" });
        var (harness, controller) = await StartAsync(quota,
            pods: [Pod("a", cpu: "250m", memoryLimit: "256Mi"), Pod("b", cpu: "0.5"), Pod("done", cpu: "1", phase: "Succeeded")],
            services: [new V1Service { Metadata = new() { Name = "lb", NamespaceProperty = "ns" }, Spec = new() { Type = "LoadBalancer", Ports = [new() { Port = 80 }] } }],
            configMaps: [new V1ConfigMap { Metadata = new() { Name = "c", NamespaceProperty = "ns" } }, new V1ConfigMap { Metadata = new() { Name = "other", NamespaceProperty = "elsewhere" } }]);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/q1"), CancellationToken.None);

        var written = harness.Bodies<V1ResourceQuota>("PUT", StatusPath).Single().Status;
        Assert.That(Texts(written.Hard), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["pods"] = "10", ["requests.cpu"] = "2", ["limits.memory"] = "1Gi", ["services.loadbalancers"] = "1", ["count/configmaps"] = "5",
        }));
        Assert.That(Texts(written.Used), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["pods"] = "2", ["requests.cpu"] = "750m", ["limits.memory"] = "256Mi", ["services.loadbalancers"] = "1", ["count/configmaps"] = "1",
        }), "the finished pod holds no compute resources; other namespaces do not count");
    }

    [Test]
    public async Task SyncAsync_UsageUnchanged_WritesNothing()
    {
        var quota = Quota(new() { ["pods"] = "2" }, statusHard: new() { ["pods"] = "2" }, used: new() { ["pods"] = "1" });
        var (harness, controller) = await StartAsync(quota, pods: [Pod("a")]);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/q1"), CancellationToken.None);

        Assert.That(harness.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task SyncAsync_PodDeletedSinceAdmissionCharged_ReleasesItsUsage()
    {
        var quota = Quota(new() { ["pods"] = "2", ["cpu"] = "1" }, statusHard: new() { ["pods"] = "2", ["cpu"] = "1" }, used: new() { ["pods"] = "2", ["cpu"] = "600m" });
        var (harness, controller) = await StartAsync(quota, pods: [Pod("left", cpu: "100m")]);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/q1"), CancellationToken.None);

        var used = harness.Bodies<V1ResourceQuota>("PUT", StatusPath).Single().Status.Used;
        Assert.That(Texts(used), Is.EquivalentTo(new Dictionary<string, string> { ["pods"] = "1", ["cpu"] = "100m" }));
    }

    [Test]
    public async Task SyncAsync_TerminatingScope_CountsOnlyPodsWithADeadline()
    {
        var quota = Quota(new() { ["pods"] = "5" }, scopes: ["Terminating"]);
        var (harness, controller) = await StartAsync(quota, pods: [Pod("job", activeDeadline: 60), Pod("web")]);
        await using var _ = harness;

        await controller.SyncAsync(NamespacedName.Parse("ns/q1"), CancellationToken.None);

        Assert.That(Texts(harness.Bodies<V1ResourceQuota>("PUT", StatusPath).Single().Status.Used), Is.EquivalentTo(new Dictionary<string, string> { ["pods"] = "1" }));
    }

    [Test]
    public async Task SyncAsync_CountOfAnotherGroup_ListsThroughTheApi()
    {
        var quota = Quota(new() { ["count/deployments.apps"] = "3" });
        var (harness, controller) = await StartAsync(quota);
        await using var _ = harness;
        harness.Api.Respond = call => call.Path.Split('?')[0].TrimEnd('/') switch
        {
            "/api/v1" => (HttpStatusCode.OK, """{"kind":"APIResourceList","groupVersion":"v1","resources":[]}"""),
            "/apis" => (HttpStatusCode.OK, """{"kind":"APIGroupList","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}]}"""),
            "/apis/apps/v1" => (HttpStatusCode.OK, """{"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"deployments","namespaced":true,"kind":"Deployment","verbs":["list","delete","deletecollection"]}]}"""),
            "/apis/apps/v1/namespaces/ns/deployments" => (HttpStatusCode.OK, """{"kind":"DeploymentList","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"""),
            _ => (HttpStatusCode.OK, call.Body ?? "{}"),
        };

        await controller.SyncAsync(NamespacedName.Parse("ns/q1"), CancellationToken.None);

        Assert.That(Texts(harness.Bodies<V1ResourceQuota>("PUT", StatusPath).Single().Status.Used), Is.EquivalentTo(new Dictionary<string, string> { ["count/deployments.apps"] = "2" }),
            string.Join("\n", harness.Api.Calls));
    }

}
