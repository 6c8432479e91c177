using System.Reflection;
using System.Runtime.InteropServices;

namespace MiniKube;

/// <summary>What this build is: its own version and the Kubernetes API version it speaks.</summary>
public static class BuildInfo
{
    private static readonly Assembly Self = typeof(BuildInfo).Assembly;

    /// <summary>mkube's own version, e.g. <c>v0.1.0</c>.</summary>
    public static string Version { get; } = "v" + (Self.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>The Kubernetes release whose API this build serves, e.g. <c>v1.32.0</c>.</summary>
    public static string KubernetesVersion { get; } =
        Self.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "KubernetesVersion")?.Value ?? "v0.0.0";

    /// <summary>
    /// When the source of this build was committed (<c>git log -1 --format=%cI</c> at build time),
    /// or null when it was built outside git: a lower bound for the clock of any machine that runs it.
    /// </summary>
    public static DateTimeOffset? SourceDate { get; } =
        DateTimeOffset.TryParse(Self.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "SourceDate")?.Value,
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date) ? date : null;

    /// <summary>The runtime and platform, as <c>go version</c> would print them for a Go binary.</summary>
    public static string Platform { get; } = $".NET {Environment.Version} {RuntimeInformation.RuntimeIdentifier}";
}
