using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Kubelet.Stats;

/// <summary>A reading with the CPU rate since the previous one (null on the first reading of that counter).</summary>
internal sealed record RatedUsage(ResourceUsage Usage, ulong? UsageNanoCores);

/// <summary>One running container of a pod, with when it started.</summary>
internal sealed record ContainerSample(string Name, DateTimeOffset StartTime, RatedUsage Usage);

/// <summary>A pod on this node and its running containers' figures; the pod's own are their sums.</summary>
internal sealed record PodSample(string Namespace, string Name, string Uid, DateTimeOffset StartTime, IReadOnlyList<ContainerSample> Containers)
{
    /// <summary>The pod's totals (its containers' sums; the sandbox holds nothing worth counting).</summary>
    public RatedUsage Total()
    {
        var time = Containers.Count == 0 ? DateTimeOffset.MinValue : Containers.Max(c => c.Usage.Usage.Time);
        ulong cpu = 0, usage = 0, workingSet = 0, rss = 0, faults = 0, major = 0, rate = 0;
        var rated = true;
        foreach (var container in Containers)
        {
            var u = container.Usage.Usage;
            cpu += u.CpuUsageCoreNanoSeconds;
            usage += u.MemoryUsageBytes;
            workingSet += u.WorkingSetBytes;
            rss += u.RssBytes;
            faults += u.PageFaults;
            major += u.MajorPageFaults;
            rated &= container.Usage.UsageNanoCores is not null;
            rate += container.Usage.UsageNanoCores ?? 0;
        }
        return new RatedUsage(new ResourceUsage(time, cpu, usage, workingSet, rss) { PageFaults = faults, MajorPageFaults = major }, rated ? rate : null);
    }
}

/// <summary>What the kubelet knows of its node's resource use at one moment: the node and every pod with running containers.</summary>
internal sealed record NodeStatsSnapshot(string NodeName, DateTimeOffset StartTime, RatedUsage Node, IReadOnlyList<PodSample> Pods, bool ContainersFailed);
