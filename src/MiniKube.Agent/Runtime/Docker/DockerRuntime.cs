using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using MiniKube.Agent.Network;
using MiniKube.Agent.Runtime.Registries;

namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// <see cref="IContainerRuntime"/> on the Docker engine, in the pause-container model of
/// dockershim: a sandbox is a container of <c>sandboxImage</c> that owns the pod's network and IPC
/// namespaces; the pod's containers join them. Docker is the only store: everything created
/// carries <see cref="DockerLabels"/>, so a new instance (after an agent restart) lists exactly
/// what an old one created. Stop and remove are idempotent. Every call except
/// <see cref="StatusAsync"/> throws <see cref="RuntimeUnavailableException"/> when Docker cannot
/// be reached; other Docker refusals surface as <see cref="InvalidOperationException"/> with
/// Docker's message, a missing container as <see cref="KeyNotFoundException"/>.
/// With a <see cref="PodNetwork"/> (as every node has), a sandbox that is not hostNetwork starts
/// with Docker's network mode <c>none</c> and is then wired by it (the CNI role: a veth on the
/// node's bridge, an address from the node's podCIDR, hostPort DNAT); its address is the one the
/// network holds for the sandbox container's id. Without one, sandboxes join Docker's default
/// bridge and Docker's address and port publishing are used (tests of the runtime alone).
/// </summary>
internal sealed partial class DockerRuntime : IContainerRuntime, IDisposable
{
    public bool Simulated => false;

    public const string DefaultEndpoint = "unix:///var/run/docker.sock";
    public const string DefaultSandboxImage = "mkube.local/pause:1";

    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _docker;
    private readonly string _endpoint;
    private readonly string _sandboxImage;
    private readonly RegistriesFile _registries;
    private readonly ILogger _logger;

    // Image tarballs already loaded, by path, with the size and mtime they had then.
    private readonly Dictionary<string, (long Size, DateTime ModifiedUtc)> _imported = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _importLock = new(1, 1);

    /// <summary>The owner label value of runtimes not bound to a named node (tests).</summary>
    public const string DefaultNode = "true";

