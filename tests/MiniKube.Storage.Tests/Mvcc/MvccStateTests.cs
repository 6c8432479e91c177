using System.Text;
using CsCheck;
using MiniKube.Storage.Mvcc;

namespace MiniKube.Storage.Tests.Mvcc;

/// <summary>
/// Compaction of the linked version chains, checked against an uncompacted twin, and Scan, the
/// bounded step of a reader that walks the whole index (snapshots, checkpoints), with LiveCount,
/// the key count such a reader writes before the keys.
/// </summary>
[TestFixture]
public sealed class MvccStateTests
{
    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>(put or delete, key index, where to compact after the sequence as a fraction of it).</summary>
    private static readonly Gen<((bool Put, int Key)[] Operations, double CompactAt)> Histories =
        Gen.Select(Gen.Select(Gen.Bool, Gen.Int[0, 3]).Array[1, 30], Gen.Double[0, 1]);

    [Test]
    public void Compact_AnyHistory_AnswersFromTheCompactionPointOnAsTheUncompactedHistory()
    {
        Histories.Sample(((bool Put, int Key)[] operations, double compactAt) =>
        {
            var compacted = new MvccState();
            var whole = new MvccState();
            foreach (var (put, keyIndex) in operations)
            {
                var key = $"/k{keyIndex}";
                foreach (var state in new[] { compacted, whole })
                {
                    if (put)
                    {
                        state.Put(key, V($"{key}@{state.Revision + 1}"), 0);
                    }
                    else if (state.Latest(key) is not null)
                    {
                        state.Delete(key);
                    }
                }
            }
            var end = whole.Revision;
            if (end == 0)
            {
                return;
            }
            var at = 1 + (long)(compactAt * (end - 1));

            compacted.Compact(at);

            for (var revision = at; revision <= end; revision++)
            {
                Assert.That(Describe(compacted.Range("/", null, 0, revision).Items), Is.EqualTo(Describe(whole.Range("/", null, 0, revision).Items)), $"range at {revision}");
            }
            Assert.That(compacted.Events(at, end).Select(Describe), Is.EqualTo(whole.Events(at, end).Select(Describe)), "events from the compaction point, with previous values");
            Assert.That(() => compacted.Get("/k0", at - 1), Throws.InstanceOf<CompactedException>());
            // A key deleted exactly at the compaction point stays: its delete event still replays with its previous value.
            var liveOrChangedSince = whole.Events(at, end).Select(e => e.Kv.Key).Concat(whole.Range("/", null, 0, at).Items.Select(kv => kv.Key)).Distinct().Count();
            Assert.That(compacted.KeyCount, Is.EqualTo(liveOrChangedSince), "keys deleted before the compaction point are gone");
        }, iter: 300);
    }

    private static string Describe(IEnumerable<KeyValue> items) => string.Join(" ", items.Select(Describe));

    private static string Describe(KeyValue kv) => $"{kv.Key}={Encoding.UTF8.GetString(kv.Value)}/{kv.CreateRevision}/{kv.ModRevision}/{kv.Version}";

    private static string Describe(WatchEvent ev) => $"{ev.Type} {Describe(ev.Kv)} prev {(ev.PrevKv is null ? "-" : Describe(ev.PrevKv))}";

    [Test]
    public void Scan_ManyDeletedKeysBetweenLiveOnes_VisitsAtMostTheStepAndResumesAfterTheLastKey()
    {
        var state = new MvccState();
        state.Put("/a", V("a"), 0);
        for (var i = 0; i < 10; i++)
        {
            state.Put($"/b{i}", V("x"), 0);
            state.Delete($"/b{i}");
        }
        state.Put("/c", V("c"), 0);
        var revision = state.Revision;

        List<LiveEntry> first = [], second = [], third = [];
        var last = state.Scan(null, 4, revision, first);
        var last2 = state.Scan(last, 4, revision, second);
        var end = state.Scan(last2, 4, revision, third);

        Assert.That(first.Select(e => e.Key), Is.EqualTo(new[] { "/a" }));
        Assert.That(last, Is.EqualTo("/b2"));
        Assert.That(second, Is.Empty, "four deleted keys: a step with nothing live in it");
        Assert.That(last2, Is.EqualTo("/b6"));
        Assert.That(third.Select(e => e.Key), Is.EqualTo(new[] { "/c" }));
        Assert.That(end, Is.Null, "every key visited");
    }

    [Test]
    public void Scan_AtAnEarlierRevision_ReturnsTheValuesOfThatRevision()
    {
        var state = new MvccState();
        state.Put("/a", V("old"), 0);
        state.Put("/b", V("b"), 0);
        var revision = state.Revision;
        state.Put("/a", V("new"), 0);
        state.Delete("/b");
        state.Put("/c", V("later"), 0);

        var items = new List<LiveEntry>();
        var last = state.Scan(null, 10, revision, items);

        Assert.That(items.Select(e => (e.Key, Encoding.UTF8.GetString(e.Value!))), Is.EqualTo(new[] { ("/a", "old"), ("/b", "b") }));
        Assert.That(last, Is.Null);
    }

    [Test]
    public void Scan_ExactlyTheStepLeft_EndsTheWalk()
    {
        var state = new MvccState();
        state.Put("/a", V("a"), 0);
        state.Put("/b", V("b"), 0);

        var items = new List<LiveEntry>();
        var last = state.Scan(null, 2, state.Revision, items);

        Assert.That(items, Has.Count.EqualTo(2));
        Assert.That(last, Is.Null);
    }

    [Test]
    public void LiveCount_AtEarlierRevisions_UndoesTheWritesSince()
    {
        var state = new MvccState();
        state.Put("/a", V("a"), 0);
        state.Put("/b", V("b"), 0);
        state.Put("/c", V("c"), 0); // 3: three live
        state.Delete("/b");         // 4: two
        state.Put("/a", V("a2"), 0); // 5: an update, still two
        state.Put("/b", V("b2"), 0); // 6: created again, three
        state.Delete("/c");         // 7: two
        state.Put("/d", V("d"), 0);  // 8: three

        var counts = Enumerable.Range(0, 9).Select(r => state.LiveCount(r));

        Assert.That(counts, Is.EqualTo(new[] { 0, 1, 2, 3, 2, 2, 3, 2, 3 }));
    }

    [Test]
    public void LiveCount_AfterCompactionAndReset_MatchesACountOfTheIndex()
    {
        var state = new MvccState();
        var random = new Random(17);
        for (var step = 0; step < 3_000; step++)
        {
            var key = $"/k{random.Next(60):D2}";
            var roll = random.Next(100);
            if (roll < 55)
            {
                state.Put(key, V($"{step}"), 0);
            }
            else if (roll < 90 && state.Latest(key) is not null)
            {
                state.Delete(key);
            }
            else if (roll < 95)
            {
                state.Compact(Math.Max(state.CompactRevision, state.Revision - random.Next(40)));
            }
            else if (roll < 96)
            {
                var revision = state.Revision;
                state.Reset(revision, state.Live(revision), [], 1); // as a restart from a checkpoint does
            }
            var at = random.NextInt64(state.CompactRevision, state.Revision + 1);
            Assert.That(state.LiveCount(at), Is.EqualTo(state.Count("", at)), $"at {at}, step {step}");
        }
        Assert.That(() => state.LiveCount(state.CompactRevision - 1), Throws.TypeOf<CompactedException>());
    }
}
