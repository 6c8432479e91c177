using System.CommandLine;

namespace MiniKube.Cli;

/// <summary><c>mkube version</c>: this build and the Kubernetes API version it serves.</summary>
internal sealed class VersionCommand : Command
{
    public VersionCommand(CliContext context)
        : base("version", "Print the mkube and Kubernetes versions")
    {
        SetAction(_ =>
        {
            context.Out.WriteLine($"mkube version {BuildInfo.Version} (Kubernetes {BuildInfo.KubernetesVersion})");
            context.Out.WriteLine(BuildInfo.Platform);
            return 0;
        });
    }
}
