using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Forwards pods/log, exec and attach to the kubelet of the pod's node (kube-apiserver's
/// pkg/registry/core/pod/rest/log.go and subresources.go): the node's InternalIP and
/// status.daemonEndpoints.kubeletEndpoint.Port, HTTPS with the API server's client certificate.
/// Like kube-apiserver without --kubelet-certificate-authority, it does not verify the kubelet's
/// self-made serving certificate; the kubelet does verify ours.
/// </summary>
internal sealed partial class KubeletProxy : IDisposable
{
    private static readonly ResourceType Nodes = ResourceCatalog.Find("", "v1", "nodes")!;
    private static readonly string[] StreamProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    /// <summary>The API's stream flags and the kubelet's names for them (upstream's streamParams).</summary>
    private static readonly (string Api, string Kubelet)[] StreamFlags = [("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty")];

    private static readonly string[] OtherContainerFields = ["initContainers", "ephemeralContainers"];

    private static readonly string[] LogParameters = ["follow", "tailLines", "timestamps", "previous", "sinceSeconds", "sinceTime", "limitBytes"];

    private readonly HttpClient _http;

    public KubeletProxy(X509Certificate2 clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
#pragma warning disable CA5359 // upstream's default: kubelet serving certificates are self-signed and not verified
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            },
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task LogsAsync(HttpContext context, ResourceRegistry registry, JsonObject pod)
    {
        var name = ObjectMeta.Name(pod)!;
        var ns = ObjectMeta.Namespace(pod)!;
        var container = ContainerOf(context, pod);
        var kubelet = await KubeletOfAsync(context, registry, pod);
        var query = string.Join("&", LogParameters
            .Where(parameter => ListOptions.Value(context.Request.Query, parameter) is not null)
            .Select(parameter => $"{parameter}={Uri.EscapeDataString(ListOptions.Value(context.Request.Query, parameter)!)}"));
        var uri = new Uri($"https://{kubelet}/containerLogs/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(container)}?{query}");
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            throw ApiException.Internal($"error dialing backend: {e.Message}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException((int)response.StatusCode >= 500 ? 500 : 400, (int)response.StatusCode >= 500 ? "InternalError" : "BadRequest",
                    await response.Content.ReadAsStringAsync(context.RequestAborted));
            }
            RequestBody.DisableBodyLimits(context);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/plain";
            await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
    }

    /// <summary>
    /// pods/exec and pods/attach: checks the request as kube-apiserver does
    /// (pkg/registry/core/pod/strategy.go, ExecLocation/AttachLocation), opens a WebSocket to
    /// the kubelet in the protocol the client asked for, and only then accepts the client's, so
    /// every refusal is still an HTTP Status; afterwards it relays messages both ways unchanged.
    /// </summary>
    public async Task StreamAsync(HttpContext context, ResourceRegistry registry, JsonObject pod, string subresource)
    {
        var query = context.Request.Query;
        var attach = subresource == "attach";
        var phase = ObjectMeta.Str(pod["status"]?["phase"]);
        if (phase is "Succeeded" or "Failed")
        {
            throw ApiException.BadRequest($"cannot {(attach ? "attach to" : "exec into")} a container in a completed pod; current phase is {phase}");
        }
        var container = ContainerOf(context, pod);
        var command = query["command"].OfType<string>().ToList();
        if (!attach && command.Count == 0)
        {
            throw ApiException.BadRequest("you must specify at least 1 command");
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiException.BadRequest(context.Request.Headers.Upgrade.ToString().StartsWith("SPDY", StringComparison.OrdinalIgnoreCase)
                ? "SPDY streams are not served; this server speaks the WebSocket protocols " + string.Join(", ", StreamProtocols) + " (kubectl 1.30 or newer)"
                : "Upgrade request required");
        }
        var protocol = context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault(StreamProtocols.Contains)
            ?? throw ApiException.BadRequest("none of the requested protocols is served; supported: " + string.Join(", ", StreamProtocols));
        var kubelet = await KubeletOfAsync(context, registry, pod);
        var parameters = command.Select(c => "command=" + Uri.EscapeDataString(c))
            .Concat(StreamFlags.Where(f => ListOptions.Boolean(query, f.Api)).Select(f => f.Kubelet + "=1"));
        var uri = new Uri($"wss://{kubelet}/{subresource}/{Uri.EscapeDataString(ObjectMeta.Namespace(pod)!)}/{Uri.EscapeDataString(ObjectMeta.Name(pod)!)}/{Uri.EscapeDataString(container)}?{string.Join("&", parameters)}");

        using var upstream = new ClientWebSocket();
        upstream.Options.AddSubProtocol(protocol);
        try
        {
            await upstream.ConnectAsync(uri, _http, context.RequestAborted);
        }
        catch (WebSocketException e)
        {
            // The kubelet accepts every well-formed request and reports failures in-stream.
            throw ApiException.Internal($"error dialing backend: {e.Message}");
        }
        RequestBody.DisableBodyLimits(context);
        using var client = await context.WebSockets.AcceptWebSocketAsync(protocol);
        await WebSocketRelay.RunAsync(client, upstream, context.RequestAborted);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The container a pods/log, exec or attach request means: the one named, or the pod's only one.</summary>
    private static string ContainerOf(HttpContext context, JsonObject pod)
    {
        var name = ObjectMeta.Name(pod)!;
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => ObjectMeta.Str(c?["name"])).OfType<string>().ToList();
        var others = OtherContainerFields
            .SelectMany(field => pod["spec"]?[field] as JsonArray ?? []).Select(c => ObjectMeta.Str(c?["name"])).OfType<string>();
        return ListOptions.Value(context.Request.Query, "container") switch
        {
            null when containers.Count == 1 => containers[0],
            null => throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]"),
            var named when containers.Contains(named) || others.Contains(named) => named,
            var named => throw ApiException.BadRequest($"container {named} is not valid for pod {name}"),
        };
    }

    /// <summary>host:port of the kubelet of the pod's node: its InternalIP and status.daemonEndpoints.kubeletEndpoint.Port.</summary>
    private static async Task<string> KubeletOfAsync(HttpContext context, ResourceRegistry registry, JsonObject pod)
    {
        var nodeName = ObjectMeta.Str(pod["spec"]?["nodeName"])!;
        var node = await registry.GetAsync(Nodes, null, nodeName, context.RequestAborted);
        var ip = (node["status"]?["addresses"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(a => ObjectMeta.Str(a["type"]) == "InternalIP") is { } address ? ObjectMeta.Str(address["address"]) : null;
        var port = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"] is JsonValue p && p.TryGetValue<int>(out var number) ? number : 10250;
        return ip is null
            ? throw ApiException.Unavailable($"node \"{nodeName}\" has no InternalIP to reach its kubelet at")
            : $"{(ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip)}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
