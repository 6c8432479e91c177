using k8s.Models;
using MiniKube.Scheduler.Cache;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Cache;

[TestFixture]
public sealed class PodInfoTests
{
    [Test]
    public void From_InitContainersAndOverhead_MaxOfSumAndInitPlusOverhead()
    {
        // upstream fit.go's example: containers 2+1 cpu, 1G+1G; init containers 2 cpu/1G and 2 cpu/3G → cpu 3, memory 3G.
        var pod = Pod("p");
        pod.Spec.Containers = [Container("c1", "2", "1G"), Container("c2", "1", "1G")];
        pod.Spec.InitContainers = [Container("i1", "2", "1G"), Container("i2", "2", "3G")];
        pod.Spec.Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("120Mi") };

        var info = PodInfo.From(pod);

        Assert.That(info.Requests.MilliCpu, Is.EqualTo(3250));
        Assert.That(info.Requests.Memory, Is.EqualTo(3_000_000_000 + (120L * 1024 * 1024)));
    }

    [Test]
    public void From_Sidecar_AddsToTheContainers()
    {
        var pod = Pod("p");
        pod.Spec.Containers = [Container("c1", "1", "1G")];
        var sidecar = Container("proxy", "500m", "100M");
        sidecar.RestartPolicy = "Always";
        pod.Spec.InitContainers = [sidecar, Container("setup", "1200m", "1G")];

        var info = PodInfo.From(pod);

        Assert.That(info.Requests.MilliCpu, Is.EqualTo(1700)); // setup beside the sidecar: 1.7 > 1.5
        Assert.That(info.Requests.Memory, Is.EqualTo(1_100_000_000));
    }

    [Test]
    public void From_LimitsOnly_StandInForRequests()
    {
        var pod = Pod("p");
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("300m") } };

        var info = PodInfo.From(pod);

        Assert.That(info.Requests.MilliCpu, Is.EqualTo(300));
        Assert.That(info.NonZeroMemory, Is.EqualTo(PodInfo.DefaultMemoryRequest));
    }

    [Test]
    public void From_ControllerOwner_IsTheSpreadGroup()
    {
        Assert.That(PodInfo.From(Pod("p", ownerUid: "rs-uid")).OwnerUid, Is.EqualTo("rs-uid"));
        Assert.That(PodInfo.From(Pod("q")).OwnerUid, Is.Null);
    }

    private static V1Container Container(string name, string cpu, string memory) => new() { Name = name, Image = "busybox", Resources = Requests(cpu, memory) };
}
