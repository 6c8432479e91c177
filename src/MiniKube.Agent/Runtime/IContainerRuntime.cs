namespace MiniKube.Agent.Runtime;

/// <summary>
/// What the kubelet needs from a container runtime, shaped after the CRI (kubernetes
/// cri-api pkg/apis/runtime/v1): pod sandboxes holding a pod's network namespace, containers
/// joined to them, images, logs. Everything the runtime holds carries the pod's uid and the
/// container's name as labels, so the kubelet can rebuild its view from the runtime alone
/// after a restart and never create a second copy of anything.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>Whether containers only pretend to run (KWOK's role): nothing listens on pod IPs, so httpGet and tcpSocket probes and hooks count as passed.</summary>
    bool Simulated { get; }

    /// <summary>Whether the runtime answers, and if not why (for the node's Ready condition).</summary>
    Task<RuntimeStatus> StatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Why pods that are not hostNetwork cannot get a network yet (CRI's NetworkReady=false
    /// message), or null when they can. Cheap: read on every pod sync. Runtimes without a pod
    /// network of their own are always ready.
    /// </summary>
    string? NetworkProblem => null;

    /// <summary>
    /// Hands the runtime its node's podCIDR (CRI's UpdateRuntimeConfig with a PodCIDR, which the
    /// kubelet calls once its Node has one); idempotent. A runtime that wires pods sets its
    /// network up here, and throws <see cref="IOException"/> when it cannot.
    /// </summary>
    Task UpdatePodCidrAsync(System.Net.IPNetwork podCidr, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Releases what pod networking still holds for sandboxes that no longer exist (addresses,
    /// hostPort rules), as CNI's GC; the kubelet calls it with its housekeeping.
    /// </summary>
    Task CollectGarbageAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>CRI's ImageStatus: the local image <paramref name="image"/> names, or null when it is not here.</summary>
    Task<ImageInfo?> ImageStatusAsync(string image, CancellationToken cancellationToken);

    /// <summary>
    /// CRI's PullImage: pulls <paramref name="image"/>, through the node's registry mirrors, with
    /// <paramref name="credential"/> (null: the node's own credentials for each registry, if any),
    /// and returns it as stored under the name asked for; throws <see cref="ImageException"/>
    /// (ErrImagePull) with the registry's answer when it cannot.
    /// </summary>
    Task<ImageInfo> PullImageAsync(string image, RegistryCredential? credential, CancellationToken cancellationToken);

    /// <summary>Loads image tarballs (docker save format) from <paramref name="directory"/> that were not loaded yet (air-gapped nodes, as k3s' agent/images); returns the files loaded.</summary>
    Task<IReadOnlyList<string>> ImportImagesAsync(string directory, CancellationToken cancellationToken);

    /// <summary>Starts a pod's sandbox (its network namespace) and returns it with its IP.</summary>
    Task<PodSandbox> RunSandboxAsync(SandboxConfig config, CancellationToken cancellationToken);

    Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Every sandbox this runtime holds for mkube (all pods).</summary>
    Task<IReadOnlyList<PodSandbox>> ListSandboxesAsync(CancellationToken cancellationToken);

    /// <summary>Creates (does not start) a container in the sandbox's namespaces.</summary>
    Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken);

    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    Task StopContainerAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken);

    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Every container this runtime holds for mkube (all pods, all attempts), sandboxes excluded.</summary>
    Task<IReadOnlyList<ContainerInfo>> ListContainersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every sandbox and every container at once (CRI's ListPodSandbox + ListContainers): the
    /// kubelet's relist, which runs every second, so a runtime answers it with as few calls to
    /// its daemon as it can (Docker: one list).
    /// </summary>
    Task<RuntimePods> ListPodsAsync(CancellationToken cancellationToken);

    /// <summary>Runs a command in a running container and returns its exit code (exec probes); throws <see cref="TimeoutException"/> past <paramref name="timeout"/>.</summary>
    Task<int> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>A container's output, as kubectl logs shows it.</summary>
    Task<Stream> LogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken);

    /// <summary>Starts <see cref="StreamRequest.Command"/> in a running container with its standard streams relayed (kubectl exec).</summary>
    Task<IProcessStreams> ExecAsync(string containerId, StreamRequest request, CancellationToken cancellationToken);

    /// <summary>Joins the standard streams of a running container's main process (kubectl attach); the command is ignored.</summary>
    Task<IProcessStreams> AttachAsync(string containerId, StreamRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The node's CPU and memory as this runtime sees it (cadvisor's root container): the host's
    /// figures for a runtime of real processes, made-up ones for a simulated node.
    /// </summary>
    Task<Stats.ResourceUsage> NodeUsageAsync(CancellationToken cancellationToken);

    /// <summary>
    /// CPU and memory of each of <paramref name="containers"/> that is running, by container id
    /// (the kubelet's stats provider reads them for /stats/summary and /metrics/resource); a
    /// container whose figures cannot be read is left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, Stats.ResourceUsage>> ContainerUsageAsync(IReadOnlyList<ContainerInfo> containers, CancellationToken cancellationToken);

    /// <summary>
    /// A TCP connection to <paramref name="port"/> in the sandbox's network namespace (CRI's
    /// PortForward, for kubectl port-forward); the caller owns and closes it.
    /// </summary>
    /// <exception cref="PortForwardException">Nothing accepts the connection; the message says why, as kubectl shows it.</exception>
    Task<Stream> PortForwardAsync(PodSandbox sandbox, int port, CancellationToken cancellationToken);
}

