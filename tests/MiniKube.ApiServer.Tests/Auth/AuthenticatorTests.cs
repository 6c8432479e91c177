using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Auth;

namespace MiniKube.ApiServer.Tests.Auth;

/// <summary>Client-certificate authentication, as each request of a TLS connection presents it.</summary>
public sealed class AuthenticatorTests
{
    // One cluster CA serves every test here; each test makes its own certificates and authenticator.
    private readonly string _data = Directory.CreateTempSubdirectory("mkube-authn-").FullName;

    private string Tls => Path.Combine(_data, "tls");

    private Authenticator NewAuthenticator() =>
        new(MiniKube.ApiServer.Pki.ClusterPki.LoadOrCreate(Tls, ["localhost"], TimeProvider.System), new Dictionary<string, UserInfo>());

    private static X509Certificate2 Certificate(string tls, string user, params string[] groups) => MiniKube.Testing.TestIdentities.Certificate(tls, user, groups);

    [OneTimeTearDown]
    public void RemoveData() => Directory.Delete(_data, recursive: true);

    private static DefaultHttpContext Request(X509Certificate2 certificate)
    {
        var context = new DefaultHttpContext();
        context.Connection.ClientCertificate = certificate;
        return context;
    }

    [Test]
    public async Task AuthenticateAsync_ClusterCertificate_UserAndGroupsOnEveryRequestOfTheConnection()
    {
        var authenticator = NewAuthenticator();
        using var certificate = Certificate(Tls, "jane", "dev", "qa");

        var first = await authenticator.AuthenticateAsync(Request(certificate));
        var again = await authenticator.AuthenticateAsync(Request(certificate));

        Assert.That(first!.Name, Is.EqualTo("jane"));
        Assert.That(first.Groups, Is.EqualTo(new[] { "dev", "qa", UserInfo.AuthenticatedGroup }));
        Assert.That(again, Is.SameAs(first), "the connection's certificate is verified once");
    }

    [Test]
    public async Task AuthenticateAsync_SameCertificateOnANewConnection_SameUser()
    {
        var authenticator = NewAuthenticator();
        using var certificate = Certificate(Tls, "jane");
        using var copy = X509CertificateLoader.LoadCertificate(certificate.RawData);

        var first = await authenticator.AuthenticateAsync(Request(certificate));
        var other = await authenticator.AuthenticateAsync(Request(copy));

        Assert.That(other, Is.SameAs(first));
    }

    [Test]
    public async Task AuthenticateAsync_CertificateOfAnotherClustersCa_AnonymousOnEveryRequest()
    {
        var authenticator = NewAuthenticator();
        var other = Path.Combine(_data, "other-tls");
        MiniKube.ApiServer.Pki.ClusterPki.LoadOrCreate(other, ["localhost"], TimeProvider.System);
        using var foreign = Certificate(other, "mallory", "system:masters");

        Assert.That(await authenticator.AuthenticateAsync(Request(foreign)), Is.Null);
        Assert.That(await authenticator.AuthenticateAsync(Request(foreign)), Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_NoCertificateNoToken_Anonymous()
    {
        Assert.That(await NewAuthenticator().AuthenticateAsync(new DefaultHttpContext()), Is.Null);
    }
}
