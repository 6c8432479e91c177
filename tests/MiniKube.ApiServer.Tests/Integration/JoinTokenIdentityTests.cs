using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Http;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// The join tokens as k3s scopes them: neither reads or writes any object; the server token may
/// run secrets-encrypt and join nodes, the agent token may only ask for a node's certificates.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class JoinTokenIdentityTests
{
    private const string ServerSecret = "server-secret-0123456789";
    private const string AgentSecret = "agent-secret-0123456789";

    private TestApiServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() =>
        _server = await TestApiServer.StartAsync(extras: new TestApiServerExtras(Tokens: JoinIdentities.Tokens(ServerSecret, AgentSecret), AgentConfig: Settings));

    private static readonly AgentConfig Settings = new("10.50.0.0/16", "10.60.0.0/16", "10.60.0.10", "edge.local") { Ingress = new(8080, 8443) };

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        _server.DeleteDirectory();
    }

    [TestCase(ServerSecret)]
    [TestCase(AgentSecret)]
    public async Task EitherToken_GetsANodeCertificate(string secret)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var request = new HttpRequestMessage(HttpMethod.Post, NodeCredentials.ClientPath)
        {
            Content = new StringContent(new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem()),
        };
        request.Headers.Add(NodeCredentials.NodeNameHeader, "edge-" + (secret == ServerSecret ? "s" : "a"));
        request.Headers.Add(NodeCredentials.NodePasswordHeader, "0123456789abcdef0123");

        var (code, body) = await SendAsync(secret, request);

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), body);
    }

    [TestCase(ServerSecret, "system:mkube:server")]
    [TestCase(AgentSecret, "system:bootstrap:mkube-agent")]
    public async Task NeitherToken_ReadsObjects(string secret, string user)
    {
        var (secrets, body) = await SendAsync(secret, new HttpRequestMessage(HttpMethod.Get, "/api/v1/secrets"));
        var (pods, _) = await SendAsync(secret, new HttpRequestMessage(HttpMethod.Post, "/api/v1/namespaces/default/pods") { Content = new StringContent("{}") });
        var (discovery, _) = await SendAsync(secret, new HttpRequestMessage(HttpMethod.Get, "/api/v1"));

        Assert.That(secrets, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(body, Does.Contain($"User \\\"{user}\\\" cannot list resource \\\"secrets\\\" in API group \\\"\\\" at the cluster scope"));
        Assert.That(pods, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(discovery, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase(ServerSecret)]
    [TestCase(AgentSecret)]
    public async Task EitherToken_ReadsTheSettingsAgentsShare(string secret)
    {
        var (code, body) = await SendAsync(secret, new HttpRequestMessage(HttpMethod.Get, AgentConfig.Path));

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(AgentConfig.FromJson((System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(body)!), Is.EqualTo(Settings));
    }

    [Test]
    public async Task AgentToken_GetsItsNodesIngressIdentity_WhichHoldsTheIngressRoleAndNothingOfTheNode()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var request = new HttpRequestMessage(HttpMethod.Post, NodeCredentials.IngressPath)
        {
            Content = new StringContent(new CertificateRequest("CN=system:masters", key, HashAlgorithmName.SHA256).CreateSigningRequestPem()),
        };
        request.Headers.Add(NodeCredentials.NodeNameHeader, "edge-ingress");
        request.Headers.Add(NodeCredentials.NodePasswordHeader, "0123456789abcdef0123");

        var (code, body) = await SendAsync(AgentSecret, request);

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), body);
        using var issued = X509Certificate2.CreateFromPem(body);
        Assert.That(issued.Subject, Does.Contain("CN=system:mkube:ingress:edge-ingress").And.Contain("O=system:mkube:ingress-nodes"), "the subject is the server's choice: the node's own data plane user");
        using var client = new Kubernetes(new KubernetesClientConfiguration
        {
            Host = _server.Server.Address.ToString(),
            SslCaCerts = [_server.Pki.Ca],
            ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(issued.ExportCertificatePem())),
            ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem())),
        });
        Assert.That(await client.NetworkingV1.ListIngressForAllNamespacesAsync(), Is.Not.Null);
        var pods = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ListPodForAllNamespacesAsync());
        var nodes = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ListNodeAsync());
        Assert.That(pods!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(nodes!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AgentToken_IngressIdentityOfANodeAnotherAgentJoined_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        HttpRequestMessage Request(string password)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, NodeCredentials.IngressPath)
            {
                Content = new StringContent(new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem()),
            };
            request.Headers.Add(NodeCredentials.NodeNameHeader, "edge-taken");
            request.Headers.Add(NodeCredentials.NodePasswordHeader, password);
            return request;
        }
        using var first = Request("0123456789abcdef0123");
        using var second = Request("another-agent-password");

        var (owner, _) = await SendAsync(AgentSecret, first);
        var (other, body) = await SendAsync(AgentSecret, second);

        Assert.That(owner, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(other, Is.EqualTo(HttpStatusCode.Forbidden), "another agent cannot take edge-taken's data plane identity");
        Assert.That(body, Does.Contain("node password rejected"));
    }

    [Test]
    public async Task TheSettingsAgentsShare_AreReadOnly()
    {
        var (code, _) = await SendAsync(AgentSecret, new HttpRequestMessage(HttpMethod.Put, AgentConfig.Path) { Content = new StringContent("{}") });

        Assert.That(code, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task OnlyTheServerToken_ReachesSecretsEncrypt()
    {
        var (server, _) = await SendAsync(ServerSecret, new HttpRequestMessage(HttpMethod.Get, EncryptionEndpoints.StatusPath));
        var (agent, body) = await SendAsync(AgentSecret, new HttpRequestMessage(HttpMethod.Get, EncryptionEndpoints.StatusPath));

        Assert.That(server, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(agent, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(body, Does.Contain("User \\\"system:bootstrap:mkube-agent\\\" cannot get path \\\"/v1-mkube/encrypt/status\\\""));
    }

    [Test]
    public void OneSecretForBoth_IsTheServerIdentity()
    {
        var tokens = JoinIdentities.Tokens(ServerSecret, ServerSecret);

        Assert.That(tokens, Has.Count.EqualTo(1));
        Assert.That(tokens[ServerSecret], Is.SameAs(JoinIdentities.Server));
    }

    private async Task<(HttpStatusCode Code, string Body)> SendAsync(string secret, HttpRequestMessage request)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 presented && _server.Pki.IsIssuedByCluster(presented);
        using var http = new HttpClient(handler) { BaseAddress = _server.Server.Address };
        using (request)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}