/// <summary>Which streams an exec or attach wants, and the command of an exec.</summary>
public sealed record StreamRequest(IReadOnlyList<string> Command, bool Stdin, bool Stdout, bool Stderr, bool Tty);

/// <summary>One chunk of a process's output: <see cref="Count"/> bytes, 0 when the output has ended.</summary>
public readonly record struct OutputChunk(int Count, bool Stderr);

/// <summary>
/// The standard streams of a process in a container, for the kubelet to relay. One reader and
/// one writer may use it at the same time (output is read by one task, input written by another).
/// </summary>
public interface IProcessStreams : IAsyncDisposable
{
    ValueTask<OutputChunk> ReadOutputAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Ends the process's stdin (it reads end-of-file).</summary>
    void CloseInput();

    Task ResizeAsync(int width, int height, CancellationToken cancellationToken);

    /// <summary>The exec'd command's exit code once its output has ended; null for an attach.</summary>
    Task<int?> ExitCodeAsync(CancellationToken cancellationToken);
}

public enum ImagePullPolicy
{
    Always,
    IfNotPresent,
    Never,
}

public sealed record RuntimeStatus(bool Ready, string Version, string? Problem);

/// <summary>A local image: its id and its size in bytes (what the kubelet's Pulled event reports).</summary>
public sealed record ImageInfo(string Id, long Size);

/// <summary>
/// Credentials for one registry pull (CRI's AuthConfig): a user and password, base64
/// <c>user:password</c> in <paramref name="Auth"/>, or a token. <see cref="ToString"/> never shows
/// them, so a credential that reaches a log or a message by accident says nothing.
/// </summary>
public sealed record RegistryCredential(string? Username, string? Password, string? Auth = null, string? IdentityToken = null, string? RegistryToken = null)
{
    public override string ToString() => "RegistryCredential { (redacted) }";
}

/// <summary>A pod's identity and the facts its sandbox needs.</summary>
public sealed record SandboxConfig(string PodUid, string Namespace, string PodName, string Hostname)
{
    /// <summary>hostPort mappings of all containers (protocol "TCP"/"UDP").</summary>
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];

    /// <summary>Host-network pods share the node's network namespace.</summary>
    public bool HostNetwork { get; init; }

    /// <summary>The pod's resolv.conf (CRI's DNSConfig); null leaves the runtime's default, the host's.</summary>
    public DnsConfig? Dns { get; init; }
}

