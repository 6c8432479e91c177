using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client;

/// <summary>Settings shared by the informers of one <see cref="SharedInformers"/>.</summary>
public sealed record SharedInformerOptions
{
    /// <summary>How often every cached object is re-delivered to handlers; zero: never (the scheduler's choice upstream).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.Zero;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// One informer per kind for the whole process, shared by the scheduler and every controller
/// (client-go informers/factory.go): each kind is listed and watched once however many loops
/// read it. Ask for informers and add handlers and indexes first, then <see cref="RunAsync"/>;
/// an informer first asked for while running starts at once.
/// </summary>
public sealed class SharedInformers(IKubernetes client, ILoggerFactory loggerFactory, SharedInformerOptions? options = null)
{
    private readonly SharedInformerOptions _options = options ?? new SharedInformerOptions();
    private readonly Lock _gate = new();
    private readonly Dictionary<Type, Entry> _informers = [];
    private readonly List<Task> _running = [];
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken? _runToken;

    public Informer<V1Pod> Pods => For(KubeListWatches.Pods);

    public Informer<V1Node> Nodes => For(KubeListWatches.Nodes);

    public Informer<V1Namespace> Namespaces => For(KubeListWatches.Namespaces);

    public Informer<V1Service> Services => For(KubeListWatches.Services);

    public Informer<V1NetworkPolicy> NetworkPolicies => For(KubeListWatches.NetworkPolicies);

    public Informer<V1Endpoints> Endpoints => For(KubeListWatches.Endpoints);

    public Informer<V1EndpointSlice> EndpointSlices => For(KubeListWatches.EndpointSlices);

    public Informer<V1ReplicaSet> ReplicaSets => For(KubeListWatches.ReplicaSets);

    public Informer<V1ReplicationController> ReplicationControllers => For(KubeListWatches.ReplicationControllers);

    public Informer<V1Deployment> Deployments => For(KubeListWatches.Deployments);

    public Informer<V1DaemonSet> DaemonSets => For(KubeListWatches.DaemonSets);

    public Informer<V1StatefulSet> StatefulSets => For(KubeListWatches.StatefulSets);

    public Informer<V1PodDisruptionBudget> PodDisruptionBudgets => For(KubeListWatches.PodDisruptionBudgets);

    public Informer<V1ControllerRevision> ControllerRevisions => For(KubeListWatches.ControllerRevisions);

    public Informer<V1Job> Jobs => For(KubeListWatches.Jobs);

    public Informer<V1CronJob> CronJobs => For(KubeListWatches.CronJobs);

    public Informer<V1PersistentVolume> PersistentVolumes => For(KubeListWatches.PersistentVolumes);

    public Informer<V1PersistentVolumeClaim> PersistentVolumeClaims => For(KubeListWatches.PersistentVolumeClaims);

    public Informer<V1StorageClass> StorageClasses => For(KubeListWatches.StorageClasses);

    public Informer<V1ServiceAccount> ServiceAccounts => For(KubeListWatches.ServiceAccounts);

    public Informer<V1ConfigMap> ConfigMaps => For(KubeListWatches.ConfigMaps);

    public Informer<V1Secret> Secrets => For(KubeListWatches.Secrets);

    public Informer<V1Lease> Leases => For(KubeListWatches.Leases);

    public Informer<V1ResourceQuota> ResourceQuotas => For(KubeListWatches.ResourceQuotas);

    /// <summary>The process's informer for <typeparamref name="T"/>, created from <paramref name="source"/> the first time it is asked for.</summary>
    public Informer<T> For<T>(Func<IKubernetes, string?, string?, IListWatch<T>> source)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(source);
        return For(() => source(client, null, null));
    }

    /// <summary>The process's informer for <typeparamref name="T"/>, created from <paramref name="source"/> the first time it is asked for.</summary>
    public Informer<T> For<T>(Func<IListWatch<T>> source)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_gate)
        {
            if (_informers.TryGetValue(typeof(T), out var existing))
            {
                return (Informer<T>)existing.Informer;
            }
            var informer = new Informer<T>(source(), loggerFactory.CreateLogger<Informer<T>>(), _options.ResyncPeriod, _options.Time);
            var entry = new Entry(informer, informer.RunAsync, () => informer.Synced);
            _informers[typeof(T)] = entry;
            if (_runToken is { } token)
            {
                Start(entry, token);
            }
            return informer;
        }
    }

    /// <summary>
    /// Runs every informer (and any asked for later) until cancelled. When one informer fails
    /// (a handler threw) all stop and its exception is thrown here, so the host stops in order.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate)
        {
            if (_runToken is not null)
            {
                throw new InvalidOperationException("the shared informers run once");
            }
            _runToken = stop.Token;
            foreach (var entry in _informers.Values)
            {
                Start(entry, stop.Token);
            }
        }
        try
        {
            await _failed.Task.WaitAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await stop.CancelAsync();
            Task[] running;
            lock (_gate)
            {
                running = [.. _running];
            }
            await Task.WhenAll(running);
        }
    }

    /// <summary>
    /// Runs the informers and, once their caches hold their first list, <paramref name="whenSynced"/>
    /// (a component that reads only from the caches: the cluster DNS, the service proxy), until
    /// cancelled. The first of the two to end stops the other; a failure of either is thrown, so
    /// the host stops in order.
    /// </summary>
    public async Task RunWithAsync(Func<CancellationToken, Task> whenSynced, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(whenSynced);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = RunAsync(stop.Token);
        var work = RunWhenSyncedAsync(whenSynced, stop.Token);
        await Task.WhenAny(informers, work);
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(informers, work);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Completes when every informer asked for so far has its first list in its cache.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken cancellationToken)
    {
        Task[] synced;
        lock (_gate)
        {
            synced = [.. _informers.Values.Select(e => e.Synced())];
        }
        return Task.WhenAll(synced).WaitAsync(cancellationToken);
    }

    private async Task RunWhenSyncedAsync(Func<CancellationToken, Task> whenSynced, CancellationToken cancellationToken)
    {
        await WaitForCacheSyncAsync(cancellationToken);
        await whenSynced(cancellationToken);
    }

    private void Start(Entry entry, CancellationToken cancellationToken)
    {
        var run = entry.Run(cancellationToken);
        _running.Add(run);
        _ = run.ContinueWith(
            (t, failed) => ((TaskCompletionSource)failed!).TrySetException(t.Exception!.InnerExceptions),
            _failed,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private sealed record Entry(object Informer, Func<CancellationToken, Task> Run, Func<Task> Synced);
}
