using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// The cluster-wide settings an agent must share with its servers but cannot know from its own
/// flags, served at <c>GET /v1-mkube/config</c> as k3s' supervisor serves <c>/v1-k3s/config</c>
/// to its agents (pkg/server/router.go): the pod range (the pod network's forward and masquerade
/// rules, the service proxy's local-traffic test), the service range, and the cluster DNS address
/// and domain (every pod's resolv.conf). Who may read it is decided like any path: the join
/// identities hold it in <c>system:mkube:node-join</c>. Nothing secret is in it.
/// </summary>
public sealed record AgentConfig(string ClusterCidr, string ServiceCidr, string ClusterDns, string ClusterDomain)
{
    public const string Path = "/v1-mkube/config";

    public JsonObject ToJson() => new()
    {
        ["clusterCIDR"] = ClusterCidr,
        ["serviceCIDR"] = ServiceCidr,
        ["clusterDNS"] = ClusterDns,
        ["clusterDomain"] = ClusterDomain,
    };

    /// <summary>The settings from <see cref="ToJson"/>'s shape; null when a field is missing (a server that does not send it).</summary>
    public static AgentConfig? FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Text(json, "clusterCIDR") is { } clusterCidr && Text(json, "serviceCIDR") is { } serviceCidr
            && Text(json, "clusterDNS") is { } clusterDns && Text(json, "clusterDomain") is { } clusterDomain
            ? new AgentConfig(clusterCidr, serviceCidr, clusterDns, clusterDomain)
            : null;
    }

    internal async Task ServeAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw ApiException.MethodNotAllowed();
        }
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, ToJson());
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
