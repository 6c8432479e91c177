using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Webhooks;

/// <summary>
/// Where a webhook is called: a clientConfig of admissionregistration.k8s.io or
/// apiextensions.k8s.io (both have url, service and caBundle) read into the URL to POST to, the
/// trust roots, and the Service to resolve when the URL is a Service's name. A service target's
/// URL is <c>https://&lt;name&gt;.&lt;namespace&gt;.svc:&lt;port&gt;&lt;path&gt;</c>, as upstream's
/// webhook ClientManager builds it: that host name is what the serving certificate is checked
/// against, while the connection goes to an endpoint of the Service.
/// </summary>
/// <param name="Url">The address without the timeout query.</param>
/// <param name="CaBundle">PEM certificates that are the only trust roots; null or empty: the system's roots.</param>
/// <param name="Service">The Service behind the URL, or null for a url clientConfig.</param>
public sealed record WebhookTarget(Uri Url, byte[]? CaBundle, WebhookService? Service)
{
    /// <summary>Reads a clientConfig (already validated); a caBundle is base64 in JSON.</summary>
    /// <exception cref="FormatException">The clientConfig names neither a usable url nor a service.</exception>
    public static WebhookTarget FromClientConfig(JsonObject? clientConfig)
    {
        var caBundle = clientConfig.Str("caBundle") is { Length: > 0 } encoded ? Convert.FromBase64String(encoded) : null;
        if (clientConfig.Str("url") is { } url)
        {
            return new WebhookTarget(new Uri(url, UriKind.Absolute), caBundle, null);
        }
        var service = clientConfig.Obj("service") ?? throw new FormatException("clientConfig has neither url nor service");
        var reference = new WebhookService(service.StrOrEmpty("namespace"), service.StrOrEmpty("name"), (int)(service.Int("port") ?? 443));
        var path = service.Str("path") is { Length: > 0 } p ? p : "/";
        var port = reference.Port.ToString(CultureInfo.InvariantCulture);
        return new WebhookTarget(new Uri($"https://{reference.Name}.{reference.Namespace}.svc:{port}{path}", UriKind.Absolute), caBundle, reference);
    }
}

/// <summary>A clientConfig's service reference: the Service and the port of it to call.</summary>
public sealed record WebhookService(string Namespace, string Name, int Port);

/// <summary>
/// Turns a Service into an address the API server can connect to (upstream's
/// webhook.ServiceResolver). The API server has no cluster DNS, so it resolves through the
/// Service's endpoints itself.
/// </summary>
public interface IServiceResolver
{
    /// <summary>A host (usually an IP) and port serving <paramref name="service"/>.</summary>
    /// <exception cref="ServiceResolutionException">The Service, its port or a ready endpoint is missing; the message is upstream's.</exception>
    Task<(string Host, int Port)> ResolveAsync(WebhookService service, CancellationToken cancellationToken);
}

/// <summary>A Service that cannot be reached: not found, no such port, no ready endpoints.</summary>
public sealed class ServiceResolutionException(string message) : Exception(message);

/// <summary>
/// A webhook call that failed before a usable answer came back: connection, TLS, timeout, an
/// error status, or a body that is not JSON. The message reads as Go's client error does,
/// e.g. <c>Post "https://x.ns.svc:443/?timeout=10s": dial tcp 10.0.0.1:443: connect: connection refused</c>.
/// </summary>
public sealed class WebhookCallException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when the call ran out of its time.</summary>
    public bool TimedOut { get; init; }
}
