using System.Net;

namespace MiniKube.Agent.Network;

/// <summary>
/// One node's pod network, the role the bridge + host-local + portmap CNI plugins play under
/// containerd: not ready until <see cref="ConfigureAsync"/> is given the node's podCIDR (the
/// kubelet reads it from its Node, as upstream's kubelet hands it to the runtime with CRI's
/// UpdateRuntimeConfig); then it keeps the bridge and the forward/masquerade rules, and plugs
/// each sandbox in (<see cref="AttachAsync"/>: an address from <see cref="PodIpam"/>, a veth,
/// hostPort DNAT) and out (<see cref="DetachAsync"/>). An address's owner is its sandbox's
/// container id, and an address is taken only once that container exists, which is what lets
/// <see cref="CollectGarbageAsync"/> release what no sandbox holds without racing a sandbox
/// being made. Across nodes, <see cref="OverlayNetwork"/> keeps the routes to other nodes'
/// podCIDRs; the bridge's MTU already leaves VXLAN's 50 bytes free.
/// </summary>
public sealed partial class PodNetwork : IDisposable
{
    private readonly PodNetworkOptions _options;
    private readonly IHostCommands _commands;
    private readonly ILogger _logger;
    private readonly Iptables _iptables;
    private readonly PodBridge _bridge;
    private readonly PodNetworkRules _rules;
    private readonly HostPortRules _hostPorts;
    private readonly SemaphoreSlim _configureLock = new(1, 1);
    private readonly int _mtu;

    // The addresses pods held when this process started, until the podCIDR is known again: a
    // restarted kubelet's first status writes must not drop the running pods' IPs.
    private readonly Dictionary<string, IPAddress> _restored;
    private volatile Configured? _configured;
    private volatile string _problem = "mkube pod network not initialized: the node has no spec.podCIDR yet";

    public PodNetwork(PodNetworkOptions options, IHostCommands commands, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _commands = commands;
        _logger = logger;
        _iptables = new Iptables(commands);
        _bridge = new PodBridge(commands, options.BridgeName, logger);
        _rules = new PodNetworkRules(_iptables, options.ClusterCidr, options.ChainPrefix);
        _hostPorts = new HostPortRules(_iptables, options.ChainPrefix);
        _mtu = options.ResolveMtu();
        _restored = PodIpam.ReadAllocations(Path.Combine(options.IpamDirectory, options.NetworkName));
    }

    /// <summary>Why pods cannot be wired yet (CRI's NetworkReady=false message); null once ready.</summary>
    public string? Problem => _configured is null ? _problem : null;

    /// <summary>The podCIDR in use, once configured.</summary>
    public IPNetwork? PodCidr => _configured?.Ipam.Subnet;

    public int Mtu => _mtu;

    /// <summary>
    /// Sets the network up for <paramref name="podCidr"/>: the bridge with its first address, the
    /// rules, the IPAM of that range (allocations kept from before a restart). Idempotent; a
    /// failure leaves the network not ready, with the reason in <see cref="Problem"/>, and throws.
    /// </summary>
    public async Task ConfigureAsync(IPNetwork podCidr, CancellationToken cancellationToken)
    {
        await _configureLock.WaitAsync(cancellationToken);
        try
        {
            if (_configured is { } current && current.Ipam.Subnet.Equals(podCidr))
            {
                return;
            }
            var ipam = new PodIpam(Path.Combine(_options.IpamDirectory, _options.NetworkName), podCidr);
            await _bridge.EnsureAsync(ipam.Gateway, podCidr.PrefixLength, _mtu, cancellationToken);
            await _rules.EnsureAsync(cancellationToken);
            await _hostPorts.EnsureAsync(cancellationToken);
            _configured = new Configured(ipam, new PodInterfaces(_commands, _options.BridgeName, _mtu));
            LogConfigured(podCidr, _options.BridgeName, ipam.Gateway, _mtu);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _problem = $"setting up the mkube pod network for {podCidr} failed: {e.Message}";
            throw;
        }
        finally
        {
            _configureLock.Release();
        }
    }

