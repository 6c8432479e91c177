using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Embedded;

/// <summary>
/// Random sequences of create, update, delete, range and watch against a plain in-memory model
/// of the contract; CsCheck shrinks any failure to a short sequence.
/// </summary>
[TestFixture]
public sealed class EmbeddedStoreModelTests
{
    /// <summary>(operation, key index, value byte, whether a CAS uses the right revision).</summary>
    private static readonly Gen<(int Op, int Key, byte Value, bool Fresh)[]> Operations =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 5], Gen.Byte, Gen.Bool).Array[1, 40];

    [Test]
    public async Task RandomOperations_BehaveLikeTheModel()
    {
        await Operations.SampleAsync(RunAsync, iter: 60);
    }

    private static async Task RunAsync((int Op, int Key, byte Value, bool Fresh)[] operations)
    {
        var dir = Directory.CreateTempSubdirectory("mkube-model-").FullName;
        try
        {
            await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = dir }, NullLogger.Instance, default);
            var model = new SortedDictionary<string, (byte Value, long Create, long Mod, long Version)>(StringComparer.Ordinal);
            var events = new List<(WatchEventType Type, string Key, long Revision)>();
            long revision = 0;

            foreach (var (op, keyIndex, value, fresh) in operations)
            {
                var key = $"/m/{keyIndex}";
                var exists = model.TryGetValue(key, out var current);
                var expected = fresh && exists ? current.Mod : 12345;
                switch (op)
                {
                    case 0:
                        var created = await store.CreateAsync(key, [value], 0, default);
                        Assert.That(created.Succeeded, Is.EqualTo(!exists));
                        if (!exists)
                        {
                            model[key] = (value, ++revision, revision, 1);
                            events.Add((WatchEventType.Put, key, revision));
                        }
                        break;
                    case 1:
                        var updated = await store.UpdateAsync(key, [value], expected, 0, default);
                        Assert.That(updated.Succeeded, Is.EqualTo(exists && fresh));
                        if (exists && fresh)
                        {
                            model[key] = (value, current.Create, ++revision, current.Version + 1);
                            events.Add((WatchEventType.Put, key, revision));
                        }
                        break;
                    case 2:
                        var deleted = await store.DeleteAsync(key, fresh ? 0 : expected, default);
                        Assert.That(deleted.Succeeded, Is.EqualTo(exists && fresh));
                        if (exists && fresh)
                        {
                            model.Remove(key);
                            events.Add((WatchEventType.Delete, key, ++revision));
                        }
                        break;
                    default:
                        var page = await store.RangeAsync(new RangeRequest("/m/", Limit: 1 + keyIndex), default);
                        Assert.That(page.Items.Select(kv => kv.Key), Is.EqualTo(model.Keys.Take(1 + keyIndex)));
                        Assert.That(page.More, Is.EqualTo(model.Count > 1 + keyIndex));
                        break;
                }
                Assert.That(await store.GetCurrentRevisionAsync(default), Is.EqualTo(revision));
            }

            var all = (await store.RangeAsync(new RangeRequest("/m/"), default)).Items;
            Assert.That(all.Select(kv => (kv.Key, kv.Value[0], kv.CreateRevision, kv.ModRevision, kv.Version)),
                Is.EqualTo(model.Select(m => (m.Key, m.Value.Value, m.Value.Create, m.Value.Mod, m.Value.Version))));
            if (revision > 0)
            {
                var watched = new List<(WatchEventType, string, long)>();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await foreach (var ev in store.WatchAsync("/m/", 1, cts.Token))
                {
                    watched.Add((ev.Type, ev.Kv.Key, ev.Revision));
                    if (ev.Revision == revision)
                    {
                        break;
                    }
                }
                Assert.That(watched, Is.EqualTo(events));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
