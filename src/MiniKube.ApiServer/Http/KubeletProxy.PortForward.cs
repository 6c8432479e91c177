using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// pods/portforward (pkg/registry/core/pod/rest/subresources.go PortForwardREST, with the
/// KEP-4006 tunnel of staging/…/apiserver/pkg/util/proxy/streamtunnel.go) to the kubelet's
/// <c>/portForward/{namespace}/{pod}</c>, in three forms:
/// a SPDY/3.1 upgrade (kubectl ≤ 1.30, and newer ones' fallback) is relayed byte for byte to a
/// SPDY upgrade of the kubelet; a WebSocket offering <c>SPDY/3.1+portforward.k8s.io</c>
/// (kubectl ≥ 1.31) is accepted with that subprotocol and its binary messages carry the same
/// SPDY bytes to and from a SPDY upgrade of the kubelet (message boundaries mean nothing; a
/// text message ends the tunnel); any other WebSocket is the channel protocol with
/// <c>?ports=</c> (the C# client) and is relayed message for message to the kubelet's WebSocket.
/// The kubelet is dialled first, so its refusal reaches the client as its status and text, as
/// upstream's UpgradeAwareHandler passes it on. Anything else is 400 "Upgrade request required".
/// </summary>
internal sealed partial class KubeletProxy
{
    /// <summary>The WebSocket subprotocol of the tunnelled SPDY connection (client-go's portforward tunneling).</summary>
    public const string TunnelProtocol = "SPDY/3.1+portforward.k8s.io";

    private const string PortForwardProtocol = "portforward.k8s.io";
    private const string StreamProtocolHeader = "X-Stream-Protocol-Version";
    private static readonly string[] ChannelProtocols = ["v4.channel.k8s.io", "v4.base64.channel.k8s.io"];

    public async Task PortForwardAsync(HttpContext context, ResourceRegistry registry, JsonObject pod)
    {
        var path = $"/portForward/{Uri.EscapeDataString(ObjectMeta.Namespace(pod)!)}/{Uri.EscapeDataString(ObjectMeta.Name(pod)!)}";
        if (context.WebSockets.IsWebSocketRequest)
        {
            if (context.WebSockets.WebSocketRequestedProtocols.Contains(TunnelProtocol))
            {
                await TunnelAsync(context, await KubeletOfAsync(context, registry, pod), path);
            }
            else
            {
                await RelayChannelsAsync(context, await KubeletOfAsync(context, registry, pod), path);
            }
            return;
        }
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || !context.Request.Headers.Upgrade.ToString().Contains("SPDY/3.1", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiException.BadRequest("Upgrade request required");
        }
        var protocols = context.Request.Headers[StreamProtocolHeader].OfType<string>().ToList();
        using var backend = await UpgradeKubeletAsync(context, await KubeletOfAsync(context, registry, pod), path, protocols);
        if (backend is null)
        {
            return;
        }
        RequestBody.DisableBodyLimits(context);
        context.Response.Headers.Upgrade = "SPDY/3.1";
        context.Response.Headers[StreamProtocolHeader] = backend.Protocol;
        await using var client = await upgrade.UpgradeAsync();
        await RelayBytesAsync(client, backend.Stream, context.RequestAborted);
    }

