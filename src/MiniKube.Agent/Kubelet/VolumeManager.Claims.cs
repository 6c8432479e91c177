
namespace MiniKube.Agent.Kubelet;

/// <summary>
/// persistentVolumeClaim volumes: the pod waits until each claim is Bound (upstream's volume
/// manager WaitForAttachAndMount, before any container); then the bound volume's directory — a
/// hostPath (created for DirectoryOrCreate) or a local volume's path — is bind-mounted.
/// </summary>
internal sealed partial class VolumeManager
{
    /// <summary>How soon a pod whose claims are not bound yet is looked at again.</summary>
    private static readonly TimeSpan ClaimRecheck = TimeSpan.FromSeconds(2);

    private const string LocalPathProvisioner = "rancher.io/local-path";

    /// <summary>Null when every claim the pod names is bound; otherwise when to look again.</summary>
    public async Task<TimeSpan?> WaitForClaimsAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (volume.PersistentVolumeClaim is not { } source)
            {
                continue;
            }
            if (await ReadClaimAsync(pod.Namespace(), source.ClaimName, cancellationToken) is not { } claim || !IsBound(claim))
            {
                var (ns, name, claimName) = (pod.Namespace(), pod.Name(), source.ClaimName);
                LogClaimNotBound(ns, name, claimName);
                return ClaimRecheck;
            }
        }
        return null;
    }

    private async Task<string> ClaimVolumePathAsync(V1Pod pod, string claimName, CancellationToken cancellationToken)
    {
        var claim = await ReadClaimAsync(pod.Namespace(), claimName, cancellationToken);
        if (claim is null || !IsBound(claim))
        {
            throw new ContainerConfigException($"persistentvolumeclaim \"{claimName}\" is not bound");
        }
        var volume = await ApiCalls.OrNullAsync(() => client.CoreV1.ReadPersistentVolumeAsync(claim.Spec.VolumeName, cancellationToken: cancellationToken))
            ?? throw new ContainerConfigException($"persistentvolume \"{claim.Spec.VolumeName}\" not found");
        if (volume.Spec.HostPath is { } hostPath)
        {
            if (hostPath.Type is "DirectoryOrCreate" && !Directory.Exists(hostPath.Path))
            {
                Directory.CreateDirectory(hostPath.Path);
                if (IsLocalPathVolume(volume))
                {
                    // As local-path-provisioner's setup script (mkdir -m 0777): containers of any user may write there.
                    File.SetUnixFileMode(hostPath.Path, (UnixFileMode)0b111_111_111);
                }
            }
            return hostPath.Path;
        }
        if (volume.Spec.Local is { } local)
        {
            return Directory.Exists(local.Path) || File.Exists(local.Path)
                ? local.Path
                : throw new ContainerConfigException($"path \"{local.Path}\" of local volume {volume.Metadata.Name} does not exist");
        }
        throw new ContainerConfigException($"volume {volume.Metadata.Name}: only hostPath and local persistent volumes are supported");
    }

    private Task<V1PersistentVolumeClaim?> ReadClaimAsync(string ns, string name, CancellationToken cancellationToken) =>
        ApiCalls.OrNullAsync(() => client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: cancellationToken));

    private static bool IsBound(V1PersistentVolumeClaim claim) =>
        claim.Status?.Phase == "Bound" && !string.IsNullOrEmpty(claim.Spec?.VolumeName);

    private static bool IsLocalPathVolume(V1PersistentVolume volume) =>
        volume.Metadata.Annotations?.TryGetValue("pv.kubernetes.io/provisioned-by", out var provisioner) == true && provisioner == LocalPathProvisioner;

    [LoggerMessage(EventId = LogEvents.Agent + 90, Level = LogLevel.Debug, Message = "Pod {Namespace}/{Name}: waiting for persistentvolumeclaim {Claim} to be bound")]
    private partial void LogClaimNotBound(string @namespace, string name, string claim);
}