/// <summary>What a pod's resolv.conf says: nameservers, search domains, options such as <c>ndots:5</c>.</summary>
public sealed record DnsConfig(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options);

public sealed record PortMapping(int ContainerPort, int HostPort, string Protocol, string? HostIp);

/// <summary>What one listing of the runtime found: all sandboxes and all containers.</summary>
public sealed record RuntimePods(IReadOnlyList<PodSandbox> Sandboxes, IReadOnlyList<ContainerInfo> Containers);

/// <summary>A running or stopped sandbox; <see cref="Ip"/> is the pod IP.</summary>
public sealed record PodSandbox(string Id, string PodUid, string Namespace, string PodName, string? Ip, bool Running);

public sealed record ContainerConfig(string Name, string Image)
{
    /// <summary>Overrides the image's entrypoint when not empty (Kubernetes "command").</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Overrides the image's cmd when not empty (Kubernetes "args").</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string? WorkingDir { get; init; }

    public IReadOnlyList<Mount> Mounts { get; init; } = [];

    /// <summary>CPU limit in millicores (0: none), memory limit in bytes (0: none), CPU request in millicores for shares.</summary>
    public long CpuLimitMillis { get; init; }

    public long MemoryLimitBytes { get; init; }

    public long CpuRequestMillis { get; init; }

    public long? RunAsUser { get; init; }

    public bool Privileged { get; init; }

    public bool ReadOnlyRootFilesystem { get; init; }

    public bool Tty { get; init; }

    public bool Stdin { get; init; }

    /// <summary>Stdin is closed when the first attach that used it ends (Kubernetes stdinOnce).</summary>
    public bool StdinOnce { get; init; }

    /// <summary>Which restart of this container this is (0 first), kept as a label.</summary>
    public int Attempt { get; init; }

    /// <summary>Init containers are labelled so status can tell them apart.</summary>
    public bool Init { get; init; }

    /// <summary>An ephemeral container (kubectl debug): never restarted, labelled so status lists it apart.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>
    /// The runtime id of a container whose process namespace this one joins (an ephemeral
    /// container's targetContainerName, as CRI's NamespaceOption TARGET); null for its own.
    /// </summary>
    public string? ProcessNamespaceOf { get; init; }

    /// <summary>The container is meant to end (an init container, or restartPolicy Never/OnFailure); a simulated runtime ends it after a while.</summary>
    public bool RunsToCompletion { get; init; }
}

public sealed record Mount(string HostPath, string ContainerPath, bool ReadOnly);

public enum ContainerState
{
    Created,
    Running,
    Exited,
    Unknown,
}

/// <summary>What the runtime knows of one container.</summary>
public sealed record ContainerInfo(string Id, string PodUid, string Name, int Attempt, bool Init, ContainerState State, string Image, string ImageId)
{
    public int ExitCode { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Runtime's reason when it knows one (e.g. "OOMKilled").</summary>
    public string? Reason { get; init; }

    /// <summary>An ephemeral container (see <see cref="ContainerConfig.Ephemeral"/>).</summary>
    public bool Ephemeral { get; init; }
}

public sealed record LogOptions
{
    public bool Follow { get; init; }

    public int? TailLines { get; init; }

    public bool Timestamps { get; init; }

    public DateTimeOffset? Since { get; init; }
}

/// <summary>An image that cannot be had; <see cref="Reason"/> is the kubelet's waiting reason (ErrImagePull, ErrImageNeverPull, ImagePullBackOff).</summary>
public sealed class ImageException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;

    /// <summary>No registry answered at all (name lookup, connection refused, timeout), as opposed to one that refused the pull.</summary>
    public bool RegistryUnreachable { get; init; }

    /// <summary>When the kubelet should look at the container again; null for its default.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>A port-forward's connection into the pod failed (refused, unreachable); the message is containerd's wording.</summary>
public sealed class PortForwardException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>The runtime cannot be reached (Docker down); the node reports it in its Ready condition.</summary>
public sealed class RuntimeUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
