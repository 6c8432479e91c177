using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>
/// A child process writes as fast as it can and is killed with SIGKILL at a random moment,
/// several times over one store; after each kill every acknowledged write must be there, with
/// its revision, and nothing half-written.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed partial class CrashRecoveryTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("mkube-crash-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Kill9_AtRandomMoments_LosesNoAcknowledgedWrite()
    {
        var dir = Path.Combine(_root, "db");
        var random = new Random(TestContext.CurrentContext.Random.Next());
        var acknowledged = new Dictionary<string, long>();
        long highest = 0;

        for (var round = 0; round < 6; round++)
        {
            var acks = await RunAndKillAsync(dir, $"r{round}", TimeSpan.FromMilliseconds(random.Next(200, 1500)));
            foreach (var (key, revision) in acks)
            {
                acknowledged[key] = revision;
                highest = Math.Max(highest, revision);
            }

            await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = dir }, NullLogger.Instance, default);
            var current = await store.GetCurrentRevisionAsync(default);
            Assert.That(current, Is.GreaterThanOrEqualTo(highest), $"round {round}: revisions went backwards");
            var all = (await store.RangeAsync(new RangeRequest("/crash/"), default)).Items.ToDictionary(kv => kv.Key);
            foreach (var (key, revision) in acknowledged)
            {
                Assert.That(all.TryGetValue(key, out var kv), Is.True, $"round {round}: acknowledged {key} (revision {revision}) is lost");
                Assert.That(kv!.ModRevision, Is.EqualTo(revision));
            }
            foreach (var kv in all.Values)
            {
                Assert.That(Encoding.UTF8.GetString(kv.Value), Does.StartWith("v:" + kv.Key), "a half-written value");
            }
            Assert.That(all.Count, Is.EqualTo(current), "one key per revision: no gaps, nothing extra");
            TestContext.Out.WriteLine($"round {round}: {acks.Count} acknowledged, {all.Count} keys at revision {current}");
        }
        Assert.That(acknowledged, Has.Count.GreaterThan(100), "the writer should have got somewhere");
    }

    /// <summary>
    /// With Lease renewals acknowledged from memory beside the creates: every acknowledged create
    /// survives each kill, and the revision after recovery is above every revision a client saw,
    /// renewals included, so no revision is ever reused.
    /// </summary>
    [Test]
    public async Task Kill9_WithLeaseRenewals_LosesNoAcknowledgedWriteAndNeverReusesARevision()
    {
        var dir = Path.Combine(_root, "db");
        var random = new Random(TestContext.CurrentContext.Random.Next());
        var acknowledged = new Dictionary<string, long>();
        long highest = 0;
        for (var round = 0; round < 5; round++)
        {
            var acks = await RunAndKillAsync(dir, $"r{round}", TimeSpan.FromMilliseconds(random.Next(300, 1500)), "heartbeats");
            foreach (var (key, revision) in acks)
            {
                if (key != Seen)
                {
                    acknowledged[key] = revision;
                }
                highest = Math.Max(highest, revision);
            }

            await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = dir, IsHeartbeat = HeartbeatWrites.IsLeaseRenewal }, NullLogger.Instance, default);
            var current = await store.GetCurrentRevisionAsync(default);
            Assert.That(current, Is.GreaterThanOrEqualTo(highest), $"round {round}: a revision a client saw would be reused");
            var all = (await store.RangeAsync(new RangeRequest("/crash/"), default)).Items.ToDictionary(kv => kv.Key);
            foreach (var (key, revision) in acknowledged)
            {
                Assert.That(all.TryGetValue(key, out var kv), Is.True, $"round {round}: acknowledged {key} (revision {revision}) is lost");
                Assert.That(kv!.ModRevision, Is.EqualTo(revision));
            }
            TestContext.Out.WriteLine($"round {round}: {acks.Count} acknowledged (creates and renewals), highest seen {highest}, recovered at {current}");
        }
        Assert.That(acknowledged, Has.Count.GreaterThan(100), "the writers should have got somewhere");
    }

    private const string Seen = "(renewal)";

    private static async Task<List<(string Key, long Revision)>> RunAndKillAsync(string dir, string tag, TimeSpan after, string mode = "")
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "MiniKube.Storage.CrashWriter.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { writer, dir, tag, "8", mode })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var ready = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(ready, Is.EqualTo("ready"));
        var reading = ReadAcksAsync(process.StandardOutput);
        await Task.Delay(after);
        Assert.That(Kill(process.Id, 9), Is.Zero);
        await process.WaitForExitAsync();
        return await reading;
    }

    private static async Task<List<(string, long)>> ReadAcksAsync(StreamReader output)
    {
        var acks = new List<(string, long)>();
        while (await output.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length == 3 && parts[0] == "ack")
            {
                acks.Add((parts[1], long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
            }
            else if (parts.Length == 2 && parts[0] == "seen")
            {
                acks.Add((Seen, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        return acks;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
