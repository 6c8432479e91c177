using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Hosting;

/// <summary>
/// A joined agent's own certificates, kept in <c>DATA_DIR/agent</c> (keys 0600): the client
/// certificate its kubelet reaches the API with (<c>system:node:&lt;name&gt;</c> in <c>system:nodes</c>),
/// its service proxy's (<c>system:kube-proxy</c>), its ingress data plane's (<c>system:mkube:ingress:&lt;name&gt;</c>
/// in <c>system:mkube:ingress-nodes</c>, only while the cluster runs the ingress add-on; one issued
/// for the shared <c>system:mkube:ingress</c> of earlier versions is replaced at start), and the kubelet API's serving certificate for
/// its name and IP, all signed by the cluster CA
/// through the server's node-credentials endpoint, for keys made here that never leave the node.
/// The node password (<c>agent/node-password</c>, made on first join) proves to the server that
/// this is the agent that first took the node name. A certificate is requested again at start
/// when missing, for another name or address, expired, or within 120 days of expiry (k3s' rule).
/// </summary>
internal sealed class NodeCertificates(string agentDirectory, TimeProvider time)
{
    /// <summary>How long before expiry a certificate is renewed at start.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(120);

    private const string IngressName = "client-ingress";

    /// <summary>The node's certificates, with their keys, renewed first when needed; the ingress one only when <paramref name="ingress"/>.</summary>
    public async Task<NodeCertificateSet> EnsureAsync(Uri server, X509Certificate2 ca, string secret, string nodeName, string nodeIp, bool ingress, CancellationToken cancellationToken)
    {
        using var http = Endpoint(ca, secret, nodeName);
        var client = await EnsureClientAsync(http, server, ca, nodeName, cancellationToken);
        var serving = await EnsureAsync(http, new Uri(server, NodeCredentials.ServingPath), "serving-kubelet", ca,
            certificate => Names(certificate).Contains(nodeIp) && Names(certificate).Contains(nodeName), nodeName + "," + nodeIp, cancellationToken);
        var proxy = await EnsureAsync(http, new Uri(server, NodeCredentials.ProxyPath), "client-kube-proxy", ca,
            certificate => IsUser(certificate, ClusterPki.KubeProxyUser), null, cancellationToken);
        var ingressClient = ingress
            ? await EnsureAsync(http, new Uri(server, NodeCredentials.IngressPath), IngressName, ca, certificate => IsUser(certificate, IngressNodeIdentity.UserName(nodeName)), null, cancellationToken)
            : null;
        if (!ingress)
        {
            // The add-on was turned off: the node keeps no credential for rights it no longer uses.
            File.Delete(Path.Combine(agentDirectory, IngressName + ".crt"));
            File.Delete(Path.Combine(agentDirectory, IngressName + ".key"));
        }
        return new NodeCertificateSet(client, serving, proxy) { Ingress = ingressClient };
    }

    private static bool IsUser(X509Certificate2 certificate, string user) =>
        certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) == user;

    /// <summary>The kubelet's client certificate alone (a simulated node's, whose kubelet API serves a self-made one).</summary>
    public async Task<X509Certificate2> EnsureClientAsync(Uri server, X509Certificate2 ca, string secret, string nodeName, CancellationToken cancellationToken)
    {
        using var http = Endpoint(ca, secret, nodeName);
        return await EnsureClientAsync(http, server, ca, nodeName, cancellationToken);
    }

    private Task<X509Certificate2> EnsureClientAsync(HttpClient http, Uri server, X509Certificate2 ca, string nodeName, CancellationToken cancellationToken) =>
        EnsureAsync(http, new Uri(server, NodeCredentials.ClientPath), "client-kubelet", ca,
            certificate => IsUser(certificate, "system:node:" + nodeName), null, cancellationToken);

    /// <summary>A client of the server's join endpoints: the cluster CA is its only trust root, the join secret its credential.</summary>
    public static HttpClient JoinEndpointClient(X509Certificate2 ca, string secret)
    {
        ArgumentNullException.ThrowIfNull(ca);
        var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 presented && CustomTrust.Verifies(presented, [ca]) },
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return http;
    }

    // The node-credentials endpoint, as this node with its password.
    private HttpClient Endpoint(X509Certificate2 ca, string secret, string nodeName)
    {
        Directory.CreateDirectory(agentDirectory);
        var http = JoinEndpointClient(ca, secret);
        http.DefaultRequestHeaders.Add(NodeCredentials.NodeNameHeader, nodeName);
        http.DefaultRequestHeaders.Add(NodeCredentials.NodePasswordHeader, NodePassword());
        return http;
    }

    private async Task<X509Certificate2> EnsureAsync(HttpClient http, Uri endpoint, string name, X509Certificate2 ca, Func<X509Certificate2, bool> fits, string? addresses, CancellationToken cancellationToken)
    {
        var certificatePath = Path.Combine(agentDirectory, name + ".crt");
        var keyPath = Path.Combine(agentDirectory, name + ".key");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var current = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (fits(current) && CustomTrust.Verifies(current, [ca]) && current.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime > RenewBefore)
            {
                return current;
            }
            current.Dispose();
        }
        using var key = File.Exists(keyPath) ? LoadKey(keyPath) : CreateKey(keyPath);
        var csr = new CertificateRequest("CN=mkube-agent", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(csr) };
        if (addresses is not null)
        {
            request.Headers.Add(NodeCredentials.NodeAddressesHeader, addresses);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new JoinException($"the server refused the node's {name} certificate ({(int)response.StatusCode}): {StatusMessage(body)}");
        }
        using var issued = X509Certificate2.CreateFromPem(body);
        var temporary = certificatePath + ".tmp";
        File.WriteAllText(temporary, issued.ExportCertificatePem() + "\n");
        File.Move(temporary, certificatePath, overwrite: true);
        return issued.CopyWithPrivateKey(key);
    }

    private string NodePassword()
    {
        var path = Path.Combine(agentDirectory, "node-password");
        if (!File.Exists(path))
        {
            WriteOwnerOnly(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        }
        return File.ReadAllText(path).Trim();
    }

    private static ECDsa LoadKey(string path)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        return key;
    }

    private static ECDsa CreateKey(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        WriteOwnerOnly(path, key.ExportPkcs8PrivateKeyPem());
        return key;
    }

    private static void WriteOwnerOnly(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, "");
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temporary, content + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    private static HashSet<string> Names(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return san is null ? [] : [.. san.EnumerateDnsNames(), .. san.EnumerateIPAddresses().Select(ip => ip.ToString())];
    }

    // A Status's message, or the body as it came when it is not one.
    private static string StatusMessage(string body)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(body)?["message"]?.GetValue<string>() ?? body;
        }
        catch (System.Text.Json.JsonException)
        {
            return body;
        }
    }
}

/// <summary>A node's certificates with their keys: the kubelet's client, the kubelet API's serving one, and the service proxy's client.</summary>
internal sealed record NodeCertificateSet(X509Certificate2 Kubelet, X509Certificate2 Serving, X509Certificate2 Proxy)
{
    /// <summary>The ingress data plane's client certificate; null when the cluster runs no ingress.</summary>
    public X509Certificate2? Ingress { get; init; }
}
