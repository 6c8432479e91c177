using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

// Usage: CrashWriter STORE_DIR TAG WRITERS
// Writes new keys /crash/TAG/<writer>/<n> (value "v:<key>" plus padding) from WRITERS concurrent
// tasks until killed. After each acknowledged write it prints
// "ack <key> <revision>" and flushes, so the parent knows exactly what was acknowledged.
var (dir, tag, writers) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = dir, CheckpointMinLogBytes = 64 << 10 }, NullLogger.Instance, default);
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
var outputLock = new Lock();
Console.Error.WriteLine("ready");

await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var n = 0; ; n++)
    {
        var key = $"/crash/{tag}/{w}/{n}";
        // Every 50th value is large enough to be logged as fragments, so kills also land between fragments.
        var padding = n % 50 == 0 ? 200_000 : n % 300;
        var result = await store.CreateAsync(key, Encoding.UTF8.GetBytes("v:" + key + new string('.', padding)), 0, default);
        lock (outputLock)
        {
            output.WriteLine($"ack {key} {result.Revision}");
            output.Flush();
        }
    }
})));
