using System.Net;
using System.Net.Sockets;
using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Addons.Gateway;
using MiniKube.Addons.Ingress;

namespace MiniKube.Hosting;

/// <summary>What a node's ingress data plane needs: from the server's flags, or on an agent from the server's settings.</summary>
internal sealed record IngressSettings(string NodeName, string? NodeIp, int HttpPort, int HttpsPort)
{
    /// <summary>The listeners' address; null: every address of the node.</summary>
    public IPAddress? ListenAddress { get; init; }
}

/// <summary>
/// The ingress data plane (k3s' Traefik, built in): HTTP and HTTPS listeners on every address of
/// the node, a server's or a joined agent's, routing Ingresses and the Gateway API's routes to ready endpoints through YARP. Once it serves from
/// synced caches it publishes its node IP and ports (<see cref="IngressNodes"/>), which the
/// status writer in the controller manager copies into the Ingresses' status, and withdraws
/// them on stop. A port that cannot be had (another web server, no privilege for port 80) is
/// logged with what to do and leaves this server without ingress rather than stopping the
/// control plane; <c>--disable ingress</c> on the server turns it off there and, through the
/// settings agents read at join, on every agent (its settings are then null and it idles). It acts
/// as its node's own user system:mkube:ingress:NODE (in system:mkube:ingress-nodes), which may read
/// Ingresses, IngressClasses, the Gateway API's objects, Namespaces, Services, EndpointSlices and
/// Secrets and write only its own node's EndpointSlice in kube-system.
/// </summary>
/// <param name="settingsSource">Read once at start: a server knows them from its flags, an agent once it has joined (then before this component starts).</param>
internal sealed partial class IngressComponent(IClusterAccess cluster, Func<IngressSettings?> settingsSource, TimeProvider time, ILoggerFactory loggers) : IComponent
{
    private readonly ILogger _logger = loggers.CreateLogger<IngressComponent>();

    public string Name => "ingress";

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        if (settingsSource() is not { } settings)
        {
            LogOffInCluster();
            await NodeAddonRun.IdleAsync(ready, time, stoppingToken);
            return;
        }
        var nodeIp = settings.NodeIp ?? LocalAgentComponent.DetectNodeIp();
        using var client = new Kubernetes(cluster.ClientConfiguration(ComponentIdentity.Ingress(settings.NodeName)));
        IngressController controller;
        try
        {
            controller = await IngressController.StartAsync(client, new IngressProxyOptions { ListenAddress = settings.ListenAddress, HttpPort = settings.HttpPort, HttpsPort = settings.HttpsPort }, loggers, time, stoppingToken,
                [new GatewayTableSource(client, loggers, time, new GatewayPorts(settings.HttpPort, settings.HttpsPort))]);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            LogCannotListen(settings.HttpPort, settings.HttpsPort, e.Message);
            await NodeAddonRun.IdleAsync(ready, time, stoppingToken);
            return;
        }
        await using var _ = controller;
        // A stopped data plane should not stay in the Ingresses' status: its node is withdrawn on the way out.
        await NodeAddonRun.ServeAsync(controller.Serving, controller.RunAsync(stoppingToken),
            async ct =>
            {
                var http = controller.Proxy.HttpEndpoint.Port;
                var https = controller.Proxy.HttpsEndpoint.Port;
                await IngressNodes.PublishAsync(client, settings.NodeName, nodeIp, http, https, ct);
                LogServing(nodeIp, http, https);
            },
            ct => IngressNodes.WithdrawAsync(client, settings.NodeName, ct),
            reason => LogWithdrawFailed(settings.NodeName, reason),
            ready, stoppingToken);
    }

    [LoggerMessage(EventId = LogEvents.Host + 610, Level = LogLevel.Information, Message = "Ingress serving on {NodeIp}: HTTP :{HttpPort}, HTTPS :{HttpsPort} (IngressClass mkube)")]
    private partial void LogServing(string nodeIp, int httpPort, int httpsPort);

    [LoggerMessage(EventId = LogEvents.Host + 611, Level = LogLevel.Error, Message = "Ingress cannot listen on :{HttpPort}/:{HttpsPort} ({Reason}); this node serves no Ingresses. Free the ports, choose others with --ingress-http-port/--ingress-https-port, or start with --disable ingress")]
    private partial void LogCannotListen(int httpPort, int httpsPort, string reason);

    [LoggerMessage(EventId = LogEvents.Host + 619, Level = LogLevel.Information, Message = "The cluster runs no ingress (its server started with --disable ingress); this node serves no Ingresses")]
    private partial void LogOffInCluster();

    [LoggerMessage(EventId = LogEvents.Host + 612, Level = LogLevel.Warning, Message = "Could not remove the EndpointSlice kube-system/mkube-ingress-{Node} on stop ({Reason}); Ingress status keeps this node until the next start")]
    private partial void LogWithdrawFailed(string node, string reason);
}
