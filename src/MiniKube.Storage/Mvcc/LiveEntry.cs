namespace MiniKube.Storage.Mvcc;

/// <summary>
/// A key live at one revision, as <see cref="MvccState.Scan"/> takes it under its owner's lock for
/// a reader that goes on outside the lock (a checkpoint, a snapshot): the key, its revisions, and
/// its value as it was then, either in memory (<see cref="Value"/>; values are never changed in
/// place) or spilled (<see cref="Spilled"/>, read back outside the lock while the spill files are
/// pinned). A struct, so that a scan allocates nothing per key: a reader reuses one list for every step.
/// </summary>
internal readonly record struct LiveEntry(string Key, long CreateRevision, long ModRevision, long Version, long Lease, byte[]? Value, SpillHandle Spilled);
