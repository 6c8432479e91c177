using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

// Usage: CrashWriter STORE_DIR TAG WRITERS [heartbeats]
// Writes new keys /crash/TAG/<writer>/<n> (value "v:<key>" plus padding) from WRITERS concurrent
// tasks until killed. After each acknowledged write it prints
// "ack <key> <revision>" and flushes, so the parent knows exactly what was acknowledged.
// With "heartbeats", one more task renews a Lease as fast as it can (acknowledged from memory,
// EmbeddedStore.Heartbeats.cs) and prints "seen <revision>" for each renewal: revisions a client saw.
var (dir, tag, writers) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
var heartbeats = args.Length > 3 && args[3] == "heartbeats";
await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions
{
    Directory = dir,
    CheckpointMinLogBytes = 64 << 10,
    IsHeartbeat = heartbeats ? HeartbeatWrites.IsLeaseRenewal : null,
}, NullLogger.Instance, default);
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
var outputLock = new Lock();
Console.Error.WriteLine("ready");

void Print(string line)
{
    lock (outputLock)
    {
        output.WriteLine(line);
        output.Flush();
    }
}

var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var n = 0; ; n++)
    {
        var key = $"/crash/{tag}/{w}/{n}";
        // Every 50th value is large enough to be logged as fragments, so kills also land between fragments.
        var padding = n % 50 == 0 ? 200_000 : n % 300;
        var result = await store.CreateAsync(key, Encoding.UTF8.GetBytes("v:" + key + new string('.', padding)), 0, default);
        Print($"ack {key} {result.Revision}");
    }
})).ToList();
if (heartbeats)
{
    tasks.Add(Task.Run(async () =>
    {
        const string lease = HeartbeatWrites.LeasePrefix + "crash/renewed";
        static byte[] Value(long n) => Encoding.UTF8.GetBytes($$$"""{"metadata":{"name":"renewed"},"spec":{"holderIdentity":"crash","renewTime":"{{{n}}}"}}""");
        var current = await store.GetAsync(lease, 0, default);
        var revision = current?.ModRevision ?? (await store.CreateAsync(lease, Value(0), 0, default)).Revision;
        for (long n = 1; ; n++)
        {
            revision = (await store.UpdateAsync(lease, Value(n), revision, 0, default)).Revision;
            Print($"seen {revision}");
        }
    }));
}
await Task.WhenAll(tasks);
