using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MiniKube.Hosting;

namespace MiniKube.Cli;

/// <summary>
/// A command that runs a long-lived mode of mkube (server, agent) and so takes its flags from
/// the command line, the environment and the config file.
/// </summary>
internal abstract class ModeCommand : Command
{
    protected ModeCommand(string name, string description)
        : base(name, description)
    {
        Add(Config);
        Add(DataDir);
        Add(Debug);
        SetAction(RunReportingErrorsAsync);
    }

    public Option<string> Config { get; } = Flags.Text("--config", Defaults.ConfigFile,
        $"YAML file whose keys are flag names (MKUBE_CONFIG)");

    public Option<string> DataDir { get; } = Flags.Text("--data-dir", Defaults.DataDir, "Directory for state: store, certificates, images");

    public Option<bool> Debug { get; } = Flags.Switch("--debug", "Log at debug level, with error details");

    /// <summary>Rejects a combination the parser cannot see, such as a flag required unless set elsewhere.</summary>
    public virtual void CheckRequired(ParseResult parsed)
    {
    }

    protected abstract Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken);

    /// <summary>
    /// An operational failure of a one-shot command (a file that cannot be read, a store that is
    /// locked or damaged) is one line and exit 1, never a stack trace. Long-running modes report
    /// their own failures through the host.
    /// </summary>
    private async Task<int> RunReportingErrorsAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(parsed, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
            or Storage.UnknownStoreFormatException or Storage.StoreUnavailableException)
        {
            await parsed.InvocationConfiguration.Error.WriteLineAsync($"Error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Builds this mode's host from its components, in dependency order, and runs it to its exit code.</summary>
    protected static async Task<int> RunHostAsync(bool debug, Action<IServiceCollection> addComponents, CancellationToken cancellationToken)
    {
        var builder = HostingExtensions.CreateBuilder();
        builder.Services.AddMkubeLogging(debug).AddComponentRunner();
        addComponents(builder.Services);
        using var host = builder.Build();
        return await host.RunToExitCodeAsync(cancellationToken);
    }
}
