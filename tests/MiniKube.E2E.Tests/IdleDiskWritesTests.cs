using System.Globalization;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Issue 17's disk writes with the real binary: an idle server with its own node (simulated
/// runtime, no pods, so no containers and no lock) writes little to disk. Its writes are timer
/// driven (Lease renewals, node status), so a busy machine does not add to them. Before Lease
/// renewals were heartbeats, the same server wrote about 6.5 kB/s (scripts/bench disk); the
/// bound here is the goal, 1 kB/s, over 30 s. The figure itself comes from the bench.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class IdleDiskWritesTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private string _dataDir = null!;

    [SetUp]
    public void SetUp() => _dataDir = Directory.CreateTempSubdirectory("mkube-e2e-disk-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    [Test]
    public async Task IdleServer_Over30Seconds_WritesUnderOneKilobytePerSecond()
    {
        using var server = MkubeBinary.Start(null, "server", "--data-dir", _dataDir, "--https-listen-port", "0", "--kubelet-port", "0",
            "--write-kubeconfig", Path.Combine(_dataDir, "kubeconfig"), "--runtime", "simulated", "--node-name", "e2e-disk-node", "--node-ip", "127.0.0.1");
        try
        {
            await server.WaitForLogAsync("components are running", StartTimeout);
            await Task.Delay(TimeSpan.FromSeconds(20)); // start-up writes (RBAC defaults, the node, its first status) settle
            var before = WriteBytes(server.Id);
            await Task.Delay(TimeSpan.FromSeconds(30));
            var written = WriteBytes(server.Id) - before;

            Assert.That(written, Is.LessThan(30_000), $"an idle server wrote {written} bytes in 30 s");
        }
        finally
        {
            server.Signal(MkubeProcess.SigTerm);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>write_bytes of /proc/PID/io: what the process caused to be written to storage.</summary>
    private static long WriteBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/io").First(l => l.StartsWith("write_bytes:", StringComparison.Ordinal))["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
}
