using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using MiniKube.Client.Events;

namespace MiniKube.Agent.Proxy;

/// <summary>
/// A node's service proxy, kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go): informs
/// itself of every Service and EndpointSlice and, after each change (at most once per
/// <see cref="ServiceProxyOptions.MinSyncInterval"/>) and every
/// <see cref="ServiceProxyOptions.SyncPeriod"/>, writes the whole rule set of
/// <see cref="ProxyRules"/> in one <c>iptables-restore</c> transaction, then makes sure the jumps
/// from the built-in chains are there. Level-triggered: each sync reads the latest caches and
/// the chains that exist, so a missed event, a restart or a rule deleted by hand is repaired by
/// the next sync. A sync that fails is logged and retried; it never stops the node. The rules
/// stay when the proxy stops, as upstream's do, so traffic keeps flowing across a restart.
/// One proxy per host: two would overwrite each other's chains. Beside the rules it serves
/// kube-proxy's health endpoints: its own (<see cref="ProxyHealth"/>, :10256) and one per Local
/// LoadBalancer's healthCheckNodePort (<see cref="ServiceHealthServer"/>), updated after each sync.
/// </summary>
public sealed partial class ServiceProxy
{
    private readonly SharedInformers _informers;
    private readonly IPacketRules _rules;
    private readonly ServiceProxyOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly IPAddress? _nodeIp;
    private readonly EventRecorder _events;
    private bool _synced;

    public ServiceProxy(IKubernetes client, IPacketRules rules, ServiceProxyOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _informers = new SharedInformers(client, loggers, new SharedInformerOptions { Time = options.Time });
        _rules = rules;
        _options = options;
        _logger = loggers.CreateLogger<ServiceProxy>();
        // kube-proxy's health timeout: twice the sync period (cmd/kube-proxy/app/server.go).
        Health = new ProxyHealth(options.Time, 2 * options.SyncPeriod);
        _nodeIp = IPAddress.TryParse(options.NodeIp, out var nodeIp) ? nodeIp : null;
        _informers.Services.Changed += _ => Request();
        _informers.EndpointSlices.Changed += _ => Request();
        _events = new EventRecorder(client, new EventRecorderOptions { Component = "kube-proxy", Host = options.NodeName, Time = options.Time }, loggers.CreateLogger<EventRecorder>());
        if (options.NodeName.Length > 0)
        {
            // kube-proxy watches its own Node only, for /healthz's node eligibility.
            var node = _informers.For(() => KubeListWatches.Nodes(client, fieldSelector: "metadata.name=" + options.NodeName));
            node.Changed += _ => Health.SyncNode(node.Get(options.NodeName));
        }
    }

    /// <summary>The proxy's health as its /healthz reports it.</summary>
    public ProxyHealth Health { get; }

    /// <summary>The health-check node ports served now, by Service.</summary>
    public IReadOnlyDictionary<NamespacedName, int> HealthCheckPorts { get; private set; } = new Dictionary<NamespacedName, int>();

    /// <summary>The port the proxy's own /healthz is served on, once it is (0 before, or when it is not served).</summary>
    public int HealthzPort { get; private set; }

    /// <summary>Completes after the first sync that wrote the rules.</summary>
    public TaskCompletionSource FirstSync { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The host's iptables, or null — logged once, naming what is missing — when this process
    /// cannot change packet rules (not root, or iptables not installed); the node then runs
    /// without a service proxy.
    /// </summary>
    public static IPacketRules? HostPacketRules(ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger<ServiceProxy>();
        if (!Environment.IsPrivilegedProcess)
        {
            LogUnavailable(logger, "mkube is not running as root");
            return null;
        }
        if (IptablesPacketRules.MissingTool() is { } missing)
        {
            LogUnavailable(logger, $"{missing} is not installed (install the iptables package)");
            return null;
        }
        return new IptablesPacketRules(logger);
    }

    /// <summary>Syncs the rules once the caches hold their first list, then on every change and period, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var healthz = _options.HealthzEndpoint is { } endpoint ? await Health.ListenAsync(endpoint, _logger, cancellationToken) : null;
        HealthzPort = healthz?.Port ?? 0;
        try
        {
            await using var healthChecks = new ServiceHealthServer(_options.HealthCheckAddress, Health, _events, _options.NodeName, _logger);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var recording = _events.RunAsync(stopping.Token);
            try
            {
                await _informers.RunWithAsync(ct => SyncLoopAsync(healthChecks, ct), cancellationToken);
            }
            finally
            {
                await stopping.CancelAsync();
                await recording;
            }
        }
        finally
        {
            if (healthz is not null)
            {
                await healthz.DisposeAsync();
            }
        }
    }

