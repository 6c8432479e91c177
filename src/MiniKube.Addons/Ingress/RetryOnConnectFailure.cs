using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// YARP has no built-in retry (dotnet/yarp#56); its proxy pipeline is where one goes. This step
/// sits before load balancing: when the forwarder could not connect to the endpoint it was given
/// (an endpoint that went away before its EndpointSlice said so), and nothing of the response
/// has been sent, it runs load balancing again over the endpoints not yet tried, up to
/// <see cref="MaxAttempts"/> in all. A connection that never opened carried no part of the
/// request, so even a POST is safe to send elsewhere; any later failure is returned as it is.
/// Passive health (after load balancing) marks the endpoint that failed, so the next requests
/// avoid it for <see cref="BackendClusters.ReactivationPeriod"/>.
/// </summary>
public static class RetryOnConnectFailure
{
    public const int MaxAttempts = 3;

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var proxy = context.GetReverseProxyFeature();
        var remaining = proxy.AvailableDestinations;
        for (var attempt = 1; ; attempt++)
        {
            await next(context);
            var tried = proxy.ProxiedDestination;
            if (attempt >= MaxAttempts
                || tried is null
                || context.Response.HasStarted
                || context.Features.Get<IForwarderErrorFeature>() is not { Error: ForwarderError.Request, Exception: { } error }
                || !IsConnectFailure(error))
            {
                return;
            }
            remaining = [.. remaining.Where(d => !ReferenceEquals(d, tried))];
            if (remaining.Count == 0)
            {
                return;
            }
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.AvailableDestinations = remaining;
            proxy.ProxiedDestination = null;
        }
    }

    private static bool IsConnectFailure(Exception error) =>
        error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || error.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };
}
