using System.Text;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

[TestFixture]
public sealed class HeartbeatWritesTests
{
    private const string Key = HeartbeatWrites.LeasePrefix + "kube-system/kube-scheduler";

    private static ReadOnlyMemory<byte> Lease(string renewTime, string holder = "a", int transitions = 0, string rv = "1", string managerTime = "t1") =>
        Encoding.UTF8.GetBytes($$$"""{"metadata":{"name":"kube-scheduler","resourceVersion":"{{{rv}}}","managedFields":[{"manager":"m","time":"{{{managerTime}}}"}]},"spec":{"holderIdentity":"{{{holder}}}","leaseTransitions":{{{transitions}}},"renewTime":"{{{renewTime}}}"}}""");

    [Test]
    public void IsLeaseRenewal_OnlyRenewTimeAndWriteBookkeepingDiffer_True() =>
        Assert.That(HeartbeatWrites.IsLeaseRenewal(Key, Lease("r1"), Lease("r2", rv: "2", managerTime: "t2")), Is.True);

    [Test]
    public void IsLeaseRenewal_HolderChanges_False() =>
        Assert.That(HeartbeatWrites.IsLeaseRenewal(Key, Lease("r1"), Lease("r2", holder: "b")), Is.False);

    [Test]
    public void IsLeaseRenewal_TransitionsChange_False() =>
        Assert.That(HeartbeatWrites.IsLeaseRenewal(Key, Lease("r1"), Lease("r1", transitions: 1)), Is.False);

    [Test]
    public void IsLeaseRenewal_NotALeaseKey_False() =>
        Assert.That(HeartbeatWrites.IsLeaseRenewal("/registry/configmaps/default/x", Lease("r1"), Lease("r2")), Is.False);

    [Test]
    public void IsLeaseRenewal_NotJson_False() =>
        Assert.That(HeartbeatWrites.IsLeaseRenewal(Key, Encoding.UTF8.GetBytes("k8s:enc:aescbc:v1:key1:xx"), Lease("r2")), Is.False);
}
