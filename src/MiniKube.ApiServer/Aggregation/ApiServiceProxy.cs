using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Webhooks;
using Yarp.ReverseProxy.Forwarder;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// Forwards a request under <c>/apis/&lt;group&gt;/&lt;version&gt;</c> to the extension API
/// server behind a service-backed APIService, as kube-aggregator's handler_proxy.go: refused with
/// 503 while the APIService is not Available or its Service has no endpoint; otherwise sent
/// over HTTPS to a resolved endpoint (YARP's <see cref="IHttpForwarder"/>, streaming both ways,
/// so watches pass through as they come), the certificate checked against the Service's DNS
/// name with the APIService's caBundle (or not at all with insecureSkipTLSVerify), our
/// front-proxy client certificate presented, and the caller named in the X-Remote-* headers.
/// Path and query are passed on unchanged.
/// </summary>
public sealed partial class ApiServiceProxy(IHttpForwarder forwarder, ServiceTransports transports, IServiceResolver resolver, ILogger<ApiServiceProxy> logger)
{
    // Requests that stream for as long as the client likes; everything else gets the
    // non-long-running budget kube-apiserver's timeout filter gives (60 s) as idle time.
    private static readonly ForwarderRequestConfig Streaming = new() { ActivityTimeout = TimeSpan.FromHours(1) };
    private static readonly ForwarderRequestConfig Short = new() { ActivityTimeout = TimeSpan.FromSeconds(60) };

    public async Task ProxyAsync(HttpContext context, ApiServiceInfo apiService, UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(apiService);
        ArgumentNullException.ThrowIfNull(user);
        var service = apiService.Service ?? throw new InvalidOperationException($"APIService {apiService.Name} is local");
        if (!apiService.Available)
        {
            throw ApiException.Unavailable("service unavailable");
        }
        (string Host, int Port) endpoint;
        try
        {
            endpoint = await resolver.ResolveAsync(service, context.RequestAborted);
        }
        catch (ServiceResolutionException e)
        {
            LogUnresolved(service.Namespace, service.Name, e.Message);
            throw ApiException.Unavailable("service unavailable");
        }
        var transport = transports.For(apiService.CaBundle, apiService.InsecureSkipTlsVerify);
        var prefix = apiService.ServiceUrl("").GetLeftPart(UriPartial.Authority);
        var config = IsStreaming(context.Request) ? Streaming : Short;
        var error = await forwarder.SendAsync(context, prefix, transport.Invoker, config, new IdentityTransformer(endpoint, user));
        if (error == ForwarderError.None)
        {
            return;
        }
        var detail = Describe(context.GetForwarderErrorFeature()?.Exception, error, transport, apiService.ServiceUrl(context.Request.Path.Value ?? "/"), endpoint);
        LogProxyFailed(apiService.Name, error.ToString(), detail);
        if (!context.Response.HasStarted)
        {
            // upstream's responder.Error: a 503 saying why the service could not be reached.
            throw ApiException.Unavailable("error trying to reach service: " + detail);
        }
    }

    // In Go's words where the cause is a connection or TLS failure.
    private static string Describe(Exception? cause, ForwarderError error, ServiceTransport transport, Uri url, (string Host, int Port) endpoint)
    {
        if (cause is HttpRequestException http)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Options.Set(ServiceTransport.Endpoint, endpoint);
            return transport.Describe(http, request);
        }
        return cause?.Message ?? error.ToString();
    }

    private static bool IsStreaming(HttpRequest request) =>
        request.Query["watch"].ToString() is "true" or "1" || request.Query["follow"].ToString() is "true" or "1";

    /// <summary>HttpTransformer.Default plus where to connect and who is asking.</summary>
    private sealed class IdentityTransformer((string Host, int Port) endpoint, UserInfo user) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            // The Service's DNS name, not ours: what the extension server's certificate is checked against.
            proxyRequest.Headers.Host = null;
            proxyRequest.Options.Set(ServiceTransport.Endpoint, endpoint);
            // Every authenticated user is in system:authenticated, as kube-apiserver's authenticator adds it.
            var groups = user.Groups.Contains("system:authenticated") ? user.Groups : [.. user.Groups, "system:authenticated"];
            FrontProxyHeaders.Set(proxyRequest, user.Name, groups);
        }
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 501, Level = LogLevel.Warning, Message = "Cannot resolve service {Namespace}/{Name} of an APIService: {Error}")]
    private partial void LogUnresolved(string @namespace, string name, string error);

    [LoggerMessage(EventId = LogEvents.ApiServer + 502, Level = LogLevel.Warning, Message = "Proxying to APIService {ApiService} failed ({Error}): {Detail}")]
    private partial void LogProxyFailed(string apiService, string error, string detail);
}
