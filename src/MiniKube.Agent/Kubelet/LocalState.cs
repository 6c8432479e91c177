using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The kubelet's local copy of what it last knew from the API server, so a kubelet that starts
/// while the server is away still runs its pods (offline autonomy, as KubeEdge's edge database and
/// OpenYurt's YurtHub cache give their nodes). It holds the pods bound to the node (API pods, not
/// static or mirror pods), the ConfigMap and Secret data they refer to, and the Services their
/// environment variables come from, one JSON file each under <see cref="Directory"/>:
/// <c>pods/NS_NAME.json</c>, <c>configmaps/NS_NAME.json</c>, <c>secrets/NS_NAME.json</c>,
/// <c>services.json</c>, <c>node.json</c> (the podCIDR) (names hold no <c>_</c>, so the file names are unambiguous).
/// Invariants: every file is replaced atomically (written to a temporary file, flushed to disk,
/// renamed over the old one), so a crash leaves the old copy or the new, never half of one; a file
/// is written only when its content changed (no disk write per heartbeat or resync); the directory
/// is 0700 and every file 0600, because Secrets are kept here as they are in the server's own
/// store — a node that must restart its pods without the server needs their secret volumes and
/// environment, and the agent's client key beside it is as sensitive. Service-account tokens are
/// not kept: they are short-lived credentials for the API server, which is exactly what is
/// unreachable while a copy would be used (a pod that needs a new token waits for the server).
/// </summary>
internal sealed partial class LocalState
{
    // The folders of referenced data (ConfigMaps' data; Secrets' as text, as volumes and env take it) and of pods; the files of Services and the Node.
    public const string ConfigMaps = "configmaps", Secrets = "secrets";
    private const string PodsFolder = "pods", ServicesFile = "services.json", NodeFile = "node.json";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    private readonly ILogger _logger;

