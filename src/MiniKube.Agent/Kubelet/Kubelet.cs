using System.Collections.Concurrent;
using k8s.Autorest;
using MiniKube.Agent.Kubelet.Images;
using MiniKube.Agent.Runtime;
using MiniKube.Client.Events;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// One node's kubelet (pkg/kubelet/kubelet.go syncLoop): registers the node and keeps its lease,
/// informs itself of the pods bound to the node (and only those), and syncs each through
/// <see cref="PodSyncer"/> from a work queue. A pod is synced when the API changes it, when the
/// relist of <see cref="PodLifecycleEventGenerator"/> (one runtime listing per
/// <see cref="KubeletOptions.RelistInterval"/> for the whole node) shows one of its containers
/// started, died or went, when a probe result changes (<see cref="ProbeManager"/>), on timed
/// re-checks (back-off, claims), and on the slow <see cref="KubeletOptions.ResyncInterval"/>.
/// Level-triggered throughout: a sync reads the latest cached pod and the latest relist (never
/// one older than its own last change), so a missed event or a kubelet restart loses nothing.
/// The pods it runs are the API's pods bound to the node that are not mirror pods, plus the
/// static pods of <see cref="KubeletOptions.StaticPodsDirectory"/>, which start before (and
/// without) the API server and show up there as mirror pods (<see cref="MirrorPodClient"/>).
/// Offline autonomy: with <see cref="KubeletOptions.LocalStateDirectory"/> the API pods, the data
/// they refer to and the Services of their environment are kept in a <see cref="LocalState"/>;
/// a kubelet that starts while the API server is away runs the pods of that copy until its first
/// pod list is in, and then the API's pods alone (a pod deleted meanwhile is stopped then, as upstream).
/// </summary>
public sealed partial class Kubelet
{
    private readonly IKubernetes _client;
    private readonly IContainerRuntime _runtime;
    private readonly KubeletOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggers;
    private readonly NodeReporter _node;
    private readonly PodSyncer _syncer;
    private readonly PodLifecycleEventGenerator _pleg;
    private readonly ProbeManager _probes;
    private readonly ConfigMapsAndSecrets _configs;
    private readonly EventRecorder _events;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Service>? _services;
    private readonly WorkQueue<string> _queue = new();
    private readonly StaticPodSource? _static;
    private readonly MirrorPodClient _mirrors;
    private readonly PodStartupTracker _startup;
    private readonly LocalState? _local;

    // The pods of the local copy, by key, until the first pod list from the API server is in.
    private IReadOnlyDictionary<string, V1Pod> _kept = new Dictionary<string, V1Pod>();

    // The Services of the local copy, for environment variables until the Service list is in.
    private IReadOnlyList<V1Service> _keptServices = [];

    // A static pod's last computed status by uid: what its status is compared with while its mirror is missing.
    private readonly ConcurrentDictionary<string, V1PodStatus> _staticStatus = new(StringComparer.Ordinal);

    // The key of every pod synced, by uid: runtime events and probe results name pods by uid.
    private readonly ConcurrentDictionary<string, string> _keys = new(StringComparer.Ordinal);

    /// <summary>How often a kubelet whose runtime waits for the podCIDR reads its Node until it has one.</summary>
    private static readonly TimeSpan PodCidrPoll = TimeSpan.FromMilliseconds(500);

    // The podCIDR handed to the runtime (null: none yet).
    private volatile string? _podCidr;

    /// <summary>
    /// How many pods are synced at once (upstream runs a worker per pod). Measured with
    /// scripts/bench pods, 30 pods bound at once against the same containers started straight on
    /// Docker: 4 workers took 1.65x Docker's time, 16 and 30 both 1.20x. Four were chosen while
    /// Docker set up each sandbox's bridge network one at a time, which more workers only queued
    /// up; sandboxes now start with network mode none and the pod network wires them itself.
    /// </summary>
    private const int SyncWorkers = 16;

    /// <summary>How many syncs in a row one worker gives a pod whose syncs keep changing the runtime (sandbox, then each init container) before it goes back to the queue behind the others.</summary>
    private const int FollowUpSyncs = 4;

