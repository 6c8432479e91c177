using k8s.Models;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

[TestFixture]
public sealed class NodePortsFilterTests
{
    [TestCase("TCP", 80, null, "TCP", 80, null, false)]
    [TestCase("TCP", 80, null, "UDP", 80, null, true)]
    [TestCase("TCP", 80, null, "TCP", 81, null, true)]
    [TestCase("TCP", 80, "10.0.0.1", "TCP", 80, "10.0.0.2", true)]
    [TestCase("TCP", 80, "10.0.0.1", "TCP", 80, "10.0.0.1", false)]
    [TestCase("TCP", 80, "10.0.0.1", "TCP", 80, null, false)]
    [TestCase("TCP", 80, null, "TCP", 80, "10.0.0.1", false)]
    public void Check_HostPortAgainstUsed(string usedProtocol, int usedPort, string? usedIp, string protocol, int port, string? ip, bool fits)
    {
        var node = NodeInfo(Node("n1"), WithPort(Pod("a"), usedProtocol, usedPort, usedIp));

        var failure = NodePortsFilter.Check(PodInfo.From(WithPort(Pod("b"), protocol, port, ip)), node);

        Assert.That(failure is null, Is.EqualTo(fits));
        if (failure is not null)
        {
            Assert.That(failure.Reasons, Is.EqualTo(new[] { "node(s) didn't have free ports for the requested pod ports" }));
        }
    }

    private static V1Pod WithPort(V1Pod pod, string protocol, int port, string? ip)
    {
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 8080, HostPort = port, Protocol = protocol, HostIP = ip }];
        return pod;
    }
}
