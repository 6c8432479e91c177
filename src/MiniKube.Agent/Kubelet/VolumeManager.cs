
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
internal sealed partial class VolumeManager(IKubernetes client, string podsDirectory, ConfigMapsAndSecrets configs, ITmpfs tmpfs, ILogger logger)
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
    }

    private string PodDirectory(string podUid) => Path.Combine(podsDirectory, podUid);

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
        IReadOnlyDictionary<string, string>? files = null;
        if (volume.ConfigMap is { } cm)
        {
            files = Select(await configs.ConfigMapDataAsync(pod.Namespace(), cm.Name, cm.Optional == true, cancellationToken), cm.Items);
        }
        else if (volume.Secret is { } secret)
        {
            files = Select(await configs.SecretDataAsync(pod.Namespace(), secret.SecretName, secret.Optional == true, cancellationToken), secret.Items);
            MountTmpfs(directory);
        }
        else if (volume.EmptyDir is null && volume.DownwardAPI is null && volume.Projected is null)
        {
            throw new ContainerConfigException($"volume {volume.Name}: this kind of volume is not supported yet");
        }
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, cancellationToken);
        }
        return directory;
    }

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

    private static Dictionary<string, string>? Select(IReadOnlyDictionary<string, string>? data, IList<V1KeyToPath>? items) =>
        data is null ? null
        : items is null ? new Dictionary<string, string>(data)
        : items.Where(i => data.ContainsKey(i.Key)).ToDictionary(i => i.Path, i => data[i.Key]);

    [LoggerMessage(EventId = LogEvents.Agent + 91, Level = LogLevel.Warning, Message = "Secret volumes are written to disk: no tmpfs could be mounted at {Directory} ({Reason}); run the agent as root to keep secrets in memory")]
    private partial void LogNoTmpfs(string directory, string reason);
}
