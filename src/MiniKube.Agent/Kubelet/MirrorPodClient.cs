using System.Collections.Concurrent;
using k8s.Autorest;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Keeps each static pod's mirror in the API server (pkg/kubelet/pod/mirror_client.go and the
/// mirror handling of kubelet.go syncPod): the mirror is a copy of the static pod with
/// config.mirror=&lt;hash&gt; and the Node as its controlling owner. One that is outdated (its
/// hash is not the static pod's) or being deleted by a user is deleted at once, uid-guarded,
/// and created again. A pod of that name that is not a mirror is left alone.
/// </summary>
internal sealed partial class MirrorPodClient(IKubernetes client, string nodeName, ILogger logger)
{
    // Uids of non-mirror pods already warned about, so the warning comes once, not on every sync.
    private readonly ConcurrentDictionary<string, bool> _nameTakenWarned = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="current"/> (the API's pod of the static pod's name, if any) the live mirror of <paramref name="staticPod"/>.</summary>
    public async Task SyncAsync(V1Pod staticPod, V1Pod? current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staticPod);
        if (current is not null && StaticPods.IsMirrorOf(current, staticPod))
        {
            return;
        }
        if (current is not null && !StaticPods.IsMirror(current))
        {
            if (_nameTakenWarned.TryAdd(current.Metadata.Uid, true))
            {
                var (ns, name) = (current.Namespace(), current.Name());
                LogNameTaken(ns, name);
            }
            return;
        }
        if (current is not null)
        {
            await DeleteAsync(current, cancellationToken);
        }
        await CreateAsync(staticPod, cancellationToken);
    }

    /// <summary>Deletes a mirror pod now (grace 0), only if it is still the one with this uid.</summary>
    public async Task DeleteAsync(V1Pod mirror, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        // Not deleted: gone already, or replaced meanwhile; the next sync looks again.
        if (await ApiCalls.DeleteNowAsync(client, mirror, cancellationToken))
        {
            var (ns, name) = (mirror.Namespace(), mirror.Name());
            LogDeleted(ns, name);
        }
    }

    /// <summary>The mirror pod to create for <paramref name="staticPod"/>, owned by the node with <paramref name="nodeUid"/>.</summary>
    public static V1Pod MirrorOf(V1Pod staticPod, string nodeName, string nodeUid)
    {
        ArgumentNullException.ThrowIfNull(staticPod);
        var mirror = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(staticPod));
        mirror.ApiVersion = "v1";
        mirror.Kind = "Pod";
        // The API server gives the mirror a uid of its own; status is the kubelet's to write afterwards.
        mirror.Metadata.Uid = null;
        mirror.Metadata.ResourceVersion = null;
        mirror.Status = null;
        mirror.Metadata.Annotations[StaticPods.MirrorAnnotation] = StaticPods.Hash(staticPod);
        // The owner reference is what upstream's NodeRestriction admission asks of mirror pods.
        mirror.Metadata.OwnerReferences = [new V1OwnerReference
        {
            ApiVersion = "v1",
            Kind = "Node",
            Name = nodeName,
            Uid = nodeUid,
            Controller = true,
        }];
        return mirror;
    }

    private async Task CreateAsync(V1Pod staticPod, CancellationToken cancellationToken)
    {
        // Read each time: a node deleted and registered again has a new uid.
        var node = await client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: cancellationToken);
        var mirror = MirrorOf(staticPod, nodeName, node.Metadata.Uid);
        try
        {
            await client.CoreV1.CreateNamespacedPodAsync(mirror, mirror.Namespace(), cancellationToken: cancellationToken);
            var (ns, name) = (mirror.Namespace(), mirror.Name());
            LogCreated(ns, name);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 409)
        {
            // One exists that the informer has not shown yet; its event brings the next sync.
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 34, Level = LogLevel.Information, Message = "Mirror pod {Namespace}/{Name} created")]
    private partial void LogCreated(string @namespace, string name);

    [LoggerMessage(EventId = LogEvents.Agent + 35, Level = LogLevel.Information, Message = "Mirror pod {Namespace}/{Name} deleted")]
    private partial void LogDeleted(string @namespace, string name);

    [LoggerMessage(EventId = LogEvents.Agent + 36, Level = LogLevel.Warning, Message = "Static pod {Namespace}/{Name} has no mirror pod: a pod of that name that is not a mirror exists; delete it to see the static pod in the API")]
    private partial void LogNameTaken(string @namespace, string name);
}
