using System.Runtime.InteropServices;
using k8s.Autorest;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Registers the node and keeps it alive, as the kubelet's node status manager and lease
/// controller do (pkg/kubelet/kubelet_node_status.go, pkg/kubelet/nodelease): creates the Node
/// with its labels, capacity, addresses and versions, renews its Lease in kube-node-lease every
/// 10 s, and reports conditions whose reasons say what is wrong (the runtime down, for one).
/// As upstream's tryUpdateNodeStatus, the status is computed every heartbeat but written only when
/// it changed or <see cref="KubeletOptions.NodeStatusReportFrequency"/> passed: an idle node costs
/// the store a Lease renewal per heartbeat, not a Node write. A condition's lastTransitionTime moves
/// only when its status does.
/// </summary>
internal sealed partial class NodeReporter(IKubernetes client, IContainerRuntime runtime, KubeletOptions options, ILogger logger)
{
    private const string LeaseNamespace = "kube-node-lease";

    // What the last status write said (heartbeat times left out), when, and since when each condition holds.
    private string? _lastReported;
    private DateTimeOffset _lastReportedAt;
    private readonly Dictionary<string, (string Status, DateTime Since)> _transitions = new(StringComparer.Ordinal);
    // A kubelet with a local copy runs its pods while the API server is away, and its Node says so.
    private bool Autonomous => options.LocalStateDirectory is not null;

    /// <summary>The kubelet API's port, reported in status.daemonEndpoints for the API server's proxy.</summary>
    public int KubeletPort { get; set; }

    /// <summary>Called with the Node as each status write returned it (its spec carries the podCIDR the kubelet hands the runtime).</summary>
    public Func<V1Node, CancellationToken, Task>? NodeSeen { get; init; }

    /// <summary>
    /// Called with the Node a restarted kubelet finds registered, before its first status report:
    /// the podCIDR it already has readies the runtime's network first, so a restart (an upgrade
    /// among them) never reports the node NotReady, which would have the node lifecycle controller
    /// mark every pod on it NotReady until the kubelet reports them again.
    /// </summary>
    public Func<V1Node, CancellationToken, Task>? Found { get; init; }

