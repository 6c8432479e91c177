using System.Diagnostics;
using MiniKube.Agent.Network;
using MiniKube.Client.Controllers;

namespace MiniKube.Agent.NetworkPolicy;

/// <summary>
/// A node's network policy controller, kube-router's netpol controller
/// (pkg/controllers/netpol/network_policy_controller.go) as k3s runs it in every agent: informs
/// itself of every NetworkPolicy, Pod and Namespace, and after any change compiles the whole state
/// (<see cref="PolicyCompiler"/>) and writes what changed since its last write (<see cref="PolicyFirewall"/>); every
/// <see cref="NetworkPolicyOptions.SyncPeriod"/> it compares with what the host holds and rewrites what differs, so rules removed by hand come back. One key on a
/// <see cref="ReconcileLoop{TKey}"/>: changes that arrive during a sync make one more sync, never a
/// queue of them. A sync whose host commands fail is retried with back-off and never stops the
/// node. The rules stay when the controller stops (pods keep their protection across a restart);
/// <see cref="TearDownAsync"/> removes them.
/// </summary>
public sealed partial class NetworkPolicyController
{
    private const string Key = "network-policies";

    private readonly SharedInformers _informers;
    private readonly PolicyFirewall _firewall;
    private readonly PolicyNames _names;
    private readonly NetworkPolicyOptions _options;
    private readonly ReconcileLoop<string> _loop;
    private readonly ILogger _logger;
    private long? _lastFull;
    private long? _lastSync;

    public NetworkPolicyController(IKubernetes client, IHostCommands commands, NetworkPolicyOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _names = new PolicyNames(options.Prefix);
        _firewall = new PolicyFirewall(commands, _names);
        _logger = loggers.CreateLogger<NetworkPolicyController>();
        _informers = new SharedInformers(client, loggers, new SharedInformerOptions { Time = options.Time });
        _loop = new ReconcileLoop<string>("network policy", 1, SyncAsync, options.Time, _logger);
        _informers.NetworkPolicies.Changed += _ => _loop.Add(Key);
        _informers.Pods.Changed += _ => _loop.Add(Key);
        _informers.Namespaces.Changed += _ => _loop.Add(Key);
    }

    /// <summary>Completes after the first sync that wrote the rules.</summary>
    public TaskCompletionSource FirstSync { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The host's commands, or null — logged once, naming what is missing — when this process
    /// cannot enforce policies (not root, or iptables or ipset not installed); the node then runs
    /// without network policy, as a k3s node with --disable-network-policy.
    /// </summary>
    public static async Task<IHostCommands?> HostCommandsAsync(ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger<NetworkPolicyController>();
        if (!Environment.IsPrivilegedProcess)
        {
            LogUnavailable(logger, "mkube is not running as root");
            return null;
        }
        if (Proxy.IptablesPacketRules.MissingTool() is { } missing)
        {
            LogUnavailable(logger, $"{missing} is not installed (install the iptables package)");
            return null;
        }
        try
        {
            await HostCommands.Instance.RunCheckedAsync("ipset", ["version"], null, cancellationToken);
        }
        catch (HostCommandException e)
        {
            LogUnavailable(logger, $"ipset cannot be run ({e.Message}; install the ipset package)");
            return null;
        }
        return HostCommands.Instance;
    }

    /// <summary>Syncs once the caches hold their first list, then on every change and period, until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _informers.RunWithAsync(token =>
    {
        _loop.Add(Key);
        return _loop.RunAsync(token);
    }, cancellationToken);

    /// <summary>Removes every chain, hook and set of this controller's prefix.</summary>
    public Task TearDownAsync(CancellationToken cancellationToken) => _firewall.TearDownAsync(cancellationToken);

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_lastSync is { } previous && _options.Time.GetElapsedTime(previous) is var since && since < _options.MinSyncInterval)
        {
            // Too soon after the last sync: once the interval is over, one sync covers every change made meanwhile.
            _loop.AddAfter(key, _options.MinSyncInterval - since);
            return;
        }
        _lastSync = _options.Time.GetTimestamp();
        var clock = Stopwatch.StartNew();
        var state = new PolicyState(_informers.NetworkPolicies.List(), _informers.Pods.List(), _informers.Namespaces.List(), _options.NodeName);
        var rules = PolicyCompiler.Compile(state, _names);
        var full = _lastFull is not { } last || _options.Time.GetElapsedTime(last) >= _options.SyncPeriod;
        PolicyWrites writes;
        try
        {
            writes = await _firewall.ApplyAsync(rules, full, cancellationToken);
            if (full)
            {
                _lastFull = _options.Time.GetTimestamp();
            }
        }
        catch (HostCommandException e)
        {
            throw new SyncRetryException($"writing the network policy rules failed: {e.Message}", e);
        }
        var pods = rules.Chains.Count(c => c.Name.Contains("-POD", StringComparison.Ordinal));
        if (FirstSync.TrySetResult())
        {
            LogFirstSync(state.Policies.Count, pods, rules.Sets.Count);
        }
        LogSynced(full ? "resync" : "sync", state.Policies.Count, pods, rules.Sets.Count, writes.Sets.Count, writes.Chains.Count, writes.RemovedSets + writes.RemovedChains, clock.ElapsedMilliseconds);
        _loop.AddAfter(key, _options.SyncPeriod);
    }

    [LoggerMessage(EventId = LogEvents.Agent + 751, Level = LogLevel.Information, Message = "Network policy controller wrote its rules: {Policies} policies, {PodChains} pod firewall chains and {Sets} ipsets on this node")]
    private partial void LogFirstSync(int policies, int podChains, int sets);

    [LoggerMessage(EventId = LogEvents.Agent + 752, Level = LogLevel.Debug, Message = "Network policy {Kind} ({Policies} policies, {PodChains} pod firewall chains, {Sets} ipsets): wrote {WrittenSets} sets and {WrittenChains} chains, removed {Removed}, in {Milliseconds} ms")]
    private partial void LogSynced(string kind, int policies, int podChains, int sets, int writtenSets, int writtenChains, int removed, long milliseconds);

    // Static: logged before there is a controller.
    [LoggerMessage(EventId = LogEvents.Agent + 750, Level = LogLevel.Warning, Message = "Not enforcing NetworkPolicies on this node: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
