using k8s.Models;
using MiniKube.Controllers.ServiceLb;
using MiniKube.Testing;

namespace MiniKube.Controllers.Tests.ServiceLb;

public sealed class ServiceLbControllerTests
{
    [Test]
    public async Task ReadyNodes_IngressHoldsTheirInternalIps_SortedAsK3sDoes()
    {
        await using var world = await WorldAsync([Service()], [Node("b", "10.0.0.9"), Node("a", "10.0.0.10"), Node("down", "10.0.0.11", ready: false)]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(PatchedIngress(world), Is.EqualTo(new[] { "10.0.0.10", "10.0.0.9" }), "sorted as text (sort.Strings), the NotReady node left out");
        var events = await EventsAsync(world, 2);
        Assert.That(events.Select(e => $"{e.Type} {e.Reason}: {e.Message}"), Is.EqualTo(new[]
        {
            "Normal EnsuringLoadBalancer: Ensuring load balancer",
            "Normal EnsuredLoadBalancer: Ensured load balancer",
        }));
    }

    [Test]
    public async Task AnyNodeWithExternalIp_ExternalIpsOnly()
    {
        await using var world = await WorldAsync([Service()], [Node("a", "10.0.0.1", externalIp: "203.0.113.1"), Node("b", "10.0.0.2")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(PatchedIngress(world), Is.EqualTo(new[] { "203.0.113.1" }));
    }

    [Test]
    public async Task EnableLbLabelOnAnyNode_OnlyNodesLabelledTrueServe()
    {
        var on = new Dictionary<string, string> { [LoadBalancerNodes.EnableLbLabel] = "true" };
        var off = new Dictionary<string, string> { [LoadBalancerNodes.EnableLbLabel] = "false" };
        await using var world = await WorldAsync([Service()], [Node("a", "10.0.0.1", labels: on), Node("b", "10.0.0.2", labels: off), Node("c", "10.0.0.3")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(PatchedIngress(world), Is.EqualTo(new[] { "10.0.0.1" }));
    }

    [Test]
    public async Task PortHeldByAnOlderLoadBalancer_StaysPending_WarningNamesTheConflict()
    {
        var older = Service("first", created: new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        await using var world = await WorldAsync([older, Service()], [Node("a", "10.0.0.1")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);
        await SyncAsync(controller, "first");

        Assert.That(world.Writes("PATCH", StatusPath), Is.Empty, "pending: no ingress written");
        Assert.That(PatchedIngress(world, "/api/v1/namespaces/ns/services/first/status"), Is.EqualTo(new[] { "10.0.0.1" }));
        var warning = (await EventsAsync(world, 3)).Single(e => e.Type == "Warning");
        Assert.That(warning.Reason, Is.EqualTo("SyncLoadBalancerFailed"));
        Assert.That(warning.InvolvedObject.Name, Is.EqualTo("web"));
        Assert.That(warning.Message, Is.EqualTo("Error syncing load balancer: port 80/TCP on node a is already used by LoadBalancer Service ns/first"));
    }

    [Test]
    public async Task HostPortOnOneNode_ThatNodeIsLeftOut()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "proxy", NamespaceProperty = "kube-system" },
            Spec = new V1PodSpec { NodeName = "a", Containers = [new V1Container { Name = "c", Ports = [new V1ContainerPort { ContainerPort = 8080, HostPort = 80 }] }] },
            Status = new V1PodStatus { Phase = "Running" },
        };
        await using var world = await WorldAsync([Service()], [Node("a", "10.0.0.1"), Node("b", "10.0.0.2")], pods: [pod]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(PatchedIngress(world), Is.EqualTo(new[] { "10.0.0.2" }));
        var warning = (await EventsAsync(world, 3)).Single(e => e.Type == "Warning");
        Assert.That(warning.Message, Does.Contain("port 80/TCP on node a is already used by hostPort of pod kube-system/proxy"));
    }

    [Test]
    public async Task PortEqualToAnotherServicesNodePort_PendingOnEveryNode()
    {
        var nodePortService = Service("np", port: 8080, type: "NodePort");
        nodePortService.Spec.Ports[0].NodePort = 30500;
        await using var world = await WorldAsync([nodePortService, Service(port: 30500)], [Node("a", "10.0.0.1")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(world.Writes("PATCH", StatusPath), Is.Empty);
    }

    [Test]
    public async Task StatusAlreadyRight_WritesNothing()
    {
        await using var world = await WorldAsync([Service(ingress: ["10.0.0.1", "10.0.0.2"])], [Node("b", "10.0.0.2"), Node("a", "10.0.0.1")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);
        await SyncAsync(controller);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task NodeGone_IngressUpdated_UpdatedLoadBalancerEvent()
    {
        await using var world = await WorldAsync([Service(ingress: ["10.0.0.1", "10.0.0.2"])], [Node("a", "10.0.0.1")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(PatchedIngress(world), Is.EqualTo(new[] { "10.0.0.1" }));
        var updated = (await EventsAsync(world, 1)).Single();
        Assert.That(updated.Message, Is.EqualTo("Updated LoadBalancer with new IPs: [10.0.0.1 10.0.0.2] -> [10.0.0.1]"));
    }

    [Test]
    public async Task TypeChangedToClusterIp_IngressRemoved()
    {
        await using var world = await WorldAsync([Service(type: "ClusterIP", ingress: ["10.0.0.1"])], [Node("a", "10.0.0.1")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(PatchedIngress(world), Is.Null);
        Assert.That(world.Writes("PATCH", StatusPath).Single().Body, Does.Contain("\"ingress\":null"));
        Assert.That((await EventsAsync(world, 1)).Single().Reason, Is.EqualTo("DeletedLoadBalancer"));
    }

    [Test]
    public async Task OtherLoadBalancerClass_LeftToItsController()
    {
        await using var world = await WorldAsync([Service(lbClass: "example.com/lb", ingress: ["192.0.2.1"])], [Node("a", "10.0.0.1")]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(world.Api.Writes, Is.Empty);
    }

    [Test]
    public async Task LocalPolicy_OnlyNodesWithAReadyEndpoint()
    {
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "web-x", NamespaceProperty = "ns", Labels = new Dictionary<string, string> { [WellKnownLabels.ServiceName] = "web" } },
            AddressType = "IPv4",
            Endpoints =
            [
                new V1Endpoint { Addresses = ["10.42.1.5"], NodeName = "b", TargetRef = new V1ObjectReference { Kind = "Pod", Name = "p1" }, Conditions = new V1EndpointConditions { Ready = true } },
                new V1Endpoint { Addresses = ["10.42.2.5"], NodeName = "c", TargetRef = new V1ObjectReference { Kind = "Pod", Name = "p2" }, Conditions = new V1EndpointConditions { Ready = false } },
            ],
        };
        await using var world = await WorldAsync([Service(policy: "Local")], [Node("a", "10.0.0.1"), Node("b", "10.0.0.2"), Node("c", "10.0.0.3")], slices: [slice]);
        var controller = await StartAsync(world);

        await SyncAsync(controller);

        Assert.That(PatchedIngress(world), Is.EqualTo(new[] { "10.0.0.2" }));
    }

    private const string StatusPath = "/api/v1/namespaces/ns/services/web/status";

    private static V1Node Node(string name, string ip, bool ready = true, string? externalIp = null, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Status = new V1NodeStatus
        {
            Addresses = externalIp is null
                ? [new V1NodeAddress { Address = ip, Type = "InternalIP" }, new V1NodeAddress { Address = name, Type = "Hostname" }]
                : [new V1NodeAddress { Address = ip, Type = "InternalIP" }, new V1NodeAddress { Address = externalIp, Type = "ExternalIP" }],
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    private static V1Service Service(string name = "web", int port = 80, string type = "LoadBalancer", DateTime? created = null, string? policy = null, string? lbClass = null, params string[] ingress) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", CreationTimestamp = created ?? new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = "10.43.0.20",
            IpFamilies = ["IPv4"],
            ExternalTrafficPolicy = policy,
            LoadBalancerClass = lbClass,
            Ports = [new V1ServicePort { Port = port, Protocol = "TCP", NodePort = type == "ClusterIP" ? null : 30080 + port % 100 }],
        },
        Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [.. ingress.Select(ip => new V1LoadBalancerIngress { Ip = ip })] } },
    };

    private static Task<ControllerHarness> WorldAsync(V1Service[] services, V1Node[] nodes, V1Pod[]? pods = null, V1EndpointSlice[]? slices = null) =>
        Task.FromResult(new ControllerHarness().Seed(services).Seed(nodes).Seed(pods ?? []).Seed(slices ?? []));

    private static async Task<ServiceLbController> StartAsync(ControllerHarness world)
    {
        var controller = new ServiceLbController(world.Context);
        await world.StartAsync();
        return controller;
    }

    private static Task SyncAsync(ServiceLbController controller, string name = "web") =>
        controller.SyncAsync(new NamespacedName("ns", name), CancellationToken.None);

    /// <summary>The ingress IPs of the one status patch made, null when it removed them.</summary>
    private static List<string>? PatchedIngress(ControllerHarness world, string path = StatusPath)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(world.Writes("PATCH", path).Single().Body!)!;
        return body["status"]!["loadBalancer"]!["ingress"]?.AsArray().Select(i => (string)i!["ip"]!).ToList();
    }

    /// <summary>Runs the recorders until <paramref name="count"/> events were posted; their bodies.</summary>
    private static async Task<List<Corev1Event>> EventsAsync(ControllerHarness world, int count)
    {
        using var stop = new CancellationTokenSource();
        var recorders = world.Context.RunRecordersAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Posted(world).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        await recorders.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return Posted(world);
    }

    private static List<Corev1Event> Posted(ControllerHarness world) =>
        [.. world.Api.Writes.Where(c => c.Method == "POST" && c.Path.Contains("/events", StringComparison.Ordinal)).Select(c => k8s.KubernetesJson.Deserialize<Corev1Event>(c.Body!))];
}
