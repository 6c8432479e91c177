using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace MiniKube.Agent.Runtime.Simulated;

/// <summary>
/// A runtime without containers (KWOK's role): sandboxes get made-up IPs, containers "run"
/// after <see cref="StartDelay"/> and keep running until stopped, unless their command is
/// <c>exit N</c> (then they exit with N) or they are meant to end (init containers, Job pods:
/// they succeed after <see cref="RunDuration"/>). It lets tests and scale runs drive the whole pod
/// lifecycle through the real kubelet with no Docker. Pod IPs come from a
/// <see cref="SimulatedPodAddresses"/> pool, which the simulated nodes of one process share; a
/// runtime with a pool of its own (a lone simulated node) moves to a pool of its node's podCIDR
/// when the kubelet hands it one, keeping the addresses its pods hold.
/// </summary>
public sealed class SimulatedRuntime(TimeProvider time, SimulatedPodAddresses addresses) : IContainerRuntime
{
    public bool Simulated => true;

    private readonly ConcurrentDictionary<string, PodSandbox> _sandboxes = new();
    private readonly ConcurrentDictionary<string, ContainerInfo> _containers = new();
    private readonly ConcurrentDictionary<string, bool> _endByThemselves = new();
    private readonly bool _ownPool;
    private volatile SimulatedPodAddresses _addresses = addresses;
    private int _nextId;
    private SimulatedUsage? _usage;

    private SimulatedUsage Usage => LazyInitializer.EnsureInitialized(ref _usage, () => new SimulatedUsage(time));

    /// <summary>A runtime with a pool of its own, as for a single node (<c>--runtime simulated</c>).</summary>
    public SimulatedRuntime(TimeProvider time)
        : this(time, new SimulatedPodAddresses(SimulatedPodAddresses.SingleNodeSubnet))
    {
        _ownPool = true;
    }

    /// <summary>Pods' addresses come from <paramref name="podCidr"/> from now on, if this runtime's pool is its own; a shared pool stays.</summary>
    public Task UpdatePodCidrAsync(IPNetwork podCidr, CancellationToken cancellationToken)
    {
        if (_ownPool && !_addresses.Subnet.Equals(podCidr))
        {
            _addresses = new SimulatedPodAddresses(podCidr, _sandboxes.Values.Select(s => s.Ip).OfType<string>());
        }
        return Task.CompletedTask;
    }

    /// <summary>How long a container takes to start.</summary>
    public TimeSpan StartDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How long a container that is meant to end runs before it exits with 0.</summary>
    public TimeSpan RunDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where simulated pods' ports are, for port-forwarding: a forward to port P of any simulated
    /// pod connects to P on this address (tests point it at loopback, where they listen). Null,
    /// the default: nothing listens in a simulated pod, so every forward fails as a closed port does.
    /// </summary>
    public System.Net.IPAddress? PortForwardAddress { get; init; }

    public Task<RuntimeStatus> StatusAsync(CancellationToken cancellationToken) => Task.FromResult(new RuntimeStatus(true, "simulated://1.0", null));

    /// <summary>Every image is here already: simulated containers run nothing.</summary>
    public Task<ImageInfo?> ImageStatusAsync(string image, CancellationToken cancellationToken) => Task.FromResult<ImageInfo?>(Image(image));

    public Task<ImageInfo> PullImageAsync(string image, RegistryCredential? credential, CancellationToken cancellationToken) => Task.FromResult(Image(image));

