using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MiniKube.Addons.Dashboard;

/// <summary>
/// The dashboard's web site: static files only (an HTML page, its style sheet and its ES modules),
/// served by the API server under <see cref="PathPrefix"/> before authentication. It holds no
/// credentials and calls nothing: the page calls the Kubernetes API on the same origin with the
/// signed-in user's token or client certificate, so RBAC decides what each user sees and does.
/// Every answer carries a content security policy that allows only this origin's scripts, styles
/// and API (no inline script, no framing), and no answer ever depends on who asks.
/// </summary>
public sealed class DashboardSite
{
    /// <summary>Where the server serves the dashboard: <c>https://SERVER:6443/dashboard/</c>.</summary>
    public const string PathPrefix = "/dashboard";

    /// <summary>
    /// Scripts, styles, images and API calls from this origin only; no plug-ins, no framing, no
    /// &lt;base&gt; rewriting, forms only to this origin. data: images for the inline icon.
    /// </summary>
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    private readonly DashboardAssets _assets;

    public DashboardSite()
        : this(DashboardAssets.Embedded)
    {
    }

    internal DashboardSite(DashboardAssets assets) => _assets = assets;

    /// <summary>Answers one request under <see cref="PathPrefix"/>.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var response = context.Response;
        SecurityHeaders(response.Headers);
        var path = request.Path.Value ?? "";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            await PlainAsync(response, StatusCodes.Status405MethodNotAllowed, "method not allowed", context.RequestAborted);
            return;
        }
        if (path == PathPrefix)
        {
            // Relative module URLs resolve against the folder, so the page lives at /dashboard/.
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            response.Headers.Location = PathPrefix + "/";
            return;
        }
        var name = path[(PathPrefix.Length + 1)..];
        if (_assets.Find(name.Length == 0 ? "index.html" : name) is not { } asset)
        {
            await PlainAsync(response, StatusCodes.Status404NotFound, "not found", context.RequestAborted);
            return;
        }
        response.Headers.ETag = asset.ETag;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        // Revalidated on every load (a 304 is a few bytes), so an upgraded server's files are taken at once.
        response.Headers.CacheControl = "no-cache";
        if (request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        var encoding = ChooseEncoding(request.Headers.AcceptEncoding.ToString());
        var body = encoding switch
        {
            "br" => asset.Brotli,
            "gzip" => asset.Gzip,
            _ => asset.Content,
        };
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = body.Length;
        if (HttpMethods.IsGet(request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>Brotli, else gzip, when the client lists it with a non-zero weight; null for identity.</summary>
    internal static string? ChooseEncoding(string acceptEncoding)
    {
        string? chosen = null;
        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(';', StringSplitOptions.TrimEntries);
            var refused = fields.Skip(1).Any(f => f.Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
            if (refused)
            {
                continue;
            }
            if (string.Equals(fields[0], "br", StringComparison.OrdinalIgnoreCase))
            {
                return "br";
            }
            if (string.Equals(fields[0], "gzip", StringComparison.OrdinalIgnoreCase))
            {
                chosen = "gzip";
            }
        }
        return chosen;
    }

    private static void SecurityHeaders(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }

    private static async Task PlainAsync(HttpResponse response, int status, string text, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(text, cancellationToken);
    }
}
