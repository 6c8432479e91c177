using MiniKube.ApiServer.WatchCache;
using JsonObject = System.Text.Json.Nodes.JsonObject;

namespace MiniKube.ApiServer.Tests.WatchCache;

/// <summary>The ledger hands its index only states newer than the last one taken, deletions first among equals.</summary>
public sealed class RevisionLedgerTests
{
    private readonly List<(string Key, bool Present)> _taken = [];

    [SetUp]
    public void Clear() => _taken.Clear();

    private RevisionLedger<string> NewLedger() => new((key, obj) => _taken.Add((key, obj is not null)));

    [Test]
    public void Apply_OlderStateAfterNewer_Ignored_DeletionOutranksSameRevision()
    {
        var ledger = NewLedger();

        ledger.Apply("a", [], gone: false, 5);
        ledger.Apply("a", [], gone: false, 4);
        ledger.Apply("a", [], gone: true, 5);
        ledger.Apply("a", [], gone: false, 5);

        Assert.That(_taken, Is.EqualTo(new[] { ("a", true), ("a", false) }));
    }

    [Test]
    public void RetainOnly_TakesAbsentKeysAsDeleted_UnlessANewerStateArrived()
    {
        var ledger = NewLedger();
        foreach (var (key, revision) in new[] { ("kept", 1L), ("gone", 2L), ("newer", 9L) })
        {
            ledger.Apply(key, [], gone: false, revision);
        }
        _taken.Clear();

        ledger.RetainOnly(_ => true, key => key == "kept", 5);

        Assert.That(_taken, Is.EqualTo(new[] { ("gone", false) }));
    }

    [Test]
    public void ForgetDeletions_OnlyPastTheThresholdAndAtOrBelowTheRevision()
    {
        var ledger = NewLedger();
        ledger.Apply("a", [], gone: true, 3);
        ledger.Apply("b", [], gone: true, 8);

        ledger.ForgetDeletions(_ => true, 5, kept: 2);
        ledger.Apply("a", new JsonObject(), gone: false, 2);
        ledger.ForgetDeletions(_ => true, 5, kept: 0);
        ledger.Apply("a", new JsonObject(), gone: false, 2);
        ledger.Apply("b", new JsonObject(), gone: false, 7);

        Assert.That(_taken, Is.EqualTo(new[] { ("a", false), ("b", false), ("a", true) }), "a forgotten deletion no longer guards; b's still does");
    }
}
