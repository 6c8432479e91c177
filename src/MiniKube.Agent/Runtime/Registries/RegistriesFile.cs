namespace MiniKube.Agent.Runtime.Registries;

/// <summary>
/// The node's <c>registries.yaml</c>, read again whenever its time stamp or size changes (each
/// pull looks: one stat), so an edit takes effect without a restart, where k3s needs one. An
/// absent file is an empty configuration; an invalid one is logged, naming the file and the
/// reason, and pulls go on without it. Every (re)load, and the first look, hands the result to
/// <see cref="Applied"/> (Docker writes its certificate files there). Thread-safe.
/// </summary>
internal sealed partial class RegistriesFile(string? path, ILogger logger)
{
    private readonly Lock _lock = new();
    private bool _looked;
    private (DateTime Modified, long Length)? _stamp;
    private RegistriesConfig _current = RegistriesConfig.Empty;

    /// <summary>Called with each configuration read, under the file's lock (so two loads never overlap).</summary>
    public Action<RegistriesConfig>? Applied { get; init; }

    /// <summary>The configuration as the file says now.</summary>
    public RegistriesConfig Current()
    {
        if (path is null)
        {
            return RegistriesConfig.Empty;
        }
        var file = new FileInfo(path);
        (DateTime, long)? stamp = file.Exists ? (file.LastWriteTimeUtc, file.Length) : null;
        lock (_lock)
        {
            if (_looked && stamp == _stamp)
            {
                return _current;
            }
            _looked = true;
            _stamp = stamp;
            _current = stamp is null ? RegistriesConfig.Empty : Read(path);
            Applied?.Invoke(_current);
            return _current;
        }
    }

    private RegistriesConfig Read(string file)
    {
        try
        {
            var config = RegistriesConfig.Parse(File.ReadAllText(file));
            LogLoaded(file, config.Mirrors.Count, config.Configs.Count);
            foreach (var problem in config.Problems())
            {
                LogNotHonoured(file, problem);
            }
            return config;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            LogInvalid(file, e.Message);
            return RegistriesConfig.Empty;
        }
    }

    // Never the credentials: only counts and what cannot be honoured.
    [LoggerMessage(EventId = LogEvents.Agent + 880, Level = LogLevel.Information, Message = "Registry configuration {Path} read: {Mirrors} mirrors, {Configs} configs")]
    private partial void LogLoaded(string path, int mirrors, int configs);

    [LoggerMessage(EventId = LogEvents.Agent + 881, Level = LogLevel.Error, Message = "Registry configuration {Path} is not used: {Reason}; images are pulled without mirrors or its credentials until it is fixed")]
    private partial void LogInvalid(string path, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 882, Level = LogLevel.Warning, Message = "Registry configuration {Path}: {Problem}")]
    private partial void LogNotHonoured(string path, string problem);
}
