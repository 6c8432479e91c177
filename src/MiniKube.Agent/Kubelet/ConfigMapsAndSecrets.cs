using System.Runtime.CompilerServices;
using System.Text;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The ConfigMaps and Secrets a node's pods refer to (env, envFrom, configMap and secret
/// volumes, image pull secrets), served from watches instead of a GET per container start (upstream's configmap and
/// secret managers with the Watch strategy). A pod's references are registered before each of
/// its syncs and released when it is gone.
/// Why a watch per referenced object rather than an informer per namespace: it lists only what
/// the node's pods use (no other application's secrets in this process) and it is what a
/// Node-authorized kubelet may do; a node with 30 pods on one ConfigMap holds one watch.
/// Kubelets that share an API client (the simulated nodes of one process) share the watches
/// too, so a thousand simulated nodes on one ConfigMap hold one watch, not a thousand.
/// </summary>
internal sealed class ConfigMapsAndSecrets
{
    private static readonly ConditionalWeakTable<IKubernetes, Shared> PerClient = [];

    private readonly IKubernetes _client;
    private readonly Shared _shared;
    private readonly string _node;
    private readonly HashSet<string> _owners = new(StringComparer.Ordinal);
    private readonly LocalState? _local;

    /// <summary>With <paramref name="local"/>, every answer is kept there and read back while the API server cannot be reached.</summary>
    public ConfigMapsAndSecrets(IKubernetes client, string nodeName, ILogger logger, LocalState? local = null)
    {
        _client = client;
        _local = local;
        _node = nodeName;
        _shared = PerClient.GetValue(client, c => new Shared(c, logger));
    }

    /// <summary>How many ConfigMaps and Secrets are watched for the kubelets of this client.</summary>
    public int WatchCount => _shared.ConfigMaps.WatchCount + _shared.Secrets.WatchCount;

    /// <summary>Makes what <paramref name="pod"/> refers to now the references of its key <paramref name="podKey"/>.</summary>
    public void RegisterPod(string podKey, V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var owner = Owner(podKey);
        lock (_owners)
        {
            _owners.Add(owner);
        }
        var ns = pod.Namespace() ?? "default";
        _shared.ConfigMaps.Track(owner, Names(ns, ConfigMapNames(pod)));
        _shared.Secrets.Track(owner, Names(ns, SecretNames(pod)));
    }

    public void UnregisterPod(string podKey)
    {
        var owner = Owner(podKey);
        lock (_owners)
        {
            _owners.Remove(owner);
        }
        _shared.ConfigMaps.Release(owner);
        _shared.Secrets.Release(owner);
    }

    /// <summary>Drops every reference of this kubelet (it is stopping).</summary>
    public void UnregisterAll()
    {
        string[] owners;
        lock (_owners)
        {
            owners = [.. _owners];
            _owners.Clear();
        }
        foreach (var owner in owners)
        {
            _shared.ConfigMaps.Release(owner);
            _shared.Secrets.Release(owner);
        }
    }

