using System.Collections.Concurrent;
using System.Text;
using MiniKube.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Runtime;
using MiniKube.Client.Events;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Brings one pod's containers to what its spec says, level-triggered and idempotent
/// (pkg/kubelet/kuberuntime/kuberuntime_manager.go SyncPod): a sandbox, the init containers in
/// order, then the app containers; restarts per restartPolicy with exponential back-off (10 s
/// doubling to 5 minutes: CrashLoopBackOff); graceful termination (preStop hooks, then SIGTERM,
/// then SIGKILL at the end of the grace period) and the final delete when the pod is being deleted; then the status, written only when it changed.
/// </summary>
internal sealed partial class PodSyncer(IKubernetes client, IContainerRuntime runtime, KubeletOptions options, EventRecorder events, ILogger logger)
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    // Why a container is not running when the runtime cannot say (image and config errors).
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _waiting = new();

    // Readiness of running containers by pod uid and container name, from their probes.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _ready = new();

    private readonly Prober _prober = new(runtime, options.Time);

    // Pods being stopped, by uid (see SyncAsync).
    private readonly ConcurrentDictionary<string, Task> _terminations = new();

    private readonly ContainerStopper _stopper = new(runtime, new HandlerActions(runtime), options.Time);

    /// <summary>The cluster's Services, for the containers' service environment variables.</summary>
    public Func<IEnumerable<V1Service>> Services { get; init; } = () => [];

    /// <summary>Called with every status a sync computes (the kubelet remembers static pods' own, for when their mirror is missing).</summary>
    public Action<V1Pod, V1PodStatus>? StatusComputed { get; init; }

    /// <summary>Syncs the pod; returns when it should be looked at again at the latest (null: on the next change or resync).</summary>
    public async Task<TimeSpan?> SyncAsync(V1Pod pod, IReadOnlyList<PodSandbox> sandboxes, IReadOnlyList<ContainerInfo> containers, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var mine = containers.Where(c => c.PodUid == uid).ToList();
        var sandbox = sandboxes.Where(s => s.PodUid == uid).OrderByDescending(s => s.Running).FirstOrDefault();
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Termination waits out the grace period, so it runs apart from the sync workers:
            // stopping one pod never delays starting another (upstream has a worker per pod).
            // The queue never syncs one pod twice at once, so one termination per pod runs.
            _ = _terminations.GetOrAdd(uid, _ => TerminateInBackgroundAsync(pod, sandboxes.Where(s => s.PodUid == uid).ToList(), mine, cancellationToken));
            return null;
        }
        var waiting = _waiting.GetOrAdd(uid, _ => new ConcurrentDictionary<string, string>());
        TimeSpan? recheck = null;
        var finished = pod.Status?.Phase is "Succeeded" or "Failed";
        // Nothing starts until every claim is bound (the volume manager's wait before SyncPod): containers show ContainerCreating.
        // A pod already running keeps its volumes, as upstream keeps them mounted.
        var claimsPending = finished || sandbox is { Running: true } ? null : await WaitForClaimsAsync(pod, cancellationToken);
        if (!finished && claimsPending is null)
        {
            if (sandbox is not { Running: true })
            {
                foreach (var dead in sandboxes.Where(s => s.PodUid == uid))
                {
                    await runtime.RemoveSandboxAsync(dead.Id, cancellationToken);
                }
                sandbox = await runtime.RunSandboxAsync(SandboxFor(pod, PodDns.For(pod, options.ClusterDns, options.ClusterDomain, ResolvConf.Read(options.ResolvConfPath))), cancellationToken);
                var (ns, name, ip) = (pod.Namespace(), pod.Name(), sandbox.Ip ?? "");
                LogSandbox(ns, name, ip);
            }
            recheck = await SyncContainersAsync(pod, sandbox, mine, waiting, cancellationToken);
            mine = (await runtime.ListContainersAsync(cancellationToken)).Where(c => c.PodUid == uid).ToList();
        }
        recheck ??= claimsPending;
        var readiness = _ready.GetOrAdd(uid, _ => new ConcurrentDictionary<string, bool>());
        var status = PodStatusBuilder.Build(pod, sandbox, mine, waiting, readiness, options.NodeIp, options.Time.GetUtcNow().UtcDateTime);
        StatusComputed?.Invoke(pod, status);
        await WriteStatusAsync(pod, status, cancellationToken);
        return recheck;
    }

    /// <summary>Removes what belongs to pods this node no longer has.</summary>
    public async Task RemoveOrphansAsync(ISet<string> liveUids, CancellationToken cancellationToken)
    {
        _prober.Retain((await runtime.ListContainersAsync(cancellationToken)).Where(c => c.State == Runtime.ContainerState.Running).Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
        foreach (var container in (await runtime.ListContainersAsync(cancellationToken)).Where(c => !liveUids.Contains(c.PodUid)))
        {
            await runtime.StopContainerAsync(container.Id, TimeSpan.FromSeconds(2), cancellationToken);
            await runtime.RemoveContainerAsync(container.Id, cancellationToken);
        }
        foreach (var sandbox in (await runtime.ListSandboxesAsync(cancellationToken)).Where(s => !liveUids.Contains(s.PodUid)))
        {
            await runtime.StopSandboxAsync(sandbox.Id, cancellationToken);
            await runtime.RemoveSandboxAsync(sandbox.Id, cancellationToken);
            _waiting.TryRemove(sandbox.PodUid, out _);
            var volumes = Path.Combine(options.PodsDirectory, sandbox.PodUid);
            if (Directory.Exists(volumes))
            {
                Directory.Delete(volumes, recursive: true);
            }
        }
    }

    private async Task<TimeSpan?> SyncContainersAsync(V1Pod pod, PodSandbox sandbox, List<ContainerInfo> mine, ConcurrentDictionary<string, string> waiting, CancellationToken cancellationToken)
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
            return await StartOrBackOffAsync(pod, sandbox, init, latest, init: true, waiting, cancellationToken);
        }
        TimeSpan? recheck = null;
        foreach (var container in pod.Spec.Containers)
        {
            var latest = Latest(mine, container.Name, init: false);
            if (latest?.State == Runtime.ContainerState.Running)
            {
                waiting.TryRemove(container.Name, out _);
                var health = await _prober.CheckAsync(container, latest, sandbox.Ip, cancellationToken);
                _ready.GetOrAdd(pod.Metadata.Uid, _ => new ConcurrentDictionary<string, bool>())[container.Name] = health.Ready;
                if (health.Kill)
                {
                    // Liveness (or startup) failed: the container is restarted per restartPolicy.
                    var (ns, name, containerName) = (pod.Namespace(), pod.Name(), container.Name);
                    LogUnhealthy(ns, name, containerName);
                    Event(pod, container.Name, false, EventTypes.Warning, "Unhealthy", "Liveness probe failed");
                    Event(pod, container.Name, false, EventTypes.Normal, "Killing", $"Container {containerName} failed liveness probe, will be restarted");
                    await _stopper.StopAsync(container, latest, sandbox.Ip, TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30), cancellationToken);
                }
                continue;
            }
            if (latest?.State == Runtime.ContainerState.Exited && !(policy == "Always" || (policy == "OnFailure" && latest.ExitCode != 0)))
            {
                waiting.TryRemove(container.Name, out _);
                continue;
            }
            var next = await StartOrBackOffAsync(pod, sandbox, container, latest, init: false, waiting, cancellationToken);
            recheck = next is null ? recheck : recheck is null || next < recheck ? next : recheck;
        }
        return recheck;
    }

    private async Task<TimeSpan?> StartOrBackOffAsync(V1Pod pod, PodSandbox sandbox, V1Container container, ContainerInfo? latest, bool init, ConcurrentDictionary<string, string> waiting, CancellationToken cancellationToken)
    {
        if (latest is { State: Runtime.ContainerState.Exited, FinishedAt: { } finishedAt })
        {
            var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks * (1L << Math.Min(latest.Attempt, 10))));
            var wait = finishedAt + backoff - options.Time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                if (!waiting.ContainsKey(container.Name))
                {
                    Event(pod, container.Name, init, EventTypes.Warning, "BackOff", $"Back-off restarting failed container {container.Name} in pod {pod.Name()}_{pod.Namespace()}({pod.Metadata.Uid})");
                }
                waiting[container.Name] = $"CrashLoopBackOff: back-off {(int)backoff.TotalSeconds}s restarting failed container={container.Name} pod={pod.Name()}_{pod.Namespace()}({pod.Metadata.Uid})";
                return wait;
            }
        }
        if (latest is { State: Runtime.ContainerState.Created })
        {
            await runtime.RemoveContainerAsync(latest.Id, cancellationToken); // a start that never happened
        }
        try
        {
            var policy = PullPolicy(container);
            await runtime.EnsureImageAsync(container.Image, policy, cancellationToken);
            Event(pod, container.Name, init, EventTypes.Normal, "Pulled", policy == ImagePullPolicy.Always
                ? $"Successfully pulled image \"{container.Image}\""
                : $"Container image \"{container.Image}\" already present on machine");
            var config = await ContainerConfigAsync(pod, sandbox, container, init, latest is null ? 0 : latest.Attempt + 1, cancellationToken);
            var id = await runtime.CreateContainerAsync(sandbox, config, cancellationToken);
            Event(pod, container.Name, init, EventTypes.Normal, "Created", $"Created container: {container.Name}");
            await runtime.StartContainerAsync(id, cancellationToken);
            Event(pod, container.Name, init, EventTypes.Normal, "Started", $"Started container {container.Name}");
            waiting.TryRemove(container.Name, out _);
            // Keep only the previous attempt (for logs --previous).
            if (latest is not null)
            {
                foreach (var older in (await runtime.ListContainersAsync(cancellationToken)).Where(c => c.PodUid == pod.Metadata.Uid && c.Name == container.Name && c.Init == init && c.Attempt < latest.Attempt))
                {
                    await runtime.RemoveContainerAsync(older.Id, cancellationToken);
                }
            }
            return null;
        }
        catch (ImageException e)
        {
            if (!waiting.ContainsKey(container.Name))
            {
                Event(pod, container.Name, init, EventTypes.Warning, e.Reason == "ErrImageNeverPull" ? e.Reason : "Failed", e.Message);
            }
            waiting[container.Name] = $"{e.Reason}: {e.Message}";
            return TimeSpan.FromSeconds(10);
        }
        catch (ContainerConfigException e)
        {
            if (!waiting.ContainsKey(container.Name))
            {
                Event(pod, container.Name, init, EventTypes.Warning, "Failed", $"Error: {e.Message}");
            }
            waiting[container.Name] = $"CreateContainerConfigError: {e.Message}";
            return TimeSpan.FromSeconds(5);
        }
    }

    /// <summary>An event about one of the pod's containers, as upstream's kubelet words them (pkg/kubelet/events), shown by kubectl describe.</summary>
    private void Event(V1Pod pod, string container, bool init, string type, string reason, string message)
    {
        if (StaticPods.IsStatic(pod))
        {
            return; // its events would name a pod the API does not have
        }
        var reference = EventRecorder.ReferenceTo(pod);
        reference.FieldPath = $"spec.{(init ? "initContainers" : "containers")}{{{container}}}";
        events.Record(reference, type, reason, message);
    }

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
            _waiting.TryRemove(uid, out _);
            _ready.TryRemove(uid, out _);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the next kubelet finishes the job from the runtime's state.
        }
        catch (Exception e) when (e is RuntimeUnavailableException or HttpOperationException or HttpRequestException or IOException or KubernetesException or InvalidOperationException or KeyNotFoundException)
        {
            // The pod still has its deletionTimestamp, so the next resync tries again.
            var (ns, name, reason) = (pod.Namespace(), pod.Name(), e.Message);
            LogTerminationFailed(ns, name, reason);
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
            Event(pod, c.Name, c.Init, EventTypes.Normal, "Killing", $"Stopping container {c.Name}");
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
        var volumes = Path.Combine(options.PodsDirectory, pod.Metadata.Uid);
        if (Directory.Exists(volumes))
        {
            Directory.Delete(volumes, recursive: true);
        }
    }

    /// <summary>The kubelet's final delete: grace 0, guarded by the uid so a new pod of the same name is safe.</summary>
    private async Task FinalDeleteAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Name(), pod.Namespace(), new V1DeleteOptions
            {
                GracePeriodSeconds = 0,
                Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid },
            }, cancellationToken: cancellationToken);
            var (ns, name) = (pod.Namespace(), pod.Name());
            LogDeleted(ns, name);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode is 404 or 409)
        {
            // Already gone, or replaced by a new pod of the same name.
        }
    }

    private async Task WriteStatusAsync(V1Pod pod, V1PodStatus status, CancellationToken cancellationToken)
    {
        if (KubernetesJson.Serialize(Comparable(status)) == KubernetesJson.Serialize(Comparable(pod.Status)))
        {
            return;
        }
        var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
        try
        {
            await client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Name(), pod.Namespace(), cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
        {
            // Deleted meanwhile.
        }
    }

    /// <summary>Status without the timestamps that change on their own, for change detection.</summary>
    private static V1PodStatus? Comparable(V1PodStatus? status) => status is null ? null : status with { Conditions = status.Conditions?.Select(c => c with { LastProbeTime = null, LastTransitionTime = null }).ToList() };

    private static ContainerInfo? Latest(List<ContainerInfo> containers, string name, bool init) =>
        containers.Where(c => c.Name == name && c.Init == init).MaxBy(c => c.Attempt);

    private static ImagePullPolicy PullPolicy(V1Container container) => container.ImagePullPolicy switch
    {
        "Always" => ImagePullPolicy.Always,
        "Never" => ImagePullPolicy.Never,
        _ => ImagePullPolicy.IfNotPresent,
    };

    private static SandboxConfig SandboxFor(V1Pod pod, DnsConfig dns) =>
        new(pod.Metadata.Uid, pod.Namespace(), pod.Name(), pod.Spec.Hostname ?? pod.Name())
        {
            HostNetwork = pod.Spec.HostNetwork == true,
            Dns = dns,
            Ports = [.. pod.Spec.Containers.SelectMany(c => c.Ports ?? []).Where(p => p.HostPort is > 0)
                .Select(p => new PortMapping(p.ContainerPort, p.HostPort!.Value, p.Protocol ?? "TCP", p.HostIP))],
        };

    private async Task<ContainerConfig> ContainerConfigAsync(V1Pod pod, PodSandbox sandbox, V1Container container, bool init, int attempt, CancellationToken cancellationToken)
    {
        // Service variables first: the container's own override them and may refer to them as $(VAR).
        var env = ServiceEnvironment.For(pod, Services());
        foreach (var source in container.EnvFrom ?? [])
        {
            var data = source.ConfigMapRef is { } cm
                ? await ConfigMapDataAsync(pod.Namespace(), cm.Name, cm.Optional == true, cancellationToken)
                : source.SecretRef is { } secret ? await SecretDataAsync(pod.Namespace(), secret.Name, secret.Optional == true, cancellationToken) : null;
            foreach (var (key, value) in data ?? new Dictionary<string, string>())
            {
                env[(source.Prefix ?? "") + key] = value;
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            env[variable.Name] = variable.ValueFrom is { } from ? await ResolveAsync(pod, sandbox, from, cancellationToken) : Expand(variable.Value ?? "", env);
        }
        var mounts = await MountsAsync(pod, container, cancellationToken);
        var limits = container.Resources?.Limits;
        var requests = container.Resources?.Requests;
        return new ContainerConfig(container.Name, container.Image)
        {
            Command = [.. (container.Command ?? []).Select(a => Expand(a, env))],
            Args = [.. (container.Args ?? []).Select(a => Expand(a, env))],
            Env = env,
            WorkingDir = container.WorkingDir,
            Mounts = mounts,
            CpuLimitMillis = Quantities.Milli(limits, "cpu"),
            CpuRequestMillis = Quantities.Milli(requests, "cpu"),
            MemoryLimitBytes = Quantities.Value(limits, "memory"),
            RunAsUser = container.SecurityContext?.RunAsUser ?? pod.Spec.SecurityContext?.RunAsUser,
            Privileged = container.SecurityContext?.Privileged == true,
            ReadOnlyRootFilesystem = container.SecurityContext?.ReadOnlyRootFilesystem == true,
            Tty = container.Tty == true,
            Stdin = container.Stdin == true,
            Attempt = attempt,
            Init = init,
            RunsToCompletion = init || pod.Spec.RestartPolicy is "Never" or "OnFailure",
        };
    }

    private async Task<string> ResolveAsync(V1Pod pod, PodSandbox sandbox, V1EnvVarSource from, CancellationToken cancellationToken)
    {
        if (from.FieldRef is { } field)
        {
            return field.FieldPath switch
            {
                "metadata.name" => pod.Name(),
                "metadata.namespace" => pod.Namespace(),
                "metadata.uid" => pod.Metadata.Uid,
                "spec.nodeName" => options.NodeName,
                "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "default",
                "status.podIP" => sandbox.Ip ?? "",
                "status.hostIP" => options.NodeIp,
                var path when path.StartsWith("metadata.labels['", StringComparison.Ordinal) => pod.Metadata.Labels is { } labels && labels.TryGetValue(path[17..^2], out var label) ? label : "",
                var path when path.StartsWith("metadata.annotations['", StringComparison.Ordinal) => pod.Metadata.Annotations is { } annotations && annotations.TryGetValue(path[22..^2], out var annotation) ? annotation : "",
                var path => throw new ContainerConfigException($"unsupported fieldRef {path}"),
            };
        }
        if (from.ConfigMapKeyRef is { } cmKey)
        {
            var data = await ConfigMapDataAsync(pod.Namespace(), cmKey.Name, cmKey.Optional == true, cancellationToken);
            return data?.GetValueOrDefault(cmKey.Key) ?? (cmKey.Optional == true ? "" : throw new ContainerConfigException($"couldn't find key {cmKey.Key} in ConfigMap {pod.Namespace()}/{cmKey.Name}"));
        }
        if (from.SecretKeyRef is { } secretKey)
        {
            var data = await SecretDataAsync(pod.Namespace(), secretKey.Name, secretKey.Optional == true, cancellationToken);
            return data?.GetValueOrDefault(secretKey.Key) ?? (secretKey.Optional == true ? "" : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {pod.Namespace()}/{secretKey.Name}"));
        }
        return "";
    }

    private async Task<List<Mount>> MountsAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken)
    {
        var mounts = new List<Mount>();
        foreach (var volumeMount in container.VolumeMounts ?? [])
        {
            var volume = pod.Spec.Volumes?.FirstOrDefault(v => v.Name == volumeMount.Name)
                ?? throw new ContainerConfigException($"volume {volumeMount.Name} not found");
            var host = await PrepareVolumeAsync(pod, volume, cancellationToken);
            if (volumeMount.SubPath is { Length: > 0 } sub)
            {
                host = Path.Combine(host, sub);
            }
            mounts.Add(new Mount(host, volumeMount.MountPath, volumeMount.ReadOnlyProperty == true || volume.PersistentVolumeClaim?.ReadOnlyProperty == true));
        }
        return mounts;
    }

    /// <summary>The host directory behind a volume, with configMap/secret/downwardAPI content written out.</summary>
    private async Task<string> PrepareVolumeAsync(V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        if (volume.PersistentVolumeClaim is { } claim)
        {
            return await ClaimVolumePathAsync(pod, claim.ClaimName, cancellationToken);
        }
        if (volume.HostPath is { } hostPath)
        {
            if (hostPath.Type is "DirectoryOrCreate")
            {
                Directory.CreateDirectory(hostPath.Path);
            }
            return hostPath.Path;
        }
        var directory = Path.Combine(options.PodsDirectory, pod.Metadata.Uid, "volumes", volume.Name);
        Directory.CreateDirectory(directory);
        IReadOnlyDictionary<string, string>? files = null;
        if (volume.ConfigMap is { } cm)
        {
            files = await ConfigMapDataAsync(pod.Namespace(), cm.Name, cm.Optional == true, cancellationToken);
            files = Select(files, cm.Items);
        }
        else if (volume.Secret is { } secret)
        {
            files = await SecretDataAsync(pod.Namespace(), secret.SecretName, secret.Optional == true, cancellationToken);
            files = Select(files, secret.Items);
        }
        else if (volume.EmptyDir is null && volume.DownwardAPI is null && volume.Projected is null)
        {
            throw new ContainerConfigException($"volume {volume.Name}: this kind of volume is not supported yet");
        }
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, cancellationToken);
        }
        return directory;
    }

    private static Dictionary<string, string>? Select(IReadOnlyDictionary<string, string>? data, IList<V1KeyToPath>? items) =>
        data is null ? null
        : items is null ? new Dictionary<string, string>(data)
        : items.Where(i => data.ContainsKey(i.Key)).ToDictionary(i => i.Path, i => data[i.Key]);

    private async Task<IReadOnlyDictionary<string, string>?> ConfigMapDataAsync(string ns, string name, bool optional, CancellationToken cancellationToken)
    {
        try
        {
            var cm = await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken);
            return cm.Data?.ToDictionary() ?? [];
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
        {
            return optional ? null : throw new ContainerConfigException($"configmap \"{name}\" not found");
        }
    }

    private async Task<IReadOnlyDictionary<string, string>?> SecretDataAsync(string ns, string name, bool optional, CancellationToken cancellationToken)
    {
        try
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken);
            return secret.Data?.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(kv.Value)) ?? [];
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
        {
            return optional ? null : throw new ContainerConfigException($"secret \"{name}\" not found");
        }
    }

    /// <summary>$(VAR) references to earlier variables, as Kubernetes expands command, args and env ($$ escapes).</summary>
    private static string Expand(string text, Dictionary<string, string> env)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '(' && text.IndexOf(')', i + 2) is var end and > 0
                && env.TryGetValue(text[(i + 2)..end], out var value))
            {
                result.Append(value);
                i = end;
            }
            else
            {
                result.Append(text[i]);
            }
        }
        return result.ToString();
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: sandbox started, IP {Ip}")]
    private partial void LogSandbox(string @namespace, string name, string ip);

    [LoggerMessage(EventId = 613, Level = LogLevel.Warning, Message = "Pod {Namespace}/{Name}: stopping it failed, retrying: {Reason}")]
    private partial void LogTerminationFailed(string @namespace, string name, string reason);

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: container {Container} failed its liveness probe; restarting it")]
    private partial void LogUnhealthy(string @namespace, string name, string container);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: terminated and deleted")]
    private partial void LogDeleted(string @namespace, string name);
}

/// <summary>A container cannot be configured (missing configMap key, unsupported volume): CreateContainerConfigError.</summary>
internal sealed class ContainerConfigException(string message) : Exception(message);
