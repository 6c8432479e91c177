using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;

namespace MiniKube.Testing;

/// <summary>
/// Client certificates for users other than the admin, signed by a test server's cluster CA (read
/// from its data directory), so tests can speak to the API as "jane" in group "dev" and see what
/// RBAC lets her do.
/// </summary>
public static class TestIdentities
{
    /// <summary>A certificate for <paramref name="user"/> (CN) in <paramref name="groups"/> (O), valid for a day.</summary>
    public static X509Certificate2 Certificate(TestApiServer server, string user, params string[] groups)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Certificate(Path.Combine(server.Directory, "tls"), user, groups);
    }

    /// <summary>A certificate signed by the cluster CA kept in <paramref name="tls"/> (a server's data-dir <c>server/tls</c>).</summary>
    public static X509Certificate2 Certificate(string tls, string user, params string[] groups)
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(tls, "server-ca.crt"), Path.Combine(tls, "server-ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups)
        {
            subject.AddOrganizationName(group);
        }
        subject.AddCommonName(user);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A client of <paramref name="server"/> that authenticates as <paramref name="user"/>.</summary>
    public static Kubernetes Client(TestApiServer server, string user, params string[] groups)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var certificate = Certificate(server, user, groups);
        return new Kubernetes(Configuration(server, certificate));
    }

    /// <summary>The configuration of <paramref name="server"/>'s admin kubeconfig with <paramref name="certificate"/> (and its key) in place of the admin's.</summary>
    public static KubernetesClientConfiguration Configuration(TestApiServer server, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(certificate);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath);
        config.ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(certificate.ExportCertificatePem()));
        config.ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        config.ClientCertificateFilePath = null;
        config.ClientKeyFilePath = null;
        return config;
    }

    /// <summary>
    /// Writes a kubeconfig for <paramref name="user"/> at <paramref name="path"/>: the cluster of
    /// <paramref name="adminKubeconfig"/> with a client certificate from the CA in <paramref name="tls"/>,
    /// for the real kubectl to act as someone other than the admin.
    /// </summary>
    public static async Task WriteKubeconfigAsync(string adminKubeconfig, string tls, string path, string user, params string[] groups)
    {
        var admin = await KubernetesClientConfiguration.LoadKubeConfigAsync(adminKubeconfig);
        var cluster = admin.Clusters.First().ClusterEndpoint;
        using var certificate = Certificate(tls, user, groups);
        static string Base64(string pem) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pem));
        var yaml = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: cluster
              cluster:
                server: {cluster.Server}
                certificate-authority-data: {cluster.CertificateAuthorityData}
            users:
            - name: {user}
              user:
                client-certificate-data: {Base64(certificate.ExportCertificatePem())}
                client-key-data: {Base64(certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem())}
            contexts:
            - name: {user}
              context:
                cluster: cluster
                user: {user}
            current-context: {user}

            """;
        await File.WriteAllTextAsync(path, yaml);
    }
}
