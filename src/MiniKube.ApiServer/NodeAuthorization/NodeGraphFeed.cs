using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.WatchCache;

namespace MiniKube.ApiServer.NodeAuthorization;

/// <summary>
/// What an <see cref="ObjectFeed"/> keeps the <see cref="NodeGraph"/> current from, as upstream's
/// graph_populator.go from its informers: Pods (only once bound to a node; a later change of a pod
/// is taken in only when its node or uid changed or an ephemeral container was added, since the
/// other references of a pod's spec never change), PersistentVolumes and VolumeAttachments. A status write of a running pod therefore
/// costs one dictionary lookup here. Deletions are remembered (so a late older state of an object
/// cannot bring it back) until the watch has passed them and enough have gathered.
/// </summary>
internal sealed class NodeGraphFeed : IObjectIndex
{
    // Deletions kept before the ones the watch has passed are forgotten.
    private const int KeptDeletions = 4096;

    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly ResourceType PersistentVolumes = ResourceCatalog.Find("", "v1", "persistentvolumes")!;
    private static readonly ResourceType VolumeAttachments = ResourceCatalog.Find("storage.k8s.io", "v1", "volumeattachments")!;

    private readonly NodeGraph _graph;
    private readonly RevisionLedger<(string Type, string Namespace, string Name)> _revisions;

    // What each pod or attachment in the graph was related by: its node (and a pod's uid and ephemeral containers).
    private readonly Dictionary<(string Type, string Namespace, string Name), (string Node, string Uid, int Ephemeral)> _related = [];

    public NodeGraphFeed(NodeGraph graph)
    {
        _graph = graph;
        _revisions = new(Take);
    }

    /// <summary>The resources the feed follows.</summary>
    public static IReadOnlyCollection<ResourceType> Types { get; } = [Pods, PersistentVolumes, VolumeAttachments];

    // Keyed by resource name: the three followed resources have distinct ones.
    public void Apply(ResourceType type, JsonObject obj, bool gone, long revision)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        _revisions.Apply((type.Name, type.Namespaced ? ObjectMeta.Namespace(obj) ?? "" : "", ObjectMeta.Name(obj) ?? ""), obj, gone, revision);
    }

    public void RetainOnly(ResourceType type, IReadOnlySet<(string Namespace, string Name)> present, long revision)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(present);
        _revisions.RetainOnly(k => k.Type == type.Name, k => present.Contains((k.Namespace, k.Name)), revision);
    }

    public void Progressed(ResourceType type, long revision)
    {
        ArgumentNullException.ThrowIfNull(type);
        _revisions.ForgetDeletions(k => k.Type == type.Name, revision, KeptDeletions);
    }

    // Called by the ledger, one at a time: the object's new state, null when it is gone.
    private void Take((string Type, string Namespace, string Name) id, JsonObject? obj)
    {
        var (type, ns, name) = id;
        if (type == Pods.Name)
        {
            var node = obj?.Obj("spec").StrOrEmpty("nodeName") ?? "";
            var uid = obj is null ? "" : ObjectMeta.Uid(obj) ?? "";
            var ephemeral = obj?.Obj("spec").Arr("ephemeralContainers")?.Count ?? 0;
            if (node.Length > 0 && _related.TryGetValue(id, out var before) && before.Node == node && before.Uid == uid && before.Ephemeral >= ephemeral)
            {
                return;
            }
            if (node.Length == 0)
            {
                _related.Remove(id);
                _graph.Remove(GraphKind.Pod, ns, name);
                return;
            }
            _related[id] = (node, uid, ephemeral);
            _graph.AddPod(ns, name, node, new PodEdges(
                PodReferences.IsMirror(obj!), obj!.Obj("spec").StrOrEmpty("serviceAccountName"),
                PodReferences.SecretNames(obj!), PodReferences.ConfigMapNames(obj!), PodReferences.ClaimNames(obj!)));
        }
        else if (type == PersistentVolumes.Name)
        {
            var claim = obj?.Obj("spec").Obj("claimRef");
            _graph.AddPersistentVolume(name, claim is null ? null : (claim.StrOrEmpty("namespace"), claim.StrOrEmpty("name")),
                obj is null ? [] : PodReferences.PersistentVolumeSecrets(obj));
        }
        else if (type == VolumeAttachments.Name)
        {
            var node = obj?.Obj("spec").StrOrEmpty("nodeName") ?? "";
            if (_related.TryGetValue(id, out var before) && before.Node == node && obj is not null)
            {
                return;
            }
            if (obj is null)
            {
                _related.Remove(id);
            }
            else
            {
                _related[id] = (node, "", 0);
            }
            _graph.AddVolumeAttachment(name, node);
        }
    }
}
