using MiniKube.Agent.Runtime.Registries;

namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// Puts registries.yaml's <c>tls</c> files where dockerd reads them: per registry host,
/// <c>/etc/docker/certs.d/&lt;host[:port]&gt;/</c>, where every <c>*.crt</c> is a CA and each
/// <c>*.cert</c> with its <c>*.key</c> a client certificate, read at each connection (no daemon
/// restart). Our files are named <c>mkube-ca.crt</c>, <c>mkube-client.cert</c> and
/// <c>mkube-client.key</c>, so files the operator put there are never touched, and ours are
/// removed again when the configuration no longer names them. dockerd reads this directory only
/// for registries it verifies: not for those in its insecure-registries, which include
/// 127.0.0.0/8 by default, where it skips verification (and sends no client certificate).
/// </summary>
internal sealed partial class DockerCertsDirectory(string root, ILogger logger)
{
    public const string DefaultRoot = "/etc/docker/certs.d";

    private const string Prefix = "mkube-";

    /// <summary>Makes our files under <see cref="DefaultRoot"/> (or the root given) what <paramref name="config"/> says.</summary>
    public void Apply(RegistriesConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var wanted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (host, entry) in config.Configs)
        {
            if (host == RegistriesConfig.Wildcard || entry.Tls is not { } tls)
            {
                continue;
            }
            if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal) || host.StartsWith('.'))
            {
                LogNotGiven(host, "it is not a host[:port]");
                continue;
            }
            var directory = Path.Combine(root, host);
            Want(wanted, host, Path.Combine(directory, Prefix + "ca.crt"), tls.CaFile);
            if (tls.CertFile is not null && tls.KeyFile is not null)
            {
                Want(wanted, host, Path.Combine(directory, Prefix + "client.cert"), tls.CertFile);
                Want(wanted, host, Path.Combine(directory, Prefix + "client.key"), tls.KeyFile);
            }
        }
        try
        {
            RemoveUnwanted(wanted);
            foreach (var (file, content) in wanted)
            {
                if (File.Exists(file) && File.ReadAllBytes(file).AsSpan().SequenceEqual(content))
                {
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, content);
                if (file.EndsWith(".key", StringComparison.Ordinal))
                {
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                LogChanged("Wrote", file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotGiven("the registries under " + root, e.Message + " (mkube needs root to write there)");
        }
    }

    private void Want(Dictionary<string, byte[]> wanted, string host, string file, string? source)
    {
        if (source is null)
        {
            return;
        }
        try
        {
            wanted[file] = File.ReadAllBytes(source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotGiven(host, $"{source} cannot be read: {e.Message}");
        }
    }

    /// <summary>Deletes our files that are no longer wanted, and the host directories that leaves empty.</summary>
    private void RemoveUnwanted(Dictionary<string, byte[]> wanted)
    {
        if (!Directory.Exists(root))
        {
            return;
        }
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var ours = Directory.EnumerateFiles(directory, Prefix + "*").Where(f => !wanted.ContainsKey(f)).ToList();
            foreach (var file in ours)
            {
                File.Delete(file);
                LogChanged("Removed", file);
            }
            if (ours.Count > 0 && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
    }

    // What changed under certs.d, so an operator can see why dockerd now trusts (or no longer trusts) a registry.
    [LoggerMessage(EventId = LogEvents.Agent + 870, Level = LogLevel.Information, Message = "{Change} {File} for dockerd, as registries.yaml says")]
    private partial void LogChanged(string change, string file);

    [LoggerMessage(EventId = LogEvents.Agent + 872, Level = LogLevel.Warning, Message = "The tls files of {What} are not given to Docker: {Reason}; the tls settings of registries.yaml for it are not in effect")]
    private partial void LogNotGiven(string what, string reason);
}
