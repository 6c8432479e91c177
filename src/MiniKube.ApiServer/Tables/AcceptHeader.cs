
namespace MiniKube.ApiServer.Tables;

/// <summary>One entry of an Accept header: <c>type/subtype;param=value…</c> with its quality.</summary>
/// <param name="Type">Lower-cased type, e.g. application or *.</param>
/// <param name="SubType">Lower-cased subtype, e.g. json or *.</param>
/// <param name="Parameters">Parameters other than q, names lower-cased, values as sent.</param>
/// <param name="Quality">The q value, 1 when absent.</param>
public sealed record MediaRange(string Type, string SubType, IReadOnlyDictionary<string, string> Parameters, double Quality)
{
    public string? Parameter(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>True when this range accepts JSON (application/json, application/*, */*).</summary>
    public bool AcceptsJson => (Type is "application" && SubType is "json" or "*") || (Type is "*" && SubType is "*");

    /// <summary>True for a plain (untransformed) range the API server can answer: JSON, YAML, protobuf or a wildcard.</summary>
    public bool IsPlainServable =>
        !Parameters.ContainsKey("as")
        && (AcceptsJson || (Type is "application" && SubType is "yaml" or "vnd.kubernetes.protobuf"));
}

/// <summary>
/// Reads an HTTP Accept header the way kube-apiserver negotiates (apimachinery
/// pkg/runtime/serializer and apiserver pkg/endpoints/handlers/negotiation): entries in order of
/// quality, and the first one the server can serve decides. A transformed entry
/// (<c>;as=Kind;g=group;v=version</c>) asks for a Table or an aggregated discovery document; one
/// naming a kind, group or version we do not serve is skipped, and a plain entry ahead of it
/// means the client prefers the plain object. Every transformed response is written as JSON.
/// </summary>
public static class AcceptHeader
{
    private static readonly string[] TableVersions = ["v1", "v1beta1"];
    private static readonly string[] DiscoveryVersions = ["v2", "v2beta1"];

    /// <summary>The entries in preference order (quality descending, ties in header order); q=0 entries dropped.</summary>
    public static IReadOnlyList<MediaRange> Parse(string? header)
    {
        var ranges = new List<MediaRange>();
        foreach (var entry in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(';', StringSplitOptions.TrimEntries);
            var slash = parts[0].IndexOf('/', StringComparison.Ordinal);
            var type = slash < 0 ? parts[0] : parts[0][..slash];
            var subType = slash < 0 ? "*" : parts[0][(slash + 1)..];
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            var quality = 1.0;
            foreach (var parameter in parts.Skip(1))
            {
                var equals = parameter.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    continue;
                }

                var name = parameter[..equals].Trim().ToLowerInvariant();
                var value = parameter[(equals + 1)..].Trim().Trim('"');
                if (name == "q")
                {
                    quality = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) ? q : 1.0;
                }
                else
                {
                    parameters[name] = value;
                }
            }

            if (quality > 0)
            {
                ranges.Add(new MediaRange(type.ToLowerInvariant(), subType.ToLowerInvariant(), parameters, quality));
            }
        }

        // OrderByDescending is stable, so equal qualities keep the client's order.
        return ranges.OrderByDescending(r => r.Quality).ToList();
    }

    /// <summary>
    /// The meta.k8s.io version ("v1" or "v1beta1") of the Table the client asked for, as kubectl
    /// does with <c>application/json;as=Table;v=v1;g=meta.k8s.io,…</c>; null when it prefers the plain object.
    /// </summary>
    public static string? TableVersion(string? header) => Transformed(header, "Table", "meta.k8s.io", TableVersions);

    /// <summary>
    /// The apidiscovery.k8s.io version ("v2" or "v2beta1") of the aggregated discovery document
    /// asked for with <c>application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList</c>;
    /// null when the client prefers the legacy discovery shape.
    /// </summary>
    public static string? AggregatedDiscoveryVersion(string? header) =>
        Transformed(header, "APIGroupDiscoveryList", "apidiscovery.k8s.io", DiscoveryVersions);

    private static string? Transformed(string? header, string kind, string group, string[] versions)
    {
        foreach (var range in Parse(header))
        {
            if (range.IsPlainServable)
            {
                return null;
            }

            if (range.AcceptsJson
                && range.Parameter("as") == kind
                && range.Parameter("g") == group
                && range.Parameter("v") is { } version
                && versions.Contains(version))
            {
                return version;
            }
        }

        return null;
    }
}
