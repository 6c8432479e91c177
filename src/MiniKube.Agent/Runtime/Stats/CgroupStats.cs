namespace MiniKube.Agent.Runtime.Stats;

/// <summary>
/// Reads a container's CPU and memory from its cgroup, as cadvisor does
/// (google/cadvisor container/libcontainer/handler.go and the kubelet's working-set rule in
/// pkg/kubelet/stats/cri_stats_provider.go): cgroup v2 from <c>cpu.stat</c> (usage_usec) and
/// <c>memory.current</c> / <c>memory.stat</c> (inactive_file, anon, pgfault, pgmajfault); cgroup v1
/// from <c>cpuacct/…/cpuacct.usage</c> and <c>memory/…/memory.usage_in_bytes</c> /
/// <c>memory.stat</c> (total_inactive_file, total_rss, total_pgfault, total_pgmajfault). The
/// working set is usage minus inactive file pages, never below zero. The root is a parameter so
/// tests read fixture trees.
/// </summary>
public sealed class CgroupStats(string root = "/sys/fs/cgroup")
{
    /// <summary>Whether the hierarchy is the unified one (cgroup v2): it has <c>cgroup.controllers</c> at its root.</summary>
    public bool Unified { get; } = File.Exists(Path.Combine(root, "cgroup.controllers"));

    /// <summary>
    /// The cgroup of Docker container <paramref name="id"/>: with the cgroupfs driver
    /// <c>docker/ID</c>, with the systemd driver <c>system.slice/docker-ID.scope</c>; null when
    /// neither exists (the container is gone, or Docker uses another parent).
    /// </summary>
    public string? DockerContainer(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        foreach (var relative in (string[])[$"docker/{id}", $"system.slice/docker-{id}.scope"])
        {
            if (Directory.Exists(Unified ? Path.Combine(root, relative) : Path.Combine(root, "memory", relative)))
            {
                return relative;
            }
        }
        return null;
    }

    /// <summary>The usage of the cgroup at <paramref name="relative"/> (below the root, or below each v1 controller), or null when it vanished meanwhile.</summary>
    public ResourceUsage? Read(string relative, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(relative);
        try
        {
            return Unified ? ReadV2(Path.Combine(root, relative), now) : ReadV1(relative, now);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The container ended between the listing and this read.
            return null;
        }
    }

    private static ResourceUsage ReadV2(string directory, DateTimeOffset now)
    {
        var cpu = KeyValues(File.ReadAllText(Path.Combine(directory, "cpu.stat")));
        var stat = KeyValues(File.ReadAllText(Path.Combine(directory, "memory.stat")));
        var usage = Number(File.ReadAllText(Path.Combine(directory, "memory.current")));
        var max = File.Exists(Path.Combine(directory, "memory.max")) ? File.ReadAllText(Path.Combine(directory, "memory.max")).Trim() : "max";
        return Usage(now, cpu.GetValueOrDefault("usage_usec") * 1000, usage, stat.GetValueOrDefault("inactive_file"), stat.GetValueOrDefault("anon"), max == "max" ? null : Number(max))
            with { PageFaults = stat.GetValueOrDefault("pgfault"), MajorPageFaults = stat.GetValueOrDefault("pgmajfault") };
    }

    private ResourceUsage ReadV1(string relative, DateTimeOffset now)
    {
        var memory = Path.Combine(root, "memory", relative);
        var stat = KeyValues(File.ReadAllText(Path.Combine(memory, "memory.stat")));
        var usage = Number(File.ReadAllText(Path.Combine(memory, "memory.usage_in_bytes")));
        var limit = File.Exists(Path.Combine(memory, "memory.limit_in_bytes")) ? Number(File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes"))) : ulong.MaxValue;
        var cpu = Number(File.ReadAllText(Path.Combine(root, "cpuacct", relative, "cpuacct.usage")));
        // v1 reports "no limit" as a huge page-aligned number (PAGE_COUNTER_MAX pages).
        return Usage(now, cpu, usage, stat.GetValueOrDefault("total_inactive_file"), stat.GetValueOrDefault("total_rss"), limit >= (1UL << 62) ? null : limit)
            with { PageFaults = stat.GetValueOrDefault("total_pgfault"), MajorPageFaults = stat.GetValueOrDefault("total_pgmajfault") };
    }

    private static ResourceUsage Usage(DateTimeOffset now, ulong cpuNanos, ulong usage, ulong inactiveFile, ulong rss, ulong? limit)
    {
        var workingSet = usage > inactiveFile ? usage - inactiveFile : 0;
        return new ResourceUsage(now, cpuNanos, usage, workingSet, rss)
        {
            AvailableBytes = limit is { } l ? (l > workingSet ? l - workingSet : 0) : null,
        };
    }

    /// <summary>The lines <c>key value</c> of a stat file.</summary>
    public static Dictionary<string, ulong> KeyValues(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[parts[0]] = value;
            }
        }
        return values;
    }

    private static ulong Number(string text) => ulong.Parse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
