using System.Text.Json.Nodes;
using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Kubelet.Stats;

/// <summary>
/// The kubelet's <c>/stats/summary</c> document in upstream's shape (kubelet
/// pkg/apis/stats/v1alpha1 types.go: Summary, NodeStats, PodStats, ContainerStats, CPUStats,
/// MemoryStats), limited to CPU and memory: network, filesystem, volume and rlimit figures are left
/// out, as fields a runtime cannot report are.
/// </summary>
internal static class StatsSummary
{
    public static JsonObject Build(NodeStatsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var pods = new JsonArray();
        foreach (var pod in snapshot.Pods)
        {
            var containers = new JsonArray();
            foreach (var container in pod.Containers)
            {
                containers.Add(new JsonObject
                {
                    ["name"] = container.Name,
                    ["startTime"] = Time(container.StartTime),
                    ["cpu"] = Cpu(container.Usage),
                    ["memory"] = Memory(container.Usage.Usage),
                });
            }
            var total = pod.Total();
            pods.Add(new JsonObject
            {
                ["podRef"] = new JsonObject { ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["uid"] = pod.Uid },
                ["startTime"] = Time(pod.StartTime),
                ["containers"] = containers,
                ["cpu"] = Cpu(total),
                ["memory"] = Memory(total.Usage),
            });
        }
        return new JsonObject
        {
            ["node"] = new JsonObject
            {
                ["nodeName"] = snapshot.NodeName,
                ["startTime"] = Time(snapshot.StartTime),
                ["cpu"] = Cpu(snapshot.Node),
                ["memory"] = Memory(snapshot.Node.Usage),
            },
            ["pods"] = pods,
        };
    }

    private static JsonObject Cpu(RatedUsage usage)
    {
        var cpu = new JsonObject { ["time"] = Time(usage.Usage.Time) };
        if (usage.UsageNanoCores is { } rate)
        {
            cpu["usageNanoCores"] = rate;
        }
        cpu["usageCoreNanoSeconds"] = usage.Usage.CpuUsageCoreNanoSeconds;
        return cpu;
    }

    private static JsonObject Memory(ResourceUsage usage)
    {
        var memory = new JsonObject { ["time"] = Time(usage.Time) };
        if (usage.AvailableBytes is { } available)
        {
            memory["availableBytes"] = available;
        }
        memory["usageBytes"] = usage.MemoryUsageBytes;
        memory["workingSetBytes"] = usage.WorkingSetBytes;
        memory["rssBytes"] = usage.RssBytes;
        memory["pageFaults"] = usage.PageFaults;
        memory["majorPageFaults"] = usage.MajorPageFaults;
        return memory;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
