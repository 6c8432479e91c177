using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;

namespace MiniKube.Addons.Tests.Ingress;

/// <summary>Ingresses and TLS Secrets as kubectl makes them.</summary>
internal static class IngressObjects
{
    public static V1Ingress NewIngress(string ns, string name, params V1IngressRule[] rules) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name, CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new V1IngressSpec { Rules = rules },
    };

    public static V1IngressRule Rule(string? host, params V1HTTPIngressPath[] paths) => new() { Host = host, Http = new V1HTTPIngressRuleValue { Paths = paths } };

    public static V1HTTPIngressPath Path(string path, string pathType, string service, int port) => new()
    {
        Path = path,
        PathType = pathType,
        Backend = Backend(service, port),
    };

    public static V1IngressBackend Backend(string service, int port) => new() { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = port } } };

    /// <summary>A kubernetes.io/tls Secret with a fresh self-signed certificate for <paramref name="hosts"/>.</summary>
    public static V1Secret TlsSecret(string ns, string name, params string[] hosts)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hosts[0], key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name, Uid = Guid.NewGuid().ToString(), ResourceVersion = "1" },
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]>
            {
                ["tls.crt"] = Encoding.UTF8.GetBytes(certificate.ExportCertificatePem()),
                ["tls.key"] = Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem()),
            },
        };
    }
}
