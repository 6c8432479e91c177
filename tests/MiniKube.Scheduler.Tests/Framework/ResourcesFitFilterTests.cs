using k8s.Models;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

[TestFixture]
public sealed class ResourcesFitFilterTests
{
    [Test]
    public void Check_FitsInWhatIsLeft_Passes()
    {
        var node = NodeInfo(Node("n1", cpu: "2", memory: "4Gi"), Pod("a", "1", "2Gi"));

        Assert.That(ResourcesFitFilter.Check(PodInfo.From(Pod("b", "1", "2Gi")), node), Is.Null);
    }

    [Test]
    public void Check_ExistingPodsLeaveTooLittle_ReportsEachShortResource()
    {
        var node = NodeInfo(Node("n1", cpu: "2", memory: "4Gi"), Pod("a", "1500m", "3Gi"));

        var failure = ResourcesFitFilter.Check(PodInfo.From(Pod("b", "600m", "2Gi")), node);

        Assert.That(failure!.Reasons, Is.EqualTo(new[] { "Insufficient cpu", "Insufficient memory" }));
        Assert.That(failure.Unresolvable, Is.False);
    }

    [Test]
    public void Check_PodCountAtAllocatable_TooManyPods()
    {
        var node = NodeInfo(Node("n1", pods: "1"), Pod("a"));

        Assert.That(ResourcesFitFilter.Check(PodInfo.From(Pod("b")), node)!.Reasons, Is.EqualTo(new[] { "Too many pods" }));
    }

    [Test]
    public void Check_ExtendedResource_CountedByName()
    {
        var node = NodeInfo(Node("n1"));
        var pod = Pod("gpu");
        pod.Spec.Containers[0].Resources.Requests["example.com/gpu"] = new ResourceQuantity("1");

        Assert.That(ResourcesFitFilter.Check(PodInfo.From(pod), node)!.Reasons, Is.EqualTo(new[] { "Insufficient example.com/gpu" }));
    }

    [Test]
    public void Check_RemovedPod_FreesItsRequests()
    {
        var big = Pod("a", "2");
        var node = NodeInfo(Node("n1", cpu: "2"), big);
        Assert.That(ResourcesFitFilter.Check(PodInfo.From(Pod("b", "1")), node), Is.Not.Null);

        node.RemovePod(PodInfo.From(big).WithNode("n1"));

        Assert.That(ResourcesFitFilter.Check(PodInfo.From(Pod("b", "1")), node), Is.Null);
    }
}
