using System.Collections;

namespace MiniKube.Storage.Mvcc;

/// <summary>
/// The live keys at one revision, as <see cref="MvccState.Scan"/> took them under the owner's
/// lock (in one hold or in steps); values that were spilled are read back one at a time as the list is enumerated, outside
/// the lock, so a checkpoint never holds every spilled value in memory at once. The spill files
/// stay on disk until it is disposed.
/// </summary>
internal sealed class LiveKeys : IReadOnlyList<KeyValue>, IDisposable
{
    private readonly List<(KeyValue Kv, SpillHandle? Spilled)> _entries = [];
    private readonly ValueSpill? _spill;
    private readonly IDisposable? _pin;

    /// <summary>An empty list that pins the spill files from now on, before its first step is read.</summary>
    public LiveKeys(ValueSpill? spill)
    {
        _spill = spill;
        _pin = spill?.Pin();
    }

    /// <summary>Appends one step of <see cref="MvccState.Scan"/>.</summary>
    public void Add(IEnumerable<(KeyValue Kv, SpillHandle? Spilled)> entries) => _entries.AddRange(entries);

    public int Count => _entries.Count;

    public KeyValue this[int index] => _entries[index] is (var kv, { } spilled) ? kv with { Value = _spill!.Read(spilled) } : _entries[index].Kv;

    public IEnumerator<KeyValue> GetEnumerator()
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose() => _pin?.Dispose();
}
