using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// <c>mkube snapshot</c> against a running server (k3s' etcd-snapshot): saved without stopping it
/// while a writer keeps creating, restored into a fresh data dir with every object and
/// resourceVersion as of the snapshot's revision; and scheduled snapshots pruned to the retention.
/// Control plane only (no agent, scheduler or controllers), so the writer is the only one writing.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class SnapshotTests : DataDirFixture
{
    private static readonly string[] ApiOnly = ["--disable-agent", "--disable-scheduler", "--disable-controller-manager"];

    [Test]
    public async Task Save_WhileServerRunsAndWriterCreates_RestoredClusterHasTheSnapshotsObjectsAndResourceVersions()
    {
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, ApiOnly));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await kubectl.RunWithAsync(ConfigMaps("before", 30), null, "apply", "-f", "-");
        using var stopWriter = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stopWriter.IsCancellationRequested)
            {
                await kubectl.OkAsync("create", "configmap", $"during-{written}", "--from-literal", $"n={written}");
                written++;
            }
        });
        await WaitAsync(() => Task.FromResult(written >= 3), "the writer to get going", 60);

        using var save = await MkubeBinary.RunToEndAsync("snapshot", "save", "--data-dir", DataDir);
        var createdBefore = written;
        await WaitAsync(() => Task.FromResult(written >= createdBefore + 3), "the writer to go on after the snapshot", 60);
        await stopWriter.CancelAsync();
        await writer;
        using var ls = await MkubeBinary.RunToEndAsync("snapshot", "ls", "--data-dir", DataDir);

        Assert.That(save.ExitCode, Is.Zero, string.Join('\n', save.Stderr));
        var saved = SavedLine().Match(save.Stdout[0]);
        Assert.That(saved.Success, Is.True, save.Stdout[0]);
        var revision = long.Parse(saved.Groups["revision"].Value, CultureInfo.InvariantCulture);
        var file = saved.Groups["file"].Value;
        Assert.That(Path.GetFileName(file), Does.Match(@"^on-demand-.+-\d{10}$"));
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(ls.Stdout, Has.Some.StartsWith(Path.GetFileName(file) + " "), string.Join('\n', ls.Stdout));
        Assert.That(server.HasExited, Is.False, "the server ran on through the snapshot");
        // Nothing but the writer changes ConfigMaps here, so the objects as of the snapshot are the ones
        // whose resourceVersion is at most its revision, exactly as they are now.
        var now = await ConfigMapsAsync(kubectl);
        var expected = now.Where(c => c.ResourceVersion <= revision).ToList();
        Assert.That(expected.Count, Is.GreaterThan(30), "some of the writer's objects are in the snapshot");
        Assert.That(now.Count, Is.GreaterThan(expected.Count), "the writer created more after the snapshot");
        server.Signal(MkubeProcess.SigTerm);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(20));

        var restoredDir = Path.Combine(DataDir, "restored");
        using var restore = await MkubeBinary.RunToEndAsync("snapshot", "restore", file, "--data-dir", restoredDir);
        Assert.That(restore.ExitCode, Is.Zero, string.Join('\n', restore.Stderr));
        // As with k3s, the restored server needs the original's token: the service-account keys in the store are sealed with it.
        var token = (await File.ReadAllTextAsync(Path.Combine(DataDir, "server", "token"))).Trim();
        using var restored = MkubeBinary.Start(null, ServerArgs(restoredDir, [.. ApiOnly, "--token", token]));
        await restored.WaitForLogAsync("components are running", StartTimeout);
        var restoredKubectl = new Kubectl(Path.Combine(restoredDir, "kubeconfig"), Path.Combine(restoredDir, "kube-cache"));

        Assert.That(await ConfigMapsAsync(restoredKubectl), Is.EqualTo(expected));
        // The restored store goes on from the snapshot's revision (kubectl's own -o json list has no resourceVersion).
        var list = JsonNode.Parse(await restoredKubectl.OkAsync("get", "--raw", "/api/v1/configmaps"))!;
        Assert.That(long.Parse((string)list["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(revision));
    }

    [Test]
    public async Task ScheduledSnapshots_FastCron_KeepOnlyTheRetention()
    {
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, [.. ApiOnly, "--snapshot-schedule-cron", "@every 2s", "--snapshot-retention", "2"]));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var snapshots = Path.Combine(DataDir, "server", "snapshots");

        await WaitAsync(() => Task.FromResult(server.Stderr.Count(l => l.Contains("Snapshot ", StringComparison.Ordinal) && l.Contains("removed", StringComparison.Ordinal)) >= 2),
            "two scheduled snapshots pruned", 60);
        using var ls = await MkubeBinary.RunToEndAsync("snapshot", "ls", "--data-dir", DataDir);

        Assert.That(server.Stderr, Has.Some.Contains("Scheduled snapshots: \"@every 2s\", keeping 2 in"));
        Assert.That(ls.ExitCode, Is.Zero, string.Join('\n', ls.Stderr));
        var listed = ls.Stdout.Skip(1).ToList();
        Assert.That(listed, Has.Count.InRange(2, 3), "two kept, perhaps a third just taken before its prune");
        Assert.That(listed, Has.All.Match(@"^etcd-snapshot-\S+-\d{10} +file://"));
        Assert.That(Directory.GetFiles(snapshots), Has.Length.EqualTo(listed.Count));
    }

    private static string ConfigMaps(string prefix, int count)
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {prefix}-{i}\n  namespace: default\ndata:\n  n: \"{i}\"\n");
        }
        return yaml.ToString();
    }

    /// <summary>
    /// Every ConfigMap as kubectl reads it: namespace/name, resourceVersion and data, in name order;
    /// but kube-system/extension-apiserver-authentication, which every API server rewrites at start
    /// with its own CAs, as kube-apiserver does (a fresh data dir has new ones).
    /// </summary>
    private static async Task<List<ConfigMapState>> ConfigMapsAsync(Kubectl kubectl)
    {
        var list = JsonNode.Parse(await kubectl.OkAsync("get", "configmaps", "-A", "-o", "json"))!;
        return [.. list["items"]!.AsArray()
            .Where(item => (string?)item!["metadata"]!["name"] != "extension-apiserver-authentication")
            .Select(item => new ConfigMapState(
                $"{item!["metadata"]!["namespace"]}/{item["metadata"]!["name"]}",
                long.Parse((string)item["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture),
                item["data"]?.ToJsonString() ?? ""))
            .OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    private sealed record ConfigMapState(string Name, long ResourceVersion, string Data);

    // "Saved revision 123 (456 keys) to /…/on-demand-host-1700000000 in 12 ms"
    [GeneratedRegex(@"^Saved revision (?<revision>\d+) \(\d+ keys\) to (?<file>\S+) in \d+ ms$")]
    private static partial Regex SavedLine();
}