    // What each file holds now, by path: a write that would not change it is skipped.
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);

    public LocalState(string directory, ILogger logger)
    {
        Directory = directory;
        _logger = logger;
    }

    /// <summary>Where the copy lives (DATA_DIR/agent/local-state).</summary>
    public string Directory { get; }

    /// <summary>Whether <paramref name="e"/> says the API server could not be reached (refused, reset, timed out), as opposed to an answer or our own cancellation.</summary>
    public static bool IsUnreachable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>The pods of the last copy, by key (namespace/name); damaged files are logged and skipped.</summary>
    public Dictionary<string, V1Pod> LoadPods()
    {
        var pods = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        foreach (var (key, text) in ReadFolder(PodsFolder))
        {
            if (Parse<V1Pod>(text, key) is { Metadata.Uid: not null } pod)
            {
                pods[key] = pod;
            }
        }
        return pods;
    }

    /// <summary>Keeps <paramref name="pod"/> as the copy of <paramref name="key"/> (its managedFields left out: nobody reads them here).</summary>
    public void SavePod(string key, V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var copy = pod with { Metadata = pod.Metadata with { ManagedFields = null } };
        Write(Path.Combine(Directory, PodsFolder, FileName(key)), KubernetesJson.Serialize(copy));
    }

    /// <summary>Forgets every pod but those of <paramref name="keys"/>.</summary>
    public void RetainPods(IReadOnlySet<string> keys) => Retain(PodsFolder, keys);

    /// <summary>Keeps the data of one ConfigMap or Secret (<paramref name="kind"/>); null: it does not exist, and its copy goes.</summary>
    public void SaveData(string kind, string ns, string name, IReadOnlyDictionary<string, string>? data)
    {
        var path = Path.Combine(Directory, kind, FileName(ns + "/" + name));
        if (data is null)
        {
            Delete(path);
            return;
        }
        Write(path, KubernetesJson.Serialize(new SortedDictionary<string, string>(data.ToDictionary(), StringComparer.Ordinal)));
    }

    /// <summary>The kept data of one ConfigMap or Secret, if there is a copy.</summary>
    public bool TryLoadData(string kind, string ns, string name, out IReadOnlyDictionary<string, string>? data)
    {
        data = null;
        var path = Path.Combine(Directory, kind, FileName(ns + "/" + name));
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            data = KubernetesJson.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            LogDamaged(path, e.Message);
            return false;
        }
        return data is not null;
    }

    /// <summary>Forgets the ConfigMaps or Secrets no kept pod refers to any more.</summary>
    public void RetainData(string kind, IReadOnlySet<string> keys) => Retain(kind, keys);

    /// <summary>Keeps the Services pods' environment variables are made from.</summary>
    public void SaveServices(IEnumerable<V1Service> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var list = new V1ServiceList { Items = [.. services.OrderBy(s => s.Namespace() + "/" + s.Name(), StringComparer.Ordinal).Select(s => s with { Metadata = s.Metadata with { ManagedFields = null } })] };
        Write(Path.Combine(Directory, ServicesFile), KubernetesJson.Serialize(list));
    }

    /// <summary>The kept Services (none without a copy).</summary>
    public IReadOnlyList<V1Service> LoadServices()
    {
        var path = Path.Combine(Directory, ServicesFile);
        return File.Exists(path) && Parse<V1ServiceList>(File.ReadAllText(path), path) is { Items: { } items } ? [.. items] : [];
    }

    /// <summary>Keeps what the kubelet needs of its Node to start offline: its name and podCIDRs (spec.podCIDR never changes once set).</summary>
    public void SaveNode(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var kept = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = node.Metadata?.Name },
            Spec = new V1NodeSpec { PodCIDR = node.Spec?.PodCIDR, PodCIDRs = node.Spec?.PodCIDRs },
        };
        Write(Path.Combine(Directory, NodeFile), KubernetesJson.Serialize(kept));
    }

    /// <summary>The kept Node (null without a copy).</summary>
    public V1Node? LoadNode()
    {
        var path = Path.Combine(Directory, NodeFile);
        return File.Exists(path) ? Parse<V1Node>(File.ReadAllText(path), path) : null;
    }

    private IEnumerable<(string Key, string Text)> ReadFolder(string folder)
    {
        var path = Path.Combine(Directory, folder);
        if (!System.IO.Directory.Exists(path))
        {
            yield break;
        }
        foreach (var file in System.IO.Directory.EnumerateFiles(path, "*.json"))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException e)
            {
                LogDamaged(file, e.Message);
                continue;
            }
            _written[file] = text;
            yield return (KeyOf(file), text);
        }
    }

    private T? Parse<T>(string text, string what)
        where T : class
    {
        try
        {
            return KubernetesJson.Deserialize<T>(text);
        }
        catch (JsonException e)
        {
            LogDamaged(what, e.Message);
            return null;
        }
    }

    private void Retain(string folder, IReadOnlySet<string> keys)
    {
        var path = Path.Combine(Directory, folder);
        if (!System.IO.Directory.Exists(path))
        {
            return;
        }
        foreach (var file in System.IO.Directory.EnumerateFiles(path, "*.json").Where(f => !keys.Contains(KeyOf(f))).ToList())
        {
            Delete(file);
        }
    }

    /// <summary>Replaces the file atomically when its content changes: temporary file (0600), flushed, renamed over.</summary>
    private void Write(string path, string content)
    {
        if (_written.TryGetValue(path, out var current) && current == content)
        {
            return;
        }
        try
        {
            EnsureDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            _written[path] = content;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The copy only matters when the server is away; the running node goes on without it.
            LogWriteFailed(path, e.Message);
        }
    }

    private void Delete(string path)
    {
        _written.TryRemove(path, out _);
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(path, e.Message);
        }
    }

    private void EnsureDirectory(string path)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.CreateDirectory(Directory, OwnerOnlyDirectory);
        }
        System.IO.Directory.CreateDirectory(path, OwnerOnlyDirectory);
    }

    private static string FileName(string key) => key.Replace('/', '_') + ".json";

    private static string KeyOf(string file) => Path.GetFileNameWithoutExtension(file).Replace('_', '/');

    [LoggerMessage(EventId = LogEvents.Agent + 860, Level = LogLevel.Warning, Message = "Local copy {File} is unreadable and is ignored: {Reason}")]
    private partial void LogDamaged(string file, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 861, Level = LogLevel.Warning, Message = "Local copy {File} could not be written (the node keeps running; a restart without the API server would miss it): {Reason}")]
    private partial void LogWriteFailed(string file, string reason);
}