    private static ImageInfo Image(string image) =>
        new("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(image))), 0);

    public Task<IReadOnlyList<string>> ImportImagesAsync(string directory, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public Task<PodSandbox> RunSandboxAsync(SandboxConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var id = NextId("sandbox");
        var sandbox = new PodSandbox(id, config.PodUid, config.Namespace, config.PodName, _addresses.Take(), true);
        _sandboxes[id] = sandbox;
        return Task.FromResult(sandbox);
    }

    public Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (_sandboxes.TryGetValue(sandboxId, out var sandbox))
        {
            _sandboxes[sandboxId] = sandbox with { Running = false };
        }
        return Task.CompletedTask;
    }

    public Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        // Only the call that removed it gives its IP back, so an address is never returned twice.
        if (_sandboxes.TryRemove(sandboxId, out var sandbox) && sandbox.Ip is { } ip)
        {
            _addresses.Return(ip);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PodSandbox>> ListSandboxesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PodSandbox>>([.. _sandboxes.Values]);

    public Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(config);
        var id = NextId("container");
        var exit = config.Command.Concat(config.Args).ToList() is [.., "exit", var code] && int.TryParse(code, CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;
        _containers[id] = new ContainerInfo(id, sandbox.PodUid, config.Name, config.Attempt, config.Init, ContainerState.Created, config.Image, "sha256:simulated")
        {
            ExitCode = exit ?? 0,
            Reason = exit is null ? null : "exit",
            Ephemeral = config.Ephemeral,
        };
        if (config.RunsToCompletion && exit is null)
        {
            _endByThemselves[id] = true;
        }
        return Task.FromResult(id);
    }

    public async Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        if (StartDelay > TimeSpan.Zero)
        {
            await Task.Delay(StartDelay, time, cancellationToken);
        }
        var info = _containers[containerId];
        var now = time.GetUtcNow();
        _containers[containerId] = info.Reason == "exit"
            ? info with { State = ContainerState.Exited, StartedAt = now, FinishedAt = now, Reason = null }
            : info with { State = ContainerState.Running, StartedAt = now };
    }

    public Task StopContainerAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_containers.TryGetValue(containerId, out var info) && info.State == ContainerState.Running)
        {
            _containers[containerId] = info with { State = ContainerState.Exited, ExitCode = 137, FinishedAt = time.GetUtcNow() };
        }
        return Task.CompletedTask;
    }

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        _containers.TryRemove(containerId, out _);
        _endByThemselves.TryRemove(containerId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ContainerInfo>> ListContainersAsync(CancellationToken cancellationToken)
    {
        EndContainersDue();
        return Task.FromResult<IReadOnlyList<ContainerInfo>>([.. _containers.Values]);
    }

    /// <summary>Two copies of dictionaries this node alone holds: cheap enough for thousands of nodes relisting every second.</summary>
    public Task<RuntimePods> ListPodsAsync(CancellationToken cancellationToken)
    {
        EndContainersDue();
        return Task.FromResult(new RuntimePods([.. _sandboxes.Values], [.. _containers.Values]));
    }

    /// <summary>Containers meant to end that have run their <see cref="RunDuration"/> exit with 0 (seen by the next listing).</summary>
    private void EndContainersDue()
    {
        var now = time.GetUtcNow();
        foreach (var id in _endByThemselves.Keys)
        {
            if (_containers.TryGetValue(id, out var info) && info is { State: ContainerState.Running, StartedAt: { } started } && now - started >= RunDuration)
            {
                _containers[id] = info with { State = ContainerState.Exited, ExitCode = 0, FinishedAt = started + RunDuration };
                _endByThemselves.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Simulated commands succeed, except <c>false</c> and <c>exit N</c>.</summary>
    public Task<int> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult(SimulatedExitCode(command));

    /// <summary>No process runs: an exec prints nothing and ends with the exit code its command asks for ("false", "… exit N", "sh -c 'exit N'").</summary>
    public Task<IProcessStreams> ExecAsync(string containerId, StreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult<IProcessStreams>(new SimulatedProcessStreams(SimulatedExitCode(request.Command)));
    }

    public Task<IProcessStreams> AttachAsync(string containerId, StreamRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IProcessStreams>(new SimulatedProcessStreams(null));

    private static int SimulatedExitCode(IReadOnlyList<string> command) => command switch
    {
        ["false", ..] => 1,
        [.., "exit", var code] when int.TryParse(code, CultureInfo.InvariantCulture, out var parsed) => parsed,
        [.., var script] when script.StartsWith("exit ", StringComparison.Ordinal) && int.TryParse(script.AsSpan(5), CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => 0,
    };

    public async Task<Stream> PortForwardAsync(PodSandbox sandbox, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return PortForwardAddress is { } address
            ? await PodPortDialer.DialAsync(address, port, sandbox.Id, cancellationToken)
            : throw new PortForwardException($"failed to connect to localhost:{port.ToString(CultureInfo.InvariantCulture)} inside namespace \"{sandbox.Id}\": nothing listens in a simulated pod");
    }

    /// <summary>Made-up figures (<see cref="SimulatedUsage"/>): the node's own share plus its running containers'.</summary>
    public Task<Stats.ResourceUsage> NodeUsageAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Usage.Node(_containers.Values.Where(c => c.State == ContainerState.Running)));

    public Task<IReadOnlyDictionary<string, Stats.ResourceUsage>> ContainerUsageAsync(IReadOnlyList<ContainerInfo> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyDictionary<string, Stats.ResourceUsage>>(containers
            .Where(c => c.State == ContainerState.Running)
            .ToDictionary(c => c.Id, c => SimulatedUsage.Container(c, now), StringComparer.Ordinal));
    }

    public Task<Stream> LogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes($"simulated container {containerId}\n")));

    private string NextId(string kind) => $"{kind}-{Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>The streams of a simulated process: no output, input discarded, a fixed exit code.</summary>
internal sealed class SimulatedProcessStreams(int? exitCode) : IProcessStreams
{
    public ValueTask<OutputChunk> ReadOutputAsync(Memory<byte> buffer, CancellationToken cancellationToken) => ValueTask.FromResult(new OutputChunk(0, false));

    public ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void CloseInput()
    {
    }

    public Task ResizeAsync(int width, int height, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<int?> ExitCodeAsync(CancellationToken cancellationToken) => Task.FromResult(exitCode);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
