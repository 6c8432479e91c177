using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.Storage.Tests.Etcd;

/// <summary>A throwaway CA with a loopback server certificate and a client certificate, as PEM files.</summary>
internal sealed record TestCertificates(string CaFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    public static TestCertificates Create(string directory, string caName = "mkube-test-ca")
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var server = Issue(ca, "CN=127.0.0.1", serverAuth: true);
        var client = Issue(ca, "CN=mkube", serverAuth: false);
        var files = new TestCertificates(
            Path.Combine(directory, "ca.pem"),
            Path.Combine(directory, "server.pem"), Path.Combine(directory, "server-key.pem"),
            Path.Combine(directory, "client.pem"), Path.Combine(directory, "client-key.pem"));
        File.WriteAllText(files.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(files.ServerCertFile, server.Certificate);
        File.WriteAllText(files.ServerKeyFile, server.Key);
        File.WriteAllText(files.ClientCertFile, client.Certificate);
        File.WriteAllText(files.ClientKeyFile, client.Key);
        return files;
    }

    private static (string Certificate, string Key) Issue(X509Certificate2 ca, string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        return (issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
