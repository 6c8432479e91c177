namespace MiniKube.Controllers.Common;

/// <summary>
/// client-go's UIDTrackingControllerExpectations (pkg/controller/controller_utils.go): creations
/// are counted as in <see cref="Expectations"/>, deletions are remembered by pod key, so a pod
/// seen twice on its way out (first with a deletionTimestamp, then deleted) lowers the
/// expectation only once.
/// </summary>
public sealed class UidTrackingExpectations(TimeProvider time)
{
    private readonly Expectations _counts = new(time);
    private readonly Dictionary<string, HashSet<string>> _deleting = new(StringComparer.Ordinal);

    public bool Satisfied(string ownerKey) => _counts.Satisfied(ownerKey);

    public void ExpectCreations(string ownerKey, int count) => _counts.ExpectCreations(ownerKey, count);

    public void CreationObserved(string ownerKey) => _counts.CreationObserved(ownerKey);

    /// <summary>The owner is about to delete the objects with these keys ("namespace/name").</summary>
    public void ExpectDeletions(string ownerKey, IReadOnlyCollection<string> objectKeys)
    {
        ArgumentNullException.ThrowIfNull(objectKeys);
        lock (_deleting)
        {
            _deleting[ownerKey] = new HashSet<string>(objectKeys, StringComparer.Ordinal);
            _counts.ExpectDeletions(ownerKey, objectKeys.Count);
        }
    }

    /// <summary>The object with <paramref name="objectKey"/> is going (or its delete failed); counts only the first time.</summary>
    public void DeletionObserved(string ownerKey, string objectKey)
    {
        lock (_deleting)
        {
            if (_deleting.TryGetValue(ownerKey, out var keys) && keys.Remove(objectKey))
            {
                _counts.DeletionObserved(ownerKey);
            }
        }
    }

    /// <summary>The owner is gone: forget it.</summary>
    public void Delete(string ownerKey)
    {
        lock (_deleting)
        {
            _deleting.Remove(ownerKey);
            _counts.Delete(ownerKey);
        }
    }
}
