using System.CommandLine;
using MiniKube.CheckConfig;

namespace MiniKube.Cli;

/// <summary>
/// <c>mkube check-config</c>, as k3s': whether this machine can run mkube — kernel features,
/// cgroups, the programs it runs, Docker, the default ports, the clock and the data dir's disk —
/// one line per item with how to fix what is missing. Exit 0 when everything required is there,
/// 1 otherwise. Reads only; it changes nothing on the machine.
/// </summary>
internal sealed class CheckConfigCommand(CliContext context, Func<IHostProbe> probe)
    : ModeCommand("check-config", "Check that this machine has what mkube needs, and say how to fix what is missing")
{
    public CheckConfigCommand(CliContext context)
        : this(context, () => new HostProbe(TimeProvider.System))
    {
    }

    protected override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        var dataDir = parsed.GetRequiredValue(DataDir);
        var dockerSocket = new Uri(Defaults.DockerEndpoint).LocalPath;
        var results = await ConfigChecker.RunAsync(probe(), dataDir, dockerSocket, BuildInfo.SourceDate, cancellationToken);
        foreach (var result in results)
        {
            await context.Out.WriteLineAsync(result.ToString());
        }
        await context.Out.WriteLineAsync(ConfigChecker.Summary(results));
        return results.Any(r => r.Status == CheckStatus.Fail) ? 1 : 0;
    }
}
