using MiniKube.ApiServer.Pki;
using MiniKube.CheckConfig;

namespace MiniKube.Tests.CheckConfig;

public sealed class ClockChecksTests
{
    private static readonly DateTimeOffset SourceDate = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Check_ClockAfterTheSourceDate_Ok()
    {
        var result = ClockChecks.Check(FakeHostProbe.Complete(), SourceDate, "/var/lib/mkube").Single();

        Assert.That(result.ToString(), Is.EqualTo("OK    clock    system clock: 2026-06-01 12:00:00 UTC, after this build's source date 2026-03-01 00:00:00 UTC"));
    }

    [Test]
    public void Check_ClockBeforeTheSourceDate_FailsSayingToSetIt()
    {
        var probe = FakeHostProbe.Complete();
        probe.Now = new DateTimeOffset(1970, 1, 1, 0, 1, 0, TimeSpan.Zero);

        var result = ClockChecks.Check(probe, SourceDate, "/var/lib/mkube").Single();

        Assert.That(result.Status, Is.EqualTo(CheckStatus.Fail));
        Assert.That(result.Detail, Is.EqualTo("1970-01-01 00:01:00 UTC is before this build's source date 2026-03-01 00:00:00 UTC"));
        Assert.That(result.Fix, Does.Contain("set the clock"));
    }

    [Test]
    public void Check_NoSourceDate_Warns()
    {
        Assert.That(ClockChecks.Check(FakeHostProbe.Complete(), null, "/var/lib/mkube").Single().Status, Is.EqualTo(CheckStatus.Warning));
    }

    [TestCase(CertificateStatus.Ok, CheckStatus.Ok)]
    [TestCase(CertificateStatus.Warning, CheckStatus.Ok)]
    [TestCase(CertificateStatus.NotYetValid, CheckStatus.Fail)]
    [TestCase(CertificateStatus.Expired, CheckStatus.Fail)]
    public void Check_ClusterCa_ValidNowOrNot(CertificateStatus certificate, CheckStatus expected)
    {
        var probe = FakeHostProbe.Complete();
        var file = new CertificateFile(CertificateInventory.AuthorityService, "/var/lib/mkube/server/tls", "server-ca", null, IsAuthority: true);
        probe.CertificateAuthorities.Add(new CertificateReport(file, "CN=mkube-server-ca", "CN=mkube-server-ca", [], SourceDate, SourceDate.AddYears(10), certificate));

        var results = ClockChecks.Check(probe, SourceDate, "/var/lib/mkube");

        Assert.That(results.Select(r => (r.Item, r.Status)).Last(), Is.EqualTo(("server-ca.crt (/var/lib/mkube)", expected)));
    }
}
