using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Pki;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Gives a joining agent its own credentials, as k3s' supervisor does at
/// <c>/v1-k3s/client-kubelet.crt</c> and <c>/v1-k3s/serving-kubelet.crt</c>: the agent POSTs a
/// PKCS#10 request for a key that never leaves it, and gets back a certificate signed by the
/// cluster CA — a client certificate <c>CN=system:node:&lt;name&gt;, O=system:nodes</c>, or a
/// serving certificate for the node's name and addresses, or the client certificate
/// <c>CN=system:kube-proxy</c> of the node's service proxy (k3s' client-kube-proxy.crt), or, while
/// the cluster runs the ingress add-on (<see cref="IssuesIngress"/>), the client certificate
/// <c>CN=system:mkube:ingress:&lt;name&gt;, O=system:mkube:ingress-nodes</c> of the node's ingress data
/// plane, which reads what it routes and writes only its own node's publication, and holds nothing of
/// the node's (k3s' agents get their kube-proxy identity the same way). Who may call it is decided like any
/// path (the agent token's identity is allowed it); which node name a caller may take is
/// decided here: the first agent to take a name binds it to its node password (a hash in the
/// Secret <c>kube-system/&lt;name&gt;.node-password.mkube</c>, as k3s' node-password Secrets), and
/// another agent presenting the same name with another password is refused.
/// </summary>
public sealed class NodeCredentials(ClusterPki pki, ResourceRegistry registry, TimeProvider time)
{
    public const string ClientPath = "/v1-mkube/client-kubelet.crt";
    public const string ServingPath = "/v1-mkube/serving-kubelet.crt";
    public const string ProxyPath = "/v1-mkube/client-kube-proxy.crt";
    public const string IngressPath = "/v1-mkube/client-ingress.crt";
    public const string NodeNameHeader = "Mkube-Node-Name";
    public const string NodePasswordHeader = "Mkube-Node-Password";

    /// <summary>For the serving certificate: the node's host names and IPs, comma-separated.</summary>
    public const string NodeAddressesHeader = "Mkube-Node-Addresses";

    private const int MaxRequestBytes = 16 * 1024;

    /// <summary>
    /// Whether the ingress identity is given to agents: only while the cluster runs the ingress
    /// add-on, so that with <c>--disable ingress</c> no node holds its rights (its path is then not served).
    /// </summary>
    public bool IssuesIngress { get; init; }

    /// <summary>Whether <paramref name="path"/> is one of this endpoint's.</summary>
    public bool Serves(string path) => path is ClientPath or ServingPath or ProxyPath || (IssuesIngress && path == IngressPath);

    public async Task ServeAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw ApiException.MethodNotAllowed();
        }
        var node = context.Request.Headers[NodeNameHeader].ToString();
        var password = context.Request.Headers[NodePasswordHeader].ToString();
        if (Formats.IsDns1123Subdomain(node).Count > 0)
        {
            throw ApiException.BadRequest($"header {NodeNameHeader} must be a node name (a lowercase RFC 1123 subdomain), got \"{node}\"");
        }
        if (password.Length < 16)
        {
            throw ApiException.BadRequest($"header {NodePasswordHeader} must carry the agent's node password (16 characters or more)");
        }
        var requestPem = await ReadBodyAsync(context.Request, cancellationToken);
        await BindNodePasswordAsync(node, password, cancellationToken);
        var leaf = context.Request.Path.Value switch
        {
            ServingPath => new LeafCertificate("serving-kubelet", "kubelet", "CN=" + node, ServingNames(node, context.Request.Headers[NodeAddressesHeader].ToString()), CertificateUsage.ServerAuth, null),
            ProxyPath => new LeafCertificate("client-kube-proxy", "kube-proxy", "CN=" + ClusterPki.KubeProxyUser, [], CertificateUsage.ClientAuth, null),
            IngressPath => ClusterPki.IngressNodeLeaf(node),
            _ => new LeafCertificate("client-kubelet", "kubelet", $"CN=system:node:{node}, O=system:nodes", [], CertificateUsage.ClientAuth, null),
        };
        X509Certificate2 certificate;
        try
        {
            certificate = pki.Sign(requestPem, leaf, time.GetUtcNow());
        }
        catch (CryptographicException e)
        {
            throw ApiException.BadRequest($"the body must be a PEM certificate request whose signature verifies: {e.Message}");
        }
        using (certificate)
        {
            context.Response.ContentType = "application/x-pem-file";
            await context.Response.WriteAsync(ClusterPki.Pem(certificate), cancellationToken);
        }
    }

    // The node's name and the addresses it gives; the name the API server dials is among them.
    private static List<string> ServingNames(string node, string addresses)
    {
        var names = new List<string> { node, "localhost", "127.0.0.1" };
        foreach (var address in addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!System.Net.IPAddress.TryParse(address, out _) && Formats.IsDns1123Subdomain(address).Count > 0)
            {
                throw ApiException.BadRequest($"header {NodeAddressesHeader}: \"{address}\" is neither an IP address nor a host name");
            }
            names.Add(address);
        }
        return [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxRequestBytes)
            {
                throw ApiException.TooLarge($"a certificate request is at most {MaxRequestBytes} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.ASCII.GetString(buffer.ToArray());
    }

    // First come, first bound: the Secret is created with the hash, or must already hold it.
    private async Task BindNodePasswordAsync(string node, string password, CancellationToken cancellationToken)
    {
        var secrets = ResourceCatalog.Find("", "v1", "secrets")!;
        var name = node + ".node-password.mkube";
        var hash = Convert.ToBase64String(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)))));
        JsonObject stored;
        try
        {
            stored = await registry.GetAsync(secrets, "kube-system", name, cancellationToken);
        }
        catch (ApiException e) when (e.Code == StatusCodes.Status404NotFound)
        {
            var secret = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "kube-system" },
                ["immutable"] = true,
                ["data"] = new JsonObject { ["hash"] = hash },
            };
            try
            {
                await registry.CreateAsync(secrets, "kube-system", secret, dryRun: false, cancellationToken);
                return;
            }
            catch (ApiException conflict) when (conflict.Code == StatusCodes.Status409Conflict)
            {
                // Another agent took the name a moment ago: compare with what it stored.
                stored = await registry.GetAsync(secrets, "kube-system", name, cancellationToken);
            }
        }
        var known = (string?)stored["data"]?["hash"] ?? "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(known), Encoding.ASCII.GetBytes(hash)))
        {
            throw ApiException.Forbidden(null, "",
                $"node password rejected: node \"{node}\" was joined by another agent with a different password; delete the Secret kube-system/{name} to release the name");
        }
    }
}
