using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// serviceaccounts/token end to end: a token from TokenRequest authenticates as the service
/// account (until RBAC grants it anything, the 403 names it), bad tokens get 401, a token bound
/// to a deleted pod stops working, another API server over the same store accepts it, and the
/// issuer discovery documents describe the signing key.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ServiceAccountTokenTests : ApiServerFixture
{
    [Test]
    public async Task CreateToken_UsedAsBearer_AuthenticatesAsTheAccount()
    {
        var token = await CreateTokenAsync("default");
        using var robot = BearerClient(Server.Server.Address, token);

        var refused = Assert.ThrowsAsync<HttpOperationException>(() => robot.CoreV1.ListNamespacedPodAsync("default"));

        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Response.Content, Does.Contain("User \\\"system:serviceaccount:default:default\\\" cannot list resource \\\"pods\\\""));
    }

    [Test]
    public void Bearer_NotAToken_401()
    {
        using var stranger = BearerClient(Server.Server.Address, "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl");

        var refused = Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespacedPodAsync("default"));

        Assert.That(refused!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task BoundToAPod_RejectedOnceThePodIsGone()
    {
        await CreateAccountAsync("default");
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, "default");
        var token = await CreateTokenAsync("default", new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "web" }, createAccount: false);
        using var robot = BearerClient(Server.Server.Address, token);
        Assert.That(await StatusOfAsync(robot), Is.EqualTo(HttpStatusCode.Forbidden));

        await Client.CoreV1.DeleteNamespacedPodAsync("web", "default", gracePeriodSeconds: 0);

        // The watch cache follows the delete a moment later, as upstream's informers do.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        while ((status = await StatusOfAsync(robot)) != HttpStatusCode.Unauthorized && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task PeerServer_SameStore_AcceptsTheToken()
    {
        var token = await CreateTokenAsync("default");
        await using var peer = await Server.StartPeerAsync();
        using var robot = BearerClient(peer.Address, token);

        Assert.That(await StatusOfAsync(robot), Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Discovery_ListsTheTokenSubresource()
    {
        var resources = await Client.CoreV1.GetAPIResourcesAsync();

        var token = resources.Resources.Single(r => r.Name == "serviceaccounts/token");
        Assert.That((token.Group, token.Version, token.Kind, token.Namespaced), Is.EqualTo(("authentication.k8s.io", "v1", "TokenRequest", true)));
        Assert.That(token.Verbs, Is.EqualTo(new[] { "create" }));
    }

    [Test]
    public async Task IssuerDiscovery_DescribesTheKeyThatSignsTokens()
    {
        var token = await CreateTokenAsync("default");
        var kid = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[0])))!["kid"]!.GetValue<string>();

        using var configuration = await GetAsync("/.well-known/openid-configuration");
        using var keys = await GetAsync("/openid/v1/jwks");

        Assert.That(configuration.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        Assert.That(configuration.Headers.CacheControl!.ToString(), Is.EqualTo("public, max-age=3600"));
        var document = JsonNode.Parse(await configuration.Content.ReadAsStringAsync())!;
        Assert.That(document["issuer"]!.GetValue<string>(), Is.EqualTo("https://kubernetes.default.svc.cluster.local"));
        Assert.That(document["jwks_uri"]!.GetValue<string>(), Does.EndWith("/openid/v1/jwks"));
        Assert.That(document["id_token_signing_alg_values_supported"]!.ToJsonString(), Is.EqualTo("[\"RS256\"]"));
        Assert.That(keys.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/jwk-set+json"));
        var key = JsonNode.Parse(await keys.Content.ReadAsStringAsync())!["keys"]![0]!;
        Assert.That((key["kid"]!.GetValue<string>(), key["kty"]!.GetValue<string>(), key["alg"]!.GetValue<string>(), key["use"]!.GetValue<string>()),
            Is.EqualTo((kid, "RSA", "RS256", "sig")));
    }

    [Test]
    public async Task CreateToken_TooShort_422()
    {
        await CreateAccountAsync("default");

        var refused = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 60 } }, "default", "default"));

        Assert.That((int)refused!.Response.StatusCode, Is.EqualTo(422));
        Assert.That(refused.Response.Content, Does.Contain("spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"));
    }

    private Task<V1ServiceAccount> CreateAccountAsync(string name) =>
        Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, "default");

    private async Task<string> CreateTokenAsync(string account, V1BoundObjectReference? bound = null, bool createAccount = true)
    {
        if (createAccount)
        {
            await CreateAccountAsync(account);
        }
        var reply = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { BoundObjectRef = bound } }, account, "default");
        Assert.That(reply.Status.Token, Is.Not.Empty);
        return reply.Status.Token;
    }

    private async Task<HttpResponseMessage> GetAsync(string path) =>
        await Client.HttpClient.GetAsync(new Uri(Server.Server.Address, path));

    private static async Task<HttpStatusCode> StatusOfAsync(Kubernetes client)
    {
        try
        {
            await client.CoreV1.ListNamespacedPodAsync("default");
            return HttpStatusCode.OK;
        }
        catch (HttpOperationException e)
        {
            return e.Response.StatusCode;
        }
    }

    private Kubernetes BearerClient(Uri address, string token)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Server.KubeconfigPath);
        config.Host = address.ToString();
        config.ClientCertificateData = null;
        config.ClientCertificateKeyData = null;
        config.ClientCertificateFilePath = null;
        config.ClientKeyFilePath = null;
        config.AccessToken = token;
        return new Kubernetes(config);
    }
}
