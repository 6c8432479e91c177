using MiniKube.Client.Credentials;

namespace MiniKube.Controllers;

/// <summary>What the controller manager runs: every controller unless named in <see cref="Disabled"/>.</summary>
public sealed record ControllerManagerOptions
{
    public IReadOnlySet<string> Disabled { get; init; } = new HashSet<string>();

    /// <summary>How often informers re-deliver every object (a safety net for missed events).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The cluster CA file (kube-controller-manager's --root-ca-file), read when the manager starts leading; null publishes none.</summary>
    public string? RootCaFile { get; init; }

    /// <summary>
    /// kube-controller-manager's <c>--allocate-node-cidrs</c> with its <c>--cluster-cidr</c>: when set,
    /// the <c>nodeipam</c> controller gives every Node a podCIDR; null runs none (a CNI that does its own IPAM).
    /// </summary>
    public NodeIpam.NodeIpamOptions? NodeIpam { get; init; }

    /// <summary>The node lifecycle and taint eviction controllers' settings (kube-controller-manager's --node-monitor-grace-period, mkube's --node-autonomy-duration).</summary>
    public NodeLifecycle.NodeLifecycleOptions NodeLifecycle { get; init; } = new();

    /// <summary>The horizontal pod autoscaler's settings (kube-controller-manager's --horizontal-pod-autoscaler-* flags, and its metrics source).</summary>
    public PodAutoscaler.HorizontalPodAutoscalerOptions PodAutoscaler { get; init; } = new();

    /// <summary>Controllers from outside this project (add-ons such as the local-path provisioner), run after the catalog's.</summary>
    public IReadOnlyList<ControllerDescriptor> Extra { get; init; } = [];

    /// <summary>
    /// kube-controller-manager's --use-service-account-credentials (k3s sets it): the API server
    /// and CA (no credentials) each controller's own client is made from, authenticated with a
    /// token of its <see cref="ControllerDescriptor.ServiceAccount"/> that the manager's client
    /// requests. Null: every controller acts with the manager's client.
    /// </summary>
    public KubernetesClientConfiguration? ServiceAccountCredentials { get; init; }
}

/// <summary>
/// kube-controller-manager's role: one set of shared informers, every controller of
/// <see cref="ControllerCatalog"/> built on them, started once the caches have synced, all
/// stopped together. The caller runs it only while it holds the leader lease. The informers,
/// events and token requests use <paramref name="client"/> (system:kube-controller-manager);
/// with <see cref="ControllerManagerOptions.ServiceAccountCredentials"/> each controller acts
/// through its own service account's client, so it can do only what its role allows.
/// </summary>
public sealed class ControllerManager(IKubernetes client, ControllerManagerOptions options, ILoggerFactory loggers)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = new SharedInformers(client, loggers, new SharedInformerOptions { ResyncPeriod = options.ResyncPeriod, Time = options.Time });
        var context = new ControllerContext(client, informers, loggers, options.Time)
        {
            RootCaPem = options.RootCaFile is { } caFile && File.Exists(caFile) ? await File.ReadAllTextAsync(caFile, cancellationToken) : "",
        };
        using var accounts = options.ServiceAccountCredentials is { } skeleton ? new ServiceAccountClients(client, skeleton, options.Time, loggers) : null;
        // Upstream runs node IPAM with the node controller's account (its role may patch Nodes).
        IEnumerable<ControllerDescriptor> nodeIpam =
            options.NodeIpam is { } ipam ? [new("nodeipam", "node-controller", c => new NodeIpam.NodeIpamController(c, ipam))] : [];
        var controllers = ControllerCatalog.All
            .Select(entry => entry.Name switch
            {
                PodAutoscaler.HorizontalController.ControllerName => entry with { Create = c => new PodAutoscaler.HorizontalController(c, options.PodAutoscaler) },
                "nodelifecycle" => entry with { Create = c => new NodeLifecycle.NodeLifecycleController(c, options.NodeLifecycle) },
                "taint-eviction-controller" => entry with { Create = c => new NodeLifecycle.TaintEvictionController(c, options.NodeLifecycle) },
                _ => entry,
            })
            .Concat(nodeIpam)
            .Concat(options.Extra)
            .Where(entry => !options.Disabled.Contains(entry.Name))
            .Select(entry => entry.Create(accounts is not null && entry.ServiceAccount is { } account ? context.WithClient(accounts.For(account)) : context))
            .ToList();
        var running = new List<Task> { informers.RunAsync(stop.Token), context.RunRecordersAsync(stop.Token) };
        try
        {
            await informers.WaitForCacheSyncAsync(stop.Token);
            running.AddRange(controllers.Select(c => c.RunAsync(stop.Token)));
            // The first loop to end (or fail) ends them all: a half-running manager helps nobody.
            await await Task.WhenAny(running);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
