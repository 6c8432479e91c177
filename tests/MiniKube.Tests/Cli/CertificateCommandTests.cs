using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Tests.Cli;

[TestFixture]
public sealed class CertificateCommandTests
{
    private CliHarness _cli = null!;
    private string _dataDir = null!;

    [SetUp]
    public void SetUp()
    {
        _cli = new CliHarness();
        _dataDir = Path.Combine(_cli.TempDir, "data");
        // Made 300 days ago: every leaf is within 120 days of expiry, the CAs are fine.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-300));
        ClusterPki.LoadOrCreate(CertificateInventory.ServerDirectory(_dataDir), ["localhost"], clock, NullLogger.Instance);
        AgentCertificates.LoadOrCreateKubeletServing(CertificateInventory.AgentDirectory(_dataDir), "node-1", "10.0.0.5", clock, NullLogger.Instance).Dispose();
    }

    [TearDown]
    public void TearDown() => _cli.Dispose();

    [Test]
    public async Task Check_Text_OneLinePerFileInK3sWords()
    {
        var code = await _cli.RunAsync("certificate", "check", "--data-dir", _dataDir);

        Assert.That(code, Is.EqualTo(0), _cli.Error.ToString());
        var lines = _cli.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Ten server leaves (serving, admin, auth-proxy, scheduler, controller, kube-proxy, cluster DNS, metrics, ingress, manifests), the kubelet's serving certificate, two CAs.
        Assert.That(lines, Has.Length.EqualTo(13));
        Assert.That(lines, Has.One.Match(@"^client-manifests\.crt: certificate system:mkube:manifests \(ClientAuth\) will expire within 120 days at "));
        Assert.That(lines, Has.One.Match(@"^client-admin\.crt: certificate admin \(ClientAuth\) will expire within 120 days at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
        Assert.That(lines, Has.One.Match(@"^client-scheduler\.crt: certificate system:kube-scheduler \(ClientAuth\) will expire within 120 days at "));
        Assert.That(lines, Has.One.Match(@"^serving-kubelet\.crt: certificate node-1@kubelet \(ServerAuth\) will expire within 120 days at "));
        Assert.That(lines, Has.One.Match(@"^server-ca\.crt: certificate mkube-server-ca@\d+ \(CertSign\) is ok, expires at "));
    }

    [Test]
    public async Task Check_TableForOneService_ColumnsAndStatus()
    {
        var code = await _cli.RunAsync("certificate", "check", "--data-dir", _dataDir, "-o", "table", "--service", "admin,kubelet");

        Assert.That(code, Is.EqualTo(0), _cli.Error.ToString());
        var lines = _cli.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Match("^FILENAME +SUBJECT +USAGES +EXPIRES +RESIDUAL TIME +STATUS$"));
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[2], Does.Match(@"^client-admin\.crt +admin +ClientAuth +\w{3} \d\d, \d{4} \d\d:\d\d UTC +\d+ (months|weeks|days?) +WARNING$"));
        Assert.That(lines[3], Does.StartWith("serving-kubelet.crt").And.EndWith("WARNING"));
    }

    [Test]
    public async Task Rotate_AllLeaves_RenewedCaKeptAndCheckThenOk()
    {
        var ca = await File.ReadAllTextAsync(Path.Combine(CertificateInventory.ServerDirectory(_dataDir), "server-ca.crt"));

        var code = await _cli.RunAsync("certificate", "rotate", "--data-dir", _dataDir);

        Assert.That(code, Is.EqualTo(0), _cli.Error.ToString());
        var output = _cli.Out.ToString();
        Assert.That(output, Does.Contain("Rotated admin/client-admin.crt").And.Contain("Rotated kubelet/serving-kubelet.crt").And.Contain("restart mkube"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(CertificateInventory.ServerDirectory(_dataDir), "server-ca.crt")), Is.EqualTo(ca));
        Assert.That(Directory.GetDirectories(Path.Combine(_dataDir, "server"), "tls-*"), Has.Length.EqualTo(1));
        var reports = CertificateInventory.Check(CertificateInventory.Files(_dataDir, null, includeAuthorities: true), DateTimeOffset.UtcNow);
        Assert.That(reports.Select(r => r.Status), Has.All.EqualTo(CertificateStatus.Ok));
    }

    [TestCase("check", "--output", "yaml")]
    [TestCase("check", "--service", "bogus")]
    [TestCase("rotate", "--service", "certificate-authority")]
    [TestCase("rotate", "--bogus")]
    public async Task BadFlag_OneErrorLineAndUsage_Exits2(params string[] args)
    {
        var code = await _cli.RunAsync(["certificate", .. args, "--data-dir", _dataDir]);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_cli.ErrorLines, Has.Length.EqualTo(2));
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: ").And.Contain(args[^1]));
        Assert.That(_cli.Out.ToString(), Is.Empty);
    }

    [Test]
    public async Task Check_EmptyDataDir_OneLineExits1()
    {
        var code = await _cli.RunAsync("certificate", "check", "--data-dir", Path.Combine(_cli.TempDir, "empty"));

        Assert.That(code, Is.EqualTo(1));
        Assert.That(_cli.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(_cli.ErrorLines[0], Does.StartWith("Error: no certificates in "));
    }
}