    /// <summary>
    /// Plugs the sandbox whose container is <paramref name="sandboxId"/> (created, with its
    /// network namespace held by process <paramref name="pid"/>) into the network and returns its
    /// address. On failure nothing of it is left but the container, which the caller removes.
    /// </summary>
    public async Task<IPAddress> AttachAsync(string sandboxId, int pid, IReadOnlyList<Runtime.PortMapping> ports, CancellationToken cancellationToken)
    {
        var configured = _configured ?? throw new InvalidOperationException($"network is not ready: {_problem}");
        var begun = System.Diagnostics.Stopwatch.GetTimestamp();
        var address = configured.Ipam.Allocate(sandboxId);
        try
        {
            var allocated = System.Diagnostics.Stopwatch.GetTimestamp();
            var subnet = configured.Ipam.Subnet;
            await configured.Interfaces.AttachAsync(sandboxId, pid, address, subnet.PrefixLength, configured.Ipam.Gateway, cancellationToken);
            var plugged = System.Diagnostics.Stopwatch.GetTimestamp();
            await _hostPorts.AddAsync(sandboxId, address, ports, cancellationToken);
            var done = System.Diagnostics.Stopwatch.GetTimestamp();
            var (allocating, plugging, hostPorts) = (Ms(begun, allocated), Ms(allocated, plugged), Ms(plugged, done));
            LogAttached(sandboxId, address, allocating, plugging, hostPorts);
            return address;
        }
        catch
        {
            await DetachAsync(sandboxId, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The sandbox's address, or null when it has none (not wired, or not by this network); before the network is configured, what the IPAM files said at start.</summary>
    public IPAddress? AddressOf(string sandboxId) =>
        _configured is { } configured ? configured.Ipam.AddressOf(sandboxId) : _restored.GetValueOrDefault(sandboxId);

    /// <summary>Unplugs a sandbox: its hostPort rules, its veth if still there, its address. Idempotent.</summary>
    public async Task DetachAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (_configured is not { } configured)
        {
            return;
        }
        await _hostPorts.RemoveAsync(sandboxId, cancellationToken);
        await configured.Interfaces.DetachAsync(sandboxId, cancellationToken);
        if (configured.Ipam.Release(sandboxId))
        {
            LogReleased(sandboxId, _options.BridgeName);
        }
    }

    /// <summary>
    /// Releases the addresses and hostPort chains of sandboxes that no longer exist (a crash
    /// between steps, a container removed behind mkube's back). What is collected is read before
    /// <paramref name="liveSandboxIds"/> lists the sandboxes, so anything made meanwhile, whose
    /// container necessarily came first, is seen as live.
    /// </summary>
    public async Task CollectGarbageAsync(Func<CancellationToken, Task<IReadOnlySet<string>>> liveSandboxIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(liveSandboxIds);
        if (_configured is not { } configured)
        {
            return;
        }
        var owners = configured.Ipam.Allocations.Keys.ToList();
        var chains = await _hostPorts.ListPodChainsAsync(cancellationToken);
        var live = await liveSandboxIds(cancellationToken);
        foreach (var (owner, address) in configured.Ipam.CollectLeaked(owners, live))
        {
            LogLeakCollected(owner, address, _options.BridgeName);
        }
        var liveChains = live.Select(_hostPorts.ChainOf).ToHashSet(StringComparer.Ordinal);
        foreach (var chain in chains.Where(c => !liveChains.Contains(c)))
        {
            await _hostPorts.RemoveChainAsync(chain, cancellationToken);
        }
    }

    /// <summary>
    /// Takes the node's pod network away (uninstall, tests): the rules and hooks, the hostPort
    /// chains, the bridge and the IPAM files. Pods still running lose their network.
    /// </summary>
    public async Task TearDownAsync(CancellationToken cancellationToken)
    {
        await _configureLock.WaitAsync(cancellationToken);
        try
        {
            await _hostPorts.DeleteAllAsync(cancellationToken);
            await _rules.DeleteAsync(cancellationToken);
            await _bridge.DeleteAsync(cancellationToken);
            var ipam = Path.Combine(_options.IpamDirectory, _options.NetworkName);
            if (Directory.Exists(ipam))
            {
                Directory.Delete(ipam, recursive: true);
            }
            _configured = null;
        }
        finally
        {
            _configureLock.Release();
        }
    }

    public void Dispose() => _configureLock.Dispose();

    private static long Ms(long from, long to) => (long)System.Diagnostics.Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private sealed record Configured(PodIpam Ipam, PodInterfaces Interfaces);

    [LoggerMessage(EventId = LogEvents.Agent + 702, Level = LogLevel.Information, Message = "Pod network ready: podCIDR {PodCidr} on bridge {Bridge} ({Gateway}), MTU {Mtu}")]
    private partial void LogConfigured(IPNetwork podCidr, string bridge, IPAddress gateway, int mtu);

    [LoggerMessage(EventId = LogEvents.Agent + 703, Level = LogLevel.Debug, Message = "Released the address of sandbox {SandboxId} on {Bridge}")]
    private partial void LogReleased(string sandboxId, string bridge);

    [LoggerMessage(EventId = LogEvents.Agent + 705, Level = LogLevel.Debug, Message = "Wired sandbox {SandboxId} as {Address}, ms per step: address {Allocate}, interfaces {Interfaces}, hostPorts {HostPorts}")]
    private partial void LogAttached(string sandboxId, IPAddress address, long allocate, long interfaces, long hostPorts);

    [LoggerMessage(EventId = LogEvents.Agent + 704, Level = LogLevel.Information, Message = "Released {Address} of sandbox {SandboxId} on {Bridge}: the sandbox no longer exists")]
    private partial void LogLeakCollected(string sandboxId, IPAddress address, string bridge);
}
