namespace MiniKube.CheckConfig;

/// <summary>How one item of <c>mkube check-config</c> stands.</summary>
public enum CheckStatus
{
    /// <summary>Present and usable.</summary>
    Ok,

    /// <summary>Missing but optional, or impossible to tell: mkube may still run.</summary>
    Warning,

    /// <summary>Required and missing: mkube, or a default part of it, will not work.</summary>
    Fail,
}

/// <summary>One line of the report: what was checked, what was found and, when it is not OK, how to fix it.</summary>
/// <param name="Group">The area: kernel, cgroups, tools, docker, ports, clock, disk.</param>
/// <param name="Item">What in that area, e.g. <c>br_netfilter</c> or <c>6443/tcp</c>.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to do about it; null when OK.</param>
public sealed record CheckResult(string Group, string Item, CheckStatus Status, string Detail, string? Fix = null)
{
    public static CheckResult Ok(string group, string item, string detail) => new(group, item, CheckStatus.Ok, detail);

    /// <summary>The one line printed for it: <c>OK    kernel  vxlan: built in (CONFIG_VXLAN=y)</c>.</summary>
    public override string ToString()
    {
        var status = Status switch { CheckStatus.Ok => "OK", CheckStatus.Warning => "WARN", _ => "FAIL" };
        return $"{status,-5} {Group,-8} {Item}: {Detail}{(Fix is null ? "" : "; fix: " + Fix)}";
    }
}
