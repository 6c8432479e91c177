using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using MiniKube.Agent.Kubelet;
using MiniKube.ApiServer.Auth;
using MiniKube.Testing;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class KubeletAuthTests
{
    [TestCase("/containerLogs/default/web/main", "proxy")]
    [TestCase("/exec/default/web/main", "proxy")]
    [TestCase("/stats/summary", "stats")]
    [TestCase("/stats", "stats")]
    [TestCase("/statsz", "proxy")]
    [TestCase("/metrics/resource", "metrics")]
    [TestCase("/logs/syslog", "log")]
    [TestCase("/checkpoint/default/web/main", "checkpoint")]
    public void SubresourceOf_MapsPathsAsTheKubeletDoes(string path, string subresource) =>
        Assert.That(KubeletAuth.SubresourceOf(path), Is.EqualTo(subresource));

    [TestCase("GET", "get")]
    [TestCase("POST", "create")]
    [TestCase("PUT", "update")]
    [TestCase("PATCH", "patch")]
    [TestCase("DELETE", "delete")]
    [TestCase("OPTIONS", "")]
    public void Verb_MapsHttpMethods(string method, string verb) => Assert.That(KubeletAuth.Verb(method), Is.EqualTo(verb));

    [Test]
    public void FromCertificate_TakesTheCommonNameAndEachOrganization()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        using var certificate = new CertificateRequest("CN=system:node:a, O=system:nodes, O=extra", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));

        var caller = KubeletAuth.FromCertificate(certificate);

        Assert.That(caller.Name, Is.EqualTo("system:node:a"));
        Assert.That(caller.Groups, Is.EquivalentTo(new[] { "system:nodes", "extra", "system:authenticated" }));
    }
}

/// <summary>
/// The kubelet API of an in-process kubelet asked directly, as a client other than the API server
/// would: every request needs an identity and a SubjectAccessReview's yes for nodes/&lt;subresource&gt;.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletAuthIntegrationTests
{
    private const string Token = "kubelet-auth-test-token-0123456789";

    private KubeletTestCluster _cluster = null!;
    private Uri _kubelet = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync(new TestApiServerExtras(Tokens: new Dictionary<string, UserInfo>
        {
            [Token] = new("token-user", ["system:authenticated"]),
        }));
        await _cluster.StartKubeletAsync(nodeIp: "127.0.0.1");
        var node = await _cluster.Client.CoreV1.ReadNodeAsync(KubeletTestCluster.NodeName);
        _kubelet = new Uri($"https://127.0.0.1:{node.Status.DaemonEndpoints.KubeletEndpoint.Port}/");
        await _cluster.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "kubelet-proxy" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["nodes/proxy"], Verbs = ["get"] }],
        });
        await _cluster.Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "kubelet-proxy" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "kubelet-proxy" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = "bound", ApiGroup = "rbac.authorization.k8s.io" }, new Rbacv1Subject { Kind = "User", Name = "token-user", ApiGroup = "rbac.authorization.k8s.io" }],
        });
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task NoCertificateNorToken_IsUnauthorized()
    {
        var (code, _) = await GetAsync(null, null, "containerLogs/default/none/main");

        Assert.That(code, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    // jane holds no kubelet rights at all; "bound" holds nodes/proxy, not nodes/stats.
    [TestCase("jane", "containerLogs/default/none/main", "proxy")]
    [TestCase("bound", "stats/summary", "stats")]
    public async Task UserWithoutTheSubresource_IsForbiddenWithTheKubeletsText(string user, string path, string subresource)
    {
        using var certificate = TestIdentities.Certificate(_cluster.Server, user, "staff");

        var (code, body) = await GetAsync(certificate, null, path);

        Assert.That(code, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(body, Is.EqualTo($"Forbidden (user={user}, verb=get, resource=nodes, subresource={subresource})"));
    }

    [Test]
    public async Task CertificateUserBoundToNodesProxy_ReachesTheHandler()
    {
        using var bound = TestIdentities.Certificate(_cluster.Server, "bound");

        var (code, body) = await GetAsync(bound, null, "containerLogs/default/none/main");

        // Past authorization: the handler answers that no such pod runs here.
        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Does.Contain("is not on this node"));
    }

    [Test]
    public async Task BearerToken_IsReviewedThenAuthorized()
    {
        var (code, _) = await GetAsync(null, Token, "containerLogs/default/none/main");
        var (wrong, _) = await GetAsync(null, "not-a-token", "containerLogs/default/none/main");

        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(wrong, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private async Task<(HttpStatusCode Code, string Body)> GetAsync(X509Certificate2? certificate, string? token, string path)
    {
        using var handler = new SocketsHttpHandler();
#pragma warning disable CA5359 // the kubelet's serving certificate is not what these tests check
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_kubelet, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
