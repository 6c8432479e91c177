using MiniKube.ApiServer.Pki;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// kube-system/extension-apiserver-authentication, the ConfigMap extension API servers (such as
/// metrics-server) read to learn whom to trust, written as kube-apiserver's
/// ClusterAuthenticationTrustController writes it: the CA of client certificates, and for
/// request-header authentication the front-proxy CA, the allowed client names and the header
/// names, each list a JSON array. Rewritten on every start, so a new CA replaces the old.
/// </summary>
public static class ExtensionAuthentication
{
    public const string Namespace = "kube-system";
    public const string Name = "extension-apiserver-authentication";

    public static JsonObject ConfigMap(ClusterPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace },
            ["data"] = new JsonObject
            {
                ["client-ca-file"] = ClusterPki.Pem(pki.Ca),
                ["requestheader-allowed-names"] = List(ClusterPki.FrontProxyClientUser),
                ["requestheader-client-ca-file"] = ClusterPki.Pem(pki.FrontProxyCa),
                ["requestheader-extra-headers-prefix"] = List(FrontProxyHeaders.ExtraPrefix),
                ["requestheader-group-headers"] = List(FrontProxyHeaders.Group),
                ["requestheader-username-headers"] = List(FrontProxyHeaders.User),
            },
        };
    }

    public static Task PublishAsync(ResourceRegistry registry, ClusterPki pki, CancellationToken cancellationToken) =>
        ClusterBootstrap.PutAsync(registry, ResourceCatalog.Find("", "v1", "configmaps")!, Namespace, ConfigMap(pki), cancellationToken);

    private static string List(string value) => new JsonArray(value).ToJsonString();
}
