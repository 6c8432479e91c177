namespace MiniKube.Client.Controllers;

/// <summary>
/// One reconcile loop of the controller manager (STYLE.md §5): its constructor asks the shared
/// informers for what it watches and adds handlers that only enqueue keys; <see cref="RunAsync"/>
/// runs its <see cref="ReconcileLoop{TKey}"/> (after the caches have synced) until the manager
/// stops. Most controllers derive from <see cref="Controller{TKey}"/>; add-ons implement it too
/// and are run by the same manager.
/// </summary>
public interface IController
{
    /// <summary>The name kube-controller-manager uses for it (e.g. "replicaset"), for --disable-style switches and logs.</summary>
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
