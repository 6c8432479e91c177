using System.Collections.Concurrent;
using k8s.Models;

namespace MiniKube.Controllers.GarbageCollector;

/// <summary>
/// The kinds the garbage collector tracks: the workload chain (Deployment → ReplicaSet → Pod,
/// CronJob → Job → Pod, DaemonSet and StatefulSet → Pod and ControllerRevision,
/// ReplicationController → Pod), what workloads and services own (PVCs, EndpointSlices,
/// Endpoints), objects users commonly give owners (ConfigMaps, Secrets, ServiceAccounts, Leases),
/// and the cluster-scoped owners Node and PersistentVolume, over the informers the other
/// controllers share; and every other deletable resource discovery lists (custom resources
/// included), each over a metadata informer of its own that <see cref="GcMonitors"/> adds and
/// removes as discovery changes. Found by group and kind, so an owner reference of any version
/// (apps/v1beta2) resolves.
/// </summary>
public sealed class GcKinds
{
    private readonly Dictionary<(string Group, string Kind), GcKind> _byGroupKind = [];

    // Written by the monitors' resync, read by the workers at any time.
    private readonly ConcurrentDictionary<(string Group, string Kind), MetadataGcKind> _discovered = new();

    public GcKinds(SharedInformers informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        Add(new GcKind<V1Pod>(informers.Pods, "v1", "Pod", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedPodAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedPodAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedPodAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1ReplicationController>(informers.ReplicationControllers, "v1", "ReplicationController", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedReplicationControllerAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedReplicationControllerAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedReplicationControllerAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1Service>(informers.Services, "v1", "Service", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedServiceAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedServiceAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedServiceAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1Endpoints>(informers.Endpoints, "v1", "Endpoints", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedEndpointsAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedEndpointsAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedEndpointsAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1ConfigMap>(informers.ConfigMaps, "v1", "ConfigMap", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedConfigMapAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedConfigMapAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedConfigMapAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1Secret>(informers.Secrets, "v1", "Secret", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedSecretAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedSecretAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedSecretAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1ServiceAccount>(informers.ServiceAccounts, "v1", "ServiceAccount", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedServiceAccountAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedServiceAccountAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedServiceAccountAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1PersistentVolumeClaim>(informers.PersistentVolumeClaims, "v1", "PersistentVolumeClaim", true,
            (c, ns, n, ct) => c.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1Node>(informers.Nodes, "v1", "Node", false,
            (c, _, n, ct) => c.CoreV1.ReadNodeAsync(n, cancellationToken: ct),
            (c, _, n, o, ct) => c.CoreV1.DeleteNodeAsync(n, o, cancellationToken: ct),
            (c, _, n, p, ct) => c.CoreV1.PatchNodeAsync(p, n, cancellationToken: ct)));
        Add(new GcKind<V1PersistentVolume>(informers.PersistentVolumes, "v1", "PersistentVolume", false,
            (c, _, n, ct) => c.CoreV1.ReadPersistentVolumeAsync(n, cancellationToken: ct),
            (c, _, n, o, ct) => c.CoreV1.DeletePersistentVolumeAsync(n, o, cancellationToken: ct),
            (c, _, n, p, ct) => c.CoreV1.PatchPersistentVolumeAsync(p, n, cancellationToken: ct)));
        Add(new GcKind<V1ReplicaSet>(informers.ReplicaSets, "apps/v1", "ReplicaSet", true,
            (c, ns, n, ct) => c.AppsV1.ReadNamespacedReplicaSetAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.AppsV1.DeleteNamespacedReplicaSetAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.AppsV1.PatchNamespacedReplicaSetAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1Deployment>(informers.Deployments, "apps/v1", "Deployment", true,
            (c, ns, n, ct) => c.AppsV1.ReadNamespacedDeploymentAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.AppsV1.DeleteNamespacedDeploymentAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.AppsV1.PatchNamespacedDeploymentAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1DaemonSet>(informers.DaemonSets, "apps/v1", "DaemonSet", true,
            (c, ns, n, ct) => c.AppsV1.ReadNamespacedDaemonSetAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.AppsV1.DeleteNamespacedDaemonSetAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.AppsV1.PatchNamespacedDaemonSetAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1StatefulSet>(informers.StatefulSets, "apps/v1", "StatefulSet", true,
            (c, ns, n, ct) => c.AppsV1.ReadNamespacedStatefulSetAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.AppsV1.DeleteNamespacedStatefulSetAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.AppsV1.PatchNamespacedStatefulSetAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1ControllerRevision>(informers.ControllerRevisions, "apps/v1", "ControllerRevision", true,
            (c, ns, n, ct) => c.AppsV1.ReadNamespacedControllerRevisionAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.AppsV1.DeleteNamespacedControllerRevisionAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.AppsV1.PatchNamespacedControllerRevisionAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1Job>(informers.Jobs, "batch/v1", "Job", true,
            (c, ns, n, ct) => c.BatchV1.ReadNamespacedJobAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.BatchV1.DeleteNamespacedJobAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.BatchV1.PatchNamespacedJobAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1CronJob>(informers.CronJobs, "batch/v1", "CronJob", true,
            (c, ns, n, ct) => c.BatchV1.ReadNamespacedCronJobAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.BatchV1.DeleteNamespacedCronJobAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.BatchV1.PatchNamespacedCronJobAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1EndpointSlice>(informers.EndpointSlices, "discovery.k8s.io/v1", "EndpointSlice", true,
            (c, ns, n, ct) => c.DiscoveryV1.ReadNamespacedEndpointSliceAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.DiscoveryV1.PatchNamespacedEndpointSliceAsync(p, n, ns, cancellationToken: ct)));
        Add(new GcKind<V1Lease>(informers.Leases, "coordination.k8s.io/v1", "Lease", true,
            (c, ns, n, ct) => c.CoordinationV1.ReadNamespacedLeaseAsync(n, ns, cancellationToken: ct),
            (c, ns, n, o, ct) => c.CoordinationV1.DeleteNamespacedLeaseAsync(n, ns, o, cancellationToken: ct),
            (c, ns, n, p, ct) => c.CoordinationV1.PatchNamespacedLeaseAsync(p, n, ns, cancellationToken: ct)));
    }

    /// <summary>The kinds over shared typed informers (fixed).</summary>
    public IReadOnlyCollection<GcKind> Typed => _byGroupKind.Values;

    /// <summary>The kinds monitored through discovery now.</summary>
    public ICollection<MetadataGcKind> Discovered => _discovered.Values;

    /// <summary>True when a shared typed informer covers the group and kind.</summary>
    public bool IsTyped(string group, string kind) => _byGroupKind.ContainsKey((group, kind));

    /// <summary>The kind an owner reference names, or null when we do not track it (yet).</summary>
    public GcKind? Of(string? apiVersion, string? kind)
    {
        if (kind is null)
        {
            return null;
        }
        var key = (GroupOf(apiVersion), kind);
        return _byGroupKind.GetValueOrDefault(key) ?? _discovered.GetValueOrDefault(key);
    }

    /// <summary>Every cached object, of any tracked kind, with a reference to <paramref name="ownerUid"/>, with its kind.</summary>
    public IEnumerable<(GcKind Kind, IKubernetesObject<V1ObjectMeta> Object)> DependentsOf(string ownerUid) =>
        _byGroupKind.Values.Concat<GcKind>(_discovered.Values).SelectMany(k => k.DependentsOf(ownerUid).Select(o => (k, o)));

    /// <summary>Starts tracking a discovered kind; false when one of that group and kind is tracked already.</summary>
    public bool TryAdd(MetadataGcKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return !IsTyped(kind.Group, kind.Kind) && _discovered.TryAdd((kind.Group, kind.Kind), kind);
    }

    /// <summary>Stops tracking a discovered kind.</summary>
    public bool Remove(MetadataGcKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return _discovered.TryRemove(new KeyValuePair<(string, string), MetadataGcKind>((kind.Group, kind.Kind), kind));
    }

    private static string GroupOf(string? apiVersion) =>
        apiVersion is { } v && v.Contains('/', StringComparison.Ordinal) ? v[..v.IndexOf('/', StringComparison.Ordinal)] : "";

    private void Add(GcKind kind) => _byGroupKind[(kind.Group, kind.Kind)] = kind;
}
