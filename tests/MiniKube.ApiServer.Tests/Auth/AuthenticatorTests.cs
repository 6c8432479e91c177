using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Pki;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Auth;

/// <summary>Client-certificate authentication, as each request of a TLS connection presents it.</summary>
[TestFixture]
public sealed class AuthenticatorTests
{
    private string _dir = null!;
    private Authenticator _authenticator = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("mkube-authn-").FullName;
        var pki = ClusterPki.LoadOrCreate(Tls, ["localhost"], TimeProvider.System);
        _authenticator = new Authenticator(pki, new Dictionary<string, UserInfo>());
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Tls => Path.Combine(_dir, "tls");

    private static DefaultHttpContext Request(X509Certificate2 certificate)
    {
        var context = new DefaultHttpContext();
        context.Connection.ClientCertificate = certificate;
        return context;
    }

    [Test]
    public async Task AuthenticateAsync_ClusterCertificate_UserAndGroupsOnEveryRequestOfTheConnection()
    {
        using var certificate = TestIdentities.Certificate(Tls, "jane", "dev", "qa");

        var first = await _authenticator.AuthenticateAsync(Request(certificate));
        var again = await _authenticator.AuthenticateAsync(Request(certificate));

        Assert.That(first!.Name, Is.EqualTo("jane"));
        Assert.That(first.Groups, Is.EqualTo(new[] { "dev", "qa", UserInfo.AuthenticatedGroup }));
        Assert.That(again, Is.SameAs(first), "the connection's certificate is verified once");
    }

    [Test]
    public async Task AuthenticateAsync_SameCertificateOnANewConnection_SameUser()
    {
        using var certificate = TestIdentities.Certificate(Tls, "jane");
        using var copy = X509CertificateLoader.LoadCertificate(certificate.RawData);

        var first = await _authenticator.AuthenticateAsync(Request(certificate));
        var other = await _authenticator.AuthenticateAsync(Request(copy));

        Assert.That(other, Is.SameAs(first));
    }

    [Test]
    public async Task AuthenticateAsync_CertificateOfAnotherCa_AnonymousOnEveryRequest()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mallory, O=system:masters", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var forged = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        Assert.That(await _authenticator.AuthenticateAsync(Request(forged)), Is.Null);
        Assert.That(await _authenticator.AuthenticateAsync(Request(forged)), Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_NoCertificateNoToken_Anonymous()
    {
        Assert.That(await _authenticator.AuthenticateAsync(new DefaultHttpContext()), Is.Null);
    }
}
