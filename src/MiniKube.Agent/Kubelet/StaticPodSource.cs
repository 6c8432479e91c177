
namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The static pods of one node, read from its manifest directory (pkg/kubelet/config/file.go,
/// which lists the directory every 20 s; the kubelet calls <see cref="Rescan"/> every few).
/// Invariants: a file whose content did not change keeps its pods as they were (uid and
/// config.seen included); an invalid file is warned about once per content, naming the file
/// and the reason, and the other files still count; a pod that left (its file removed, or
/// changed so that it has a new uid) stays in <see cref="TerminatingFor"/> until the kubelet
/// reports it stopped, so its containers are stopped gracefully rather than swept as orphans.
/// Safe for one scanner and many readers.
/// </summary>
internal sealed partial class StaticPodSource(string directory, string nodeName, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ManifestFile> _files = new(StringComparer.Ordinal);
    private HashSet<(string Path, string Key)> _conflicts = [];
    private Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<V1Pod>> _terminating = new(StringComparer.Ordinal);

    public string Directory => directory;

    /// <summary>The static pod with this namespace/name key, or null.</summary>
    public V1Pod? Get(string key)
    {
        lock (_gate)
        {
            return _pods.GetValueOrDefault(key);
        }
    }

    /// <summary>Keys of the static pods, and of pods still to be stopped.</summary>
    public IReadOnlyCollection<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _pods.Keys.Union(_terminating.Keys, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The uids whose containers belong to static pods, running or still stopping.</summary>
    public IReadOnlySet<string> Uids
    {
        get
        {
            lock (_gate)
            {
                return _pods.Values.Concat(_terminating.Values.SelectMany(l => l)).Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Former static pods of this key whose containers must still be stopped.</summary>
    public IReadOnlyList<V1Pod> TerminatingFor(string key)
    {
        lock (_gate)
        {
            return _terminating.TryGetValue(key, out var pods) ? [.. pods] : [];
        }
    }

    /// <summary>The kubelet stopped <paramref name="pod"/>'s containers.</summary>
    public void Terminated(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var key = Key(pod);
        lock (_gate)
        {
            if (_terminating.TryGetValue(key, out var pods) && pods.RemoveAll(p => p.Metadata.Uid == pod.Metadata.Uid) > 0 && pods.Count == 0)
            {
                _terminating.Remove(key);
            }
        }
    }

    /// <summary>Reads the directory again; returns the keys of pods that appeared, changed or left.</summary>
    public IReadOnlyList<string> Rescan()
    {
        var paths = ListManifests();
        foreach (var gone in _files.Keys.Except(paths, StringComparer.Ordinal).ToList())
        {
            _files.Remove(gone);
        }
        var pods = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicts = new HashSet<(string Path, string Key)>();
        foreach (var path in paths)
        {
            foreach (var pod in Read(path))
            {
                var key = Key(pod);
                if (origin.TryGetValue(key, out var first))
                {
                    // Upstream keeps one pod per name; the first file (in name order) wins, and the user hears about the other.
                    if (conflicts.Add((path, key)) && !_conflicts.Contains((path, key)))
                    {
                        LogInvalid(path, $"pod {key} is already declared in {first}");
                    }
                    continue;
                }
                origin[key] = path;
                pods[key] = pod;
            }
        }
        _conflicts = conflicts; // warned once while it lasts
        return Replace(pods);
    }

    private List<string> ListManifests()
    {
        try
        {
            return System.IO.Directory.Exists(directory)
                ? [.. System.IO.Directory.EnumerateFiles(directory).Where(StaticPodManifest.IsManifest).Order(StringComparer.Ordinal)]
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keep what we had rather than stopping every static pod over a transient error.
            LogUnreadable(directory, e.Message);
            return [.. _files.Keys];
        }
    }

    /// <summary>The pods of one file: the ones read before if its content is unchanged, none while it is invalid.</summary>
    private IReadOnlyList<V1Pod> Read(string path)
    {
        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Being written or replaced right now: keep its previous pods until the next scan.
            return _files.TryGetValue(path, out var previous) ? previous.Pods : [];
        }
        if (_files.TryGetValue(path, out var known) && known.Content == content)
        {
            return known.Pods;
        }
        IReadOnlyList<V1Pod> pods;
        try
        {
            pods = StaticPodManifest.Parse(path, content, nodeName, time.GetUtcNow());
        }
        catch (InvalidStaticPodException e)
        {
            LogInvalid(path, e.Message);
            pods = [];
        }
        _files[path] = new ManifestFile(content, pods);
        return pods;
    }

    private List<string> Replace(Dictionary<string, V1Pod> pods)
    {
        var changed = new List<string>();
        lock (_gate)
        {
            foreach (var (key, old) in _pods)
            {
                if (!pods.TryGetValue(key, out var now) || now.Metadata.Uid != old.Metadata.Uid)
                {
                    changed.Add(key);
                    if (!_terminating.TryGetValue(key, out var leaving))
                    {
                        _terminating[key] = leaving = [];
                    }
                    leaving.Add(old);
                    LogLeft(key, old.Metadata.Uid);
                }
            }
            foreach (var (key, pod) in pods)
            {
                if (!_pods.TryGetValue(key, out var old) || old.Metadata.Uid != pod.Metadata.Uid)
                {
                    changed.Add(key);
                    LogAdded(key, pod.Metadata.Uid);
                    // Back before it was stopped (a file restored as it was): it just keeps running.
                    if (_terminating.TryGetValue(key, out var leaving) && leaving.RemoveAll(p => p.Metadata.Uid == pod.Metadata.Uid) > 0 && leaving.Count == 0)
                    {
                        _terminating.Remove(key);
                    }
                }
            }
            _pods = pods;
        }
        return [.. changed.Distinct(StringComparer.Ordinal)];
    }

    private static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";

    private sealed record ManifestFile(string Content, IReadOnlyList<V1Pod> Pods);

    [LoggerMessage(EventId = LogEvents.Agent + 30, Level = LogLevel.Warning, Message = "Static pod manifest {File} ignored: {Reason}")]
    private partial void LogInvalid(string file, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 31, Level = LogLevel.Information, Message = "Static pod {Pod} (uid {Uid}) added")]
    private partial void LogAdded(string pod, string uid);

    [LoggerMessage(EventId = LogEvents.Agent + 32, Level = LogLevel.Information, Message = "Static pod {Pod} (uid {Uid}) removed or changed; stopping it")]
    private partial void LogLeft(string pod, string uid);

    [LoggerMessage(EventId = LogEvents.Agent + 33, Level = LogLevel.Warning, Message = "Cannot read the static pod directory {Directory}: {Reason}")]
    private partial void LogUnreadable(string directory, string reason);
}
