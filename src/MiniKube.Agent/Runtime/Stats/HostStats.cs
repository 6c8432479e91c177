namespace MiniKube.Agent.Runtime.Stats;

/// <summary>
/// The node's own CPU and memory from <c>/proc</c>, cadvisor's root container for a node whose
/// runtime runs real processes: CPU time is the sum of user, nice, system, irq, softirq and steal
/// of the <c>cpu</c> line of <c>/proc/stat</c> (idle and iowait are not use), converted from
/// clock ticks (USER_HZ, 100 on Linux); memory usage is MemTotal − MemFree, the working set that
/// minus inactive file pages (Inactive(file)), available is MemAvailable. The directory is a
/// parameter so tests read fixture files.
/// </summary>
public sealed class HostStats(string proc = "/proc")
{
    // USER_HZ: fixed at 100 for the user-space ABI on every Linux architecture.
    private const ulong NanosPerTick = 10_000_000;

    public ResourceUsage Read(DateTimeOffset now)
    {
        var cpu = CpuNanos(File.ReadAllText(Path.Combine(proc, "stat")));
        var memory = MemInfo(File.ReadAllText(Path.Combine(proc, "meminfo")));
        var total = memory.GetValueOrDefault("MemTotal");
        var usage = total - Math.Min(total, memory.GetValueOrDefault("MemFree"));
        var inactiveFile = memory.GetValueOrDefault("Inactive(file)");
        return new ResourceUsage(now, cpu, usage, usage > inactiveFile ? usage - inactiveFile : 0, memory.GetValueOrDefault("AnonPages"))
        {
            AvailableBytes = memory.GetValueOrDefault("MemAvailable"),
        };
    }

    /// <summary>Busy CPU time of all cores from the text of /proc/stat, in nanoseconds.</summary>
    public static ulong CpuNanos(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var line = stat.Split('\n').FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal))
            ?? throw new InvalidDataException("/proc/stat has no cpu line");
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => ulong.Parse(f, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice]
        ulong busy = 0;
        foreach (var index in (int[])[0, 1, 2, 5, 6, 7])
        {
            busy += index < fields.Length ? fields[index] : 0;
        }
        return busy * NanosPerTick;
    }

    /// <summary>The fields of /proc/meminfo, in bytes.</summary>
    public static Dictionary<string, ulong> MemInfo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }
            var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..colon]] = parts is [_, "kB"] ? value * 1024 : value;
            }
        }
        return values;
    }
}
