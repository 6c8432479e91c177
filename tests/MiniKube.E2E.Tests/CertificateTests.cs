using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniKube.ApiServer.Pki;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Certificate renewal with the real binary: <c>mkube certificate check</c> and <c>rotate</c> on a
/// data dir the test prepares, and a server start that renews leaves near their end. Starts no
/// pods (simulated runtime), and so, unlike <see cref="DataDirFixture"/>, removes no containers.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class CertificateTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private string _dataDir = null!;

    private string ServerTls => CertificateInventory.ServerDirectory(_dataDir);

    private string AgentDir => CertificateInventory.AgentDirectory(_dataDir);

    [SetUp]
    public void SetUp()
    {
        _dataDir = Directory.CreateTempSubdirectory("mkube-e2e-certs-").FullName;
        // Every leaf made 300 days ago, so within 120 days of its end; the CAs have ten years.
        var made = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-300));
        var pki = ClusterPki.LoadOrCreate(ServerTls, ["localhost", "127.0.0.1"], made, NullLogger.Instance);
        pki.NodeClient("e2e-cert-node", made.GetUtcNow()).Dispose();
        AgentCertificates.LoadOrCreateKubeletServing(AgentDir, "e2e-cert-node", "127.0.0.1", made, NullLogger.Instance).Dispose();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    [Test]
    public async Task CertificateCheckAndRotate_PreparedDataDir_ReportWarningsThenRenewLeavesKeepingTheCa()
    {
        var ca = await File.ReadAllTextAsync(Path.Combine(ServerTls, "server-ca.crt"));
        var kubelet = await File.ReadAllTextAsync(Path.Combine(AgentDir, "serving-kubelet.crt"));

        using var check = await MkubeBinary.RunToEndAsync("certificate", "check", "--data-dir", _dataDir);
        Assert.That(check.ExitCode, Is.Zero, string.Join('\n', check.Stderr));
        Assert.That(check.Stdout, Has.Count.EqualTo(14), "eleven server leaves (the server kubelet's client one, metrics', ingress' and the manifests' among them), the kubelet's serving certificate, two CAs");
        Assert.That(check.Stdout, Has.One.StartsWith("client-admin.crt: certificate admin (ClientAuth) will expire within 120 days at "));
        Assert.That(check.Stdout, Has.One.StartsWith("serving-kubelet.crt: certificate e2e-cert-node@kubelet (ServerAuth) will expire within 120 days at "));
        Assert.That(check.Stdout, Has.One.StartsWith("server-ca.crt: certificate mkube-server-ca@").And.Contains("is ok"));

        using var rotate = await MkubeBinary.RunToEndAsync("certificate", "rotate", "--data-dir", _dataDir, "--service", "admin,api-server");
        Assert.That(rotate.ExitCode, Is.Zero, string.Join('\n', rotate.Stderr));
        Assert.That(rotate.Stdout, Has.One.StartsWith("Rotated admin/client-admin.crt: certificate CN=admin, O=system:masters, expires at "));
        Assert.That(rotate.Stdout, Has.One.StartsWith("Rotated api-server/serving-kube-apiserver.crt"));
        Assert.That(rotate.Stdout[^1], Does.Contain("restart mkube"));

        using var table = await MkubeBinary.RunToEndAsync("certificate", "check", "--data-dir", _dataDir, "--output", "table");
        Assert.That(table.ExitCode, Is.Zero);
        Assert.That(table.Stdout, Has.Some.Match("^FILENAME +SUBJECT +USAGES +EXPIRES +RESIDUAL TIME +STATUS$"));
        Assert.That(table.Stdout, Has.One.Match(@"^client-admin\.crt .* OK$"));
        Assert.That(table.Stdout, Has.One.Match(@"^serving-kube-apiserver\.crt .* OK$"));
        Assert.That(table.Stdout, Has.One.Match(@"^client-auth-proxy\.crt .* WARNING$"), "a service not named is left alone");
        Assert.That(await File.ReadAllTextAsync(Path.Combine(ServerTls, "server-ca.crt")), Is.EqualTo(ca));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(AgentDir, "serving-kubelet.crt")), Is.EqualTo(kubelet));
        Assert.That(File.GetUnixFileMode(Path.Combine(ServerTls, "client-admin.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        using var bad = await MkubeBinary.RunToEndAsync("certificate", "rotate", "--data-dir", _dataDir, "--service", "certificate-authority");
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Stderr[0], Does.StartWith("Error: --service: service certificate-authority is not recognized"));
    }

    [Test]
    public async Task ServerStart_LeavesWithin120Days_RenewedWithAWarningFirstAndKubectlWorks()
    {
        var before = Thumbprints();
        var ca = await File.ReadAllTextAsync(Path.Combine(ServerTls, "server-ca.crt"));
        var kubeconfig = Path.Combine(_dataDir, "kubeconfig");
        using var server = MkubeBinary.Start(null, "server", "--data-dir", _dataDir, "--https-listen-port", "0", "--kubelet-port", "0",
            "--write-kubeconfig", kubeconfig, "--runtime", "simulated", "--node-name", "e2e-cert-node", "--node-ip", "127.0.0.1");
        try
        {
            await server.WaitForLogAsync("components are running", StartTimeout);

            var after = Thumbprints();
            Assert.That(after.Keys, Is.EquivalentTo(before.Keys));
            Assert.That(after.Where(p => before[p.Key] == p.Value).Select(p => p.Key), Is.Empty, "every leaf renewed");
            Assert.That(await File.ReadAllTextAsync(Path.Combine(ServerTls, "server-ca.crt")), Is.EqualTo(ca));
            var log = server.Stderr.ToList();
            var warned = log.FindIndex(l => l.Contains("client-admin.crt: certificate CN=admin, O=system:masters will expire within 120 days"));
            var renewed = log.FindIndex(l => l.Contains("client-admin.crt: renewed certificate"));
            Assert.That(warned, Is.GreaterThanOrEqualTo(0), string.Join('\n', log));
            Assert.That(renewed, Is.GreaterThan(warned));
            Assert.That(log, Has.Some.Contains("serving-kubelet.crt: renewed certificate"));

            var kubectl = new Kubectl(kubeconfig, Path.Combine(_dataDir, "kube-cache"));
            Assert.That(await kubectl.OkAsync("get", "nodes", "-o", "name"), Does.Contain("node/e2e-cert-node"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string events;
            do
            {
                events = await kubectl.OkAsync("get", "events", "-n", "default", "--field-selector", "involvedObject.kind=Node,involvedObject.name=e2e-cert-node", "-o", "jsonpath={.items[*].reason}");
                await Task.Delay(500);
            }
            while (!events.Contains("CertificateExpirationOK", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
            Assert.That(events, Does.Contain("CertificateExpirationOK"));
            Assert.That(events, Does.Not.Contain("CertificateExpirationWarning"));

            using var check = await MkubeBinary.RunToEndAsync("certificate", "check", "--data-dir", _dataDir, "-o", "table");
            Assert.That(check.Stdout.Where(l => l.EndsWith("WARNING", StringComparison.Ordinal) || l.EndsWith("EXPIRED", StringComparison.Ordinal)), Is.Empty,
                string.Join('\n', check.Stdout));
        }
        finally
        {
            server.Signal(MkubeProcess.SigTerm);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }
    }

    private Dictionary<string, string> Thumbprints() =>
        Directory.EnumerateFiles(ServerTls, "*.crt").Concat(Directory.EnumerateFiles(AgentDir, "*.crt"))
            .Where(f => !Path.GetFileName(f).Contains("-ca", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f) ?? f, f => X509Certificate2.CreateFromPem(File.ReadAllText(f)).Thumbprint);
}