    private void Request()
    {
        Health.QueuedUpdate();
        _requests.Writer.TryWrite(true);
    }

    private async Task SyncLoopAsync(ServiceHealthServer healthChecks, CancellationToken cancellationToken)
    {
        var time = _options.Time;
        var wait = TimeSpan.Zero;
        while (true)
        {
            await WaitForRequestAsync(wait, cancellationToken);
            var started = time.GetTimestamp();
            while (_requests.Reader.TryRead(out _))
            {
                // Everything asked for so far is covered by the sync below.
            }
            wait = await SyncAsync(healthChecks, cancellationToken) ? _options.SyncPeriod : _options.RetryInterval;
            var rest = _options.MinSyncInterval - time.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, time, cancellationToken);
            }
        }
    }

    /// <summary>Returns when a change was reported or <paramref name="timeout"/> passed.</summary>
    private async Task WaitForRequestAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var request = _requests.Reader.WaitToReadAsync(waiting.Token).AsTask();
        var period = Task.Delay(timeout, _options.Time, waiting.Token);
        await Task.WhenAny(request, period);
        await waiting.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task<bool> SyncAsync(ServiceHealthServer healthChecks, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var services = _informers.Services.List();
            var slices = _informers.EndpointSlices.List();
            var ports = ServicePorts.From(services, slices, _options.NodeName);
            await _rules.PrepareHostAsync(cancellationToken);
            var chains = await _rules.ListNatChainsAsync(cancellationToken);
            await _rules.RestoreAsync(ProxyRules.Build(ports, chains, _options.ClusterCidr, _nodeIp), cancellationToken);
            foreach (var jump in ProxyRules.Jumps)
            {
                await _rules.EnsureRuleAsync(jump.Table, jump.Chain, jump.Arguments, cancellationToken);
            }
            Health.Updated();
            await healthChecks.SyncAsync(HealthCheckServices.From(services, slices, _options.NodeName), cancellationToken);
            HealthCheckPorts = healthChecks.Ports;
            var routed = ports.Count(p => p.Endpoints.Count > 0);
            if (!_synced)
            {
                _synced = true;
                LogFirstSync(ports.Count, routed);
                FirstSync.TrySetResult();
            }
            LogSynced(ports.Count, routed, clock.ElapsedMilliseconds);
            return true;
        }
        catch (Exception e) when (e is PacketRulesException or IOException or System.ComponentModel.Win32Exception)
        {
            LogSyncFailed(e.Message, _options.RetryInterval.TotalSeconds);
            return false;
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 50, Level = LogLevel.Warning, Message = "Not running the service proxy: {Reason}. Services are not reachable through cluster IPs or node ports on this node")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 51, Level = LogLevel.Information, Message = "Service proxy wrote its iptables rules: {Ports} service ports, {Routed} with endpoints")]
    private partial void LogFirstSync(int ports, int routed);

    [LoggerMessage(EventId = LogEvents.Agent + 52, Level = LogLevel.Debug, Message = "Synced iptables rules for {Ports} service ports ({Routed} with endpoints) in {Milliseconds} ms")]
    private partial void LogSynced(int ports, int routed, long milliseconds);

    [LoggerMessage(EventId = LogEvents.Agent + 53, Level = LogLevel.Warning, Message = "Service proxy could not write its iptables rules: {Reason}; trying again in {Seconds} s")]
    private partial void LogSyncFailed(string reason, double seconds);
}
