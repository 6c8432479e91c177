using System.Text;
using MiniKube.Storage.Mvcc;

namespace MiniKube.Storage.Tests.Mvcc;

/// <summary>The index's memory budget: what leaves memory first, what is never written, and that every read still sees spilled values.</summary>
[TestFixture]
public sealed class MvccStateMemoryBudgetTests : SpillingIndexTests
{
    private static byte[] V(char c, int length) => Encoding.ASCII.GetBytes(new string(c, length));

    [Test]
    public void Eviction_OverBudget_SupersededVersionsFirst_ThenEvents_ThenOtherCurrentValues_OldestFirst()
    {
        var spill = Spill();
        var state = Budgeted(1_000, spill);
        state.Put("/registry/pods/a", V('1', 301), 0);
        state.Put(Events + "e", V('e', 302), 0);
        state.Put("/registry/pods/a", V('2', 303), 0);
        Assert.That(spill.BytesWritten, Is.Zero, "under the budget nothing is written");

        // 1,210 bytes: down to 875 (the budget less an eighth), the superseded a@1 first, then the Event.
        state.Put("/registry/pods/b", V('b', 304), 0);
        Assert.That((state.ResidentBytes, spill.BytesWritten), Is.EqualTo((303L + 304, 301L + 302)));

        // No history or Events left: the oldest current value goes (a@3), not the newer ones.
        state.Put("/registry/pods/c", V('c', 500), 0);
        Assert.That((state.ResidentBytes, spill.BytesWritten), Is.EqualTo((304L + 500, 301L + 302 + 303)));

        Assert.That(state.Get("/registry/pods/a", 1)!.Value, Is.EqualTo(V('1', 301)));
        Assert.That(state.Get("/registry/pods/a", 5)!.Value, Is.EqualTo(V('2', 303)));
        Assert.That(state.Get(Events + "e", 5)!.Value, Is.EqualTo(V('e', 302)));
    }

    [Test]
    public void Eviction_ValuesThatDieBeforeTheBudgetNeedsTheirRoom_AreNeverWritten()
    {
        var spill = Spill();
        var state = Budgeted(1_000, spill);
        for (var i = 1; i <= 50; i++)
        {
            if (state.Revision >= 2)
            {
                state.Compact(state.Revision); // keeps the last two versions, so with the new one 900 bytes
            }
            state.Put("/registry/pods/a", V((char)('a' + (i % 26)), 300), 0);
        }

        Assert.That(spill.BytesWritten, Is.Zero);
        Assert.That(state.ResidentBytes, Is.EqualTo(900));
    }

    [Test]
    public void Reads_EverythingSpilled_AnswerAsWithoutABudget()
    {
        var spilled = Budgeted(1, Spill());
        var plain = new MvccState();
        foreach (var state in new[] { spilled, plain })
        {
            var lease = state.GrantLease(TimeSpan.FromMinutes(1), DateTimeOffset.MaxValue);
            state.Put("/registry/pods/a", V('1', 10), 0);
            state.Put("/registry/pods/b", V('2', 20), lease);
            state.Put("/registry/pods/a", V('3', 30), 0);
            state.Put(Events + "e", V('4', 40), lease);
            state.Delete("/registry/pods/b");
            state.Put("/registry/pods/b", V('5', 50), 0);
            state.Compact(3);
        }
        Assert.That(spilled.ResidentBytes, Is.Zero, "a budget of one byte spills every value");

        for (var revision = 3; revision <= 6; revision++)
        {
            Assert.That(Describe(spilled.Range("/", null, 0, revision).Items), Is.EqualTo(Describe(plain.Range("/", null, 0, revision).Items)), $"range at {revision}");
            Assert.That(spilled.Get("/registry/pods/a", revision), Is.EqualTo(plain.Get("/registry/pods/a", revision)).Using<KeyValue>(SameKv));
            Assert.That(spilled.Count("/registry/pods/", revision), Is.EqualTo(plain.Count("/registry/pods/", revision)));
        }
        Assert.That(spilled.Latest("/registry/pods/a"), Is.EqualTo(plain.Latest("/registry/pods/a")).Using<KeyValue>(SameKv));
        Assert.That(DescribeEvents(spilled.Events(3, 6)), Is.EqualTo(DescribeEvents(plain.Events(3, 6))));
        Assert.That(DescribeEvents(spilled.Events(3, 6))[0], Does.StartWith("put /registry/pods/a=333").And.Contains("prev /registry/pods/a=111"), "the event at the compaction point keeps its previous value");
        Assert.That(Describe(spilled.Live(6)), Is.EqualTo(Describe(plain.Live(6))));
    }

