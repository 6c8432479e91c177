using Yarp.ReverseProxy.Forwarder;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The HTTP clients the data plane forwards with, one per cluster: YARP's own (a
/// <see cref="SocketsHttpHandler"/> with no proxy, no redirects, no decompression, no cookies,
/// pooled keep-alive connections; h2c and TLS to backends as each cluster's config says) without
/// its trace propagator. With one set, the handler puts a diagnostics stage in front of every
/// request, and as soon as anything in the process listened for Activities, every proxied request
/// would get one and the client's trace headers would be replaced by the proxy's. mkube traces
/// nothing: backends see the trace headers the client sent, untouched, as behind a plain proxy.
/// </summary>
internal sealed class ForwarderClients(ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ActivityHeadersPropagator = null;
    }
}
