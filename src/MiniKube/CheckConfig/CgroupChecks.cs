namespace MiniKube.CheckConfig;

/// <summary>
/// The cgroup controllers containers need at run time — cpu, memory, pids — as the kernel offers
/// them now: from cgroup v2's <c>/sys/fs/cgroup/cgroup.controllers</c>, else from cgroup v1's
/// <c>/proc/cgroups</c>. A kernel built with a controller can still have it switched off on its
/// command line (Raspberry Pi OS does so for memory).
/// </summary>
public static class CgroupChecks
{
    private const string Group = "cgroups";

    private static readonly string[] Controllers = ["cpu", "memory", "pids"];

    public static IReadOnlyList<CheckResult> Check(IHostProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var v2 = probe.ReadFile("/sys/fs/cgroup/cgroup.controllers");
        HashSet<string> enabled;
        string version;
        if (v2 is not null)
        {
            enabled = [.. v2.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)];
            version = "v2";
        }
        else if (probe.ReadFile("/proc/cgroups") is { } v1)
        {
            // "#subsys_name hierarchy num_cgroups enabled"
            enabled = [.. v1.Split('\n').Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length == 4 && !f[0].StartsWith('#') && f[3] == "1").Select(f => f[0])];
            version = "v1";
        }
        else
        {
            return [new(Group, "controllers", CheckStatus.Fail, "no cgroup file system (neither /sys/fs/cgroup/cgroup.controllers nor /proc/cgroups)",
                "mount cgroup2 on /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup)")];
        }
        return [.. Controllers.Select(controller => enabled.Contains(controller)
            ? CheckResult.Ok(Group, controller, $"enabled (cgroup {version})")
            : new CheckResult(Group, controller, CheckStatus.Fail, $"not enabled (cgroup {version})", Fix(controller)))];
    }

    private static string Fix(string controller) => controller == "memory"
        ? "add \"cgroup_memory=1 cgroup_enable=memory\" to the kernel command line (/boot/cmdline.txt on a Raspberry Pi, /boot/firmware/cmdline.txt on newer ones) and reboot"
        : $"enable the {controller} controller on the kernel command line (cgroup_enable={controller}) and reboot";
}
