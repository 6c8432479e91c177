
namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The annotations that tell static pods and their mirror pods apart, as upstream's kubelet
/// writes them (pkg/kubelet/types/pod_update.go). A static pod lives only in the kubelet and
/// carries config.source=file and config.hash=its uid; its mirror pod in the API carries the
/// same annotations plus config.mirror=that hash.
/// </summary>
internal static class StaticPods
{
    public const string SourceAnnotation = "kubernetes.io/config.source";
    public const string HashAnnotation = "kubernetes.io/config.hash";
    public const string SeenAnnotation = "kubernetes.io/config.seen";
    public const string MirrorAnnotation = "kubernetes.io/config.mirror";

    /// <summary>The config.source value of pods read from the manifest directory.</summary>
    public const string FileSource = "file";

    /// <summary>A pod from the manifest directory (not one from the API server, and not a mirror).</summary>
    public static bool IsStatic(V1Pod pod) =>
        Annotation(pod, SourceAnnotation) is { } source && source != "api" && !IsMirror(pod);

    /// <summary>A mirror pod: the API's read-only copy of a static pod.</summary>
    public static bool IsMirror(V1Pod pod) => Annotation(pod, MirrorAnnotation) is not null;

    /// <summary>The static pod's hash (its uid); on a mirror pod, the hash of the static pod it mirrors.</summary>
    public static string? Hash(V1Pod pod) => Annotation(pod, IsMirror(pod) ? MirrorAnnotation : HashAnnotation);

    /// <summary>Whether <paramref name="mirror"/> is the live mirror of <paramref name="staticPod"/> (not outdated, not being deleted).</summary>
    public static bool IsMirrorOf(V1Pod mirror, V1Pod staticPod) =>
        IsMirror(mirror) && mirror.Metadata.DeletionTimestamp is null && Hash(mirror) == Hash(staticPod);

    /// <summary>
    /// The uid the runtime's containers of <paramref name="pod"/> carry: a mirror pod's are its
    /// static pod's (the mirror's hash is that uid), anyone else's their own. For lookups by
    /// name, such as the kubelet API's logs and exec, which find the mirror in the pod cache.
    /// </summary>
    public static string RuntimeUid(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return IsMirror(pod) && Hash(pod) is { } staticUid ? staticUid : pod.Metadata.Uid;
    }

    private static string? Annotation(V1Pod pod, string key) =>
        pod.Metadata?.Annotations is { } annotations && annotations.TryGetValue(key, out var value) ? value : null;
}
