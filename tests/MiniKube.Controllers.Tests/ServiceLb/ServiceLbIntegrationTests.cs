using k8s;
using k8s.Models;
using static MiniKube.Controllers.Tests.Common.ClusterHarness;

namespace MiniKube.Controllers.Tests.ServiceLb;

/// <summary>The service-lb controller against an in-process API server, as its own service account under its bootstrap role.</summary>
[TestFixture]
[Category("Integration")]
public sealed class ServiceLbIntegrationTests
{
    /// <summary>Where the test node is, as the kubelet would report it.</summary>
    private const string NodeIp = "192.0.2.7";

    /// <summary>What a kubelet reports for a Ready node at <paramref name="ip"/>.</summary>
    private static V1Patch ReadyAt(string ip) => new(KubernetesJson.Serialize(new
    {
        status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = ip }],
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = DateTime.UtcNow, LastTransitionTime = DateTime.UtcNow }],
        },
    }), V1Patch.PatchType.MergePatch);

    [Test]
    public async Task LoadBalancerService_GetsTheReadyNodesIps_ClearedWhenItBecomesClusterIp()
    {
        await using var harness = await StartControllersAsync(["service-lb"]);
        var client = harness.Client;
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "lb-node" } });
        await client.CoreV1.PatchNodeStatusAsync(ReadyAt(NodeIp), "lb-node");
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 8080 }] },
        }, "default");

        var served = await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedServiceAsync("web", "default"),
            s => s?.Status?.LoadBalancer?.Ingress is { Count: 1 }, "the node's IP in the Service's ingress");
        Assert.That(served.Status.LoadBalancer.Ingress[0].Ip, Is.EqualTo(NodeIp));
        var events = await harness.EventuallyAsync(() => client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web"),
            l => l?.Items.Any(e => e.Reason == "EnsuredLoadBalancer") == true, "an EnsuredLoadBalancer event");
        Assert.That(events.Items.Single(e => e.Reason == "EnsuredLoadBalancer").Source.Component, Is.EqualTo("service-lb-controller"));

        // What `kubectl edit` would send: the type changed, and the fields only LoadBalancer and NodePort Services may have dropped.
        var changed = await client.CoreV1.ReadNamespacedServiceAsync("web", "default");
        changed.Spec.Type = "ClusterIP";
        changed.Spec.ExternalTrafficPolicy = null;
        changed.Spec.AllocateLoadBalancerNodePorts = null;
        changed.Spec.Ports[0].NodePort = null;
        await client.CoreV1.ReplaceNamespacedServiceAsync(changed, "web", "default");
        await harness.EventuallyAsync(() => client.CoreV1.ReadNamespacedServiceAsync("web", "default"),
            s => s?.Spec.Type == "ClusterIP" && s.Status?.LoadBalancer?.Ingress is null or { Count: 0 }, "the ingress cleared");
    }
}