    private readonly string _node;
    private readonly PodNetwork? _network;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string State, ContainerInfo Info)> _inspected = new(StringComparer.Ordinal);

    // Containers this runtime is starting right now (see ToContainerInfosAsync).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _starting = new(StringComparer.Ordinal);

    /// <param name="registriesFile">The node's registries.yaml (k3s' format), read again when it changes; null: none.</param>
    /// <param name="certsDirectory">Where dockerd reads registry certificates; the tls files of <paramref name="registriesFile"/> go there.</param>
    public DockerRuntime(ILogger<DockerRuntime> logger, string endpoint = DefaultEndpoint, string sandboxImage = DefaultSandboxImage, string node = DefaultNode, PodNetwork? network = null,
        string? registriesFile = null, string certsDirectory = DockerCertsDirectory.DefaultRoot)
    {
        _node = node;
        _network = network;
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxImage);
        _logger = logger;
        _endpoint = endpoint;
        _sandboxImage = ImageReference.Parse(sandboxImage).Normalized.ToString();
        _configuration = new DockerClientConfiguration(new Uri(endpoint));
        _docker = _configuration.CreateClient();
        _registries = new RegistriesFile(registriesFile, logger) { Applied = new DockerCertsDirectory(certsDirectory, logger).Apply };
        _registries.Current(); // its certificates are in place before the first pull
    }

    public async Task<RuntimeStatus> StatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await CallAsync(async () =>
            {
                await _docker.System.PingAsync(cancellationToken);
                return await _docker.System.GetVersionAsync(cancellationToken);
            });
            return new RuntimeStatus(true, version.Version ?? "", null);
        }
        catch (RuntimeUnavailableException e)
        {
            return new RuntimeStatus(false, "", e.Message);
        }
        catch (InvalidOperationException e)
        {
            return new RuntimeStatus(false, "", $"Docker at {_endpoint} is not healthy: {e.Message}");
        }
    }

    public string? NetworkProblem => _network?.Problem;

    public Task UpdatePodCidrAsync(IPNetwork podCidr, CancellationToken cancellationToken) =>
        _network?.ConfigureAsync(podCidr, cancellationToken) ?? Task.CompletedTask;

    public Task CollectGarbageAsync(CancellationToken cancellationToken) =>
        _network?.CollectGarbageAsync(async token =>
            (await ListManagedAsync((DockerLabels.Sandbox, "true"), token)).Select(c => c.ID).ToHashSet(StringComparer.Ordinal), cancellationToken)
        ?? Task.CompletedTask;

    public async Task<PodSandbox> RunSandboxAsync(SandboxConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var begun = System.Diagnostics.Stopwatch.GetTimestamp();
        var wired = _network is not null && !config.HostNetwork;
        if (wired && _network!.Problem is { } problem)
        {
            throw new InvalidOperationException($"network is not ready: {problem}");
        }
        var created = await CreateSandboxAsync(config, wired, cancellationToken);
        var made = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await CallAsync(() => _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken));
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var inspect = await CallAsync(() => _docker.Containers.InspectContainerAsync(created.ID, cancellationToken));
            var inspected = System.Diagnostics.Stopwatch.GetTimestamp();
            var ip = config.HostNetwork ? null
                : wired ? await WireAsync(created.ID, config, inspect, cancellationToken)
                : BridgeIp(inspect.NetworkSettings?.Networks, inspect.NetworkSettings?.IPAddress);
            LogSandboxStarted(config.Namespace, config.PodName, created.ID, ip ?? "host");
            var done = System.Diagnostics.Stopwatch.GetTimestamp();
            var (create, start, inspecting, network) = (Ms(begun, made), Ms(made, started), Ms(started, inspected), Ms(inspected, done));
            LogSandboxSteps(config.Namespace, config.PodName, create, start, inspecting, network);
            return new PodSandbox(created.ID, config.PodUid, config.Namespace, config.PodName, ip, inspect.State?.Running ?? false);
        }
        catch
        {
            // A sandbox that did not start is useless and would hold its name: take it away.
            await RemoveQuietlyAsync(created.ID);
            throw;
        }
    }

    /// <summary>
    /// Creates the sandbox container. The common case takes one Docker call: the pause image is
    /// there and the pod has no sandbox left (the kubelet removes dead ones first), so attempt 0
    /// is free. Only when Docker says otherwise is the image made present (pulled if need be) or
    /// the pod's sandboxes listed for the next attempt number, so the new name never collides
    /// with a stopped sandbox the kubelet has not removed yet.
    /// </summary>
    private async Task<CreateContainerResponse> CreateSandboxAsync(SandboxConfig config, bool wired, CancellationToken cancellationToken)
    {
        var attempt = 0;
        for (var tries = 0; ; tries++)
        {
            try
            {
                return await CallAsync(() => _docker.Containers.CreateContainerAsync(
                    DockerContainerSpecs.Sandbox(config, _sandboxImage, attempt, _node, podNetwork: wired), cancellationToken));
            }
            catch (InvalidOperationException e) when (tries < 2 && e.InnerException is DockerImageNotFoundException)
            {
                await EnsureSandboxImageAsync(cancellationToken);
            }
            catch (InvalidOperationException e) when (tries < 2 && e.InnerException is DockerApiException { StatusCode: HttpStatusCode.Conflict })
            {
                var earlier = await CallAsync(() => _docker.Containers.ListContainersAsync(new ContainersListParameters
                {
                    All = true,
                    Filters = DockerLabels.Filter((DockerLabels.Managed, _node), (DockerLabels.Sandbox, "true"), (DockerLabels.PodUid, config.PodUid)),
                }, cancellationToken));
                attempt = earlier.Count == 0 ? attempt + 1 : earlier.Max(c => DockerLabels.GetInt(c.Labels, DockerLabels.Attempt)) + 1;
            }
        }
    }

    /// <summary>Plugs a started sandbox into the pod network and names its address in its hosts file (which its containers share).</summary>
    private async Task<string> WireAsync(string sandboxId, SandboxConfig config, ContainerInspectResponse inspect, CancellationToken cancellationToken)
    {
        var pid = (int)(inspect.State?.Pid ?? 0);
        if (pid <= 0)
        {
            throw new InvalidOperationException($"sandbox {sandboxId} has no process to take its network namespace from (state {inspect.State?.Status})");
        }
        var ip = (await _network!.AttachAsync(sandboxId, pid, config.Ports, cancellationToken)).ToString();
        if (!string.IsNullOrEmpty(inspect.HostsPath))
        {
            // Network mode none gives the pod's hostname no address; pods that resolve their own name need one (as the kubelet's etc-hosts says).
            await File.AppendAllTextAsync(inspect.HostsPath, $"{ip}\t{config.Hostname}\n", cancellationToken);
        }
        return ip;
    }

    public Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        // The pause process exits on SIGTERM at once; the grace only covers a busy daemon.
        StopContainerAsync(sandboxId, TimeSpan.FromSeconds(10), cancellationToken);

    public async Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await RemoveContainerAsync(sandboxId, cancellationToken);
        if (_network is not null)
        {
            await _network.DetachAsync(sandboxId, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PodSandbox>> ListSandboxesAsync(CancellationToken cancellationToken) =>
        [.. (await ListManagedAsync((DockerLabels.Sandbox, "true"), cancellationToken)).Select(ToSandbox)];

    public async Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(config);
        var created = await CallAsync(() => _docker.Containers.CreateContainerAsync(
            DockerContainerSpecs.Container(sandbox, config, _node), cancellationToken));
        foreach (var warning in created.Warnings ?? [])
        {
            LogDockerWarning(config.Name, warning);
        }

        return created.ID;
    }

    public async Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        _starting[containerId] = true;
        try
        {
            await CallAsync(() => _docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken));
        }
        catch (InvalidOperationException e) when (e.InnerException is DockerContainerNotFoundException)
        {
            throw new KeyNotFoundException($"container {containerId} does not exist", e);
        }
        finally
        {
            _starting.TryRemove(containerId, out _);
        }
    }

    public async Task StopContainerAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken)
    {
        // Docker sends the image's stop signal (SIGTERM), waits whole seconds, then SIGKILLs.
        var seconds = (uint)Math.Clamp(Math.Ceiling(grace.TotalSeconds), 0, uint.MaxValue);
        try
        {
            if (seconds == 0)
            {
                // Docker.DotNet leaves t=0 out of the query, and Docker then waits its default 10 s.
                await CallAsync(() => _docker.Containers.KillContainerAsync(
                    containerId, new ContainerKillParameters { Signal = "SIGKILL" }, cancellationToken));
            }
            else
            {
                await CallAsync(() => _docker.Containers.StopContainerAsync(
                    containerId, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken));
            }
        }
        catch (InvalidOperationException e) when (e.InnerException is DockerContainerNotFoundException)
        {
            // Already gone: stopped as far as anyone can tell.
        }
        catch (InvalidOperationException e) when (e.InnerException is DockerApiException { StatusCode: HttpStatusCode.Conflict })
        {
            // Kill of a container that is not running: already stopped.
        }
    }

    public async Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(() => _docker.Containers.RemoveContainerAsync(
                containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken));
        }
        catch (InvalidOperationException e) when (e.InnerException is DockerContainerNotFoundException)
        {
            // Already removed.
        }
    }

    public async Task<IReadOnlyList<ContainerInfo>> ListContainersAsync(CancellationToken cancellationToken) =>
        await ToContainerInfosAsync(await ListManagedAsync((DockerLabels.Sandbox, "false"), cancellationToken), cancellationToken);

    /// <summary>One Docker list for both (the relist every second): sandboxes and containers told apart by their label.</summary>
    public async Task<RuntimePods> ListPodsAsync(CancellationToken cancellationToken)
    {
        var listed = await ListManagedAsync(null, cancellationToken);
        var sandboxes = listed.Where(c => DockerLabels.Get(c.Labels, DockerLabels.Sandbox) == "true").ToList();
        var containers = listed.Where(c => DockerLabels.Get(c.Labels, DockerLabels.Sandbox) != "true").ToList();
        return new RuntimePods([.. sandboxes.Select(ToSandbox)], await ToContainerInfosAsync(containers, cancellationToken));
    }

    /// <summary>Every container of this node (all states), optionally narrowed by one more label.</summary>
    private async Task<IList<ContainerListResponse>> ListManagedAsync((string Key, string Value)? label, CancellationToken cancellationToken) =>
        await CallAsync(() => _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = label is { } extra ? DockerLabels.Filter((DockerLabels.Managed, _node), extra) : DockerLabels.Filter((DockerLabels.Managed, _node)),
        }, cancellationToken));

    private PodSandbox ToSandbox(ContainerListResponse c)
    {
        var running = string.Equals(c.State, "running", StringComparison.Ordinal);
        var networks = c.NetworkSettings?.Networks;
        var hostNetwork = networks?.ContainsKey("host") ?? false;
        var wired = _network is not null && (networks?.ContainsKey("none") ?? false);
        var ip = !running || hostNetwork ? null
            : wired ? _network!.AddressOf(c.ID)?.ToString()
            : BridgeIp(networks, null);
        return new PodSandbox(
            c.ID,
            DockerLabels.Get(c.Labels, DockerLabels.PodUid),
            DockerLabels.Get(c.Labels, DockerLabels.PodNamespace),
            DockerLabels.Get(c.Labels, DockerLabels.PodName),
            ip,
            running);
    }

    private async Task<IReadOnlyList<ContainerInfo>> ToContainerInfosAsync(IList<ContainerListResponse> listed, CancellationToken cancellationToken)
    {
        // A list entry lacks exit code, times and OOM; inspect has them. A container's inspect
        // result only changes when its state does, so it is remembered per (id, state): the
        // kubelet relists every second, and inspecting every container each time would make
        // that hundreds of Docker calls.
        // The containers whose state is new are inspected at once rather than one after another:
        // when pods start together, a relist finds many, and the pods' status writes wait for it.
        var inspected = await Task.WhenAll(listed.Select(async container =>
        {
            if (_inspected.TryGetValue(container.ID, out var known) && known.State == container.State)
            {
                return known.Info;
            }
            if (_starting.ContainsKey(container.ID) && container.State == "created")
            {
                // Docker holds a container's lock while it starts it, and an inspect waits for
                // it: seconds when many start at once, which held up every pod's status write
                // behind this relist. It is Created for now; the relist after its start inspects it.
                return ListedAsCreated(container);
            }
            var inspect = await InspectOrNullAsync(container.ID, cancellationToken);
            if (inspect is null)
            {
                return null; // removed since the listing
            }
            var info = DockerContainerStatus.ToContainerInfo(inspect);
            _inspected[container.ID] = (container.State, info);
            return info;
        }));
        var infos = inspected.OfType<ContainerInfo>().ToList();
        var present = listed.Select(c => c.ID).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _inspected.Keys.Where(id => !present.Contains(id)))
        {
            _inspected.TryRemove(gone, out _);
        }

        return infos;
    }

    private static ContainerInfo ListedAsCreated(ContainerListResponse container) =>
        new(
            container.ID,
            DockerLabels.Get(container.Labels, DockerLabels.PodUid),
            DockerLabels.Get(container.Labels, DockerLabels.ContainerName),
            DockerLabels.GetInt(container.Labels, DockerLabels.Attempt),
            DockerLabels.GetBool(container.Labels, DockerLabels.Init),
            ContainerState.Created,
            container.Image ?? "",
            container.ImageID ?? "")
        {
            Ephemeral = DockerLabels.GetBool(container.Labels, DockerLabels.Ephemeral),
        };

    public async Task<Stream> LogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var inspect = await InspectOrNullAsync(containerId, cancellationToken)
            ?? throw new KeyNotFoundException($"container {containerId} does not exist");
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Follow = options.Follow,
            Timestamps = options.Timestamps,
            Tail = options.TailLines is { } tail ? Math.Max(tail, 0).ToString(CultureInfo.InvariantCulture) : "all",
            Since = options.Since is { } since ? UnixSeconds(since) : null,
        };
        // A TTY container's output is one unframed stream; otherwise Docker frames stdout and stderr.
        var tty = inspect.Config?.Tty == true;
        var output = await CallAsync(() => _docker.Containers.GetContainerLogsAsync(containerId, tty, parameters, cancellationToken));
        return new DockerLogStream(output);
    }

    public async Task<int> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var exec = await CallAsync(() => _docker.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters
            {
                Cmd = [.. command],
                AttachStdout = true,
                AttachStderr = true,
            }, deadline.Token));
            using (var output = await CallAsync(() => _docker.Exec.StartAndAttachContainerExecAsync(exec.ID, false, deadline.Token)))
            {
                await output.ReadOutputToEndAsync(deadline.Token);
            }
            var inspect = await CallAsync(() => _docker.Exec.InspectContainerExecAsync(exec.ID, deadline.Token));
            return (int)inspect.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"command timed out after {timeout.TotalSeconds}s");
        }
    }

    public async Task<IProcessStreams> ExecAsync(string containerId, StreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var exec = await CallAsync(() => _docker.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = [.. request.Command],
            AttachStdin = request.Stdin,
            AttachStdout = request.Stdout,
            AttachStderr = request.Stderr,
            Tty = request.Tty,
        }, cancellationToken));
        var stream = await CallAsync(() => _docker.Exec.StartAndAttachContainerExecAsync(exec.ID, request.Tty, cancellationToken));
        return new DockerProcessStreams(_docker, stream, exec.ID, request.Tty, containerId);
    }

    /// <summary>Dials the sandbox's bridge address, or the node's loopback for a host-network pod (whose ports are the node's).</summary>
    public Task<Stream> PortForwardAsync(PodSandbox sandbox, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var address = sandbox.Ip is { } ip && System.Net.IPAddress.TryParse(ip, out var parsed) ? parsed : System.Net.IPAddress.Loopback;
        return PodPortDialer.DialAsync(address, port, sandbox.Id, cancellationToken);
    }

    public async Task<IProcessStreams> AttachAsync(string containerId, StreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inspect = await InspectOrNullAsync(containerId, cancellationToken)
            ?? throw new KeyNotFoundException($"container {containerId} does not exist");
        // The stream's framing follows the container's own TTY setting, not the request's.
        var tty = inspect.Config?.Tty == true;
        var stream = await CallAsync(() => _docker.Containers.AttachContainerAsync(containerId, tty, new ContainerAttachParameters
        {
            Stream = true,
            Stdin = request.Stdin && inspect.Config?.OpenStdin == true,
            Stdout = request.Stdout,
            Stderr = request.Stderr,
        }, cancellationToken));
        // Docker ends an attach's output as soon as its stdin closes, unless the container is
        // stdinOnce without a TTY (then it closes the container's stdin instead). Upstream's
        // runtimes keep the output flowing until the process ends and close the container's
        // stdin only for stdinOnce, so the client's end of input is passed on only then.
        var passEndOfInput = !tty && inspect.Config?.StdinOnce == true;
        return new DockerProcessStreams(_docker, stream, null, tty, containerId) { PassesEndOfInput = passEndOfInput };
    }

    /// <summary>
    /// Loads every <c>*.tar</c> (<c>docker save</c> format) in <paramref name="directory"/> into
    /// Docker, like k3s's agent/images directory for air-gapped nodes. A file already loaded by
    /// this instance with the same size and modification time is skipped; a file Docker refuses
    /// is logged and tried again on the next call. Returns the files loaded by this call.
    /// </summary>
    public async Task<IReadOnlyList<string>> ImportImagesAsync(string directory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        await _importLock.WaitAsync(cancellationToken);
        try
        {
            var loaded = new List<string>();
            foreach (var path in Directory.GetFiles(directory, "*.tar").Order(StringComparer.Ordinal))
            {
                var file = new FileInfo(path);
                var stamp = (file.Length, file.LastWriteTimeUtc);
                if (_imported.TryGetValue(path, out var seen) && seen == stamp)
                {
                    continue;
                }

                var error = await LoadTarballAsync(path, cancellationToken);
                if (error is not null)
                {
                    LogImportFailed(path, error);
                    continue;
                }

                _imported[path] = stamp;
                loaded.Add(path); // the kubelet logs what was loaded
            }

            return loaded;
        }
        finally
        {
            _importLock.Release();
        }
    }

    public void Dispose()
    {
        _network?.Dispose();
        _docker.Dispose();
        _configuration.Dispose();
        _importLock.Dispose();
    }

    private async Task<string?> LoadTarballAsync(string path, CancellationToken cancellationToken)
    {
        var progress = new ErrorCollector();
        try
        {
            await using var tarball = File.OpenRead(path);
            await CallAsync(() => _docker.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, tarball, progress, cancellationToken));
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }

        return progress.Error;
    }

    private async Task<ContainerInspectResponse?> InspectOrNullAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(() => _docker.Containers.InspectContainerAsync(containerId, cancellationToken));
        }
        catch (InvalidOperationException e) when (e.InnerException is DockerContainerNotFoundException)
        {
            return null;
        }
    }

    private async Task RemoveQuietlyAsync(string containerId)
    {
        try
        {
            await RemoveContainerAsync(containerId, CancellationToken.None);
        }
        catch (Exception e) when (e is RuntimeUnavailableException or InvalidOperationException)
        {
            // The original failure is what the caller needs to see; this one is only logged.
            LogCleanupFailed(containerId, e.Message);
        }
    }

    /// <summary>
    /// Runs one Docker call, translating its failures into the runtime contract's terms: an
    /// unreachable daemon becomes <see cref="RuntimeUnavailableException"/>, any refusal an
    /// <see cref="InvalidOperationException"/> carrying Docker's message (and the Docker exception
    /// as inner, so callers here can tell not-found apart).
    /// </summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e)
        {
            throw new InvalidOperationException(DockerMessage(e), e);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            throw new RuntimeUnavailableException($"cannot reach Docker at {_endpoint}: {Innermost(e).Message}", e);
        }
    }

    private Task<bool> CallAsync(Func<Task> call) => CallAsync(async () =>
    {
        await call();
        return true;
    });

    private static string? BridgeIp(IDictionary<string, EndpointSettings>? networks, string? fallback)
    {
        if (networks is not null)
        {
            if (networks.TryGetValue("bridge", out var bridge) && !string.IsNullOrEmpty(bridge.IPAddress))
            {
                return bridge.IPAddress;
            }

            var any = networks.Values.FirstOrDefault(n => !string.IsNullOrEmpty(n.IPAddress));
            if (any is not null)
            {
                return any.IPAddress;
            }
        }

        return string.IsNullOrEmpty(fallback) ? null : fallback;
    }

    private static long Ms(long from, long to) => (long)System.Diagnostics.Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static string UnixSeconds(DateTimeOffset time)
    {
        var ticks = time.ToUniversalTime().Ticks - DateTimeOffset.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{remainder * 100:D9}");
    }

    private static string DockerMessage(DockerApiException e)
    {
        // Docker answers errors as {"message": "..."}.
        try
        {
            using var body = JsonDocument.Parse(e.ResponseBody ?? "");
            if (body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString() ?? e.Message;
            }
        }
        catch (JsonException)
        {
            // Not JSON: the body itself is the best message there is.
        }

        return string.IsNullOrWhiteSpace(e.ResponseBody) ? $"Docker answered {(int)e.StatusCode} {e.StatusCode}" : e.ResponseBody.Trim();
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    /// <summary>Keeps the first error of a Docker progress stream (pull, load), reported synchronously.</summary>
    private sealed class ErrorCollector : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            var error = value.Error?.Message ?? value.ErrorMessage;
            if (Error is null && !string.IsNullOrEmpty(error))
            {
                Error = error;
            }
        }
    }
}
