using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.Pki;
using MiniKube.Testing;

namespace MiniKube.ApiServer.Tests.Pki;

/// <summary>The one renewal rule at start, over the server's leaves (ClusterPki) and the agent's (AgentCertificates), on an injected clock.</summary>
[TestFixture]
public sealed class LeafCertificatesTests
{
    private static readonly string[] Names = ["localhost", "127.0.0.1"];
    private string _dir = null!;
    private FakeTimeProvider _clock = null!;
    private CollectingLoggerProvider _logs = null!;
    private ILogger _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("mkube-renew-").FullName;
        // Certificates are made a while ago on the fake clock, so "now" can move up to a year on.
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-400));
        _logs = new CollectingLoggerProvider();
        _logger = _logs.CreateLogger("pki");
    }

    [TearDown]
    public void TearDown()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void LoadOrCreate_LeavesWithin120DaysOfExpiry_RenewedWithAWarningFirst()
    {
        var first = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);
        _clock.Advance(TimeSpan.FromDays(365 - 100));

        var second = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);

        Assert.That(second.Serving.Thumbprint, Is.Not.EqualTo(first.Serving.Thumbprint));
        Assert.That(second.Admin.Thumbprint, Is.Not.EqualTo(first.Admin.Thumbprint));
        Assert.That(second.FrontProxyClient.Thumbprint, Is.Not.EqualTo(first.FrontProxyClient.Thumbprint));
        Assert.That(second.Admin.NotAfter.ToUniversalTime(), Is.EqualTo(_clock.GetUtcNow().AddDays(365).UtcDateTime).Within(TimeSpan.FromMinutes(10)));
        var lines = _logs.Lines;
        var warning = lines.ToList().FindIndex(l => l.Level == LogLevel.Warning && l.Message.Contains("client-admin.crt") && l.Message.Contains("will expire within 120 days"));
        var renewed = lines.ToList().FindIndex(l => l.Level == LogLevel.Information && l.Message.Contains("client-admin.crt: renewed certificate"));
        Assert.That(warning, Is.GreaterThanOrEqualTo(0), string.Join('\n', lines));
        Assert.That(renewed, Is.GreaterThan(warning));
    }

    [Test]
    public void LoadOrCreate_LeavesBeyond120Days_Kept()
    {
        var first = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);
        _clock.Advance(TimeSpan.FromDays(365 - 125));

        var second = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);

        Assert.That(second.Serving.Thumbprint, Is.EqualTo(first.Serving.Thumbprint));
        Assert.That(second.Admin.Thumbprint, Is.EqualTo(first.Admin.Thumbprint));
        Assert.That(second.FrontProxyClient.Thumbprint, Is.EqualTo(first.FrontProxyClient.Thumbprint));
        Assert.That(_logs.Lines.Where(l => l.Level >= LogLevel.Warning), Is.Empty);
    }

    [Test]
    public void LoadOrCreate_ExpiredLeaves_RenewedWithTheSameSubjectNamesUsageAndCa()
    {
        var first = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);
        _clock.Advance(TimeSpan.FromDays(380));

        var second = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);

        Assert.That(second.Admin.Thumbprint, Is.Not.EqualTo(first.Admin.Thumbprint));
        Assert.That(second.Admin.SubjectName.RawData, Is.EqualTo(first.Admin.SubjectName.RawData));
        Assert.That(CertificateFiles.NamesOf(second.Serving), Is.EquivalentTo(CertificateFiles.NamesOf(first.Serving)));
        Assert.That(CertificateFiles.Usages(second.Serving), Is.EqualTo(new[] { "ServerAuth" }));
        Assert.That(CertificateFiles.Usages(second.Admin), Is.EqualTo(new[] { "ClientAuth" }));
        Assert.That(second.IsClientCertificate(second.Admin), Is.True);
        Assert.That(_logs.Lines.Any(l => l.Level == LogLevel.Warning && l.Message.Contains("client-admin.crt") && l.Message.Contains("expired at")), Is.True);
        Assert.That(Directory.EnumerateFiles(_dir, "*.key").Select(File.GetUnixFileMode), Has.All.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void LoadOrCreate_CaNearItsEnd_NeverRenewed()
    {
        var first = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);
        var caFile = File.ReadAllText(Path.Combine(_dir, "server-ca.crt"));
        var proxyCaFile = File.ReadAllText(Path.Combine(_dir, "request-header-ca.crt"));
        // Within 120 days of the CA's own end: leaves renew (cut short to the CA's life), the CA stays.
        _clock.Advance(TimeSpan.FromDays((365 * 10) - 60));

        var second = ClusterPki.LoadOrCreate(_dir, Names, _clock, _logger);

        Assert.That(second.Ca.Thumbprint, Is.EqualTo(first.Ca.Thumbprint));
        Assert.That(second.FrontProxyCa.Thumbprint, Is.EqualTo(first.FrontProxyCa.Thumbprint));
        Assert.That(File.ReadAllText(Path.Combine(_dir, "server-ca.crt")), Is.EqualTo(caFile));
        Assert.That(File.ReadAllText(Path.Combine(_dir, "request-header-ca.crt")), Is.EqualTo(proxyCaFile));
        Assert.That(second.Admin.NotAfter, Is.LessThanOrEqualTo(second.Ca.NotAfter));
        Assert.That(_logs.Lines.Any(l => l.Message.Contains("server-ca")), Is.False);
    }

    [Test]
    public void LoadOrCreateKubeletServing_AgentLeafWithin120Days_RenewedWithAWarningFirst()
    {
        var agent = Path.Combine(_dir, "agent");
        using var first = AgentCertificates.LoadOrCreateKubeletServing(agent, "node-1", "10.0.0.5", _clock, _logger);
        _clock.Advance(TimeSpan.FromDays(365 - 125));
        using var kept = AgentCertificates.LoadOrCreateKubeletServing(agent, "node-1", "10.0.0.5", _clock, _logger);
        _clock.Advance(TimeSpan.FromDays(10));

        using var renewed = AgentCertificates.LoadOrCreateKubeletServing(agent, "node-1", "10.0.0.5", _clock, _logger);

        Assert.That(kept.Thumbprint, Is.EqualTo(first.Thumbprint));
        Assert.That(renewed.Thumbprint, Is.Not.EqualTo(first.Thumbprint));
        Assert.That(renewed.Subject, Is.EqualTo(first.Subject));
        Assert.That(CertificateFiles.NamesOf(renewed), Is.EquivalentTo(new[] { "node-1", "10.0.0.5" }));
        Assert.That(renewed.HasPrivateKey, Is.True);
        Assert.That(File.GetUnixFileMode(Path.Combine(agent, "serving-kubelet.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var lines = _logs.Lines.ToList();
        var warning = lines.FindIndex(l => l.Level == LogLevel.Warning && l.Message.Contains("serving-kubelet.crt"));
        Assert.That(warning, Is.GreaterThanOrEqualTo(0));
        Assert.That(lines.FindIndex(l => l.Message.Contains("serving-kubelet.crt: renewed")), Is.GreaterThan(warning));
    }

    [Test]
    public void LoadOrCreateKubeletServing_NewNodeIp_IssuedAgain()
    {
        var agent = Path.Combine(_dir, "agent");
        using var first = AgentCertificates.LoadOrCreateKubeletServing(agent, "node-1", "10.0.0.5", _clock, _logger);

        using var second = AgentCertificates.LoadOrCreateKubeletServing(agent, "node-1", "10.0.0.6", _clock, _logger);

        Assert.That(second.Thumbprint, Is.Not.EqualTo(first.Thumbprint));
        Assert.That(CertificateFiles.NamesOf(second), Does.Contain("10.0.0.6"));
    }

    [Test]
    public void StatusOf_AroundTheWindow_IsOkWarningExpiredOrNotYetValid()
    {
        var notBefore = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var notAfter = notBefore.AddDays(365);

        Assert.That(CertificateRenewal.StatusOf(notBefore, notAfter, notBefore.AddDays(-1)), Is.EqualTo(CertificateStatus.NotYetValid));
        Assert.That(CertificateRenewal.StatusOf(notBefore, notAfter, notAfter.AddDays(-121)), Is.EqualTo(CertificateStatus.Ok));
        Assert.That(CertificateRenewal.StatusOf(notBefore, notAfter, notAfter.AddDays(-119)), Is.EqualTo(CertificateStatus.Warning));
        Assert.That(CertificateRenewal.StatusOf(notBefore, notAfter, notAfter.AddSeconds(1)), Is.EqualTo(CertificateStatus.Expired));
        Assert.That(CertificateRenewal.Problem("CN=admin", notBefore, notAfter, CertificateStatus.Warning),
            Is.EqualTo("certificate CN=admin will expire within 120 days at 2027-01-01T00:00:00Z"));
    }
}
