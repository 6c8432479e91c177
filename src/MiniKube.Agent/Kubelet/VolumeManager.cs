using System.Text;
using k8s.Autorest;
namespace MiniKube.Agent.Kubelet;

/// <summary>
/// A pod's volumes on the node (upstream's volume manager and volume plugins, pkg/kubelet/volumemanager):
/// the host directory behind each volume a container mounts — emptyDir, hostPath, configMap and
/// secret content written under <c>PodsDirectory/&lt;uid&gt;/volumes/&lt;name&gt;</c>, a bound
/// persistentVolumeClaim's volume (<c>VolumeManager.Claims.cs</c>) — and their removal with the
/// pod. Secret volumes live on a tmpfs (<see cref="ITmpfs"/>), so a secret never touches the
/// disk; where no tmpfs can be mounted (not root), they are plain files, as before, and that is
/// logged once.
/// </summary>
internal sealed partial class VolumeManager(IKubernetes client, KubeletOptions options, ConfigMapsAndSecrets configs, ServiceAccountTokens tokens, ITmpfs tmpfs, ILogger logger)
{
    private int _tmpfsRefused;

    /// <summary>The bind mounts of a container's volumeMounts, each volume prepared first.</summary>
    public async Task<List<Runtime.Mount>> MountsAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var mounts = new List<Runtime.Mount>();
        foreach (var volumeMount in container.VolumeMounts ?? [])
        {
            var volume = pod.Spec.Volumes?.FirstOrDefault(v => v.Name == volumeMount.Name)
                ?? throw new ContainerConfigException($"volume {volumeMount.Name} not found");
            var host = await PrepareAsync(pod, volume, cancellationToken);
            if (volumeMount.SubPath is { Length: > 0 } sub)
            {
                host = Path.Combine(host, sub);
            }
            mounts.Add(new Runtime.Mount(host, volumeMount.MountPath, volumeMount.ReadOnlyProperty == true || volume.PersistentVolumeClaim?.ReadOnlyProperty == true));
        }
        return mounts;
    }

    /// <summary>Removes the pod's directory and everything in it, tmpfs mounts first.</summary>
    public void RemovePodDirectory(string podUid)
    {
        var directory = PodDirectory(podUid);
        if (Directory.Exists(directory))
        {
            tmpfs.UnmountAll(directory);
            Directory.Delete(directory, recursive: true);
        }
        tokens.Forget(podUid);
    }

    private string PodDirectory(string podUid) => Path.Combine(options.PodsDirectory, podUid);

    /// <summary>The host directory behind a volume, with configMap/secret content written out.</summary>
    private async Task<string> PrepareAsync(V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        if (volume.PersistentVolumeClaim is { } claim)
        {
            return await ClaimVolumePathAsync(pod, claim.ClaimName, cancellationToken);
        }
        if (volume.HostPath is { } hostPath)
        {
            if (hostPath.Type is "DirectoryOrCreate")
            {
                Directory.CreateDirectory(hostPath.Path);
            }
            return hostPath.Path;
        }
        var directory = Path.Combine(PodDirectory(pod.Metadata.Uid), "volumes", volume.Name);
        Directory.CreateDirectory(directory);
        if (volume.EmptyDir is not null)
        {
            return directory;
        }
        try
        {
            await WriteContentAsync(pod, volume, directory, cancellationToken);
        }
        catch (Exception e) when (LocalState.IsUnreachable(e, cancellationToken) && AtomicWriter.HasContent(directory))
        {
            // A container restarting while the API server is away (a token to renew, a kubelet
            // restarted offline without its caches): the volume keeps what it held, as upstream's
            // volumes stay mounted with their last content.
            LogRefreshFailed(pod.Namespace(), pod.Name(), volume.Name, e.Message);
        }
        return directory;
    }

    /// <summary>
    /// Rewrites the content volumes (configMap, secret, downwardAPI, projected) of a running pod,
    /// as upstream's kubelet remounts them on every sync: a changed ConfigMap or Secret, new
    /// labels, or a token near its refresh time reach the files; unchanged content is left alone.
    /// A volume that cannot be refreshed keeps its last content and is logged.
    /// </summary>
    public async Task RefreshAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (volume.ConfigMap is null && volume.Secret is null && volume.DownwardAPI is null && volume.Projected is null)
            {
                continue;
            }
            var directory = Path.Combine(PodDirectory(pod.Metadata.Uid), "volumes", volume.Name);
            if (!Directory.Exists(directory))
            {
                continue;
            }
            try
            {
                await WriteContentAsync(pod, volume, directory, cancellationToken);
            }
            catch (Exception e) when (e is ContainerConfigException or HttpOperationException or HttpRequestException)
            {
                LogRefreshFailed(pod.Namespace(), pod.Name(), volume.Name, e.Message);
            }
        }
    }

    private async Task WriteContentAsync(V1Pod pod, V1Volume volume, string directory, CancellationToken cancellationToken)
    {
        List<AtomicWriter.File> files;
        if (volume.ConfigMap is { } cm)
        {
            files = Files(await configs.ConfigMapDataAsync(pod.Namespace(), cm.Name, cm.Optional == true, cancellationToken), cm.Items, cm.DefaultMode);
        }
        else if (volume.Secret is { } secret)
        {
            MountTmpfs(directory);
            files = Files(await configs.SecretDataAsync(pod.Namespace(), secret.SecretName, secret.Optional == true, cancellationToken), secret.Items, secret.DefaultMode);
        }
        else if (volume.DownwardAPI is { } downward)
        {
            MountTmpfs(directory);
            files = DownwardFiles(pod, downward.Items, downward.DefaultMode);
        }
        else if (volume.Projected is { } projected)
        {
            MountTmpfs(directory);
            files = await ProjectedFilesAsync(pod, projected, cancellationToken);
        }
        else
        {
            throw new ContainerConfigException($"volume {volume.Name}: this kind of volume is not supported yet");
        }
        AtomicWriter.Write(directory, files);
    }

    // Each source of a projected volume in turn (pkg/volume/projected collectData); the volume's
    // defaultMode applies to every file that sets no mode of its own.
    private async Task<List<AtomicWriter.File>> ProjectedFilesAsync(V1Pod pod, V1ProjectedVolumeSource projected, CancellationToken cancellationToken)
    {
        var files = new List<AtomicWriter.File>();
        foreach (var source in projected.Sources ?? [])
        {
            if (source.ConfigMap is { } cm)
            {
                files.AddRange(Files(await configs.ConfigMapDataAsync(pod.Namespace(), cm.Name, cm.Optional == true, cancellationToken), cm.Items, projected.DefaultMode));
            }
            else if (source.Secret is { } secret)
            {
                files.AddRange(Files(await configs.SecretDataAsync(pod.Namespace(), secret.Name, secret.Optional == true, cancellationToken), secret.Items, projected.DefaultMode));
            }
            else if (source.DownwardAPI is { } downward)
            {
                files.AddRange(DownwardFiles(pod, downward.Items, projected.DefaultMode));
            }
            else if (source.ServiceAccountToken is { } token)
            {
                var text = await tokens.TokenAsync(pod, token, cancellationToken);
                files.Add(new AtomicWriter.File(token.Path, Encoding.UTF8.GetBytes(text), ModeOf(null, projected.DefaultMode)));
            }
            else
            {
                throw new ContainerConfigException("projected volume source is not supported yet (clusterTrustBundle, podCertificate)");
            }
        }
        return files;
    }

    private List<AtomicWriter.File> DownwardFiles(V1Pod pod, IList<V1DownwardAPIVolumeFile>? items, int? defaultMode)
    {
        var files = new List<AtomicWriter.File>();
        foreach (var item in items ?? [])
        {
            var value = item.FieldRef is { } field
                ? DownwardApi.FieldValue(pod, field.FieldPath, options.NodeName, options.NodeIp, pod.Status?.PodIP)
                : throw new ContainerConfigException($"downward API file {item.Path}: resourceFieldRef is not supported yet");
            files.Add(new AtomicWriter.File(item.Path, Encoding.UTF8.GetBytes(value), ModeOf(item.Mode, defaultMode)));
        }
        return files;
    }

    private static List<AtomicWriter.File> Files(IReadOnlyDictionary<string, string>? data, IList<V1KeyToPath>? items, int? defaultMode)
    {
        if (data is null)
        {
            return [];
        }
        return items is null
            ? [.. data.Select(kv => new AtomicWriter.File(kv.Key, Encoding.UTF8.GetBytes(kv.Value), ModeOf(null, defaultMode)))]
            : [.. items.Where(i => data.ContainsKey(i.Key)).Select(i => new AtomicWriter.File(i.Path, Encoding.UTF8.GetBytes(data[i.Key]), ModeOf(i.Mode, defaultMode)))];
    }

    // 0644 unless the item or the volume says otherwise (the API's defaultMode default).
    private static UnixFileMode ModeOf(int? itemMode, int? defaultMode) => (UnixFileMode)(itemMode ?? defaultMode ?? 420);

    private void MountTmpfs(string directory)
    {
        try
        {
            tmpfs.EnsureMounted(directory);
        }
        catch (IOException e)
        {
            if (Interlocked.Exchange(ref _tmpfsRefused, 1) == 0)
            {
                LogNoTmpfs(directory, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 91, Level = LogLevel.Warning, Message = "Secret volumes are written to disk: no tmpfs could be mounted at {Directory} ({Reason}); run the agent as root to keep secrets in memory")]
    private partial void LogNoTmpfs(string directory, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 92, Level = LogLevel.Warning, Message = "Volume {Volume} of pod {Namespace}/{Pod} keeps its last content: {Reason}")]
    private partial void LogRefreshFailed(string @namespace, string pod, string volume, string reason);
}
