using MiniKube.Testing;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage;
using MiniKube.Storage.Bench;
using MiniKube.Storage.Embedded;
using MiniKube.Storage.Etcd;

// scripts/bench store: the workloads against the embedded store and against a real etcd
// started on this machine, in one run, with the disk's raw fsync latency as the yardstick for
// durable writes. Prints a Markdown table. Usage: MiniKube.Storage.Bench WORK_DIR [--embedded-only]
// scripts/bench snapshot: MiniKube.Storage.Bench snapshot WORK_DIR [OBJECTS [ROUNDS [SNAPSHOT_DIR]]] (SNAPSHOT_DIR: where the
// snapshot files go, WORK_DIR by default; on another disk or tmpfs it takes the disk out of the slowdown)
var snapshotMode = args.Length > 0 && args[0] == "snapshot";
args = snapshotMode ? args[1..] : args;
var work = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "mkube-bench");
if (snapshotMode)
{
    var benchDir = Directory.CreateDirectory(Path.Combine(work, $"snapshot-{Environment.ProcessId}")).FullName;
    try
    {
        await SnapshotBench.RunAsync(
            benchDir,
            args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000,
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3,
            args.Length > 3 ? Directory.CreateDirectory(args[3]).FullName : benchDir);
    }
    finally
    {
        Directory.Delete(benchDir, recursive: true);
    }
    return;
}
var embeddedOnly = args.Contains("--embedded-only");
if (Directory.Exists(work))
{
    Directory.Delete(work, recursive: true);
}
Directory.CreateDirectory(work);

var rawFsync = Workloads.RawFsyncMilliseconds(Path.Combine(work, "fsync.probe"));
Console.Error.WriteLine($"raw fsync: {rawFsync:F3} ms");

var embedded = new Dictionary<string, double>();
var dbDir = (string name) => Path.Combine(work, name);
await Workloads.RunAllAsync(
    embedded,
    name => Open(dbDir(name)),
    async name =>
    {
        var clock = Stopwatch.StartNew();
        await using var store = await Open(dbDir(name));
        var keys = await store.CountAsync("/", default);
        return (clock.Elapsed.TotalSeconds, keys);
    },
    _ => (Process.GetCurrentProcess().WorkingSet64, -1),
    name => Workloads.DirectoryBytes(dbDir(name)));

var etcdResults = new Dictionary<string, double>();
if (embeddedOnly)
{
    Directory.Delete(work, recursive: true);
    return;
}
EtcdServer? etcd = null;
try
{
    await Workloads.RunAllAsync(
        etcdResults,
        async _ =>
        {
            if (etcd is not null)
            {
                await etcd.DisposeAsync();
            }
            etcd = await EtcdServer.StartAsync();
            return await EtcdStore.ConnectAsync(new EtcdStoreOptions { Endpoints = [etcd.Endpoint] }, NullLogger.Instance, default);
        },
        async _ =>
        {
            // etcd's restart: kill it, start a new process on the same data dir, time until a read answers.
            var clock = Stopwatch.StartNew();
            await using var again = await EtcdServer.RestartAsync(etcd!);
            etcd = null;
            await using var store = await EtcdStore.ConnectAsync(new EtcdStoreOptions { Endpoints = [again.Endpoint] }, NullLogger.Instance, default);
            var keys = await store.CountAsync("/", default);
            var seconds = clock.Elapsed.TotalSeconds;
            return (seconds, keys);
        },
        _ => (Workloads.ProcessRssBytes(etcd!.ProcessId), etcd.ProcessId),
        _ => Workloads.DirectoryBytes(etcd!.DataDir));
}
finally
{
    if (etcd is not null)
    {
        await etcd.DisposeAsync();
    }
}

Workloads.PrintTable(rawFsync, embedded, etcdResults);
Directory.Delete(work, recursive: true);

static async Task<IStore> Open(string dir) =>
    await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = dir }, NullLogger.Instance, default);
