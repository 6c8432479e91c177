using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.Api.Tests;

public class CustomTrustTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Test]
    public void Verifies_LeafIssuedByTheRoot_IsTrusted()
    {
        using var ca = Ca("CN=cluster-ca");
        using var leaf = Leaf(ca, "CN=admin");

        Assert.That(CustomTrust.Verifies(leaf, [ca]), Is.True);
    }

    [Test]
    public void Verifies_LeafOfAnotherCa_IsNotTrusted()
    {
        using var ca = Ca("CN=cluster-ca");
        using var other = Ca("CN=other-ca");
        using var leaf = Leaf(other, "CN=admin");

        Assert.That(CustomTrust.Verifies(leaf, [ca]), Is.False);
    }

    [Test]
    public void Verifies_UsageTheLeafDoesNotAllow_IsNotTrusted()
    {
        const string ServerAuth = "1.3.6.1.5.5.7.3.1";
        using var ca = Ca("CN=cluster-ca");
        using var leaf = Leaf(ca, "CN=admin");

        Assert.That(CustomTrust.Verifies(leaf, [ca], ServerAuth), Is.False);
    }

    private static X509Certificate2 Ca(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(Now.AddMinutes(-5), Now.AddDays(1));
    }

    /// <summary>A client certificate (extended key usage clientAuth only) issued by <paramref name="ca"/>.</summary>
    private static X509Certificate2 Leaf(X509Certificate2 ca, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(ca, Now.AddMinutes(-5), Now.AddHours(1), [1, 2, 3, 4]);
        return issued.CopyWithPrivateKey(key);
    }
}
