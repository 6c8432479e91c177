using k8s.Models;

namespace MiniKube.Controllers.ReplicaSet;

/// <summary>
/// What differs between ReplicaSets and ReplicationControllers for the one sync that serves
/// both (upstream's pkg/controller/replication runs the ReplicaSet code on RCs converted to
/// ReplicaSets, pkg/controller/replication/conversion.go): the informer, the names, and how a
/// status is written back. The sync sees every object as a <see cref="V1ReplicaSet"/> whose
/// apiVersion/kind name the real kind (events and owner references use them).
/// </summary>
internal abstract class ReplicaKind
{
    /// <summary>kube-controller-manager's --controllers name.</summary>
    public abstract string ControllerName { get; }

    /// <summary>The "From" of the events it records.</summary>
    public abstract string Component { get; }

    public abstract string ApiVersion { get; }

    public abstract string Kind { get; }

    /// <summary>The cached object at <paramref name="key"/>, as a ReplicaSet.</summary>
    public abstract V1ReplicaSet? Get(NamespacedName key);

    /// <summary>Every cached object of the namespace, as ReplicaSets.</summary>
    public abstract IEnumerable<V1ReplicaSet> ListNamespace(string namespaceName);

    /// <summary>Calls <paramref name="handler"/> with the key of every add, update and delete.</summary>
    public abstract void OnChange(Action<ObjectChange<V1ReplicaSet>> handler);

    /// <summary>The object as the API has it now (uncached), or null when it is gone.</summary>
    public abstract Task<V1ReplicaSet?> ReadAsync(V1ReplicaSet rs, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="rs"/>'s status (PUT …/status with its resourceVersion); returns what the API stored.</summary>
    public abstract Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, CancellationToken cancellationToken);

    public V1OwnerReference ControllerRef(V1ReplicaSet rs) => Common.ControllerRefs.To(rs, ApiVersion, Kind);

    protected static async Task<T?> OrNullWhenGone<T>(Task<T> read)
        where T : class
    {
        try
        {
            return await read;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}

/// <summary>apps/v1 ReplicaSets, as they are.</summary>
internal sealed class ReplicaSets(IKubernetes client, Informer<V1ReplicaSet> informer) : ReplicaKind
{
    public override string ControllerName => "replicaset";

    public override string Component => "replicaset-controller";

    public override string ApiVersion => "apps/v1";

    public override string Kind => "ReplicaSet";

    public override V1ReplicaSet? Get(NamespacedName key) => informer.Cache.Get(key);

    public override IEnumerable<V1ReplicaSet> ListNamespace(string namespaceName) => informer.Cache.ListNamespace(namespaceName);

    public override void OnChange(Action<ObjectChange<V1ReplicaSet>> handler) => informer.AddHandler(handler);

    public override Task<V1ReplicaSet?> ReadAsync(V1ReplicaSet rs, CancellationToken cancellationToken) =>
        OrNullWhenGone(client.AppsV1.ReadNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: cancellationToken));

    public override Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, CancellationToken cancellationToken) =>
        client.AppsV1.ReplaceNamespacedReplicaSetStatusAsync(rs, rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
}

/// <summary>core/v1 ReplicationControllers, seen as ReplicaSets with a map selector.</summary>
internal sealed class ReplicationControllers(IKubernetes client, Informer<V1ReplicationController> informer) : ReplicaKind
{
    public override string ControllerName => "replicationcontroller";

    public override string Component => "replication-controller";

    public override string ApiVersion => "v1";

    public override string Kind => "ReplicationController";

    public override V1ReplicaSet? Get(NamespacedName key) => informer.Cache.Get(key) is { } rc ? ToReplicaSet(rc) : null;

    public override IEnumerable<V1ReplicaSet> ListNamespace(string namespaceName) => informer.Cache.ListNamespace(namespaceName).Select(ToReplicaSet);

    public override void OnChange(Action<ObjectChange<V1ReplicaSet>> handler) =>
        informer.AddHandler(change => handler(new ObjectChange<V1ReplicaSet>(
            change.Key,
            change.Old is null ? null : ToReplicaSet(change.Old),
            change.New is null ? null : ToReplicaSet(change.New))));

    public override async Task<V1ReplicaSet?> ReadAsync(V1ReplicaSet rs, CancellationToken cancellationToken) =>
        await OrNullWhenGone(client.CoreV1.ReadNamespacedReplicationControllerAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: cancellationToken))
            is { } rc ? ToReplicaSet(rc) : null;

    public override async Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, CancellationToken cancellationToken)
    {
        var rc = new V1ReplicationController
        {
            ApiVersion = ApiVersion,
            Kind = Kind,
            Metadata = rs.Metadata,
            Spec = new V1ReplicationControllerSpec
            {
                Replicas = rs.Spec.Replicas,
                MinReadySeconds = rs.Spec.MinReadySeconds,
                Selector = rs.Spec.Selector?.MatchLabels,
                Template = rs.Spec.Template,
            },
            Status = ToControllerStatus(rs.Status),
        };
        return ToReplicaSet(await client.CoreV1.ReplaceNamespacedReplicationControllerStatusAsync(rc, rc.Metadata.Name, rc.Metadata.NamespaceProperty, cancellationToken: cancellationToken));
    }

    /// <summary>The ReplicaSet view of a ReplicationController (shares its metadata and template: never mutate the result without a copy).</summary>
    public static V1ReplicaSet ToReplicaSet(V1ReplicationController rc)
    {
        ArgumentNullException.ThrowIfNull(rc);
        return new V1ReplicaSet
        {
            ApiVersion = "v1",
            Kind = "ReplicationController",
            Metadata = rc.Metadata,
            Spec = new V1ReplicaSetSpec
            {
                Replicas = rc.Spec?.Replicas,
                MinReadySeconds = rc.Spec?.MinReadySeconds,
                Selector = new V1LabelSelector { MatchLabels = rc.Spec?.Selector },
                Template = rc.Spec?.Template,
            },
            Status = SameShape<V1ReplicaSetStatus>(rc.Status),
        };
    }

    private static V1ReplicationControllerStatus? ToControllerStatus(V1ReplicaSetStatus? status) => SameShape<V1ReplicationControllerStatus>(status);

    /// <summary>
    /// The status of one kind as the other's type: core/v1 ReplicationControllerStatus and
    /// apps/v1 ReplicaSetStatus (and their conditions) have the same fields on the wire, so the
    /// JSON of one reads as the other, field by field, with nothing to keep in step by hand.
    /// </summary>
    private static T? SameShape<T>(object? status)
        where T : class => status is null ? null : KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(status));
}
