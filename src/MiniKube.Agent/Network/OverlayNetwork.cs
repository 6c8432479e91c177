using System.Net;
using k8s.Autorest;

namespace MiniKube.Agent.Network;

/// <summary>
/// Pods across nodes, flannel's role in k3s (flannel's kube subnet manager with its vxlan or
/// host-gw backend), run beside the kubelet of every Docker node. It watches all Nodes; once its
/// own has a podCIDR it makes the VXLAN device (<see cref="VxlanDevice"/>, vxlan only), publishes
/// flannel's annotations on its own Node (<see cref="FlannelAnnotations"/>: backend type,
/// VtepMAC, public IP = the node IP) and keeps the routes to every other published node's podCIDR
/// (<see cref="NodeRoutes"/>) — after each Node change and every <see cref="ResyncInterval"/>,
/// so a route someone removed comes back. Two clients: Nodes are listed and watched as the node's
/// service proxy (system:kube-proxy, whose system:node-proxier role reads all Nodes), because
/// with AuthorizeNodeWithSelectors the Node authorizer lets a kubelet read only its own Node;
/// the annotations are written as the node itself, which NodeRestriction allows on its own Node.
/// With <see cref="OverlayBackend.None"/> it only removes what an earlier backend left.
/// </summary>
public sealed partial class OverlayNetwork(IKubernetes nodeClient, IKubernetes readClient, PodNetworkOptions options, string nodeName, IHostCommands commands, ILogger logger) : IDisposable
{
    /// <summary>How often routes are checked even when no Node changed (flannel checks its routes every 10 s).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(10);

    private readonly VxlanDevice _device = new(commands, options.OverlayDevice);
    private readonly NodeRoutes _routes = new(commands, options.Backend, options.OverlayDevice);
    private readonly SemaphoreSlim _changed = new(0, 1);

    /// <summary>Runs until cancelled; host command and API failures are logged and tried again at the next change or resync.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Backend == OverlayBackend.None)
        {
            try
            {
                await TearDownAsync(cancellationToken);
            }
            catch (IOException e)
            {
                LogCleanupFailed(e.Message);
            }
            return;
        }
        var nodes = new Informer<V1Node>(KubeListWatches.Nodes(readClient), logger);
        nodes.Changed += _ => Signal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = nodes.RunAsync(stop.Token);
        try
        {
            await nodes.Synced.WaitAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                await SyncAsync(nodes.List(), cancellationToken);
                await _changed.WaitAsync(ResyncInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what was set up stays, so pods keep talking across a restart.
        }
        finally
        {
            await stop.CancelAsync();
            await watching;
        }
    }

    /// <summary>Removes the VXLAN device and every route of ours (a backend change to none, uninstall, tests).</summary>
    public async Task TearDownAsync(CancellationToken cancellationToken)
    {
        await new NodeRoutes(commands, OverlayBackend.None, options.OverlayDevice).ReconcileAsync([], null, cancellationToken);
        await _device.DeleteAsync(cancellationToken);
    }

    /// <summary>One pass over <paramref name="nodes"/>: this node's device and annotations, then the routes to the others.</summary>
    public async Task SyncAsync(IReadOnlyCollection<V1Node> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var own = nodes.FirstOrDefault(n => n.Name() == nodeName);
        if (own is null || NodePodCidr.Of(own) is not { } podCidr || options.NodeIp is null || !IPAddress.TryParse(options.NodeIp, out var nodeIp))
        {
            return;
        }
        try
        {
            string? vtepMac = null;
            if (options.Backend == OverlayBackend.Vxlan)
            {
                vtepMac = await _device.EnsureAsync(nodeIp, podCidr.BaseAddress, options.ResolveMtu(), cancellationToken);
            }
            else
            {
                await _device.DeleteAsync(cancellationToken); // left by an earlier vxlan run
            }
            await PublishAsync(own, FlannelAnnotations.For(options.Backend, nodeIp, vtepMac), cancellationToken);
            // A node on this very machine (several agents on one host, as in tests) shares this
            // kernel: a route to it would only shadow its bridge's own route.
            var peers = nodes.Where(n => n.Name() != nodeName)
                .Select(n => FlannelAnnotations.PeerOf(n, options.Backend))
                .OfType<OverlayPeer>()
                .Where(p => !p.PublicIp.Equals(nodeIp))
                .ToList();
            await _routes.ReconcileAsync(peers, podCidr, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpOperationException or HttpRequestException)
        {
            LogSyncFailed(options.Backend, e.Message);
        }
    }

    private async Task PublishAsync(V1Node own, IReadOnlyDictionary<string, string> annotations, CancellationToken cancellationToken)
    {
        if (FlannelAnnotations.Carries(own, annotations))
        {
            return;
        }
        var patch = new { metadata = new { annotations } };
        await nodeClient.CoreV1.PatchNodeAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), nodeName, cancellationToken: cancellationToken);
        LogPublished(nodeName, annotations[FlannelAnnotations.BackendType], annotations[FlannelAnnotations.PublicIp]);
    }

    public void Dispose() => _changed.Dispose();

    private void Signal()
    {
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled by another change.
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 720, Level = LogLevel.Information, Message = "Node {Node} publishes its {Backend} overlay endpoint {PublicIp}")]
    private partial void LogPublished(string node, string backend, string publicIp);

    [LoggerMessage(EventId = LogEvents.Agent + 721, Level = LogLevel.Warning, Message = "Routes to other nodes' pods ({Backend}) could not be brought up to date, retrying: {Reason}")]
    private partial void LogSyncFailed(OverlayBackend backend, string reason);

    [LoggerMessage(EventId = LogEvents.Agent + 722, Level = LogLevel.Warning, Message = "With --flannel-backend none, removing what an earlier backend left failed: {Reason}")]
    private partial void LogCleanupFailed(string reason);
}
