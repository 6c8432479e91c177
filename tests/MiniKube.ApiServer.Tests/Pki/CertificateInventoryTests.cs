using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer.Tests.Pki;

[TestFixture]
public sealed class CertificateInventoryTests
{
    private string _dataDir = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public void SetUp()
    {
        _dataDir = Directory.CreateTempSubdirectory("mkube-inventory-").FullName;
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-300));
        var pki = ClusterPki.LoadOrCreate(CertificateInventory.ServerDirectory(_dataDir), ["localhost", "127.0.0.1"], _clock, NullLogger.Instance);
        pki.NodeClient("node-1", _clock.GetUtcNow()).Dispose();
        AgentCertificates.LoadOrCreateKubeletServing(CertificateInventory.AgentDirectory(_dataDir), "node-1", "10.0.0.5", _clock, NullLogger.Instance).Dispose();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    [Test]
    public void Check_EveryFile_ReportsLeavesAndCasWithTheirStatus()
    {
        var reports = CertificateInventory.Check(CertificateInventory.Files(_dataDir, null, includeAuthorities: true), DateTimeOffset.UtcNow);

        Assert.That(reports.Select(r => r.File.FileName), Is.EquivalentTo(new[]
        {
            "serving-kube-apiserver.crt", "client-admin.crt", "client-auth-proxy.crt", "client-scheduler.crt", "client-controller.crt",
            "client-kube-proxy.crt", "client-cluster-dns.crt", "client-ingress.crt", "client-metrics-server.crt", "client-manifests.crt", "client-kubelet.crt", "serving-kubelet.crt", "server-ca.crt", "request-header-ca.crt",
        }));
        Assert.That(reports.Single(r => r.File.Name == "client-kubelet").File.Service, Is.EqualTo("kubelet"));
        Assert.That(reports.Where(r => !r.File.IsAuthority).Select(r => r.Status), Has.All.EqualTo(CertificateStatus.Warning));
        Assert.That(reports.Where(r => r.File.IsAuthority).Select(r => r.Status), Has.All.EqualTo(CertificateStatus.Ok));
        Assert.That(reports.Single(r => r.File.Name == "server-ca").Usages, Does.Contain("CertSign"));
        Assert.That(reports.Single(r => r.File.Name == "client-admin").Problem(), Does.StartWith("admin/client-admin.crt: certificate CN=admin, O=system:masters will expire within 120 days at "));
    }

    [Test]
    public void Rotate_OneService_RenewsItsLeavesOnlyKeepingSubjectNamesAndCa()
    {
        var server = CertificateInventory.ServerDirectory(_dataDir);
        using var before = CertificateFiles.Load(server, "serving-kube-apiserver")!;
        var admin = File.ReadAllText(Path.Combine(server, "client-admin.crt"));
        var ca = File.ReadAllText(Path.Combine(server, "server-ca.crt"));
        var backup = Path.Combine(_dataDir, "server", "tls-backup");

        var rotated = CertificateInventory.Rotate(CertificateInventory.Files(_dataDir, ["api-server"], includeAuthorities: false), backup, DateTimeOffset.UtcNow);

        using var after = CertificateFiles.Load(server, "serving-kube-apiserver")!;
        Assert.That(rotated.Select(r => r.File.FileName), Is.EqualTo(new[] { "serving-kube-apiserver.crt" }));
        Assert.That(rotated.Single().Status, Is.EqualTo(CertificateStatus.Ok));
        Assert.That(after.Thumbprint, Is.Not.EqualTo(before.Thumbprint));
        Assert.That(after.SubjectName.RawData, Is.EqualTo(before.SubjectName.RawData));
        Assert.That(CertificateFiles.NamesOf(after), Is.EquivalentTo(CertificateFiles.NamesOf(before)));
        Assert.That(CertificateFiles.Usages(after), Is.EqualTo(CertificateFiles.Usages(before)));
        Assert.That(after.IssuerName.RawData, Is.EqualTo(before.IssuerName.RawData));
        Assert.That(File.ReadAllText(Path.Combine(server, "client-admin.crt")), Is.EqualTo(admin));
        Assert.That(File.ReadAllText(Path.Combine(server, "server-ca.crt")), Is.EqualTo(ca));
        Assert.That(File.ReadAllText(Path.Combine(backup, "serving-kube-apiserver.crt")), Is.EqualTo(before.ExportCertificatePem() + "\n").Or.EqualTo(before.ExportCertificatePem()));
        Assert.That(File.GetUnixFileMode(Path.Combine(backup, "serving-kube-apiserver.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.Combine(server, "serving-kube-apiserver.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void Rotate_AgentLeaf_StaysSelfSigned()
    {
        var agent = CertificateInventory.AgentDirectory(_dataDir);

        CertificateInventory.Rotate(CertificateInventory.Files(_dataDir, ["kubelet"], includeAuthorities: false), Path.Combine(agent, "tls-backup"), DateTimeOffset.UtcNow);

        using var after = CertificateFiles.Load(agent, "serving-kubelet")!;
        Assert.That(after.IssuerName.RawData, Is.EqualTo(after.SubjectName.RawData));
        Assert.That(CertificateRenewal.StatusOf(after, DateTimeOffset.UtcNow), Is.EqualTo(CertificateStatus.Ok));
        // The server's own kubelet's client certificate is of the same service: renewed too, still the node's, still the CA's.
        using var client = CertificateFiles.Load(CertificateInventory.ServerDirectory(_dataDir), "client-kubelet")!;
        Assert.That(client.Subject, Is.EqualTo("CN=system:node:node-1, O=system:nodes"));
        Assert.That(CertificateRenewal.StatusOf(client, DateTimeOffset.UtcNow), Is.EqualTo(CertificateStatus.Ok));
        Assert.That(client.IssuerName.RawData, Is.Not.EqualTo(client.SubjectName.RawData));
    }
}
