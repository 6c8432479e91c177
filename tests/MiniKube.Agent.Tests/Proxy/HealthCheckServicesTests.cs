using MiniKube.Api;
using MiniKube.Agent.Proxy;
using static MiniKube.Agent.Tests.Proxy.ProxyObjects;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>Which Services get a node health check and the local endpoint count it reports (endpointschangetracker.go LocalReadyEndpoints).</summary>
[TestFixture]
public sealed class HealthCheckServicesTests
{
    private static k8s.Models.V1Service Local(string name, int healthPort)
    {
        var service = LoadBalancerService(name, "10.43.0.10", ["192.0.2.1"], Port("http", 80, nodePort: 30080), Port("https", 443, nodePort: 30443));
        service.Spec.ExternalTrafficPolicy = "Local";
        service.Spec.HealthCheckNodePort = healthPort;
        return service;
    }

    [Test]
    public void From_CountsDistinctReadyAddressesOnThisNode()
    {
        var slice = Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }, new() { Name = "https", Port = 8443, Protocol = "TCP" }],
            [Endpoint("10.42.0.5", ready: true, node: "a"), Endpoint("10.42.0.6", ready: false, serving: true, terminating: true, node: "a"), Endpoint("10.42.1.5", ready: true, node: "b")]);

        var checks = HealthCheckServices.From([Local("web", 32000)], [slice], "a");

        Assert.That(checks, Is.EqualTo(new[] { new HealthCheckService(new NamespacedName("default", "web"), 32000, 1) }),
            "one address for both ports; the terminating one does not count; b's is elsewhere");
    }

    [Test]
    public void From_NoLocalEndpoints_CountsZero() =>
        Assert.That(HealthCheckServices.From([Local("web", 32000)], [Slice("web", "http", 8080, "10.42.1.5")], "a").Single().LocalEndpoints, Is.Zero);

    [Test]
    public void From_ClusterPolicyOrNoPort_IsNotChecked()
    {
        var cluster = Local("cluster", 32001);
        cluster.Spec.ExternalTrafficPolicy = "Cluster";

        Assert.That(HealthCheckServices.From([cluster, Local("unallocated", 0)], [], "a"), Is.Empty);
    }
}
