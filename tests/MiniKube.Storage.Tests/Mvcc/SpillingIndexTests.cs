using MiniKube.Storage.Mvcc;

namespace MiniKube.Storage.Tests.Mvcc;

/// <summary>
/// The shared setup of tests of an index whose values spill to disk: each test's spill files in
/// a temporary directory of its own, closed and removed after it.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public abstract class SpillingIndexTests
{
    protected const string Events = "/registry/events/";

    private readonly List<ValueSpill> _spills = [];

    /// <summary>Where this test's spills are: the first in "spill", later ones in "spill-1", "spill-2"…</summary>
    protected string Root { get; } = Directory.CreateTempSubdirectory("mkube-mvcc-").FullName;

    [TearDown]
    public void RemoveSpills()
    {
        _spills.ForEach(s => s.Dispose());
        Directory.Delete(Root, recursive: true);
    }

    private protected ValueSpill Spill(long segmentBytes = 1 << 20)
    {
        var name = _spills.Count == 0 ? "spill" : $"spill-{_spills.Count}";
        var spill = new ValueSpill(Path.Combine(Root, name), segmentBytes);
        _spills.Add(spill);
        return spill;
    }

    /// <summary>An index that keeps at most <paramref name="budget"/> bytes of values in memory and spills Events first.</summary>
    private protected static MvccState Budgeted(long budget, ValueSpill spill)
    {
        var state = new MvccState();
        state.LimitMemory(budget, spill, Events);
        return state;
    }
}
