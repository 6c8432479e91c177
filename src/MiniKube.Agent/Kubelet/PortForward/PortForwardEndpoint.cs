using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet.PortForward;

/// <summary>
/// The kubelet's <c>/portForward/{namespace}/{pod}[/{uid}]</c> (pkg/kubelet/server/server.go
/// getPortForward, then the CRI streaming server's ServePortForward): a WebSocket request is the
/// channel protocol of <see cref="PortForwardWebSocket"/> with its <c>port</c> query values; any
/// other request must be a SPDY/3.1 upgrade offering <c>portforward.k8s.io</c> in
/// X-Stream-Protocol-Version (<see cref="PortForwardSpdy"/>). Refusals are plain text, as
/// upstream's: 404 for a pod not on this node, 400 for bad ports or missing upgrade headers,
/// 403 when no offered protocol is served, 500 when the pod has no running sandbox.
/// </summary>
internal static partial class PortForwardEndpoint
{
    public const string Protocol = "portforward.k8s.io";
    private const string ProtocolHeader = "X-Stream-Protocol-Version";

    public static async Task ServeAsync(HttpContext context, V1Pod? pod, string? uid, IContainerRuntime runtime, ILogger logger)
    {
        if (pod is null)
        {
            await TextAsync(context, StatusCodes.Status404NotFound, "pod does not exist");
            return;
        }
        if (uid is { Length: > 0 } && uid != pod.Metadata.Uid)
        {
            await TextAsync(context, StatusCodes.Status404NotFound, "pod not found");
            return;
        }
        var websocket = context.WebSockets.IsWebSocketRequest;
        IReadOnlyList<int> ports = [];
        if (websocket)
        {
            try
            {
                ports = PortForwardPorts.Parse(context.Request.Query["port"], "port");
            }
            catch (FormatException e)
            {
                await TextAsync(context, StatusCodes.Status400BadRequest, e.Message);
                return;
            }
        }
        // kubelet's GetPortForward looks among running pods only.
        var sandbox = (await runtime.ListSandboxesAsync(context.RequestAborted))
            .FirstOrDefault(s => s.PodUid == StaticPods.RuntimeUid(pod) && s.Running);
        if (sandbox is null)
        {
            await TextAsync(context, StatusCodes.Status500InternalServerError, $"pod not found (\"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}\")");
            return;
        }
        if (websocket)
        {
            await ServeWebSocketAsync(context, ports, runtime, sandbox, logger);
        }
        else
        {
            await ServeSpdyAsync(context, runtime, sandbox, logger);
        }
    }

    private static async Task ServeWebSocketAsync(HttpContext context, IReadOnlyList<int> ports, IContainerRuntime runtime, PodSandbox sandbox, ILogger logger)
    {
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        if (!PortForwardWebSocket.Negotiate(offered, out var protocol))
        {
            await TextAsync(context, StatusCodes.Status400BadRequest,
                $"requested protocol(s) are not supported: [{string.Join(" ", offered)}]; supports [{PortForwardWebSocket.V4Binary} {PortForwardWebSocket.V4Base64}]");
            return;
        }
        using var socket = await FrameWebSocket.AcceptAsync(context, protocol);
        await PortForwardWebSocket.ServeAsync(socket, ports, runtime, sandbox,
            problem => LogForwardFailed(logger, sandbox.Namespace, sandbox.PodName, problem), context.RequestAborted);
    }

    private static async Task ServeSpdyAsync(HttpContext context, IContainerRuntime runtime, PodSandbox sandbox, ILogger logger)
    {
        var request = context.Request;
        // httpstream.Handshake, then spdy's UpgradeResponse.
        var offered = request.Headers[ProtocolHeader].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (offered.Count == 0)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"unable to upgrade: {ProtocolHeader} is required");
            return;
        }
        if (!offered.Contains(Protocol))
        {
            context.Response.Headers["X-Accepted-Stream-Protocol-Versions"] = Protocol;
            await TextAsync(context, StatusCodes.Status403Forbidden,
                $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(" ", offered)}], server accepts [{Protocol}]");
            return;
        }
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (!IsSpdyUpgrade(request) || upgrade is not { IsUpgradableRequest: true })
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, "unable to upgrade: missing upgrade headers in request");
            return;
        }
        context.Response.Headers[ProtocolHeader] = Protocol;
        context.Response.Headers.Upgrade = "SPDY/3.1";
        await using var stream = await upgrade.UpgradeAsync();
        await PortForwardSpdy.ServeAsync(stream, runtime, sandbox, logger, context.RequestAborted);
    }

    /// <summary>Connection names Upgrade and Upgrade names SPDY/3.1 (case-insensitive, as upstream).</summary>
    public static bool IsSpdyUpgrade(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.Connection.ToString().Contains("upgrade", StringComparison.OrdinalIgnoreCase)
            && request.Headers.Upgrade.ToString().Contains("spdy/3.1", StringComparison.OrdinalIgnoreCase);
    }

    private static Task TextAsync(HttpContext context, int code, string text)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    [LoggerMessage(EventId = LogEvents.Agent + 63, Level = LogLevel.Warning, Message = "Port forward to pod {Namespace}/{Name} failed: {Problem}")]
    private static partial void LogForwardFailed(ILogger logger, string @namespace, string name, string problem);
}
