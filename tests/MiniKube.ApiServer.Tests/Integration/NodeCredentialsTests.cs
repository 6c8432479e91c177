using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using MiniKube.ApiServer.Auth;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// The node-credentials endpoint: an agent's key is certified as system:node:&lt;name&gt; (or as the
/// kubelet's serving certificate), and a node name stays with the password of the agent that
/// first took it.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class NodeCredentialsTests : ApiServerFixture
{
    private const string Password = "0123456789abcdef0123";

    [Test]
    public async Task ClientCertificate_CertifiesTheAgentsKeyAsTheNode()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (code, body) = await PostAsync(NodeCredentials.ClientPath, "edge-1", Password, Csr(key));

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), body);
        using var issued = X509Certificate2.CreateFromPem(body);
        Assert.That(issued.GetNameInfo(X509NameType.SimpleName, forIssuer: false), Is.EqualTo("system:node:edge-1"));
        Assert.That(issued.Subject, Does.Contain("O=system:nodes"));
        Assert.That(issued.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
        Assert.That(Server.Pki.IsClientCertificate(issued), Is.True);
        Assert.That(issued.NotAfter, Is.GreaterThan(DateTime.Now.AddDays(360)));
    }

    [Test]
    public async Task ServingCertificate_NamesTheNodeAndItsAddresses()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (code, body) = await PostAsync(NodeCredentials.ServingPath, "edge-1", Password, Csr(key), "edge-1,192.168.7.20");

        Assert.That(code, Is.EqualTo(HttpStatusCode.OK), body);
        using var issued = X509Certificate2.CreateFromPem(body);
        var san = issued.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(san.EnumerateIPAddresses().Select(ip => ip.ToString()), Does.Contain("192.168.7.20"));
        Assert.That(san.EnumerateDnsNames(), Does.Contain("edge-1"));
    }

    [Test]
    public async Task SameNodeNameWithAnotherPassword_Refused_FirstAgentKeepsIt()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.That((await PostAsync(NodeCredentials.ClientPath, "edge-1", Password, Csr(key))).Code, Is.EqualTo(HttpStatusCode.OK));

        var (code, body) = await PostAsync(NodeCredentials.ClientPath, "edge-1", "another-password-of-16", Csr(key));
        var again = await PostAsync(NodeCredentials.ClientPath, "edge-1", Password, Csr(key));

        Assert.That(code, Is.EqualTo(HttpStatusCode.Forbidden), body);
        Assert.That(body, Does.Contain("node password rejected"));
        Assert.That(again.Code, Is.EqualTo(HttpStatusCode.OK));
        var secret = await Client.CoreV1.ReadNamespacedSecretAsync("edge-1.node-password.mkube", "kube-system");
        Assert.That(System.Text.Encoding.ASCII.GetString(secret.Data["hash"]), Does.Not.Contain(Password), "only a hash is stored");
    }

    [TestCase("Bad_Name", Password, "must be a node name")]
    [TestCase("edge-1", "short", "node password")]
    public async Task BadHeaders_400(string node, string password, string message)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (code, body) = await PostAsync(NodeCredentials.ClientPath, node, password, Csr(key));

        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain(message));
    }

    [Test]
    public async Task IngressIdentity_NotServed_WhenTheClusterRunsNoIngress()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (code, body) = await PostAsync(NodeCredentials.IngressPath, "edge-1", Password, Csr(key));

        Assert.That(code, Is.EqualTo(HttpStatusCode.NotFound), body);
    }

    [Test]
    public async Task GarbageBody_400()
    {
        var (code, body) = await PostAsync(NodeCredentials.ClientPath, "edge-1", Password, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");

        Assert.That(code, Is.EqualTo(HttpStatusCode.BadRequest), body);
    }

    private static string Csr(ECDsa key) => new CertificateRequest("CN=anything", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

    private async Task<(HttpStatusCode Code, string Body)> PostAsync(string path, string node, string password, string csr, string? addresses = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Server.Server.Address, path)) { Content = new StringContent(csr) };
        request.Headers.Add(NodeCredentials.NodeNameHeader, node);
        request.Headers.Add(NodeCredentials.NodePasswordHeader, password);
        if (addresses is not null)
        {
            request.Headers.Add(NodeCredentials.NodeAddressesHeader, addresses);
        }
        using var response = await Client.HttpClient.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
