using System.CommandLine;
using System.CommandLine.Help;

namespace MiniKube.Cli;

/// <summary>
/// The command tree: <c>mkube server</c>, <c>mkube agent</c>, <c>mkube version</c>. Turns every
/// usage mistake into one line on stderr plus a pointer to <c>--help</c>, and exit code 2.
/// </summary>
public sealed class MkubeCommandLine
{
    public const int UsageExitCode = 2;

    /// <summary>
    /// How every mkube command line is parsed: no response files, so a value starting with '@'
    /// (a cron schedule such as <c>@daily</c> or <c>@every 1h</c>) is a value, as in k3s, not a file to read.
    /// </summary>
    internal static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    private readonly CliContext _context;
    // A plain Command rather than RootCommand, whose name would be the host process's (testhost under tests).
    private readonly Command _root = new("mkube", "mkube: a Kubernetes-compatible cluster in one small binary")
    {
        new HelpOption { Recursive = true },
        new VersionOption(),
    };
    private readonly ModeCommand[] _modes = [new ServerCommand(), new AgentCommand()];
    private readonly ModeCommand[] _layered;

    public MkubeCommandLine(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        foreach (var mode in _modes)
        {
            _root.Add(mode);
        }
        _root.Add(new VersionCommand(context));
        var snapshot = new SnapshotCommand(context);
        _root.Add(snapshot);
        var certificate = new CertificateCommand(context);
        _root.Add(certificate);
        var secretsEncrypt = new SecretsEncryptCommand(context);
        _root.Add(secretsEncrypt);
        var network = new NetworkCommand(context);
        _root.Add(network);
        var checkConfig = new CheckConfigCommand(context);
        _root.Add(checkConfig);
        _layered = [.. _modes, .. snapshot.Modes, .. certificate.Modes, .. secretsEncrypt.Modes, .. network.Modes, checkConfig];
    }

    public static Task<int> RunAsync(string[] args, CliContext context) => new MkubeCommandLine(context).InvokeAsync(args);

    public async Task<int> InvokeAsync(string[] args)
    {
        ParseResult parsed;
        try
        {
            parsed = Resolve(args);
        }
        catch (UsageException e)
        {
            var command = _root.Parse(args, Parsing).CommandResult.Command;
            var path = CommandPath(command);
            await _context.Error.WriteLineAsync($"Error: {e.Message}");
            await _context.Error.WriteLineAsync($"Usage: {path} [flags]; run '{path} --help' for the list of flags");
            return UsageExitCode;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = _context.Out,
            Error = _context.Error,
            // The Generic Host's console lifetime owns SIGINT/SIGTERM; see HostingExtensions.
            ProcessTerminationTimeout = null,
        });
    }

    /// <summary>The flags a <c>mkube server</c> command line resolves to, with every layer applied.</summary>
    internal ServerFlags ResolveServer(params string[] args) => ((ServerCommand)_modes[0]).Bind(Resolve(["server", .. args]));

    /// <summary>The flags a <c>mkube agent</c> command line resolves to, with every layer applied.</summary>
    internal AgentFlags ResolveAgent(params string[] args) => ((AgentCommand)_modes[1]).Bind(Resolve(["agent", .. args]));

    /// <summary>Parses and layers the command line; a usage mistake throws <see cref="UsageException"/>.</summary>
    internal ParseResult Resolve(string[] args)
    {
        var parsed = _root.Parse(args, Parsing);
        var isHelpOrVersion = parsed.Action is HelpAction || (parsed.Errors.Count == 0 && parsed.CommandResult.Command == _root && parsed.Action is not null);
        if (isHelpOrVersion)
        {
            return parsed;
        }
        ThrowOnErrors(parsed);
        if (parsed.CommandResult.Command is ModeCommand mode)
        {
            var knownKeys = _layered.SelectMany(m => m.Options).Select(Flags.ConfigKey).ToHashSet(StringComparer.Ordinal);
            parsed = ConfigLayering.Apply(parsed, mode.Config, knownKeys, _context);
            ThrowOnErrors(parsed);
            mode.CheckRequired(parsed);
        }
        return parsed;
    }

    /// <summary>"mkube snapshot save" for the save command: the names from the root down.</summary>
    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }
        return string.Join(' ', names);
    }

    private static void ThrowOnErrors(ParseResult parsed)
    {
        // An unknown word explains the rest ("required command was not provided"), so it comes first.
        if (parsed.UnmatchedTokens.Count > 0)
        {
            throw new UsageException($"unknown flag or command '{parsed.UnmatchedTokens[0]}'");
        }
        if (parsed.Errors.Count > 0)
        {
            throw new UsageException(parsed.Errors[0].Message);
        }
    }
}
