using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.Pki;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

[TestFixture]
public sealed class CertificateMonitorTests
{
    private string _dataDir = null!;
    private FakeTimeProvider _clock = null!;
    private CertificateMonitor _monitor = null!;

    [SetUp]
    public void SetUp()
    {
        _dataDir = Directory.CreateTempSubdirectory("mkube-monitor-").FullName;
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        ClusterPki.LoadOrCreate(CertificateInventory.ServerDirectory(_dataDir), ["localhost"], _clock, NullLogger.Instance);
        AgentCertificates.LoadOrCreateKubeletServing(CertificateInventory.AgentDirectory(_dataDir), "node-1", "10.0.0.5", _clock, NullLogger.Instance).Dispose();
        // Assess reads files only; the client is never called.
        _monitor = new CertificateMonitor(new Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }), _dataDir, "node-1", _clock, NullLogger<CertificateMonitor>.Instance, NullLoggerFactory.Instance);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    [Test]
    public void Assess_FreshCertificatesFirstCheck_OneNormalOkEvent()
    {
        var events = _monitor.Assess(_dataDir, _clock.GetUtcNow(), first: true);

        Assert.That(events, Is.EqualTo(new[] { new CertificateEvent("Normal", "CertificateExpirationOK", "Node and Certificate Authority certificates managed by mkube are OK") }));
        Assert.That(_monitor.Assess(_dataDir, _clock.GetUtcNow(), first: false), Is.Empty);
    }

    [Test]
    public void Assess_LeavesWithin120Days_WarningOnTheNodeNamingEachFile()
    {
        var events = _monitor.Assess(_dataDir, _clock.GetUtcNow().AddDays(300), first: false);

        var warning = events.Single();
        Assert.That(warning.Type, Is.EqualTo("Warning"));
        Assert.That(warning.Reason, Is.EqualTo("CertificateExpirationWarning"));
        Assert.That(warning.Message, Does.StartWith("Node certificates require attention - restart mkube on this node to trigger automatic rotation: "));
        Assert.That(warning.Message, Does.Contain("admin/client-admin.crt: certificate CN=admin, O=system:masters will expire within 120 days at ")
            .And.Contain("kubelet/serving-kubelet.crt: certificate CN=node-1@kubelet will expire within 120 days")
            .And.Contain("api-server/serving-kube-apiserver.crt").And.Contain("auth-proxy/client-auth-proxy.crt"));
    }

    [Test]
    public void Assess_CaWithinAYear_CaWarningToo()
    {
        var events = _monitor.Assess(_dataDir, _clock.GetUtcNow().AddDays((365 * 10) - 200), first: false);

        Assert.That(events.Select(e => e.Reason), Is.EqualTo(new[] { "CertificateExpirationWarning", "CACertificateExpirationWarning" }));
        Assert.That(events[1].Message, Does.Contain("certificate-authority/server-ca.crt: certificate CN=mkube-server-ca@").And.Contain("will expire within 365 days"));
    }
}
