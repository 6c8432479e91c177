namespace MiniKube.Storage;

/// <summary>The requested revision was compacted away (the API answers 410 Gone).</summary>
public sealed class CompactedException(long requested, long compactRevision)
    : Exception(compactRevision > 0
        ? $"revision {requested} has been compacted; the oldest available is {compactRevision}"
        : $"revision {requested} has been compacted")
{
    /// <summary>The oldest revision still available, or 0 when the backend did not say.</summary>
    public long CompactRevision { get; } = compactRevision;
}

/// <summary>A read asked for a revision the store has not reached.</summary>
public sealed class FutureRevisionException(long requested, long current)
    : Exception($"revision {requested} is in the future; the current revision is {current}");

/// <summary>
/// A watcher fell too far behind and was cut off so that it could not slow writers or other
/// watchers; the caller re-lists and watches again.
/// </summary>
public sealed class WatchLaggedException(int capacity)
    : Exception($"watch cut off: the reader fell more than {capacity} events behind");

/// <summary>The store cannot serve now (etcd unreachable, or the embedded log failed).</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The data directory holds something this build cannot read; nothing was touched.</summary>
public sealed class UnknownStoreFormatException(string message) : Exception(message);

/// <summary>A write named a lease that does not exist (never granted, expired or revoked).</summary>
public sealed class LeaseNotFoundException(long leaseId) : Exception($"lease {leaseId} not found");