    /// <summary>How soon a pod whose stop or sync failed is tried again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    public Kubelet(IKubernetes client, IContainerRuntime runtime, KubeletOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _client = client;
        _runtime = runtime;
        _options = options;
        _logger = loggers.CreateLogger<Kubelet>();
        _loggers = loggers;
        _node = new NodeReporter(client, runtime, options, _logger) { NodeSeen = NodeSeenAsync, Found = async (node, ct) => await HandOverPodCidrAsync(node, ct) };
        _events = new EventRecorder(client, new EventRecorderOptions { Component = "kubelet", Host = options.NodeName, Time = options.Time }, loggers.CreateLogger<EventRecorder>());
        // Service environment variables only matter to real containers: simulated nodes (hundreds in one process) skip the watch.
        _services = runtime.Simulated ? null : new Informer<V1Service>(KubeListWatches.Services(client), _logger);
        _pleg = new PodLifecycleEventGenerator(runtime, options.Time);
        _probes = new ProbeManager(new Prober(runtime, options.Time)) { Changed = EnqueueUid };
        _local = options.LocalStateDirectory is { } localState ? new LocalState(localState, _logger) : null;
        _configs = new ConfigMapsAndSecrets(client, options.NodeName, _logger, _local);
        _startup = new PodStartupTracker(_logger);
        // Secrets in memory where containers are real; simulated nodes have no use for a tmpfs (nor the root it needs).
        var volumes = new VolumeManager(client, options, _configs, new ServiceAccountTokens(client, options.Time), runtime.Simulated ? NoTmpfs.Instance : new LinuxTmpfs(), _logger);
        _syncer = new PodSyncer(
            client,
            runtime,
            options,
            new ContainerConfigGenerator(options, _configs, volumes, Services),
            volumes,
            new PodStatusManager(client, options, _logger) { StatusComputed = RememberStaticStatus },
            _probes,
            _events,
            _startup,
            _logger,
            new ImageManager(runtime, _configs, new PodEvents(_events), options.Time, _logger))
        {
            TerminationFailed = pod => _queue.AddAfter(pod.Namespace() + "/" + pod.Name(), RetryDelay, options.Time),
        };
        _pods = new Informer<V1Pod>(KubeListWatches.Pods(client, fieldSelector: "spec.nodeName=" + options.NodeName), _logger);
        _pods.Changed += _queue.Add;
        _mirrors = new MirrorPodClient(client, options.NodeName, _logger);
        if (options.StaticPodsDirectory is { } manifests)
        {
            _static = new StaticPodSource(manifests, options.NodeName, options.Time, _logger);
        }
    }

    /// <summary>Completes once the node is registered and the first pod list is in.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var server = await KubeletServer.StartAsync(_options, new KubeletAuth(_client, _options.NodeName, _options.Time), _pods, _runtime, _loggers.CreateLogger<KubeletServer>(), cancellationToken);
        _node.KubeletPort = server.Port;
        // Static pods run first and whatever the API server does (it may itself be one, as with kubeadm).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await RemoveOrphansAsync(stopping.Token); // before the first pod list only loads image tarballs
        ScanStaticPods();
        await LoadLocalCopyAsync(stopping.Token);
        var local = Task.WhenAll(
            _events.RunAsync(stopping.Token),
            _queue.RunAsync(SyncWorkers, SyncAsync, stopping.Token),
            _pleg.RunAsync(_options.RelistInterval, (events, snapshot) => Relisted(events, snapshot, stopping.Token), e => LogRuntimeDown(e.Message), stopping.Token),
            ResyncAsync(stopping.Token),
            HousekeepingAsync(stopping.Token),
            RescanStaticPodsAsync(stopping.Token));
        try
        {
            await RegisterAsync(stopping.Token);
            var podCidr = WaitForPodCidrAsync(stopping.Token);
            // Services first, as upstream waits for them: an API pod's containers start with the service variables.
            var services = _services?.RunAsync(stopping.Token) ?? Task.CompletedTask;
            await (_services?.Synced.WaitAsync(stopping.Token) ?? Task.CompletedTask);
            var informer = _pods.RunAsync(stopping.Token);
            await _pods.Synced.WaitAsync(stopping.Token);
            await RemoveOrphansAsync(stopping.Token);
            Ready.TrySetResult();
            var node = (_options.NodeName, _pods.Keys.Count);
            LogRunning(node.NodeName, node.Count);
            // Mirror pods wait for the node and the pod list; their static pods are looked at again now.
            foreach (var key in _static?.Keys ?? [])
            {
                _queue.Add(key);
            }
            await Task.WhenAll(informer, services, podCidr, _node.RunAsync(stopping.Token), local);
        }
        finally
        {
            // Stops the static pods' loops too when registration fails or the host stops.
            await stopping.CancelAsync();
            await local.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _configs.UnregisterAll();
        }
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

    /// <summary>
    /// Reads the Node until it has a podCIDR, when the runtime's network waits for one (the node
    /// IPAM controller gives it within moments of registration); after that, and for runtimes
    /// that need none, the podCIDR comes with each node status write (<see cref="NodeSeenAsync"/>),
    /// as upstream's kubelet takes it from its Node in tryUpdateNodeStatus.
    /// </summary>
    private async Task WaitForPodCidrAsync(CancellationToken cancellationToken)
    {
        if (_runtime.NetworkProblem is null)
        {
            return;
        }
        LogWaitingForPodCidr(_options.NodeName);
        try
        {
            while (true)
            {
                try
                {
                    var node = await _client.CoreV1.ReadNodeAsync(_options.NodeName, cancellationToken: cancellationToken);
                    await NodeSeenAsync(node, cancellationToken);
                    if (PodCidrs.Of(node) is not null)
                    {
                        return; // handed over, or failed and retried with each heartbeat
                    }
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException)
                {
                    LogHeartbeatFailedWhileWaiting(e.Message);
                }
                await Task.Delay(PodCidrPoll, _options.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Hands a new podCIDR of the Node to the runtime (upstream's updatePodCIDR); when that made
    /// the network ready, the pods waiting for it are synced and the node's Ready condition is
    /// written at once rather than with the next heartbeat. A failure is logged and tried again
    /// with the next heartbeat; the node stays NotReady saying why.
    /// </summary>
    private async Task NodeSeenAsync(V1Node node, CancellationToken cancellationToken)
    {
        if (await HandOverPodCidrAsync(node, cancellationToken))
        {
            foreach (var key in ApiKeys.Concat(_static?.Keys ?? []))
            {
                _queue.Add(key);
            }
            await _node.RefreshStatusAsync(cancellationToken);
        }
    }

    /// <summary>Hands the Node's podCIDR to the runtime when it is new (kept in the local copy too); true when that made the runtime's network ready.</summary>
    private async Task<bool> HandOverPodCidrAsync(V1Node node, CancellationToken cancellationToken)
    {
        if (PodCidrs.Of(node) is not { } cidr || cidr.ToString() == _podCidr)
        {
            return false;
        }
        var waiting = _runtime.NetworkProblem is not null;
        try
        {
            await _runtime.UpdatePodCidrAsync(cidr, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            LogPodNetworkFailed(cidr, e.Message);
            return false;
        }
        _podCidr = cidr.ToString();
        LogPodCidr(_options.NodeName, cidr);
        _local?.SaveNode(node);
        return waiting && _runtime.NetworkProblem is null;
    }

    /// <summary>Every pod, every <see cref="KubeletOptions.ResyncInterval"/> (upstream's --sync-frequency): whatever a missed trigger left wrong is put right then.</summary>
    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ResyncInterval, _options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var key in ApiKeys.Concat(_static?.Keys ?? []))
                {
                    _queue.Add(key);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Image tarballs and orphaned containers, every ten relists (upstream's housekeeping).</summary>
    private async Task HousekeepingAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.RelistInterval * 10, _options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await RemoveOrphansAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>After each relist: the pods whose containers changed are synced; probes that are due run.</summary>
    private void Relisted(IReadOnlyList<PodLifecycleEvent> events, RuntimeSnapshot snapshot, CancellationToken cancellationToken)
    {
        foreach (var uid in events.Select(e => e.PodUid).Distinct(StringComparer.Ordinal))
        {
            EnqueueUid(uid);
        }
        _probes.ThrowIfFaulted();
        _probes.Retain(snapshot.Containers.Where(c => c.State == ContainerState.Running).Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
        foreach (var uid in snapshot.PodUids)
        {
            if (_keys.TryGetValue(uid, out var key) && PodOf(key) is { } pod && pod.Metadata.Uid == uid && pod.Metadata.DeletionTimestamp is null)
            {
                _probes.Probe(pod, snapshot.SandboxesOf(uid).FirstOrDefault(s => s.Running)?.Ip, snapshot.ContainersOf(uid), cancellationToken);
            }
        }
    }

    /// <summary>The pod this node runs under <paramref name="key"/>: its static pod, else the API's.</summary>
    private V1Pod? PodOf(string key) => _static?.Get(key) ?? ApiPod(key);

    /// <summary>The API's pod of <paramref name="key"/>: from the pod informer once it has listed, from the local copy before.</summary>
    private V1Pod? ApiPod(string key) => _pods.Synced.IsCompletedSuccessfully ? _pods.Get(key) : _kept.GetValueOrDefault(key);

    /// <summary>The keys of the API's pods bound here, as <see cref="ApiPod"/> sees them.</summary>
    private IEnumerable<string> ApiKeys => _pods.Synced.IsCompletedSuccessfully ? _pods.Keys : _kept.Keys;

    /// <summary>The Services of environment variables: the informer's once it has listed, the local copy's before.</summary>
    private IEnumerable<V1Service> Services() =>
        _services is null ? [] : _services.Synced.IsCompletedSuccessfully ? _services.List() : _keptServices;

    /// <summary>Reads the local copy and queues its pods: they run (and their crashed containers restart) before, and without, the API server.</summary>
    private async Task LoadLocalCopyAsync(CancellationToken cancellationToken)
    {
        if (_local is null)
        {
            return;
        }
        // The podCIDR first (a Node's never changes): pods that are not hostNetwork wait for it.
        if (_local.LoadNode() is { } node)
        {
            await HandOverPodCidrAsync(node, cancellationToken);
        }
        _kept = _local.LoadPods();
        _keptServices = _local.LoadServices();
        if (_kept.Count > 0)
        {
            LogLocalCopy(_kept.Count, _local.Directory);
        }
        foreach (var key in _kept.Keys)
        {
            _queue.Add(key);
        }
    }

    /// <summary>
    /// Makes the local copy what the API says now (after the first pod list): the pods bound here,
    /// the ConfigMaps and Secrets they refer to, and the Services of their namespaces (and
    /// default/kubernetes) for environment variables. Files change only when their content does.
    /// </summary>
    private void UpdateLocalCopy(IReadOnlyCollection<V1Pod> pods)
    {
        if (_local is null)
        {
            return;
        }
        _kept = new Dictionary<string, V1Pod>();
        var apiPods = pods.Where(p => !StaticPods.IsMirror(p)).ToList();
        _local.RetainPods(apiPods.Select(p => p.Namespace() + "/" + p.Name()).ToHashSet(StringComparer.Ordinal));
        _local.RetainData(LocalState.ConfigMaps, apiPods.SelectMany(p => ConfigMapsAndSecrets.ConfigMapNames(p).Select(n => p.Namespace() + "/" + n)).ToHashSet(StringComparer.Ordinal));
        _local.RetainData(LocalState.Secrets, apiPods.SelectMany(p => ConfigMapsAndSecrets.SecretNames(p).Select(n => p.Namespace() + "/" + n)).ToHashSet(StringComparer.Ordinal));
        if (_services is not null && _services.Synced.IsCompletedSuccessfully)
        {
            var namespaces = apiPods.Select(p => p.Namespace()).ToHashSet(StringComparer.Ordinal);
            _local.SaveServices(_services.List().Where(s => namespaces.Contains(s.Namespace()) || s is { Metadata: { NamespaceProperty: "default", Name: "kubernetes" } }));
        }
    }

    private void EnqueueUid(string uid)
    {
        if (_keys.TryGetValue(uid, out var key))
        {
            _queue.Add(key);
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
            // Until the first pod list is in, every API pod's containers would look like orphans.
            if (_pods.Synced.IsCompletedSuccessfully)
            {
                var pods = _pods.List();
                UpdateLocalCopy(pods);
                var live = pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
                live.UnionWith(_static?.Uids ?? new HashSet<string>());
                await _syncer.RemoveOrphansAsync(live, await _pleg.NewerThanAsync(DateTimeOffset.MinValue, cancellationToken), cancellationToken);
                // Addresses and hostPort rules of sandboxes that are gone (CNI's GC).
                await _runtime.CollectGarbageAsync(cancellationToken);
                foreach (var gone in _keys.Keys.Where(uid => !live.Contains(uid)))
                {
                    _keys.TryRemove(gone, out _);
                }
            }
        }
        catch (RuntimeUnavailableException e)
        {
            LogRuntimeDown(e.Message);
        }
        catch (IOException e)
        {
            // A host networking command (unwiring a removed sandbox, collecting leaked addresses) failed.
            LogHousekeepingFailed(e.Message);
        }
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            if (await SyncStaticAsync(key, cancellationToken))
            {
                return;
            }
            var pod = ApiPod(key);
            if (pod is null)
            {
                _configs.UnregisterPod(key);
                return; // deleted: its containers go with the next orphan sweep
            }
            if (StaticPods.IsMirror(pod))
            {
                // A mirror whose static pod is gone (kubelet_pods.go HandlePodCleanups: orphaned mirror pods).
                await _mirrors.DeleteAsync(pod, cancellationToken);
                return;
            }
            if (_pods.Synced.IsCompletedSuccessfully)
            {
                _local?.SavePod(key, pod);
            }
            await SyncPodAsync(key, pod, () => ApiPod(key), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is RuntimeUnavailableException or HttpOperationException or HttpRequestException or IOException or KubernetesException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            LogSyncFailed(key, e.Message);
            _queue.AddAfter(key, RetryDelay, _options.Time);
        }
    }

    /// <summary>
    /// Syncs a pod on a relist newer than its last runtime change; after a sync that changed the
    /// runtime, syncs it again at once on the same worker (on a fresh relist, asked for at once)
    /// so its status shows the change. The follow-up stays on this worker rather than going back
    /// to the queue: with every worker busy starting other pods' sandboxes, a pod whose container
    /// already runs waited there seconds for its status write (scripts/bench pods, 30 pods at
    /// once). <paramref name="latest"/> reads the pod again for the follow-up (null: it went or
    /// was replaced, and the queue takes over); without it the follow-up is queued.
    /// </summary>
    private async Task SyncPodAsync(string key, V1Pod pod, Func<V1Pod?>? latest, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        _keys[uid] = key;
        if (pod.Metadata.DeletionTimestamp is null)
        {
            _configs.RegisterPod(key, pod);
        }
        for (var round = 1; ; round++)
        {
            _startup.Mark(uid, "queue");
            var snapshot = await _pleg.NewerThanAsync(_syncer.LastRuntimeChange(uid), cancellationToken);
            _startup.Mark(uid, "relist");
            var result = await _syncer.SyncAsync(pod, snapshot.SandboxesOf(uid), snapshot.ContainersOf(uid), cancellationToken);
            if (result.Recheck is { } delay)
            {
                _queue.AddAfter(key, delay, _options.Time);
            }
            if (!result.RuntimeChanged)
            {
                return;
            }
            if (round == FollowUpSyncs || latest?.Invoke() is not { } next || next.Metadata.Uid != uid)
            {
                _queue.Add(key);
                return;
            }
            pod = next;
        }
    }

    /// <summary>
    /// Syncs the static pod of <paramref name="key"/>, if the key is one: first stops the pods
    /// its file declared before (a removed or changed manifest; upstream too waits for the old
    /// pod of a name to stop before the new one starts), then runs the current one, then fixes
    /// its mirror. Mirror writes wait until the node is registered and the pod list is in, and
    /// their failures never keep the static pod from running: the next resync retries them.
    /// </summary>
    private async Task<bool> SyncStaticAsync(string key, CancellationToken cancellationToken)
    {
        if (_static is null)
        {
            return false;
        }
        var pod = _static.Get(key);
        var leaving = _static.TerminatingFor(key);
        if (pod is null && leaving.Count == 0)
        {
            return false;
        }
        foreach (var old in leaving)
        {
            var now = _options.Time.GetUtcNow().UtcDateTime;
            var stopping = old with { Metadata = old.Metadata with { DeletionTimestamp = now, DeletionGracePeriodSeconds = old.Spec.TerminationGracePeriodSeconds ?? 30 } };
            var snapshot = await _pleg.NewerThanAsync(_syncer.LastRuntimeChange(old.Metadata.Uid), cancellationToken);
            await _syncer.SyncAsync(stopping, snapshot.SandboxesOf(old.Metadata.Uid), snapshot.ContainersOf(old.Metadata.Uid), cancellationToken);
            _static.Terminated(old);
            _staticStatus.TryRemove(old.Metadata.Uid, out _);
            LogStaticStopped(key, old.Metadata.Uid);
        }
        var apiReady = _pods.Synced.IsCompletedSuccessfully;
        var current = _pods.Get(key);
        if (pod is null)
        {
            if (apiReady && current is not null && StaticPods.IsMirror(current))
            {
                await _mirrors.DeleteAsync(current, cancellationToken);
            }
            _configs.UnregisterPod(key);
            return true;
        }
        // The mirror's status when it is the live one; else the one last computed here.
        var status = current is not null && StaticPods.IsMirrorOf(current, pod) ? current.Status : _staticStatus.GetValueOrDefault(pod.Metadata.Uid);
        try
        {
            await SyncPodAsync(key, pod with { Status = status }, null, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            // The API server is away (its status write, or a configMap it reads): quietly, and again shortly.
            LogStaticApiAway(key, e.Message);
            _queue.AddAfter(key, RetryDelay, _options.Time);
            return true;
        }
        if (apiReady)
        {
            await _mirrors.SyncAsync(pod, current, cancellationToken);
        }
        return true;
    }

    private void RememberStaticStatus(V1Pod pod, V1PodStatus status)
    {
        if (StaticPods.IsStatic(pod) && pod.Metadata.DeletionTimestamp is null && _static?.Get(pod.Namespace() + "/" + pod.Name())?.Metadata.Uid == pod.Metadata.Uid)
        {
            _staticStatus[pod.Metadata.Uid] = status;
        }
    }

    private void ScanStaticPods()
    {
        if (_static is null)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(_static.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogStaticDirectoryUnusable(_static.Directory, e.Message);
        }
        EnqueueStaticChanges(_static);
    }

    private void EnqueueStaticChanges(StaticPodSource source)
    {
        foreach (var key in source.Rescan())
        {
            _queue.Add(key);
        }
    }

    private async Task RescanStaticPodsAsync(CancellationToken cancellationToken)
    {
        if (_static is null)
        {
            return;
        }
        using var timer = new PeriodicTimer(_options.StaticPodsRescanInterval, _options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                EnqueueStaticChanges(_static);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 863, Level = LogLevel.Information, Message = "Running {Pods} pods from the local copy in {Directory} until the API server lists this node's pods")]
    private partial void LogLocalCopy(int pods, string directory);

    [LoggerMessage(EventId = LogEvents.Agent + 40, Level = LogLevel.Information, Message = "Node {Node} waits for its spec.podCIDR before starting pods that are not hostNetwork")]
    private partial void LogWaitingForPodCidr(string node);

    [LoggerMessage(EventId = LogEvents.Agent + 41, Level = LogLevel.Information, Message = "Node {Node} has podCIDR {PodCidr}; handed to the container runtime")]
    private partial void LogPodCidr(string node, System.Net.IPNetwork podCidr);

    [LoggerMessage(EventId = LogEvents.Agent + 42, Level = LogLevel.Warning, Message = "Pod network for podCIDR {PodCidr} could not be set up, retrying with the next heartbeat: {Reason}")]
    private partial void LogPodNetworkFailed(System.Net.IPNetwork podCidr, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 43, Level = LogLevel.Debug, Message = "Reading the node for its podCIDR failed, retrying: {Reason}")]
    private partial void LogHeartbeatFailedWhileWaiting(string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 44, Level = LogLevel.Warning, Message = "Removing what pods that are gone left behind failed, retrying with the next housekeeping: {Reason}")]
    private partial void LogHousekeepingFailed(string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 37, Level = LogLevel.Debug, Message = "Static pod {Pod}: API server unreachable ({Reason}); retrying in 2 s")]
    private partial void LogStaticApiAway(string pod, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 39, Level = LogLevel.Information, Message = "Static pod {Pod} (uid {Uid}) stopped")]
    private partial void LogStaticStopped(string pod, string uid);

    [LoggerMessage(EventId = LogEvents.Agent + 38, Level = LogLevel.Warning, Message = "Static pod directory {Directory} cannot be created: {Reason}")]
    private partial void LogStaticDirectoryUnusable(string directory, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 20, Level = LogLevel.Information, Message = "Kubelet of node {Node} running; {Pods} pods bound to it")]
    private partial void LogRunning(string node, int pods);

    [LoggerMessage(EventId = LogEvents.Agent + 21, Level = LogLevel.Information, Message = "Waiting for the API server to register the node: {Reason}")]
    private partial void LogWaitingForApi(string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 22, Level = LogLevel.Warning, Message = "Pod {Pod} sync failed, retrying: {Reason}")]
    private partial void LogSyncFailed(string pod, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 24, Level = LogLevel.Information, Message = "Loaded images from {File}")]
    private partial void LogImported(string file);

    [LoggerMessage(EventId = LogEvents.Agent + 23, Level = LogLevel.Warning, Message = "Container runtime unavailable: {Reason}")]
    private partial void LogRuntimeDown(string reason);
}
