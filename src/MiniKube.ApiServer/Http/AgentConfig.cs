using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// The cluster-wide settings an agent must share with its servers but cannot know from its own
/// flags, served at <c>GET /v1-mkube/config</c> as k3s' supervisor serves <c>/v1-k3s/config</c>
/// to its agents (pkg/server/router.go): the pod range (the pod network's forward and masquerade
/// rules, the service proxy's local-traffic test), the service range, the cluster DNS address
/// and domain (every pod's resolv.conf), and whether the ingress data plane runs on every node,
/// with its ports (absent: <c>--disable ingress</c> on the server, so agents run none either).
/// Who may read it is decided like any path: the join identities hold it in
/// <c>system:mkube:node-join</c>. Nothing secret is in it.
/// </summary>
public sealed record AgentConfig(string ClusterCidr, string ServiceCidr, string ClusterDns, string ClusterDomain)
{
    public const string Path = "/v1-mkube/config";

    /// <summary>The ingress data plane's ports on every node; null when the cluster runs no ingress.</summary>
    public IngressPorts? Ingress { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["clusterCIDR"] = ClusterCidr,
            ["serviceCIDR"] = ServiceCidr,
            ["clusterDNS"] = ClusterDns,
            ["clusterDomain"] = ClusterDomain,
        };
        if (Ingress is { } ingress)
        {
            json["ingress"] = new JsonObject { ["httpPort"] = ingress.HttpPort, ["httpsPort"] = ingress.HttpsPort };
        }
        return json;
    }

    /// <summary>
    /// The settings from <see cref="ToJson"/>'s shape; null when a required field is missing (a
    /// server that does not send it) or the <c>ingress</c> object is not two ports. No
    /// <c>ingress</c> at all (a server with ingress off, or one from before agents ran it) means no
    /// ingress on the agent.
    /// </summary>
    public static AgentConfig? FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var ingress = IngressFrom(json["ingress"]);
        return Text(json, "clusterCIDR") is { } clusterCidr && Text(json, "serviceCIDR") is { } serviceCidr
            && Text(json, "clusterDNS") is { } clusterDns && Text(json, "clusterDomain") is { } clusterDomain
            && (ingress is not null || !json.ContainsKey("ingress"))
            ? new AgentConfig(clusterCidr, serviceCidr, clusterDns, clusterDomain) { Ingress = ingress }
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

    private static IngressPorts? IngressFrom(JsonNode? node) =>
        node is JsonObject ingress && Port(ingress, "httpPort") is { } http && Port(ingress, "httpsPort") is { } https ? new IngressPorts(http, https) : null;

    // 0 is a port too: the server's data plane took any free port (tests), and so may the agent's.
    private static int? Port(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<int>(out var port) && port is >= 0 and <= 65535 ? port : null;

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}

/// <summary>The ingress data plane's HTTP and HTTPS ports, the same on every node (<c>--ingress-http-port</c>, <c>--ingress-https-port</c>).</summary>
public sealed record IngressPorts(int HttpPort, int HttpsPort);
