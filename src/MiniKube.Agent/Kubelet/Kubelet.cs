using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Runtime;
using MiniKube.Client;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// One node's kubelet: registers the node and keeps its lease, informs itself of the pods bound
/// to the node (and only those), and syncs each through <see cref="PodSyncer"/> from a work
/// queue — on every change, on a short resync so container exits are noticed, and on timed
/// re-checks for back-off. Level-triggered throughout: a sync reads the latest cached pod and
/// the runtime's actual state, so a missed event or a kubelet restart loses nothing.
/// </summary>
public sealed partial class Kubelet
{
    private readonly IKubernetes _client;
    private readonly IContainerRuntime _runtime;
    private readonly KubeletOptions _options;
    private readonly ILogger _logger;
    private readonly NodeReporter _node;
    private readonly PodSyncer _syncer;
    private readonly Informer<V1Pod> _pods;
    private readonly WorkQueue<string> _queue = new();

    public Kubelet(IKubernetes client, IContainerRuntime runtime, KubeletOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _client = client;
        _runtime = runtime;
        _options = options;
        _logger = loggers.CreateLogger<Kubelet>();
        _node = new NodeReporter(client, runtime, options, _logger);
        _syncer = new PodSyncer(client, runtime, options, _logger);
        _pods = new Informer<V1Pod>(new PodListWatch(client, options.NodeName), _logger);
        _pods.Changed += _queue.Add;
    }

    /// <summary>Completes once the node is registered and the first pod list is in.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var server = await KubeletServer.StartAsync(_options, _pods, _runtime, cancellationToken);
        _node.KubeletPort = server.Port;
        await RegisterAsync(cancellationToken);
        var informer = _pods.RunAsync(cancellationToken);
        await _pods.Synced.WaitAsync(cancellationToken);
        await RemoveOrphansAsync(cancellationToken);
        Ready.TrySetResult();
        var node = (_options.NodeName, _pods.Keys.Count);
        LogRunning(node.NodeName, node.Count);
        await Task.WhenAll(
            informer,
            _node.RunAsync(cancellationToken),
            // Measured (scripts/bench pods): more workers only make dockerd, which sets up each
            // sandbox's network one at a time, slower.
            _queue.RunAsync(4, SyncAsync, cancellationToken),
            ResyncAsync(cancellationToken));
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await _node.RegisterAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                // The API server may still be starting (the local agent of mkube server starts with it).
                LogWaitingForApi(e.Message);
                await Task.Delay(delay, _options.Time, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ResyncInterval, _options.Time);
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var key in _pods.Keys)
                {
                    _queue.Add(key);
                }
                if (++ticks % 10 == 0)
                {
                    await RemoveOrphansAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_options.ImagesDirectory is { } images && Directory.Exists(images))
            {
                foreach (var loaded in await _runtime.ImportImagesAsync(images, cancellationToken))
                {
                    LogImported(loaded);
                }
            }
            await _syncer.RemoveOrphansAsync(_pods.List().Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal), cancellationToken);
        }
        catch (RuntimeUnavailableException e)
        {
            LogRuntimeDown(e.Message);
        }
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var pod = _pods.Get(key);
        if (pod is null)
        {
            return; // deleted: its containers go with the next orphan sweep
        }
        try
        {
            var sandboxes = await _runtime.ListSandboxesAsync(cancellationToken);
            var containers = await _runtime.ListContainersAsync(cancellationToken);
            if (await _syncer.SyncAsync(pod, sandboxes, containers, cancellationToken) is { } recheck)
            {
                _queue.AddAfter(key, recheck, _options.Time);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is RuntimeUnavailableException or HttpOperationException or HttpRequestException or IOException or KubernetesException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            LogSyncFailed(key, e.Message);
            _queue.AddAfter(key, TimeSpan.FromSeconds(2), _options.Time);
        }
    }

    [LoggerMessage(EventId = 620, Level = LogLevel.Information, Message = "Kubelet of node {Node} running; {Pods} pods bound to it")]
    private partial void LogRunning(string node, int pods);

    [LoggerMessage(EventId = 621, Level = LogLevel.Information, Message = "Waiting for the API server to register the node: {Reason}")]
    private partial void LogWaitingForApi(string reason);

    [LoggerMessage(EventId = 622, Level = LogLevel.Warning, Message = "Pod {Pod} sync failed, retrying: {Reason}")]
    private partial void LogSyncFailed(string pod, string reason);

    [LoggerMessage(EventId = 624, Level = LogLevel.Information, Message = "Loaded images from {File}")]
    private partial void LogImported(string file);

    [LoggerMessage(EventId = 623, Level = LogLevel.Warning, Message = "Container runtime unavailable: {Reason}")]
    private partial void LogRuntimeDown(string reason);
}
