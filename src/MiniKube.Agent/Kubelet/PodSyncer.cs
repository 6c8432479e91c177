using System.Collections.Concurrent;
using k8s.Autorest;
using MiniKube.Agent.Kubelet.Images;
using MiniKube.Agent.Runtime;
using MiniKube.Client.Events;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Brings one pod's containers to what its spec says, level-triggered and idempotent
/// (pkg/kubelet/kuberuntime/kuberuntime_manager.go SyncPod): a sandbox, the init containers in
/// order, then the app containers; restarts per restartPolicy with exponential back-off (10 s
/// doubling to 5 minutes: CrashLoopBackOff); graceful termination (preStop hooks, then SIGTERM,
/// then SIGKILL at the end of the grace period) and the final delete when the pod is being
/// deleted; then the status (<see cref="PodStatusManager"/>). It reads the runtime only through
/// the relist it is given and records when it last changed a pod's containers
/// (<see cref="LastRuntimeChange"/>), so the kubelet never hands it a relist older than its own
/// last action. Container specs come from <see cref="ContainerConfigGenerator"/>, volumes from
/// <see cref="VolumeManager"/>, probe results from <see cref="ProbeManager"/>, images from <see cref="ImageManager"/>.
/// </summary>
internal sealed partial class PodSyncer(IKubernetes client, IContainerRuntime runtime, KubeletOptions options, ContainerConfigGenerator configs, VolumeManager volumes, PodStatusManager status, ProbeManager probes, EventRecorder events, PodStartupTracker startup, ILogger logger, ImageManager images)
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>Upstream's backOffOnTransientErrorPeriod: how soon a pod waiting for the network is looked at again.</summary>
    private static readonly TimeSpan NetworkRetry = TimeSpan.FromSeconds(1);

    // Why a container is not running when the runtime cannot say (image and config errors).
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _waiting = new();

    // When this kubelet last changed each pod's sandboxes or containers, by uid.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _changed = new();

    // Pods being stopped, by uid (see SyncAsync).
    private readonly ConcurrentDictionary<string, Task> _terminations = new();

    private readonly ContainerStopper _stopper = new(runtime, new HandlerActions(runtime), options.Time);

    private readonly PodEvents _events = new(events);

    /// <summary>Called when stopping a pod failed; it still has its deletionTimestamp and should be synced again soon.</summary>
    public Action<V1Pod>? TerminationFailed { get; init; }

    /// <summary>When a sync last changed the pod's sandboxes or containers (<see cref="DateTimeOffset.MinValue"/>: never); a relist taken before then does not show it yet.</summary>
    public DateTimeOffset LastRuntimeChange(string podUid) => _changed.GetValueOrDefault(podUid, DateTimeOffset.MinValue);

    /// <summary>Syncs the pod from its own <paramref name="sandboxes"/> and <paramref name="containers"/> of a relist newer than <see cref="LastRuntimeChange"/>.</summary>
    public async Task<PodSyncResult> SyncAsync(V1Pod pod, IReadOnlyList<PodSandbox> sandboxes, IReadOnlyList<ContainerInfo> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var uid = pod.Metadata.Uid;
        var before = LastRuntimeChange(uid);
        var mine = containers.ToList();
        var sandbox = sandboxes.OrderByDescending(s => s.Running).FirstOrDefault();
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Termination waits out the grace period, so it runs apart from the sync workers:
            // stopping one pod never delays starting another (upstream has a worker per pod).
            // The queue never syncs one pod twice at once, so one termination per pod runs.
            _ = _terminations.GetOrAdd(uid, _ => TerminateInBackgroundAsync(pod, [.. sandboxes], mine, cancellationToken));
            return new PodSyncResult(null, false);
        }
        var waiting = _waiting.GetOrAdd(uid, _ => new ConcurrentDictionary<string, string>());
        TimeSpan? recheck = null;
        var finished = pod.Status?.Phase is "Succeeded" or "Failed";
        // Only hostNetwork pods are synced while the runtime's network is not ready (kubelet.go
        // SyncPod); the others keep their status (ContainerCreating) and are tried again in a
        // second, as upstream's pod workers do, and at once when the network becomes ready.
        var networkError = finished || pod.Spec.HostNetwork == true ? null : PodCidrs.NetworkError(runtime);
        if (networkError is not null)
        {
            PodEvent(pod, EventTypes.Warning, "NetworkNotReady", $"{PodCidrs.NetworkNotReady}: {networkError}");
            recheck = NetworkRetry;
        }
        // Nothing starts until every claim is bound (the volume manager's wait before SyncPod): containers show ContainerCreating.
        // A pod already running keeps its volumes, as upstream keeps them mounted.
        var claimsPending = finished || networkError is not null || sandbox is { Running: true } ? null : await volumes.WaitForClaimsAsync(pod, cancellationToken);
        if (!finished && networkError is null && claimsPending is null)
        {
            if (sandbox is not { Running: true })
            {
                foreach (var dead in sandboxes)
                {
                    await runtime.RemoveSandboxAsync(dead.Id, cancellationToken);
                    MarkChanged(uid);
                }
                startup.Begin(uid);
                sandbox = await runtime.RunSandboxAsync(SandboxFor(pod, PodDns.For(pod, options.ClusterDns, options.ClusterDomain, ResolvConf.Read(options.ResolvConfPath))), cancellationToken);
                MarkChanged(uid);
                startup.Mark(uid, "sandbox");
                var (ns, name, ip) = (pod.Namespace(), pod.Name(), sandbox.Ip ?? "");
                LogSandbox(ns, name, ip);
            }
            else
            {
                await volumes.RefreshAsync(pod, cancellationToken);
            }
            recheck = await SyncContainersAsync(pod, sandbox, mine, waiting, cancellationToken);
        }
        recheck ??= claimsPending;
        if (LastRuntimeChange(uid) != before)
        {
            // What this sync did is not in the relist it read: the status waits for the next sync, on a newer relist.
            return new PodSyncResult(recheck, true);
        }
        var readiness = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var spec in pod.Spec.Containers)
        {
            if (Latest(mine, spec.Name, init: false) is { State: Runtime.ContainerState.Running } running)
            {
                readiness[spec.Name] = probes.HealthOf(spec, running.Id).Ready;
            }
        }
        startup.StatusWritten(pod, await status.UpdateAsync(pod, sandbox, mine, waiting, readiness, cancellationToken));
        return new PodSyncResult(recheck, false);
    }

    /// <summary>Removes what belongs to pods this node no longer has, as the relist shows it.</summary>
    public async Task RemoveOrphansAsync(ISet<string> liveUids, RuntimeSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(liveUids);
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var container in snapshot.Containers.Where(c => !liveUids.Contains(c.PodUid)))
        {
            await runtime.StopContainerAsync(container.Id, TimeSpan.FromSeconds(2), cancellationToken);
            await runtime.RemoveContainerAsync(container.Id, cancellationToken);
        }
        foreach (var sandbox in snapshot.Sandboxes.Where(s => !liveUids.Contains(s.PodUid)))
        {
            await runtime.StopSandboxAsync(sandbox.Id, cancellationToken);
            await runtime.RemoveSandboxAsync(sandbox.Id, cancellationToken);
            Forget(sandbox.PodUid);
            volumes.RemovePodDirectory(sandbox.PodUid);
        }
    }

    private void MarkChanged(string podUid) => _changed[podUid] = options.Time.GetUtcNow();

    private void Forget(string podUid)
    {
        _waiting.TryRemove(podUid, out _);
        _changed.TryRemove(podUid, out _);
        startup.Forget(podUid);
    }

    private async Task<TimeSpan?> SyncContainersAsync(V1Pod pod, PodSandbox sandbox, List<ContainerInfo> mine, ConcurrentDictionary<string, string> waiting, CancellationToken cancellationToken)
    {
        // Ephemeral containers first, as SyncPod's step 5 starts them before init containers: a
        // debugger must start even while an init container keeps failing.
        var ephemeral = await SyncEphemeralContainersAsync(pod, sandbox, mine, waiting, cancellationToken);
        var regular = await SyncRegularContainersAsync(pod, sandbox, mine, waiting, cancellationToken);
        return ephemeral is null ? regular : regular is null || ephemeral < regular ? ephemeral : regular;
    }

    /// <summary>Starts each ephemeral container once; whatever becomes of it, it is never started again (upstream never restarts them).</summary>
    private async Task<TimeSpan?> SyncEphemeralContainersAsync(V1Pod pod, PodSandbox sandbox, List<ContainerInfo> mine, ConcurrentDictionary<string, string> waiting, CancellationToken cancellationToken)
    {
        TimeSpan? recheck = null;
        foreach (var ephemeral in pod.Spec.EphemeralContainers ?? [])
        {
            if (mine.Any(c => c.Ephemeral && c.Name == ephemeral.Name && c.State != Runtime.ContainerState.Created))
            {
                waiting.TryRemove(ephemeral.Name, out _);
                continue;
            }
            var container = EphemeralContainers.AsContainer(ephemeral);
            var next = await StartOrBackOffAsync(pod, sandbox, container, Latest(mine, ephemeral.Name, init: false), mine, init: false, waiting, cancellationToken, ephemeral);
            recheck = next is null ? recheck : recheck is null || next < recheck ? next : recheck;
        }
        return recheck;
    }

    /// <summary>kuberuntime_container.go getTargetID: the running container whose processes an ephemeral container shares.</summary>
    private static string? ProcessTarget(V1EphemeralContainer ephemeral, List<ContainerInfo> mine)
    {
        if (ephemeral.TargetContainerName is not { Length: > 0 } target)
        {
            return null;
        }
        return mine.Where(c => c.Name == target && !c.Ephemeral && c.State == Runtime.ContainerState.Running).MaxBy(c => c.Attempt)?.Id
            ?? throw new ContainerConfigException($"unable to find target container {target}");
    }

    private async Task<TimeSpan?> SyncRegularContainersAsync(V1Pod pod, PodSandbox sandbox, List<ContainerInfo> mine, ConcurrentDictionary<string, string> waiting, CancellationToken cancellationToken)
    {
        var policy = pod.Spec.RestartPolicy ?? "Always";
        // Init containers one at a time, each to success, before any app container.
        foreach (var init in pod.Spec.InitContainers ?? [])
        {
            var latest = Latest(mine, init.Name, init: true);
            if (latest?.State == Runtime.ContainerState.Exited && latest.ExitCode == 0)
            {
                continue;
            }
            if (latest?.State == Runtime.ContainerState.Running)
            {
                return null;
            }
            if (latest?.State == Runtime.ContainerState.Exited && policy == "Never")
            {
                return null; // failed for good: the pod fails
            }
            return await StartOrBackOffAsync(pod, sandbox, init, latest, mine, init: true, waiting, cancellationToken);
        }
        TimeSpan? recheck = null;
        foreach (var container in pod.Spec.Containers)
        {
            var latest = Latest(mine, container.Name, init: false);
            if (latest?.State == Runtime.ContainerState.Running)
            {
                waiting.TryRemove(container.Name, out _);
                if (probes.HealthOf(container, latest.Id).Kill)
                {
                    // Liveness (or startup) failed: the container is restarted per restartPolicy.
                    var (ns, name, containerName) = (pod.Namespace(), pod.Name(), container.Name);
                    LogUnhealthy(ns, name, containerName);
                    Event(pod, container.Name, false, EventTypes.Warning, "Unhealthy", "Liveness probe failed");
                    Event(pod, container.Name, false, EventTypes.Normal, "Killing", $"Container {containerName} failed liveness probe, will be restarted");
                    await _stopper.StopAsync(container, latest, sandbox.Ip, TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30), cancellationToken);
                    MarkChanged(pod.Metadata.Uid);
                }
                continue;
            }
            if (latest?.State == Runtime.ContainerState.Exited && !(policy == "Always" || (policy == "OnFailure" && latest.ExitCode != 0)))
            {
                waiting.TryRemove(container.Name, out _);
                continue;
            }
            var next = await StartOrBackOffAsync(pod, sandbox, container, latest, mine, init: false, waiting, cancellationToken);
            recheck = next is null ? recheck : recheck is null || next < recheck ? next : recheck;
        }
        return recheck;
    }

    /// <summary>Starts the container's next attempt unless it is backing off; <paramref name="ephemeral"/> is set for an ephemeral container (<paramref name="container"/> is its copy).</summary>
    private async Task<TimeSpan?> StartOrBackOffAsync(V1Pod pod, PodSandbox sandbox, V1Container container, ContainerInfo? latest, List<ContainerInfo> mine, bool init, ConcurrentDictionary<string, string> waiting, CancellationToken cancellationToken, V1EphemeralContainer? ephemeral = null)
    {
        var list = init ? "initContainers" : ephemeral is null ? "containers" : "ephemeralContainers";
        if (latest is { State: Runtime.ContainerState.Exited, FinishedAt: { } finishedAt })
        {
            var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks * (1L << Math.Min(latest.Attempt, 10))));
            var wait = finishedAt + backoff - options.Time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                if (!waiting.ContainsKey(container.Name))
                {
                    Event(pod, container.Name, list, EventTypes.Warning, "BackOff", $"Back-off restarting failed container {container.Name} in pod {pod.Name()}_{pod.Namespace()}({pod.Metadata.Uid})");
                }
                waiting[container.Name] = $"CrashLoopBackOff: back-off {(int)backoff.TotalSeconds}s restarting failed container={container.Name} pod={pod.Name()}_{pod.Namespace()}({pod.Metadata.Uid})";
                return wait;
            }
        }
        if (latest is { State: Runtime.ContainerState.Created })
        {
            await runtime.RemoveContainerAsync(latest.Id, cancellationToken); // a start that never happened
            MarkChanged(pod.Metadata.Uid);
        }
        try
        {
            await images.EnsureImageExistsAsync(pod, container, list, cancellationToken);
            startup.Mark(pod.Metadata.Uid, "image");
            var config = await configs.GenerateAsync(pod, sandbox, container, init, latest is null ? 0 : latest.Attempt + 1, cancellationToken);
            if (ephemeral is not null)
            {
                config = config with { Ephemeral = true, RunsToCompletion = false, ProcessNamespaceOf = ProcessTarget(ephemeral, mine) };
            }
            startup.Mark(pod.Metadata.Uid, "config");
            var id = await runtime.CreateContainerAsync(sandbox, config, cancellationToken);
            MarkChanged(pod.Metadata.Uid);
            startup.Mark(pod.Metadata.Uid, "create");
            Event(pod, container.Name, list, EventTypes.Normal, "Created", $"Created container: {container.Name}");
            await runtime.StartContainerAsync(id, cancellationToken);
            MarkChanged(pod.Metadata.Uid);
            startup.Mark(pod.Metadata.Uid, "start");
            Event(pod, container.Name, list, EventTypes.Normal, "Started", $"Started container {container.Name}");
            waiting.TryRemove(container.Name, out _);
            // Keep only the previous attempt (for logs --previous).
            if (latest is not null)
            {
                foreach (var older in mine.Where(c => c.Name == container.Name && c.Init == init && c.Attempt < latest.Attempt))
                {
                    await runtime.RemoveContainerAsync(older.Id, cancellationToken);
                }
            }
            return null;
        }
        catch (ImageException e)
        {
            // kuberuntime_container.go startContainer: the image manager's own events, then this one.
            Event(pod, container.Name, list, EventTypes.Warning, "Failed", $"Error: {e.Reason}");
            waiting[container.Name] = $"{e.Reason}: {e.Message}";
            return e.RetryAfter ?? TimeSpan.FromSeconds(10);
        }
        catch (ContainerConfigException e)
        {
            if (!waiting.ContainsKey(container.Name))
            {
                Event(pod, container.Name, list, EventTypes.Warning, "Failed", $"Error: {e.Message}");
            }
            waiting[container.Name] = $"CreateContainerConfigError: {e.Message}";
            return TimeSpan.FromSeconds(5);
        }
    }

    /// <summary>An event about one of the pod's containers, as upstream's kubelet words them (pkg/kubelet/events), shown by kubectl describe.</summary>
    private void Event(V1Pod pod, string container, bool init, string type, string reason, string message) =>
        Event(pod, container, init ? "initContainers" : "containers", type, reason, message);

    private void PodEvent(V1Pod pod, string type, string reason, string message) => _events.Pod(pod, type, reason, message);

    private void Event(V1Pod pod, string container, string list, string type, string reason, string message) =>
        _events.Container(pod, container, list, type, reason, message);

    private async Task TerminateInBackgroundAsync(V1Pod pod, List<PodSandbox> sandboxes, List<ContainerInfo> containers, CancellationToken cancellationToken)
    {
        await Task.Yield(); // off the sync worker
        var uid = pod.Metadata.Uid;
        try
        {
            await TerminateAsync(pod, sandboxes, containers, cancellationToken);
            if (!StaticPods.IsStatic(pod))
            {
                await FinalDeleteAsync(pod, cancellationToken); // a static pod has no API object; its mirror is the kubelet's to delete
            }
            Forget(uid);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the next kubelet finishes the job from the runtime's state.
        }
        catch (Exception e) when (e is RuntimeUnavailableException or HttpOperationException or HttpRequestException or IOException or KubernetesException or InvalidOperationException or KeyNotFoundException)
        {
            // The pod still has its deletionTimestamp: the kubelet syncs it again soon.
            var (ns, name, reason) = (pod.Namespace(), pod.Name(), e.Message);
            LogTerminationFailed(ns, name, reason);
            TerminationFailed?.Invoke(pod);
        }
        finally
        {
            _terminations.TryRemove(uid, out _);
        }
    }

    private async Task TerminateAsync(V1Pod pod, List<PodSandbox> sandboxes, List<ContainerInfo> containers, CancellationToken cancellationToken)
    {
        var grace = TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);
        var podIp = sandboxes.FirstOrDefault(s => s.Running)?.Ip;
        await Task.WhenAll(containers.Where(c => c.State == Runtime.ContainerState.Running).Select(c =>
        {
            Event(pod, c.Name, c.Init ? "initContainers" : c.Ephemeral ? "ephemeralContainers" : "containers", EventTypes.Normal, "Killing", $"Stopping container {c.Name}");
            return _stopper.StopAsync((c.Init ? pod.Spec.InitContainers : pod.Spec.Containers)?.FirstOrDefault(spec => spec.Name == c.Name), c, podIp, grace, cancellationToken);
        }));
        foreach (var container in containers)
        {
            await runtime.RemoveContainerAsync(container.Id, cancellationToken);
        }
        foreach (var sandbox in sandboxes)
        {
            await runtime.StopSandboxAsync(sandbox.Id, cancellationToken);
            await runtime.RemoveSandboxAsync(sandbox.Id, cancellationToken);
        }
        volumes.RemovePodDirectory(pod.Metadata.Uid);
    }

    /// <summary>The kubelet's final delete: grace 0, guarded by the uid so a new pod of the same name is safe.</summary>
    private async Task FinalDeleteAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        // Not deleted: already gone, or replaced by a new pod of the same name.
        if (await ApiCalls.DeleteNowAsync(client, pod, cancellationToken))
        {
            var (ns, name) = (pod.Namespace(), pod.Name());
            LogDeleted(ns, name);
        }
    }

    private static ContainerInfo? Latest(List<ContainerInfo> containers, string name, bool init) =>
        containers.Where(c => c.Name == name && c.Init == init).MaxBy(c => c.Attempt);

    private static SandboxConfig SandboxFor(V1Pod pod, DnsConfig dns) =>
        new(pod.Metadata.Uid, pod.Namespace(), pod.Name(), pod.Spec.Hostname ?? pod.Name())
        {
            HostNetwork = pod.Spec.HostNetwork == true,
            Dns = dns,
            Ports = [.. pod.Spec.Containers.SelectMany(c => c.Ports ?? []).Where(p => p.HostPort is > 0)
                .Select(p => new PortMapping(p.ContainerPort, p.HostPort!.Value, p.Protocol ?? "TCP", p.HostIP))],
        };

    [LoggerMessage(EventId = LogEvents.Agent + 10, Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: sandbox started, IP {Ip}")]
    private partial void LogSandbox(string @namespace, string name, string ip);

    [LoggerMessage(EventId = LogEvents.Agent + 13, Level = LogLevel.Warning, Message = "Pod {Namespace}/{Name}: stopping it failed, retrying: {Reason}")]
    private partial void LogTerminationFailed(string @namespace, string name, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 12, Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: container {Container} failed its liveness probe; restarting it")]
    private partial void LogUnhealthy(string @namespace, string name, string container);

    [LoggerMessage(EventId = LogEvents.Agent + 11, Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: terminated and deleted")]
    private partial void LogDeleted(string @namespace, string name);
}

/// <summary>What one sync did: when to look at the pod again at the latest (null: on the next change or resync), and whether it changed the pod's containers (then the relist it read is out of date).</summary>
internal sealed record PodSyncResult(TimeSpan? Recheck, bool RuntimeChanged);
