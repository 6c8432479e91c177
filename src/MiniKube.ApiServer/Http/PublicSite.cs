namespace MiniKube.ApiServer.Http;

/// <summary>
/// A web site the API server serves under a path prefix of its own, before authentication (the
/// dashboard's pages must load before anyone has signed in). The site serves only static content:
/// every API call its pages make comes back through the authenticated pipeline as the signed-in
/// user. The prefix is one path segment, e.g. <c>/dashboard</c>; it owns <c>/dashboard</c> and
/// everything under <c>/dashboard/</c>, and must not be a prefix the Kubernetes API uses.
/// </summary>
/// <param name="PathPrefix">The site's root, starting with '/' and without a trailing one.</param>
/// <param name="Handler">Answers every request under the prefix (a 404 of its own for unknown files).</param>
public sealed record PublicSite(string PathPrefix, RequestDelegate Handler)
{
    // The API's own roots and public endpoints: a site there would hide part of the API.
    private static readonly string[] ApiRoots = ["/api", "/apis", "/openapi", "/version", "/healthz", "/livez", "/readyz", "/metrics", "/cacerts", "/.well-known", "/v1-mkube", "/logs"];

    /// <summary>Whether <paramref name="path"/> belongs to this site.</summary>
    public bool Serves(string path) =>
        path.StartsWith(PathPrefix, StringComparison.Ordinal) && (path.Length == PathPrefix.Length || path[PathPrefix.Length] == '/');

    /// <summary>Refuses prefixes that are not one plain segment or that would shadow the API.</summary>
    public void Validate()
    {
        if (PathPrefix.Length < 2 || PathPrefix[0] != '/' || PathPrefix.IndexOf('/', 1) >= 0
            || ApiRoots.Any(root => string.Equals(root, PathPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"a public site's path prefix must be one segment outside the API's paths, not \"{PathPrefix}\"", nameof(PathPrefix));
        }
    }
}
