using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>
/// The deployment controller (pkg/controller/deployment/deployment_controller.go): rolls a
/// Deployment's pod template out through ReplicaSets named &lt;deployment&gt;-&lt;pod-template-hash&gt;
/// (see <see cref="DeploymentSync"/> for one sync). Deployments, their ReplicaSets (owned ones
/// wake their owner; orphans wake every Deployment that could adopt them) and, for Recreate,
/// the deletion of their pods trigger a sync; a rollout that may miss its progress deadline is
/// looked at again when the deadline passes.
/// </summary>
public sealed partial class DeploymentController : Controller<NamespacedName>
{
    private const int Workers = 5;

    private readonly Informer<V1Deployment> _deployments;
    private readonly Informer<V1ReplicaSet> _replicaSets;
    private readonly DeploymentSyncServices _services;

    public DeploymentController(ControllerContext context)
        : base(context, "deployment", Workers, eventSource: "deployment-controller")
    {
        _deployments = context.Informers.Deployments.EnqueueKeys(Queue);
        _replicaSets = context.Informers.ReplicaSets;
        var pods = context.Informers.Pods;
        _services = new DeploymentSyncServices(context.Client, _replicaSets.Cache, pods.Cache, Events, context.Time);
        _replicaSets.AddHandler(OnReplicaSetChange);
        pods.AddHandler(OnPodChange);
    }

    /// <summary>Converges the Deployment at <paramref name="key"/>; failures are retried through the queue.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_deployments.Cache.Get(key) is not { } cached)
        {
            return;
        }
        TimeSpan? again;
        try
        {
            again = await new DeploymentSync(_services, ObjectCopy.Clone(cached)).RunAsync(cancellationToken);
        }
        catch (ArgumentException e)
        {
            // An invalid selector: retrying will not help; the next update of the Deployment brings it back.
            LogInvalid(key, e.Message);
            return;
        }
        if (again == TimeSpan.Zero)
        {
            Queue.AddRateLimited(key);
        }
        else if (again is { } delay)
        {
            Queue.AddAfter(key, delay);
        }
    }

    // deployment_controller.go addReplicaSet/updateReplicaSet/deleteReplicaSet.
    private void OnReplicaSetChange(ObjectChange<V1ReplicaSet> change)
    {
        var rs = change.Latest;
        var ownerKey = OwnerKey(rs);
        if (change.IsDelete || change.IsResync || rs.Metadata.DeletionTimestamp is not null)
        {
            Enqueue(ownerKey);
            return;
        }
        if (!change.IsAdd && ControllerRefs.ControllerOf(change.Old!)?.Uid != ControllerRefs.ControllerOf(rs)?.Uid)
        {
            Enqueue(OwnerKey(change.Old!));
        }
        if (ControllerRefs.ControllerOf(rs) is not null)
        {
            Enqueue(ownerKey);
            return;
        }
        foreach (var d in _deployments.Cache.ListNamespace(rs.Metadata.NamespaceProperty))
        {
            if (AdoptionSelectors.CouldAdopt(d.Spec.Selector, rs))
            {
                Queue.Add(NamespacedName.Of(d));
            }
        }
    }

    // deployment_controller.go deletePod: a Recreate rollout waits for the old pods to be gone.
    private void OnPodChange(ObjectChange<V1Pod> change)
    {
        if (!change.IsDelete || ControllerRefs.ControllerOf(change.Old!) is not { Kind: "ReplicaSet" } owner)
        {
            return;
        }
        var rs = _replicaSets.Cache.Get(change.Old!.Metadata.NamespaceProperty, owner.Name);
        if (rs is not null && rs.Metadata.Uid == owner.Uid && OwnerKey(rs) is { } key
            && _deployments.Cache.Get(key)?.Spec.Strategy?.Type == "Recreate")
        {
            Queue.Add(key);
        }
    }

    private void Enqueue(NamespacedName? key)
    {
        if (key is { } name)
        {
            Queue.Add(name);
        }
    }

    /// <summary>The key of the cached Deployment (same uid) that controls <paramref name="rs"/>.</summary>
    private NamespacedName? OwnerKey(V1ReplicaSet rs)
    {
        if (ControllerRefs.ControllerOf(rs) is not { Kind: "Deployment" } owner)
        {
            return null;
        }
        var key = new NamespacedName(rs.Metadata.NamespaceProperty, owner.Name);
        return _deployments.Cache.Get(key)?.Metadata.Uid == owner.Uid ? key : null;
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 101, Level = LogLevel.Warning, Message = "Deployment {Key} is invalid: {Reason}")]
    private partial void LogInvalid(NamespacedName key, string reason);
}