    /// <summary>Writes the node's status now (a changed network readiness need not wait for the next heartbeat).</summary>
    public async Task RefreshStatusAsync(CancellationToken cancellationToken) =>
        await ReportStatusAsync(await runtime.StatusAsync(cancellationToken), cancellationToken);

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var status = await runtime.StatusAsync(cancellationToken);
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = options.NodeName,
                Labels = new Dictionary<string, string>
                {
                    [WellKnownLabels.Hostname] = options.NodeName,
                    [WellKnownLabels.Os] = "linux",
                    [WellKnownLabels.Arch] = Architecture(),
                    ["beta.kubernetes.io/os"] = "linux",
                    ["beta.kubernetes.io/arch"] = Architecture(),
                },
                Annotations = Autonomous ? new Dictionary<string, string> { [WellKnownAnnotations.NodeAutonomy] = "true" } : null,
            },
            Spec = new V1NodeSpec(),
        };
        try
        {
            await client.CoreV1.CreateNodeAsync(node, cancellationToken: cancellationToken);
            LogRegistered(options.NodeName);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 409)
        {
            // Registered before (a restart): keep it, refresh its status below.
            if (Autonomous)
            {
                // Registered by a release without the local copy: say it has one now (the server's eviction timing reads it).
                var patch = KubernetesJson.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [WellKnownAnnotations.NodeAutonomy] = "true" } } });
                await client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), options.NodeName, cancellationToken: cancellationToken);
            }
            if (Found is { } found)
            {
                await found(await client.CoreV1.ReadNodeAsync(options.NodeName, cancellationToken: cancellationToken), cancellationToken);
            }
        }
        // The Lease first: whoever sees the node Ready (the node lifecycle controller, a client
        // waiting for Ready) also finds its heartbeat.
        await RenewLeaseAsync(cancellationToken);
        await ReportStatusAsync(status, cancellationToken);
    }

    /// <summary>Renews the lease and refreshes node status until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.LeaseRenewInterval, options.Time);
        do
        {
            try
            {
                await RenewLeaseAsync(cancellationToken);
                await RefreshStatusAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException)
            {
                LogHeartbeatFailed(e.Message);
            }
        }
        while (await TickAsync(timer, cancellationToken));
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RenewLeaseAsync(CancellationToken cancellationToken)
    {
        var now = options.Time.GetUtcNow().UtcDateTime;
        V1Lease? lease = null;
        try
        {
            lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.NodeName, LeaseNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
        {
            // First heartbeat.
        }
        if (lease is null)
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = options.NodeName, NamespaceProperty = LeaseNamespace },
                Spec = new V1LeaseSpec
                {
                    HolderIdentity = options.NodeName,
                    LeaseDurationSeconds = (int)(options.LeaseRenewInterval.TotalSeconds * 4),
                    RenewTime = now,
                },
            }, LeaseNamespace, cancellationToken: cancellationToken);
            return;
        }
        lease.Spec ??= new V1LeaseSpec();
        lease.Spec.HolderIdentity = options.NodeName;
        lease.Spec.LeaseDurationSeconds = (int)(options.LeaseRenewInterval.TotalSeconds * 4);
        lease.Spec.RenewTime = now;
        await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.NodeName, LeaseNamespace, cancellationToken: cancellationToken);
    }

    private async Task ReportStatusAsync(RuntimeStatus runtimeStatus, CancellationToken cancellationToken)
    {
        var now = options.Time.GetUtcNow().UtcDateTime;
        var memory = MemoryBytes();
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new($"{memory / 1024}Ki"),
            ["pods"] = new(options.MaxPods.ToString(CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new($"{DiskBytes(options.PodsDirectory) / 1024}Ki"),
        };
        // As upstream's ready-condition setter: the runtime, then its network (the runtime's own message first).
        var networkError = PodCidrs.NetworkError(runtime);
        var ready = runtimeStatus.Ready && networkError is null;
        var notReady = !runtimeStatus.Ready ? $"container runtime unavailable: {runtimeStatus.Problem}" : networkError;
        var status = new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = capacity,
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = KubeletPort } },
            Addresses = [new V1NodeAddress { Address = options.NodeIp, Type = "InternalIP" }, new V1NodeAddress { Address = options.NodeName, Type = "Hostname" }],
            NodeInfo = new V1NodeSystemInfo
            {
                Architecture = Architecture(),
                BootID = ReadOrEmpty("/proc/sys/kernel/random/boot_id"),
                ContainerRuntimeVersion = runtimeStatus.Version,
                KernelVersion = Environment.OSVersion.Version.ToString(),
                KubeProxyVersion = options.KubeletVersion,
                KubeletVersion = options.KubeletVersion,
                MachineID = ReadOrEmpty("/etc/machine-id"),
                OperatingSystem = "linux",
                OsImage = OsImage(),
                SystemUUID = ReadOrEmpty("/sys/class/dmi/id/product_uuid"),
            },
            Conditions =
            [
                Condition("Ready", ready ? "True" : "False", ready ? "KubeletReady" : "KubeletNotReady",
                    ready ? "kubelet is posting ready status" : notReady ?? "", now),
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
            ],
        };
        // As upstream, compared with the Node as the API server has it too: whatever someone else
        // changed there (the node lifecycle controller's Unknown) is put right at once.
        var current = await client.CoreV1.ReadNodeAsync(options.NodeName, cancellationToken: cancellationToken);
        var unchanged = Unchanged(status, current, out var reported);
        var written = unchanged
            ? current
            : await client.CoreV1.PatchNodeStatusAsync(new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.StrategicMergePatch), options.NodeName, cancellationToken: cancellationToken);
        if (!unchanged)
        {
            _lastReported = reported;
            _lastReportedAt = options.Time.GetUtcNow();
        }
        if (NodeSeen is { } seen && written is not null)
        {
            await seen(written, cancellationToken);
        }
    }

    /// <summary>Whether <paramref name="status"/> says what the last write said, recently enough that it need not be written again.</summary>
    private bool Unchanged(V1NodeStatus status, V1Node current, out string reported)
    {
        var heartbeats = status.Conditions.Select(c => c.LastHeartbeatTime).ToList();
        foreach (var condition in status.Conditions)
        {
            condition.LastHeartbeatTime = null;
        }
        reported = KubernetesJson.Serialize(status);
        foreach (var (condition, heartbeat) in status.Conditions.Zip(heartbeats))
        {
            condition.LastHeartbeatTime = heartbeat;
        }
        var held = status.Conditions.All(c => current.Status?.Conditions?.FirstOrDefault(h => h.Type == c.Type) is { } h
            && h.Status == c.Status && h.Reason == c.Reason && h.Message == c.Message);
        return held && reported == _lastReported && options.Time.GetUtcNow() - _lastReportedAt < options.NodeStatusReportFrequency;
    }

    private V1NodeCondition Condition(string type, string status, string reason, string message, DateTime now)
    {
        // upstream's condition setters (pkg/kubelet/nodestatus/setters.go) keep the transition time while the status holds.
        var since = _transitions.TryGetValue(type, out var held) && held.Status == status ? held.Since : now;
        _transitions[type] = (status, since);
        return new() { Status = status, Type = type, LastHeartbeatTime = now, LastTransitionTime = since, Message = message, Reason = reason };
    }

    private static string Architecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        _ => "amd64",
    };

    private static long MemoryBytes()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return kib is null ? 0 : long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
    }

    private static long DiskBytes(string path)
    {
        Directory.CreateDirectory(path);
        return new DriveInfo(path).TotalSize;
    }

    private static string OsImage()
    {
        var pretty = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            : null;
        return pretty?["PRETTY_NAME=".Length..].Trim('"') ?? "Linux";
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "";

    [LoggerMessage(EventId = LogEvents.Agent + 0, Level = LogLevel.Information, Message = "Node {Node} registered")]
    private partial void LogRegistered(string node);

    [LoggerMessage(EventId = LogEvents.Agent + 1, Level = LogLevel.Warning, Message = "Node heartbeat failed, will retry: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);
}