    /// <summary>The ConfigMap's data; null when it is missing and optional; <see cref="ContainerConfigException"/> when it is missing and required.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> ConfigMapDataAsync(string ns, string name, bool optional, CancellationToken cancellationToken)
    {
        var data = await KeptAsync(LocalState.ConfigMaps, ns, name, async ct =>
            await _shared.ConfigMaps.GetAsync(new NamespacedName(ns, name), c => ApiCalls.OrNullAsync(() => _client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: c)), ct) is { } cm
                ? cm.Data?.ToDictionary() ?? []
                : null, cancellationToken);
        return data ?? (optional ? null : throw new ContainerConfigException($"configmap \"{name}\" not found"));
    }

    /// <summary>The Secret's data as text; null when it is missing and optional; <see cref="ContainerConfigException"/> when it is missing and required.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> SecretDataAsync(string ns, string name, bool optional, CancellationToken cancellationToken)
    {
        var data = await KeptAsync(LocalState.Secrets, ns, name, async ct =>
            await _shared.Secrets.GetAsync(new NamespacedName(ns, name), c => ApiCalls.OrNullAsync(() => _client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: c)), ct) is { } secret
                ? secret.Data?.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(kv.Value)) ?? []
                : null, cancellationToken);
        return data ?? (optional ? null : throw new ContainerConfigException($"secret \"{name}\" not found"));
    }

    /// <summary>
    /// What <paramref name="read"/> answers (null: the object does not exist), kept in the local
    /// copy; while the API server cannot be reached (a kubelet that started without it has no
    /// watch cache), the copy's data instead, when there is one.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>?> KeptAsync(string kind, string ns, string name, Func<CancellationToken, Task<IReadOnlyDictionary<string, string>?>> read, CancellationToken cancellationToken)
    {
        if (_local is null)
        {
            return await read(cancellationToken);
        }
        try
        {
            var data = await read(cancellationToken);
            _local.SaveData(kind, ns, name, data);
            return data;
        }
        catch (Exception e) when (LocalState.IsUnreachable(e, cancellationToken) && _local.TryLoadData(kind, ns, name, out var kept))
        {
            return kept;
        }
    }

    /// <summary>The Secret itself (image pull secrets need its type and bytes), or null when it does not exist.</summary>
    public Task<V1Secret?> SecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        _shared.Secrets.GetAsync(new NamespacedName(ns, name), ct => ApiCalls.OrNullAsync(() => _client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct)), cancellationToken);

    /// <summary>The ConfigMaps a pod refers to (podutil.VisitPodConfigmapNames, for what the kubelet reads).</summary>
    public static IEnumerable<string> ConfigMapNames(V1Pod pod) =>
        ReferencedNames(pod, from => from.ConfigMapRef?.Name, env => env.ConfigMapKeyRef?.Name, volume => volume.ConfigMap?.Name, source => source.ConfigMap?.Name);

    /// <summary>The Secrets a pod refers to (podutil.VisitPodSecretNames, for what the kubelet reads), image pull secrets first.</summary>
    public static IEnumerable<string> SecretNames(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return (pod.Spec.ImagePullSecrets ?? []).Select(s => s.Name).Where(n => !string.IsNullOrEmpty(n))
            .Concat(ReferencedNames(pod, from => from.SecretRef?.Name, env => env.SecretKeyRef?.Name, volume => volume.Secret?.SecretName, source => source.Secret?.Name));
    }

    /// <summary>The names one kind of reference picks from every container's envFrom and env, and from the volumes and projected volumes' sources.</summary>
    private static IEnumerable<string> ReferencedNames(V1Pod pod, Func<V1EnvFromSource, string?> fromEnvFrom, Func<V1EnvVarSource, string?> fromEnv, Func<V1Volume, string?> fromVolume, Func<V1VolumeProjection, string?> fromProjection)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var containers = (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []);
        var volumes = pod.Spec.Volumes ?? [];
        var names = containers.SelectMany(c => (c.EnvFrom ?? []).Select(fromEnvFrom).Concat((c.Env ?? []).Select(e => e.ValueFrom is { } source ? fromEnv(source) : null)))
            .Concat(volumes.Select(fromVolume))
            .Concat(volumes.SelectMany(v => v.Projected?.Sources ?? []).Select(fromProjection));
        return names.OfType<string>();
    }

    private static HashSet<NamespacedName> Names(string ns, IEnumerable<string> names) => [.. names.Select(n => new NamespacedName(ns, n))];

    private string Owner(string podKey) => _node + "|" + podKey;

    /// <summary>The watches of every kubelet on one API client.</summary>
    private sealed class Shared(IKubernetes client, ILogger logger)
    {
        public WatchedObjects<V1ConfigMap> ConfigMaps { get; } = new(name => SingleObject<V1ConfigMap, V1ConfigMapList>(
            ct => client.CoreV1.ListNamespacedConfigMapAsync(name.Namespace, fieldSelector: "metadata.name=" + name.Name, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListNamespacedConfigMapAsync(name.Namespace, fieldSelector: "metadata.name=" + name.Name,
                resourceVersion: version, allowWatchBookmarks: true, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)), logger);

        public WatchedObjects<V1Secret> Secrets { get; } = new(name => SingleObject<V1Secret, V1SecretList>(
            ct => client.CoreV1.ListNamespacedSecretAsync(name.Namespace, fieldSelector: "metadata.name=" + name.Name, cancellationToken: ct),
            (version, timeout, onError, ct) => client.CoreV1.WatchListNamespacedSecretAsync(name.Namespace, fieldSelector: "metadata.name=" + name.Name,
                resourceVersion: version, allowWatchBookmarks: true, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)), logger);

        private static ListWatch<T, TList> SingleObject<T, TList>(Func<CancellationToken, Task<TList>> list, WatchFunc<T> watch)
            where T : IKubernetesObject<V1ObjectMeta>
            where TList : IItems<T>, IMetadata<V1ListMeta> => new(list, watch);
    }
}