    /// <summary>kubectl ≥ 1.31: SPDY inside binary WebSocket messages, to a SPDY upgrade of the kubelet.</summary>
    private async Task TunnelAsync(HttpContext context, string kubelet, string path)
    {
        using var backend = await UpgradeKubeletAsync(context, kubelet, path, [PortForwardProtocol]);
        if (backend is null)
        {
            return;
        }
        RequestBody.DisableBodyLimits(context);
        // .NET refuses '/' in a subprotocol it is handed (not an RFC 6455 token character), so the
        // echo kubectl requires is set on the response itself and the socket accepted without one.
        context.Response.Headers.SecWebSocketProtocol = TunnelProtocol;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext());
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var up = TunnelUpAsync(socket, backend.Stream, relay.Token);
        var down = TunnelDownAsync(backend.Stream, socket, relay.Token);
        try
        {
            await Task.WhenAny(up, down);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(2), context.RequestAborted);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or TimeoutException)
        {
            // One side went away: nothing is left to pass on.
        }
        finally
        {
            await relay.CancelAsync();
            await backend.Stream.DisposeAsync();
            await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task TunnelUpAsync(WebSocket socket, Stream backend, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType != WebSocketMessageType.Binary)
            {
                return; // the client's close, or a text message, which the tunnel does not carry
            }
            await backend.WriteAsync(buffer.AsMemory(0, result.Count), cancellationToken);
            await backend.FlushAsync(cancellationToken);
        }
    }

    private static async Task TunnelDownAsync(Stream backend, WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await backend.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, cancellationToken);
        }
    }

    /// <summary>
    /// The C# client's channel protocol: the client's WebSocket upgrade is made to the kubelet
    /// (ports as its <c>port</c> values) and the two connections are joined byte for byte, as
    /// upstream's UpgradeAwareHandler does, so every frame arrives as it was sent (the C# client
    /// marks each write as a frame of its own, which a message-level relay would merge or split).
    /// </summary>
    private async Task RelayChannelsAsync(HttpContext context, string kubelet, string path)
    {
        IReadOnlyList<int> ports;
        try
        {
            ports = PortForwardPorts.Parse(context.Request.Query["ports"], "ports");
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        if (offered.Count > 0 && !offered.Any(ChannelProtocols.Contains))
        {
            throw ApiException.BadRequest("none of the requested protocols is served; supported: " + string.Join(", ", [TunnelProtocol, .. ChannelProtocols]));
        }
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw ApiException.BadRequest("Upgrade request required");
        }
        var query = string.Join("&", ports.Select(p => "port=" + p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var request = UpgradeRequest(HttpMethod.Get, $"https://{kubelet}{path}?{query}", "websocket");
        foreach (var header in (string[])["Sec-WebSocket-Key", "Sec-WebSocket-Version"])
        {
            request.Headers.TryAddWithoutValidation(header, context.Request.Headers[header].ToString());
        }
        foreach (var protocol in offered.Where(ChannelProtocols.Contains))
        {
            request.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", protocol);
        }
        using var backend = await SendUpgradeAsync(context, request);
        if (backend is null)
        {
            return;
        }
        RequestBody.DisableBodyLimits(context);
        context.Response.Headers.Upgrade = "websocket";
        foreach (var header in (string[])["Sec-WebSocket-Accept", "Sec-WebSocket-Protocol"])
        {
            if (backend.Response.Headers.TryGetValues(header, out var values))
            {
                context.Response.Headers[header] = values.ToArray();
            }
        }
        await using var client = await upgrade.UpgradeAsync();
        await RelayBytesAsync(client, backend.Stream, context.RequestAborted);
    }

    /// <summary>
    /// A SPDY/3.1 upgrade of the kubelet's port-forward; null when the kubelet refused, whose
    /// status and text have then been written to the client as they came.
    /// </summary>
    private async Task<UpgradedKubelet?> UpgradeKubeletAsync(HttpContext context, string kubelet, string path, IReadOnlyList<string> protocols)
    {
        using var request = UpgradeRequest(HttpMethod.Post, $"https://{kubelet}{path}", "SPDY/3.1");
        foreach (var offered in protocols)
        {
            request.Headers.TryAddWithoutValidation(StreamProtocolHeader, offered);
        }
        var upgraded = await SendUpgradeAsync(context, request);
        return upgraded is null ? null : upgraded with { Protocol = upgraded.Response.Headers.TryGetValues(StreamProtocolHeader, out var chosen) ? chosen.FirstOrDefault() ?? "" : "" };
    }

    private static HttpRequestMessage UpgradeRequest(HttpMethod method, string uri, string protocol)
    {
        var request = new HttpRequestMessage(method, new Uri(uri))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", protocol);
        return request;
    }

    /// <summary>
    /// Sends an upgrade request to the kubelet; null when it refused, whose status and text have
    /// then been written to the client as they came.
    /// </summary>
    private async Task<UpgradedKubelet?> SendUpgradeAsync(HttpContext context, HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            throw ApiException.Internal($"error dialing backend: {e.Message}");
        }
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            using (response)
            {
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain; charset=utf-8";
                foreach (var accepted in response.Headers.TryGetValues("X-Accepted-Stream-Protocol-Versions", out var values) ? values : [])
                {
                    context.Response.Headers.Append("X-Accepted-Stream-Protocol-Versions", accepted);
                }
                await context.Response.WriteAsync(await response.Content.ReadAsStringAsync(context.RequestAborted), context.RequestAborted);
                return null;
            }
        }
        return new UpgradedKubelet(response, await response.Content.ReadAsStreamAsync(context.RequestAborted), "");
    }

    /// <summary>Copies both ways until either side ends, then drops both, as UpgradeAwareHandler does.</summary>
    private static async Task RelayBytesAsync(Stream client, Stream backend, CancellationToken cancellationToken)
    {
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = client.CopyToAsync(backend, relay.Token);
        var down = backend.CopyToAsync(client, relay.Token);
        await Task.WhenAny(up, down);
        await relay.CancelAsync();
        await backend.DisposeAsync();
        await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>An upgraded kubelet connection: its answer, its raw stream and the stream protocol it chose (SPDY).</summary>
    private sealed record UpgradedKubelet(HttpResponseMessage Response, Stream Stream, string Protocol) : IDisposable
    {
        public void Dispose()
        {
            Stream.Dispose();
            Response.Dispose();
        }
    }
}
