using k8s.Models;
using MiniKube.Scheduler.Cache;
using MiniKube.Scheduler.Framework;
using static MiniKube.Scheduler.Tests.TestObjects;

namespace MiniKube.Scheduler.Tests.Framework;

public sealed class VolumeBindingTests
{
    private readonly Dictionary<string, V1PersistentVolumeClaim> _claims = [];
    private readonly Dictionary<string, V1PersistentVolume> _volumes = [];
    private readonly Dictionary<string, V1StorageClass> _classes = new()
    {
        ["local-path"] = new V1StorageClass { Metadata = new V1ObjectMeta { Name = "local-path" }, Provisioner = "rancher.io/local-path", VolumeBindingMode = "WaitForFirstConsumer" },
        ["fast"] = new V1StorageClass { Metadata = new V1ObjectMeta { Name = "fast" }, Provisioner = "example.com/fast", VolumeBindingMode = "Immediate" },
    };

    [SetUp]
    public void SetUp()
    {
        // NUnit shares one fixture instance between tests.
        _claims.Clear();
        _volumes.Clear();
    }

    private VolumeBinding Binding() => new(_claims.GetValueOrDefault, _volumes.GetValueOrDefault, _classes.GetValueOrDefault);

    private void AddClaim(string name, string storageClass, string? volumeName = null, string? selectedNode = null) => _claims["default/" + name] = new V1PersistentVolumeClaim
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "default",
            Annotations = selectedNode is null ? null : new Dictionary<string, string> { ["volume.kubernetes.io/selected-node"] = selectedNode },
        },
        Spec = new V1PersistentVolumeClaimSpec { StorageClassName = storageClass, VolumeName = volumeName },
    };

    private void AddVolumeOn(string name, string node) => _volumes[name] = new V1PersistentVolume
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PersistentVolumeSpec
        {
            NodeAffinity = new V1VolumeNodeAffinity
            {
                Required = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = [node] }] }] },
            },
        },
    };

    private static PodInfo PodWithClaims(params string[] claims)
    {
        var pod = Pod("db-0");
        pod.Spec.Volumes = [.. claims.Select(c => new V1Volume { Name = c, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = c } })];
        return PodInfo.From(pod);
    }

    [Test]
    public void PodInfo_WithoutClaimVolumes_HasNoClaimNames()
    {
        var pod = Pod("web");
        pod.Spec.Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }];

        Assert.That(PodInfo.From(pod).ClaimNames, Is.Empty);
    }

    [Test]
    public void PreFilter_MissingClaim_RejectsWithUpstreamsMessage()
    {
        var volumes = Binding().PreFilter(PodWithClaims("data"));

        Assert.That(volumes.Rejection, Is.EqualTo("persistentvolumeclaim \"data\" not found"));
        Assert.That(FitDiagnosis.PreFilterRejected(3, volumes.Rejection!).Message(preemptionNever: false), Is.EqualTo(
            "0/3 nodes are available: persistentvolumeclaim \"data\" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."));
    }

    [Test]
    public void PreFilter_UnboundImmediateClaim_RejectsUntilBound()
    {
        AddClaim("data", "fast");

        Assert.That(Binding().PreFilter(PodWithClaims("data")).Rejection, Is.EqualTo("pod has unbound immediate PersistentVolumeClaims"));
    }

    [Test]
    public void PreFilter_UnboundWaitForFirstConsumerClaim_PassesAndIsToBeAnnotated()
    {
        AddClaim("data", "local-path");

        var volumes = Binding().PreFilter(PodWithClaims("data"));

        Assert.That(volumes.Rejection, Is.Null);
        Assert.That(volumes.DelayedClaims.Select(c => c.Metadata.Name), Is.EqualTo(new[] { "data" }));
        Assert.That(VolumeBinding.Check(volumes, NodeInfo(Node("node1"))), Is.Null);
    }

    [Test]
    public void Check_BoundVolumeOnOneNode_OtherNodesHaveAffinityConflict()
    {
        AddClaim("data", "local-path", volumeName: "pvc-1");
        AddVolumeOn("pvc-1", "node1");
        var volumes = Binding().PreFilter(PodWithClaims("data"));

        Assert.That(VolumeBinding.Check(volumes, NodeInfo(Node("node1"))), Is.Null);
        Assert.That(VolumeBinding.Check(volumes, NodeInfo(Node("node2")))?.Reasons, Is.EqualTo(new[] { "node(s) had volume node affinity conflict" }));
    }

    [Test]
    public void Check_ClaimBoundToMissingVolume_NoNodeFits()
    {
        AddClaim("data", "local-path", volumeName: "gone");
        var volumes = Binding().PreFilter(PodWithClaims("data"));

        Assert.That(VolumeBinding.Check(volumes, NodeInfo(Node("node1")))?.Reasons, Is.EqualTo(new[] { "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)" }));
    }

    [Test]
    public void Check_ClaimBeingProvisionedForAnotherNode_OnlyThatNodeFits()
    {
        AddClaim("data", "local-path", selectedNode: "node2");
        var volumes = Binding().PreFilter(PodWithClaims("data"));

        Assert.That(VolumeBinding.Check(volumes, NodeInfo(Node("node1")))?.Reasons, Is.EqualTo(new[] { "node(s) didn't find available persistent volumes to bind" }));
        Assert.That(VolumeBinding.Check(volumes, NodeInfo(Node("node2"))), Is.Null);
    }

    [Test]
    public void Place_BoundVolume_PicksTheVolumesNode()
    {
        AddClaim("data", "local-path", volumeName: "pvc-1");
        AddVolumeOn("pvc-1", "node2");
        var pod = PodWithClaims("data");
        var cache = new SchedulerCache();
        foreach (var name in new[] { "node1", "node2", "node3" })
        {
            cache.UpsertNode(Node(name));
        }

        var placement = new Placer(new Random(1)).Place(pod, cache, Binding().PreFilter(pod));

        Assert.That(placement.Node?.Name, Is.EqualTo("node2"));
    }
}
