using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>The node status heartbeat against an in-process API server: written on change or every report period, as upstream's tryUpdateNodeStatus.</summary>
[TestFixture]
[Category("Integration")]
public sealed class NodeReporterTests
{
    private KubeletTestCluster _cluster = null!;
    private FakeTimeProvider _time = null!;
    private NodeReporter _reporter = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _reporter = new NodeReporter(_cluster.Client, _cluster.Runtime, new KubeletOptions
        {
            NodeName = KubeletTestCluster.NodeName,
            NodeIp = KubeletTestCluster.UnreachableNodeIp,
            PodsDirectory = Path.Combine(_cluster.Server.Directory, "pods"),
            ClientCa = _cluster.Server.Pki.Ca,
            Time = _time,
        }, NullLogger.Instance);
        await _reporter.RegisterAsync(default);
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    private async Task<V1Node> NodeAsync() => await _cluster.Client.CoreV1.ReadNodeAsync(KubeletTestCluster.NodeName);

    [Test]
    public async Task RefreshStatus_NothingChanged_WritesOnlyOnceTheReportPeriodPassed()
    {
        var registered = await NodeAsync();

        _time.Advance(TimeSpan.FromSeconds(10));
        await _reporter.RefreshStatusAsync(default);
        Assert.That((await NodeAsync()).Metadata.ResourceVersion, Is.EqualTo(registered.Metadata.ResourceVersion), "an unchanged status is not written");

        _time.Advance(TimeSpan.FromMinutes(5));
        await _reporter.RefreshStatusAsync(default);
        var reported = await NodeAsync();
        var ready = reported.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.That(reported.Metadata.ResourceVersion, Is.Not.EqualTo(registered.Metadata.ResourceVersion), "written again after nodeStatusReportFrequency");
        Assert.That(ready.LastHeartbeatTime, Is.GreaterThan(registered.Status.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime!.Value));
        Assert.That(ready.LastTransitionTime, Is.EqualTo(registered.Status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime), "the condition held, so its transition time stays");
    }

    [Test]
    public async Task RefreshStatus_SomeoneElseChangedTheCondition_WritesAtOnce()
    {
        var node = await NodeAsync();
        var ready = node.Status.Conditions.Single(c => c.Type == "Ready");
        ready.Status = "Unknown";
        ready.Reason = "NodeStatusUnknown";
        await _cluster.Client.CoreV1.ReplaceNodeStatusAsync(node, node.Metadata.Name);

        _time.Advance(TimeSpan.FromSeconds(10));
        await _reporter.RefreshStatusAsync(default);

        Assert.That((await NodeAsync()).Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("True"));
    }
}
