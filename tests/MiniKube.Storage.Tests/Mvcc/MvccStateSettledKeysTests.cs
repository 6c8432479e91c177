using System.Text;
using MiniKube.Storage.Mvcc;

namespace MiniKube.Storage.Tests.Mvcc;

/// <summary>
/// Keys that settle into the compact form (<see cref="ColdKeys"/>): when they do, and that every
/// read, write, lease and walk of the index answers as if they had not.
/// </summary>
[TestFixture]
public sealed class MvccStateSettledKeysTests : SpillingIndexTests
{
    private MvccState Budgeted(long budget) => Budgeted(budget, Spill());

    private static byte[] V(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void Compact_SpilledSingleVersionsBeforeThePoint_Settle_OthersStayOrdinary()
    {
        var state = Budgeted(1);
        state.Put(Events + "ns/once", V("e1"), 0);             // 1: one version, spilled: settles
        state.Put("/registry/pods/ns/twice", V("p1"), 0);      // 2
        state.Put("/registry/pods/ns/twice", V("p2"), 0);      // 3: still two versions after compacting at 3
        state.Put("/registry/pods/ns/é", V("x"), 0);           // 4: not ASCII: stays ordinary
        state.Put(Events + "ns/at-the-point", V("e2"), 0);     // 5: its own event is at the point: stays

        state.Compact(5);

        Assert.That(state.SettledKeyCount, Is.EqualTo(2), "the Event and the pod, whose history before 5 is gone");
        Assert.That(state.KeyCount, Is.EqualTo(4));
        Assert.That(state.Latest(Events + "ns/once")!.Value, Is.EqualTo(V("e1")));

        var unbudgeted = Budgeted(long.MaxValue);
        unbudgeted.Put(Events + "ns/once", V("e1"), 0);
        unbudgeted.Compact(1);
        unbudgeted.Put("/x", V("x"), 0);
        unbudgeted.Compact(2);
        Assert.That(unbudgeted.SettledKeyCount, Is.Zero, "a value in memory keeps its key ordinary");
    }

    [Test]
    public void Reads_SettledAndOrdinaryKeys_MergeInKeyOrder_WithPrefixesAndContinuation()
    {
        var state = Budgeted(1);
        foreach (var name in new[] { "b", "d", "f", "h" })
        {
            state.Put(Events + "ns/" + name, V(name), 0);
        }
        state.Put("/registry/zzz", V("z"), 0);
        state.Compact(state.Revision);
        foreach (var name in new[] { "a", "c", "g", "i" })
        {
            state.Put(Events + "ns/" + name, V(name), 0);
        }
        Assert.That(state.SettledKeyCount, Is.EqualTo(4));

        var revision = state.Revision;
        Assert.That(Keys(state.Range(Events, null, 0, revision).Items), Is.EqualTo(new[] { "a", "b", "c", "d", "f", "g", "h", "i" }));
        var (page, more) = state.Range(Events, Events + "ns/c", 3, revision);
        Assert.That((Keys(page), more), Is.EqualTo((new[] { "d", "f", "g" }, true)));
        Assert.That(Keys(state.Range(Events + "ns/f", null, 0, revision).Items), Is.EqualTo(new[] { "f" }));
        Assert.That(state.Count(Events, revision), Is.EqualTo(8));
        Assert.That(state.Get(Events + "ns/d", revision)!.Value, Is.EqualTo(V("d")));
        Assert.That(state.Get(Events + "ns/e", revision), Is.Null);

        var step = new List<LiveEntry>();
        var last = state.Scan(null, 3, revision, step);
        Assert.That((step.Select(e => e.Key[(e.Key.LastIndexOf('/') + 1)..]).ToArray(), last), Is.EqualTo((new[] { "a", "b", "c" }, Events + "ns/c")));
        Assert.That(state.LiveCount(revision), Is.EqualTo(9), "the eight Events, four of them settled, and /registry/zzz");
    }

    [Test]
    public void Writes_ToASettledKey_MakeItOrdinary_WithItsHistory()
    {
        var state = Budgeted(1);
        state.Put(Events + "ns/e", V("one"), 0);
        state.Put("/other", V("o"), 0);
        state.Compact(2);
        Assert.That(state.SettledKeyCount, Is.EqualTo(1));

        state.Put(Events + "ns/e", V("two"), 0); // 3: an update of the aggregated count, as the recorder does
        Assert.That(state.SettledKeyCount, Is.Zero);
        Assert.That(state.Latest(Events + "ns/e"), Is.EqualTo(new KeyValue(Events + "ns/e", V("two"), 1, 3, 2, 0)).Using<KeyValue>(Same));
        Assert.That(state.Get(Events + "ns/e", 2)!.Value, Is.EqualTo(V("one")), "the settled version is the update's history");
        var put = state.Events(3, 3).Single();
        Assert.That(put.PrevKv!.Value, Is.EqualTo(V("one")));

        state.Compact(3);
        state.Compact(state.Revision);
        state.Delete(Events + "ns/e");
        Assert.That(state.Latest(Events + "ns/e"), Is.Null);
        Assert.That(() => state.Delete(Events + "ns/e"), Throws.InvalidOperationException);
    }

    [Test]
    public void RevokeLease_ReturnsItsLiveKeys_SettledOrNot()
    {
        var state = Budgeted(1);
        var lease = state.GrantLease(TimeSpan.FromHours(1), DateTimeOffset.MaxValue);
        var other = state.GrantLease(TimeSpan.FromHours(1), DateTimeOffset.MaxValue);
        state.Put(Events + "ns/old", V("1"), lease);
        state.Put(Events + "ns/other", V("2"), other);
        state.Put(Events + "ns/moved", V("3"), lease);
        state.Put(Events + "ns/moved", V("4"), other);
        state.Put(Events + "ns/gone", V("5"), lease);
        state.Delete(Events + "ns/gone");
        state.Compact(state.Revision);
        state.Put(Events + "ns/new", V("6"), lease);
        Assert.That(state.SettledKeyCount, Is.GreaterThan(0));

        Assert.That(state.RevokeLease(lease).Order(StringComparer.Ordinal), Is.EqualTo(new[] { Events + "ns/new", Events + "ns/old" }));
        Assert.That(state.RevokeLease(lease), Is.Empty, "revoked once");
    }

    /// <summary>
    /// Random writes, deletes, compactions and leases on a state that spills everything against one
    /// that spills nothing (so never settles a key): every read answers the same throughout, while
    /// runs are added, merged and rewritten.
    /// </summary>
    [Test]
    public void Model_RandomChurn_AnswersAsAnIndexWithoutSettledKeys([Values(1, 2, 3)] int seed)
    {
        var random = new Random(seed);
        var settling = Budgeted(1);
        var plain = new MvccState();
        var leases = new List<long>();
        var names = Enumerable.Range(0, 400).Select(i => $"/registry/{(i % 3 == 0 ? "events" : "pods")}/ns{i % 4}/k{i * 7919 % 1000:D4}").ToArray();
        var sawSettled = 0;
        for (var step = 0; step < 6_000; step++)
        {
            var key = names[random.Next(names.Length)];
            var roll = random.Next(100);
            if (roll < 55)
            {
                var lease = leases.Count > 0 && random.Next(3) == 0 ? leases[random.Next(leases.Count)] : 0;
                var value = V($"{key}@{step}");
                settling.Put(key, value, lease);
                plain.Put(key, value, lease);
            }
            else if (roll < 75 && plain.Latest(key) is not null)
            {
                settling.Delete(key);
                plain.Delete(key);
            }
            else if (roll < 80)
            {
                var at = Math.Max(plain.CompactRevision, plain.Revision - random.Next(50));
                settling.Compact(at);
                plain.Compact(at);
                sawSettled = Math.Max(sawSettled, settling.SettledKeyCount);
            }
            else if (roll < 82)
            {
                var id = settling.GrantLease(TimeSpan.FromHours(1), DateTimeOffset.MaxValue);
                Assert.That(plain.GrantLease(TimeSpan.FromHours(1), DateTimeOffset.MaxValue), Is.EqualTo(id));
                leases.Add(id);
            }
            else if (roll < 83 && leases.Count > 0)
            {
                var id = leases[random.Next(leases.Count)];
                leases.Remove(id);
                var keys = settling.RevokeLease(id).Order(StringComparer.Ordinal).ToList();
                Assert.That(keys, Is.EqualTo(plain.RevokeLease(id).Order(StringComparer.Ordinal).ToList()), $"lease {id} at step {step}");
                foreach (var revoked in keys)
                {
                    settling.Delete(revoked);
                    plain.Delete(revoked);
                }
            }
            else
            {
                var other = names[random.Next(names.Length)];
                var prefix = other[..random.Next(10, other.Length + 1)];
                var revision = random.NextInt64(plain.CompactRevision, plain.Revision + 1);
                var startAfter = random.Next(2) == 0 ? null : names[random.Next(names.Length)];
                var limit = random.Next(4) * 5;
                var (a, aMore) = settling.Range(prefix, startAfter, limit, revision);
                var (b, bMore) = plain.Range(prefix, startAfter, limit, revision);
                Assert.That((Describe(a), aMore), Is.EqualTo((Describe(b), bMore)), $"range {prefix} after {startAfter} at {revision}, step {step}");
                Assert.That(settling.Count(prefix, revision), Is.EqualTo(plain.Count(prefix, revision)));
                Assert.That(settling.LiveCount(revision), Is.EqualTo(plain.Count("", revision)), $"live keys at {revision}, step {step}");
                Assert.That(Describe(Maybe(settling.Get(key, revision))), Is.EqualTo(Describe(Maybe(plain.Get(key, revision)))));
                Assert.That(settling.KeyCount, Is.EqualTo(plain.KeyCount));
            }
        }
        Assert.That(sawSettled, Is.GreaterThan(50), "the churn settled keys, so the comparison covered them");
        Assert.That(Describe(settling.Live(settling.Revision)), Is.EqualTo(Describe(plain.Live(plain.Revision))));
        Assert.That(Describe(settling.Events(settling.CompactRevision + 1, settling.Revision).Select(e => e.Kv)),
            Is.EqualTo(Describe(plain.Events(plain.CompactRevision + 1, plain.Revision).Select(e => e.Kv))));
    }

    private static KeyValue[] Maybe(KeyValue? kv) => kv is null ? [] : [kv];

    private static string[] Keys(IEnumerable<KeyValue> items) => [.. items.Select(kv => kv.Key[(kv.Key.LastIndexOf('/') + 1)..])];

    private static bool Same(KeyValue a, KeyValue b) => Describe([a]).SequenceEqual(Describe([b]));

    private static List<string> Describe(IEnumerable<KeyValue> items) =>
        [.. items.Select(kv => $"{kv.Key}={Encoding.UTF8.GetString(kv.Value)} c{kv.CreateRevision} m{kv.ModRevision} v{kv.Version} l{kv.Lease}")];
}
