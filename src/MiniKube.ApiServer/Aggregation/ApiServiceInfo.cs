using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// What routing, discovery and the availability check need of one stored APIService (already
/// defaulted and validated): its group-version, priorities, the Service behind it (null for a
/// Local one), how to trust that Service's certificate, and whether its Available condition is
/// True. Immutable; read once per stored version.
/// </summary>
public sealed record ApiServiceInfo(
    string Name, string Group, string Version, WebhookService? Service, byte[]? CaBundle, bool InsecureSkipTlsVerify,
    long GroupPriorityMinimum, long VersionPriority, bool Available, long Revision)
{
    /// <summary>"group/version", or "v1" for the legacy core API.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Reads a stored APIService.</summary>
    public static ApiServiceInfo Read(JsonObject obj, long revision)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var spec = obj.Obj("spec");
        var service = spec.Obj("service") is { } reference
            ? new WebhookService(reference.StrOrEmpty("namespace"), reference.StrOrEmpty("name"), (int)(reference.Int("port") ?? 443))
            : null;
        var caBundle = spec.Str("caBundle") is { Length: > 0 } encoded ? Convert.FromBase64String(encoded) : null;
        var available = obj.Obj("status").Items("conditions").Any(c => c.Item.Str("type") == "Available" && c.Item.Str("status") == "True");
        return new ApiServiceInfo(
            ObjectMeta.Name(obj) ?? "", spec.StrOrEmpty("group"), spec.StrOrEmpty("version"), service, caBundle,
            spec.Bool("insecureSkipTLSVerify") ?? false, spec.Int("groupPriorityMinimum") ?? 0, spec.Int("versionPriority") ?? 0, available, revision);
    }

    /// <summary>
    /// The URL of <paramref name="path"/> on the Service, named by its DNS name
    /// (<c>https://name.namespace.svc:port</c>): the name the serving certificate is checked
    /// against, as kube-aggregator's transport sets TLS ServerName; the connection itself goes
    /// to a resolved endpoint.
    /// </summary>
    public Uri ServiceUrl(string path)
    {
        var service = Service ?? throw new InvalidOperationException($"APIService {Name} is local");
        return new Uri($"https://{service.Name}.{service.Namespace}.svc:{service.Port.ToString(CultureInfo.InvariantCulture)}{path}", UriKind.Absolute);
    }

    /// <summary>The path of the group-version's discovery document, which every extension server must serve.</summary>
    public string DiscoveryPath => Name == "v1." ? "/api/" + Version : $"/apis/{Group}/{Version}";
}
