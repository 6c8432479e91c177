using Microsoft.AspNetCore.Http;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The answers the data plane gives without a backend, as steps of YARP's proxy pipeline: before
/// load balancing, a route's <see cref="ProxyRoute.Redirect"/> (a Location built from the request
/// and the filter) or <see cref="ProxyRoute.DirectStatus"/>; after load balancing, the status a
/// placeholder destination of <see cref="WeightedBackends"/> stands for.
/// </summary>
public static class DirectResponses
{
    /// <summary>Answers for routes that need no backend; otherwise continues.</summary>
    public static Task RouteAsync(HttpContext context, ActiveRoutes routes, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(next);
        var route = routes.Find(context.GetReverseProxyFeature().Route.Config.RouteId);
        if (route?.Redirect is { } redirect)
        {
            context.Response.StatusCode = redirect.StatusCode;
            context.Response.Headers.Location = Location(redirect, route, context.Request);
            return Task.CompletedTask;
        }
        if (route?.DirectStatus is { } status)
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        return next(context);
    }

    /// <summary>Answers for a placeholder destination chosen by load balancing; otherwise continues.</summary>
    public static Task DestinationAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var chosen = context.GetReverseProxyFeature().AvailableDestinations;
        if (chosen.Count == 1 && chosen[0].Model.Config.Metadata?.GetValueOrDefault(WeightedBackends.StatusKey) is { } status
            && int.TryParse(status, out var code))
        {
            context.Response.StatusCode = code;
            return Task.CompletedTask;
        }
        return next(context);
    }

    /// <summary>
    /// The Location of a RequestRedirect, per the HTTPRoute spec: the scheme, host and path the
    /// filter names or the request's; the port the filter names, else the well-known port of a
    /// scheme the filter names, else the listener's; no port written when it is the scheme's own.
    /// </summary>
    public static string Location(RedirectAction redirect, ProxyRoute route, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(redirect);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(request);
        var scheme = redirect.Scheme ?? (route.Scheme == ListenerScheme.Https || request.IsHttps ? "https" : "http");
        var host = redirect.Hostname ?? request.Host.Host;
        var port = redirect.Port ?? (redirect.Scheme is not null ? WellKnownPort(scheme) : route.ListenerPort ?? request.Host.Port ?? WellKnownPort(scheme));
        var path = request.Path.Value is { Length: > 0 } value ? value : "/";
        if (redirect.FullPath is { } full)
        {
            path = full;
        }
        else if (redirect.PathPrefix is { } replacement)
        {
            path = PathRewrite.ReplacePrefix(route.Path, replacement, path);
        }
        var authority = port == WellKnownPort(scheme) ? host : $"{host}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return $"{scheme}://{authority}{path}{request.QueryString}";
    }

    private static int WellKnownPort(string scheme) => scheme == "https" ? 443 : 80;
}