    [Test]
    public void Compact_SegmentsWhoseValuesAllDied_AreDeleted()
    {
        var spill = Spill(segmentBytes: 4096);
        var state = Budgeted(1, spill);
        for (var i = 0; i < 100; i++)
        {
            state.Put("/registry/pods/a", V('x', 1000), 0);
        }
        Assert.That(spill.SegmentCount, Is.GreaterThanOrEqualTo(25));

        state.Compact(state.Revision);

        // Left: the segments of the last two versions (the one at the compaction point and its
        // predecessor, an event's previous value), and the one being filled.
        Assert.That(spill.SegmentCount, Is.LessThanOrEqualTo(2));
        Assert.That(Directory.GetFiles(Path.Combine(Root, "spill")), Has.Length.EqualTo(spill.SegmentCount));
        Assert.That(state.Get("/registry/pods/a", state.Revision)!.Value, Is.EqualTo(V('x', 1000)));
    }

    [Test]
    public void Scan_SpilledValuesThatDieAfterTheStep_StayReadableWhileTheSpillIsPinned()
    {
        var spill = Spill(segmentBytes: 4096);
        var state = Budgeted(1, spill);
        for (var i = 0; i < 20; i++)
        {
            state.Put($"/registry/pods/p{i:D2}", V((char)('a' + i), 1000), 0);
        }
        var pin = spill.Pin(); // as a checkpoint does before its first step
        var live = new List<LiveEntry>();
        state.Scan(null, int.MaxValue, state.Revision, live);
        Assert.That(live.Select(e => e.Value), Is.All.Null, "a budget of one byte spills every value: the step holds where each is");
        foreach (var entry in live)
        {
            state.Delete(entry.Key);
        }
        state.Compact(state.Revision);
        Assert.That(spill.SegmentCount, Is.GreaterThan(1), "segments are kept while a reader pins them");

        var buffer = new byte[4096]; // one buffer for every value, larger than each
        var firstBytes = live.Select(e =>
        {
            spill.Read(e.Spilled, buffer);
            return (buffer[0], buffer[999]);
        });
        Assert.That(firstBytes, Is.EqualTo(Enumerable.Range(0, 20).Select(i => ((byte)('a' + i), (byte)('a' + i)))));
        pin.Dispose();
        Assert.That(spill.SegmentCount, Is.LessThanOrEqualTo(1));
    }

    [Test]
    public void ValueSpill_Open_DeletesWhatAnEarlierRunLeft()
    {
        var dir = Path.Combine(Root, "spill");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "spill-000007"), "stale");

        Spill();

        Assert.That(Directory.GetFiles(dir), Is.Empty);
    }

    [Test]
    public void ValueSpill_DamagedValue_IsAnIOException()
    {
        var spill = Spill();
        var handle = spill.Write([V('a', 100)])[0];
        var file = Directory.GetFiles(Path.Combine(Root, "spill")).Single();
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Position = handle.Offset + 10;
            stream.WriteByte((byte)'b');
        }

        Assert.That(() => spill.Read(handle), Throws.InstanceOf<IOException>().With.Message.Contains("damaged"));
    }

    private static bool SameKv(KeyValue a, KeyValue b) => Describe([a]).SequenceEqual(Describe([b]));

    private static List<string> Describe(IEnumerable<KeyValue> items) =>
        [.. items.Select(kv => $"{kv.Key}={Encoding.ASCII.GetString(kv.Value)} c{kv.CreateRevision} m{kv.ModRevision} v{kv.Version} l{kv.Lease}")];

    private static List<string> DescribeEvents(IEnumerable<WatchEvent> events) =>
        [.. events.Select(e => $"{e.Type.ToString().ToLowerInvariant()} {Describe([e.Kv])[0]} prev {(e.PrevKv is null ? "none" : Describe([e.PrevKv])[0])}")];
}
