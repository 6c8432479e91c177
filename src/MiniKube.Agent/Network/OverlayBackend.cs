namespace MiniKube.Agent.Network;

/// <summary>
/// How pod traffic crosses to other nodes (<c>--flannel-backend</c>, k3s' flag): flannel's
/// <c>vxlan</c> (the default) or <c>host-gw</c> backend, or <c>none</c> (no routes to other nodes;
/// whatever mkube made for another backend before is removed).
/// </summary>
public enum OverlayBackend
{
    Vxlan,
    HostGw,
    None,
}

/// <summary>The backends' names as the flag and flannel's <c>backend-type</c> annotation spell them.</summary>
public static class OverlayBackends
{
    public const string Default = "vxlan";

    /// <summary>Every name the flag accepts, in the order the help text lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["vxlan", "host-gw", "none"];

    /// <summary>The backend of <paramref name="name"/>; <see cref="ArgumentException"/> for a name not in <see cref="Names"/>.</summary>
    public static OverlayBackend Parse(string name) => name switch
    {
        "vxlan" => OverlayBackend.Vxlan,
        "host-gw" => OverlayBackend.HostGw,
        "none" => OverlayBackend.None,
        _ => throw new ArgumentException($"unknown flannel backend '{name}': it is one of {string.Join(", ", Names)}", nameof(name)),
    };

    public static string NameOf(OverlayBackend backend) => Names[(int)backend];
}
