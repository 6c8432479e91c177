namespace MiniKube.Addons.Metrics;

/// <summary>A cumulative CPU counter read at <see cref="Time"/>.</summary>
public readonly record struct CpuReading(DateTimeOffset Time, ulong CoreNanoSeconds);

/// <summary>One container's figures in a scrape; <see cref="StartTime"/> tells a restarted container (its counter began again) from the same one.</summary>
public sealed record ContainerReading(string Name, CpuReading Cpu, ulong WorkingSetBytes, DateTimeOffset? StartTime);

/// <summary>
/// What one scrape of a kubelet's /metrics/resource says, decoded as metrics-server's
/// pkg/scraper/client/resource/decode.go does: the node's CPU counter and working set, and per
/// pod the containers that have both a CPU counter and a working set (others are left out). A
/// sample without a timestamp is stamped with the scrape time.
/// </summary>
public sealed record KubeletScrape(CpuReading? NodeCpu, ulong? NodeWorkingSetBytes, IReadOnlyDictionary<NamespacedName, IReadOnlyList<ContainerReading>> Pods)
{
    public static KubeletScrape Decode(string text, DateTimeOffset scraped)
    {
        CpuReading? nodeCpu = null;
        ulong? nodeMemory = null;
        var cpu = new Dictionary<(NamespacedName Pod, string Container), CpuReading>();
        var memory = new Dictionary<(NamespacedName Pod, string Container), ulong>();
        var started = new Dictionary<(NamespacedName Pod, string Container), DateTimeOffset>();
        foreach (var sample in PrometheusText.Parse(text))
        {
            if (double.IsNaN(sample.Value) || double.IsInfinity(sample.Value) || sample.Value < 0)
            {
                continue;
            }
            var time = sample.TimestampMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : scraped;
            switch (sample.Name)
            {
                case "node_cpu_usage_seconds_total":
                    nodeCpu = new CpuReading(time, Nanos(sample.Value));
                    break;
                case "node_memory_working_set_bytes":
                    nodeMemory = (ulong)sample.Value;
                    break;
                case "container_cpu_usage_seconds_total" when Key(sample) is { } key:
                    cpu[key] = new CpuReading(time, Nanos(sample.Value));
                    break;
                case "container_memory_working_set_bytes" when Key(sample) is { } key:
                    memory[key] = (ulong)sample.Value;
                    break;
                case "container_start_time_seconds" when Key(sample) is { } key:
                    started[key] = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(sample.Value * 1000));
                    break;
            }
        }
        var pods = cpu.Keys.Where(memory.ContainsKey)
            .GroupBy(k => k.Pod)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<ContainerReading>)g.Select(k => new ContainerReading(k.Container, cpu[k], memory[k], started.TryGetValue(k, out var s) ? s : null))
                    .OrderBy(c => c.Name, StringComparer.Ordinal).ToList());
        return new KubeletScrape(nodeCpu, nodeMemory, pods);
    }

    private static ulong Nanos(double seconds) => (ulong)Math.Round(seconds * 1e9);

    private static (NamespacedName, string)? Key(PrometheusSample sample) =>
        sample.Labels.TryGetValue("namespace", out var ns) && sample.Labels.TryGetValue("pod", out var pod) && sample.Labels.TryGetValue("container", out var container)
            ? (new NamespacedName(ns, pod), container)
            : null;
}
