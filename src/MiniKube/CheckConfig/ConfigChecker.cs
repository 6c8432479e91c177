namespace MiniKube.CheckConfig;

/// <summary>
/// <c>mkube check-config</c>'s whole run, as k3s' check-config: every check on one machine, in
/// the order an operator fixes things (kernel, cgroups, programs, Docker, ports, clock, disk).
/// </summary>
public static class ConfigChecker
{
    /// <param name="dataDir">The data dir mkube would use: its disk, and its CAs when it exists.</param>
    /// <param name="dockerSocket">The Docker Engine's unix socket.</param>
    /// <param name="sourceDate">When this build's source was committed, if known.</param>
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(IHostProbe probe, string dataDir, string dockerSocket, DateTimeOffset? sourceDate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var (tools, backend) = await ToolChecks.CheckAsync(probe, cancellationToken);
        return
        [
            .. KernelChecks.Check(probe, backend),
            .. CgroupChecks.Check(probe),
            .. tools,
            await ToolChecks.CheckDockerAsync(probe, dockerSocket, cancellationToken),
            .. PortChecks.Check(probe),
            .. ClockChecks.Check(probe, sourceDate, dataDir),
            DiskChecks.Check(probe, dataDir),
        ];
    }

    /// <summary>The closing line: counts, and whether mkube can run here.</summary>
    public static string Summary(IReadOnlyList<CheckResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var failed = results.Count(r => r.Status == CheckStatus.Fail);
        var warned = results.Count(r => r.Status == CheckStatus.Warning);
        var counts = $"{results.Count} checks: {results.Count - failed - warned} OK, {warned} warnings, {failed} missing";
        return failed == 0 ? $"{counts}. mkube can run here." : $"{counts}. Fix the FAIL lines before running mkube.";
    }
}
