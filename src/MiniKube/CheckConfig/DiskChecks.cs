using System.Globalization;

namespace MiniKube.CheckConfig;

/// <summary>Free space where the data dir lives: the store, snapshots, images and pod volumes all go there.</summary>
public static class DiskChecks
{
    private const string Group = "disk";

    /// <summary>Below this the store may fail to write at all.</summary>
    public const long MinimumFree = 512L * 1024 * 1024;

    /// <summary>The kubelet's default hard eviction threshold, nodefs.available&lt;10%.</summary>
    public const double LowFraction = 0.10;

    public static CheckResult Check(IHostProbe probe, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (probe.DiskSpace(dataDir) is not { } space)
        {
            return new(Group, dataDir, CheckStatus.Warning, "cannot read the file system's free space", "check with df " + dataDir);
        }
        var (free, total) = space;
        var detail = $"{Size(free)} free of {Size(total)}";
        const string fix = "free space there, or move the data dir (--data-dir) to a larger disk";
        if (free < MinimumFree)
        {
            return new(Group, dataDir, CheckStatus.Fail, $"{detail}: the store needs at least {Size(MinimumFree)}", fix);
        }
        return total > 0 && (double)free / total < LowFraction
            ? new(Group, dataDir, CheckStatus.Warning, $"{detail}: under 10 %, upstream kubelets' default eviction threshold (nodefs.available)", fix)
            : CheckResult.Ok(Group, dataDir, detail);
    }

    private static string Size(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
        : (bytes >> 20).ToString(CultureInfo.InvariantCulture) + " MiB";
}
