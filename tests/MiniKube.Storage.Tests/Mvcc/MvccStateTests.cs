using System.Text;
using MiniKube.Storage.Mvcc;

namespace MiniKube.Storage.Tests.Mvcc;

/// <summary>Scan, the bounded step of a reader that walks the whole index (snapshots, checkpoints).</summary>
[TestFixture]
public sealed class MvccStateTests
{
    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

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

        var (first, last) = state.Scan(null, 4, revision);
        var (second, last2) = state.Scan(last, 4, revision);
        var (third, end) = state.Scan(last2, 4, revision);

        Assert.That(first.Select(e => e.Kv.Key), Is.EqualTo(new[] { "/a" }));
        Assert.That(last, Is.EqualTo("/b2"));
        Assert.That(second, Is.Empty, "four deleted keys: a step with nothing live in it");
        Assert.That(last2, Is.EqualTo("/b6"));
        Assert.That(third.Select(e => e.Kv.Key), Is.EqualTo(new[] { "/c" }));
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

        var (items, last) = state.Scan(null, 10, revision);

        Assert.That(items.Select(e => (e.Kv.Key, Encoding.UTF8.GetString(e.Kv.Value))), Is.EqualTo(new[] { ("/a", "old"), ("/b", "b") }));
        Assert.That(last, Is.Null);
    }

    [Test]
    public void Scan_ExactlyTheStepLeft_EndsTheWalk()
    {
        var state = new MvccState();
        state.Put("/a", V("a"), 0);
        state.Put("/b", V("b"), 0);

        var (items, last) = state.Scan(null, 2, state.Revision);

        Assert.That(items, Has.Count.EqualTo(2));
        Assert.That(last, Is.Null);
    }
}
