using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Issue 17's memory under churn with the real binary: with a value budget far below what is
/// stored (<c>--store-memory-budget 64Ki</c>) values move to the spill files and every read still
/// sees them, before and after a restart; and Events expire after <c>--event-ttl</c>
/// (kube-apiserver's flag). The RSS figure under churn comes from <c>scripts/bench soak</c>.
/// Control plane only, so the test's objects are most of what is stored.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class StoreMemoryBudgetTests : DataDirFixture
{
    private const int ConfigMaps = 100;
    private const int ValueLength = 2048;
    private static readonly string[] Flags = ["--disable-agent", "--disable-scheduler", "--disable-controller-manager", "--store-memory-budget", "64Ki", "--event-ttl", "5s"];

    [Test]
    public async Task SmallBudget_ValuesSpillAndReadBack_ThroughARestart_EventsExpireAfterTheirTtl()
    {
        using (var server = MkubeBinary.Start(null, ServerArgs(DataDir, Flags)))
        {
            await server.WaitForLogAsync("components are running", StartTimeout);
            var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
            await kubectl.ApplyAsync(Manifest());

            var spill = Path.Combine(DataDir, "server", "db", "spill");
            var spilled = Directory.EnumerateFiles(spill).Sum(f => new FileInfo(f).Length);
            Assert.That(spilled, Is.GreaterThan(64 * 1024), "200 KB of values against a 64 KiB budget: most of them are in the spill files");
            await AssertEveryValueAsync(kubectl);

            // Written once, never again: the lease it was written with (TTL plus at most 5 % of it) runs out.
            Assert.That(await kubectl.OkAsync("get", "event", "ttl-probe", "-o", "name"), Does.Contain("ttl-probe"));
            await WaitAsync(async () => (await kubectl.RunAsync("get", "event", "ttl-probe")).Error.Contains("NotFound", StringComparison.Ordinal), "the Event to expire", 60);

            server.Signal(MkubeProcess.SigTerm);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.That(server.ExitCode, Is.Zero);
        }

        using (var restarted = MkubeBinary.Start(null, ServerArgs(DataDir, Flags)))
        {
            await restarted.WaitForLogAsync("components are running", StartTimeout);
            await AssertEveryValueAsync(new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache")));
            restarted.Signal(MkubeProcess.SigTerm);
            await restarted.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static async Task AssertEveryValueAsync(Kubectl kubectl)
    {
        var list = JsonNode.Parse(await kubectl.OkAsync("get", "configmaps", "-n", "default", "-l", "test=budget", "-o", "json"))!;
        var values = list["items"]!.AsArray().ToDictionary(i => i!["metadata"]!["name"]!.GetValue<string>(), i => i!["data"]!["v"]!.GetValue<string>());
        Assert.That(values, Has.Count.EqualTo(ConfigMaps));
        for (var i = 0; i < ConfigMaps; i++)
        {
            Assert.That(values[$"big-{i}"], Is.EqualTo(Value(i)), $"big-{i}");
        }
    }

    /// <summary>Distinct values, so a value read back from the wrong place cannot pass.</summary>
    private static string Value(int i) => i.ToString("D4", CultureInfo.InvariantCulture) + new string((char)('a' + (i % 26)), ValueLength);

    private static string Manifest()
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < ConfigMaps; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-{i}\n  namespace: default\n  labels: {{test: budget}}\ndata:\n  v: \"{Value(i)}\"\n");
        }
        yaml.Append("---\napiVersion: v1\nkind: Event\nmetadata:\n  name: ttl-probe\n  namespace: default\ninvolvedObject:\n  kind: ConfigMap\n  name: big-0\n  namespace: default\nreason: Probe\nmessage: expires after --event-ttl\ntype: Normal\n");
        return yaml.ToString();
    }
}
