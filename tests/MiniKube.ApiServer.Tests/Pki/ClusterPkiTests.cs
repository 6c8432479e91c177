using System.Security.Cryptography.X509Certificates;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer.Tests.Pki;

[TestFixture]
public sealed class ClusterPkiTests
{
    private static readonly string[] Names = ["localhost", "127.0.0.1", "kubernetes.default.svc"];
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("mkube-pki-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void LoadOrCreate_FirstStart_MakesCaServingAndAdminCertificates()
    {
        var pki = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        Assert.That(pki.Ca.NotAfter, Is.GreaterThan(DateTime.Now.AddYears(9)));
        Assert.That(pki.Serving.NotAfter, Is.LessThan(DateTime.Now.AddYears(1).AddDays(1)));
        Assert.That(pki.IsIssuedByCluster(pki.Serving), Is.True);
        Assert.That(pki.IsIssuedByCluster(pki.Admin), Is.True);
        Assert.That(pki.Admin.Subject, Does.Contain("CN=admin").And.Contain("O=system:masters"));
        var san = pki.Serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(san.EnumerateDnsNames(), Is.SupersetOf(new[] { "localhost", "kubernetes.default.svc" }));
        Assert.That(Directory.EnumerateFiles(_dir, "*.key").Select(File.GetUnixFileMode), Has.All.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void LoadOrCreate_FrontProxy_HasItsOwnCaAndAClientCertificateForTheAggregator()
    {
        var pki = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);
        var again = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        Assert.That(pki.FrontProxyClient.Subject, Is.EqualTo("CN=system:auth-proxy"));
        Assert.That(pki.FrontProxyClient.HasPrivateKey, Is.True);
        Assert.That(pki.FrontProxyCa.Thumbprint, Is.Not.EqualTo(pki.Ca.Thumbprint));
        // Signed by the front-proxy CA only: a cluster client certificate is no proxy, and the proxy is no cluster user.
        Assert.That(pki.IsClientCertificate(pki.FrontProxyClient), Is.False);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(pki.FrontProxyCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        Assert.That(chain.Build(pki.FrontProxyClient), Is.True);
        Assert.That(again.FrontProxyClient.Thumbprint, Is.EqualTo(pki.FrontProxyClient.Thumbprint));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "request-header-ca.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "client-auth-proxy.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void LoadOrCreate_ComponentClients_EachItsOwnUserNoneAMaster()
    {
        var pki = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);
        var again = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        var clients = new[] { pki.Scheduler, pki.ControllerManager, pki.KubeProxy, pki.ClusterDns, pki.Ingress, pki.Metrics, pki.Manifests };
        Assert.That(clients.Select(c => c.Subject), Is.EqualTo(new[] { "CN=system:kube-scheduler", "CN=system:kube-controller-manager", "CN=system:kube-proxy", "CN=system:mkube:cluster-dns", "CN=system:mkube:ingress", "CN=system:mkube:metrics-server", "CN=system:mkube:manifests" }));
        Assert.That(clients.Select(pki.IsClientCertificate), Is.All.True);
        Assert.That(clients.Select(c => c.HasPrivateKey), Is.All.True);
        Assert.That(again.Scheduler.Thumbprint, Is.EqualTo(pki.Scheduler.Thumbprint), "kept across starts");
        foreach (var name in new[] { "client-scheduler", "client-controller", "client-kube-proxy", "client-cluster-dns", "client-ingress", "client-metrics-server" })
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(_dir, name + ".key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), name);
        }
    }

    [Test]
    public void NodeClient_ServersOwnKubelet_SystemNodeInSystemNodesKeptThenReissuedForAnotherName()
    {
        var pki = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        using var first = pki.NodeClient("server-1", DateTimeOffset.UtcNow);
        using var again = pki.NodeClient("server-1", DateTimeOffset.UtcNow);
        using var renamed = pki.NodeClient("server-2", DateTimeOffset.UtcNow);

        Assert.That(first.Subject, Is.EqualTo("CN=system:node:server-1, O=system:nodes"));
        Assert.That(pki.IsClientCertificate(first), Is.True);
        Assert.That(again.Thumbprint, Is.EqualTo(first.Thumbprint));
        Assert.That(renamed.Subject, Is.EqualTo("CN=system:node:server-2, O=system:nodes"));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "client-kubelet.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void LoadOrCreate_SecondStart_ReusesTheSameCertificates()
    {
        var first = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        var second = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        Assert.That(second.Ca.Thumbprint, Is.EqualTo(first.Ca.Thumbprint));
        Assert.That(second.Serving.Thumbprint, Is.EqualTo(first.Serving.Thumbprint));
        Assert.That(second.Admin.Thumbprint, Is.EqualTo(first.Admin.Thumbprint));
    }

    [Test]
    public void LoadOrCreate_NewHostAddress_ReissuesOnlyTheServingCertificate()
    {
        var first = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        var second = ClusterPki.LoadOrCreate(_dir, [.. Names, "10.0.0.7"], TimeProvider.System);

        Assert.That(second.Ca.Thumbprint, Is.EqualTo(first.Ca.Thumbprint));
        Assert.That(second.Serving.Thumbprint, Is.Not.EqualTo(first.Serving.Thumbprint));
        Assert.That(second.IsIssuedByCluster(second.Serving), Is.True);
    }

    [Test]
    public void IsClientCertificate_ServingCertificate_IsFalse()
    {
        var pki = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);

        Assert.That(pki.IsClientCertificate(pki.Admin), Is.True);
        Assert.That(pki.IsClientCertificate(pki.Serving), Is.False);
    }

    [Test]
    public void IsIssuedByCluster_CertificateOfAnotherCluster_IsFalse()
    {
        var ours = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);
        var other = ClusterPki.LoadOrCreate(Path.Combine(_dir, "other"), Names, TimeProvider.System);

        Assert.That(ours.IsIssuedByCluster(other.Admin), Is.False);
    }

    [Test]
    public void KubeconfigWrite_UsesTheRequestedModeAndEmbedsTheAdminIdentity()
    {
        var pki = ClusterPki.LoadOrCreate(_dir, Names, TimeProvider.System);
        var path = Path.Combine(_dir, "etc", "mkube.yaml");

        Kubeconfig.Write(path, UnixFileMode.UserRead | UnixFileMode.UserWrite, new Uri("https://127.0.0.1:6443"), pki);

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var text = File.ReadAllText(path);
        Assert.That(text, Does.Contain("server: https://127.0.0.1:6443").And.Contain("client-certificate-data:").And.Contain("certificate-authority-data:"));
    }
}
