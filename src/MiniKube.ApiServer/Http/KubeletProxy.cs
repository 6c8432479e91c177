using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Forwards pods/log to the kubelet of the pod's node (kube-apiserver's
/// pkg/registry/core/pod/rest/log.go): the node's InternalIP and
/// status.daemonEndpoints.kubeletEndpoint.Port, HTTPS with the API server's client certificate.
/// Like kube-apiserver without --kubelet-certificate-authority, it does not verify the kubelet's
/// self-made serving certificate; the kubelet does verify ours.
/// </summary>
internal sealed class KubeletProxy : IDisposable
{
    private static readonly ResourceType Nodes = ResourceCatalog.Find("", "v1", "nodes")!;
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
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => ObjectMeta.Str(c?["name"])).OfType<string>().ToList();
        var container = ListOptions.Value(context.Request.Query, "container");
        if (container is null)
        {
            container = containers.Count == 1 ? containers[0]
                : throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]");
        }
        var nodeName = ObjectMeta.Str(pod["spec"]?["nodeName"])!;
        var node = await registry.GetAsync(Nodes, null, nodeName, context.RequestAborted);
        var ip = (node["status"]?["addresses"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(a => ObjectMeta.Str(a["type"]) == "InternalIP") is { } address ? ObjectMeta.Str(address["address"]) : null;
        var port = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"] is JsonValue p && p.TryGetValue<int>(out var number) ? number : 10250;
        if (ip is null)
        {
            throw ApiException.Unavailable($"node \"{nodeName}\" has no InternalIP to reach its kubelet at");
        }
        var query = string.Join("&", LogParameters
            .Where(parameter => ListOptions.Value(context.Request.Query, parameter) is not null)
            .Select(parameter => $"{parameter}={Uri.EscapeDataString(ListOptions.Value(context.Request.Query, parameter)!)}"));
        var uri = new Uri($"https://{ip}:{port}/containerLogs/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(container)}?{query}");
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

    public void Dispose() => _http.Dispose();
}
