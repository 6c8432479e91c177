using k8s.Models;
using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Tests;

/// <summary>Small builders for nodes and pods as the scheduler's tests need them.</summary>
internal static class TestObjects
{
    public static V1Node Node(string name, string cpu = "4", string memory = "8Gi", string pods = "110", string ready = "True", IDictionary<string, string>? labels = null, IList<V1Taint>? taints = null, bool unschedulable = false) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>()) { ["kubernetes.io/hostname"] = name } },
        Spec = new V1NodeSpec { Taints = taints, Unschedulable = unschedulable },
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new(pods), ["ephemeral-storage"] = new("100Gi") },
            Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new(pods), ["ephemeral-storage"] = new("100Gi") },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready }],
        },
    };

    public static V1Pod Pod(string name, string? cpu = null, string? memory = null, string ns = "default", string? nodeName = null, IDictionary<string, string>? labels = null, string? ownerUid = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Uid = Guid.NewGuid().ToString(),
            Labels = labels,
            OwnerReferences = ownerUid is null ? null : [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs", Uid = ownerUid, Controller = true }],
        },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            Containers = [new V1Container { Name = "app", Image = "busybox", Resources = Requests(cpu, memory) }],
        },
    };

    public static V1ResourceRequirements Requests(string? cpu, string? memory)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            requests["cpu"] = new ResourceQuantity(cpu);
        }
        if (memory is not null)
        {
            requests["memory"] = new ResourceQuantity(memory);
        }
        return new V1ResourceRequirements { Requests = requests };
    }

    public static NodeInfo NodeInfo(V1Node node, params V1Pod[] pods)
    {
        var info = new NodeInfo(node.Metadata.Name);
        info.SetNode(node);
        foreach (var pod in pods)
        {
            info.AddPod(PodInfo.From(pod).WithNode(node.Metadata.Name));
        }
        return info;
    }
}
