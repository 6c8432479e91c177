namespace MiniKube.Controllers.Common;

/// <summary>
/// client-go's ControllerExpectations and UIDTrackingControllerExpectations in one type
/// (pkg/controller/controller_utils.go): after a sync issues N creates or deletes for an owner,
/// the owner is not synced again until the informer has seen them all (or five minutes pass), so
/// a cache that lags behind our own writes never makes the controller create or delete twice.
/// Deletions are counted (<see cref="ExpectDeletions(NamespacedName, int)"/>) or, where one
/// object may be seen going twice (first with a deletionTimestamp, then deleted), tracked by the
/// object's name so that it lowers the expectation once
/// (<see cref="ExpectDeletions(NamespacedName, IReadOnlyCollection{NamespacedName})"/>).
/// Keys are owner names.
/// </summary>
public sealed class Expectations(TimeProvider time)
{
    /// <summary>Upstream's ExpectationsTimeout: expectations older than this are considered met.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<NamespacedName, Pending> _pending = [];

    /// <summary>Whether the owner may be synced: nothing outstanding, never set, or expired.</summary>
    public bool Satisfied(NamespacedName owner)
    {
        lock (_gate)
        {
            return !_pending.TryGetValue(owner, out var pending)
                || (pending.Adds <= 0 && pending.Deletes <= 0)
                || time.GetUtcNow() - pending.SetAt > Timeout;
        }
    }

    public void ExpectCreations(NamespacedName owner, int count) => Set(owner, new Pending(count, 0, null, time.GetUtcNow()));

    public void ExpectDeletions(NamespacedName owner, int count) => Set(owner, new Pending(0, count, null, time.GetUtcNow()));

    /// <summary>The owner is about to delete these objects; each counts as observed once, however often it is seen going.</summary>
    public void ExpectDeletions(NamespacedName owner, IReadOnlyCollection<NamespacedName> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        Set(owner, new Pending(0, objects.Count, [.. objects], time.GetUtcNow()));
    }

    /// <summary>The informer saw one of the expected objects appear (or a create failed, so it never will).</summary>
    public void CreationObserved(NamespacedName owner)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(owner, out var pending))
            {
                pending.Adds--;
            }
        }
    }

    /// <summary>The informer saw one of the expected (counted) objects go, or a delete failed.</summary>
    public void DeletionObserved(NamespacedName owner)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(owner, out var pending))
            {
                pending.Deletes--;
            }
        }
    }

    /// <summary>The tracked object <paramref name="obj"/> is going (or its delete failed); counts only the first time.</summary>
    public void DeletionObserved(NamespacedName owner, NamespacedName obj)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(owner, out var pending) && pending.Deleting?.Remove(obj) == true)
            {
                pending.Deletes--;
            }
        }
    }

    /// <summary>The owner is gone: forget it.</summary>
    public void Delete(NamespacedName owner)
    {
        lock (_gate)
        {
            _pending.Remove(owner);
        }
    }

    /// <summary>
    /// Creates under expectations, as upstream's managers do: expects <paramref name="count"/>
    /// creations, runs <paramref name="create"/> in <see cref="SlowStart"/> batches, and counts
    /// every create that failed or was never tried as observed at once, since the informer will
    /// never show those. Returns how many succeeded and the first failure's message (null when none failed).
    /// </summary>
    public async Task<(int Succeeded, string? Error)> CreateAsync(NamespacedName owner, int count, Func<int, Task<string?>> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (count <= 0)
        {
            return (0, null);
        }
        ExpectCreations(owner, count);
        var (succeeded, error) = await SlowStart.RunAsync(count, create);
        for (var i = succeeded; i < count; i++)
        {
            CreationObserved(owner);
        }
        return (succeeded, error);
    }

    private void Set(NamespacedName owner, Pending pending)
    {
        lock (_gate)
        {
            _pending[owner] = pending;
        }
    }

    private sealed class Pending(int adds, int deletes, HashSet<NamespacedName>? deleting, DateTimeOffset setAt)
    {
        public int Adds { get; set; } = adds;

        public int Deletes { get; set; } = deletes;

        /// <summary>The objects whose deletion is awaited, when tracked by name.</summary>
        public HashSet<NamespacedName>? Deleting { get; } = deleting;

        public DateTimeOffset SetAt { get; } = setAt;
    }
}
