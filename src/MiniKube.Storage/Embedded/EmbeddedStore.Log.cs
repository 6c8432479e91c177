using Microsoft.Extensions.Logging;

namespace MiniKube.Storage.Embedded;

public sealed partial class EmbeddedStore
{
    [LoggerMessage(EventId = LogEvents.Storage + 300, Level = LogLevel.Information, Message = "Store recovered at revision {Revision} with {Keys} keys ({Records} log records replayed after checkpoint {Checkpoint})")]
    private partial void LogRecovered(long revision, int keys, long records, long checkpoint);

    [LoggerMessage(EventId = LogEvents.Storage + 301, Level = LogLevel.Warning, Message = "Ignoring damaged checkpoint {Detail}")]
    private partial void LogCheckpointDamaged(string detail);

    [LoggerMessage(EventId = LogEvents.Storage + 302, Level = LogLevel.Error, Message = "The store's log is damaged ({Damage}); kept everything up to revision {Revision} and set aside the {Bytes} bytes after it")]
    private partial void LogDamagedLog(string damage, long bytes, long revision);

    [LoggerMessage(EventId = LogEvents.Storage + 307, Level = LogLevel.Error, Message = "The store's log held {Bytes} bytes after its last intact commit, which recovery dropped; a copy of the log as found is in {Copy}")]
    private partial void LogDroppedTail(long bytes, string copy);

    [LoggerMessage(EventId = LogEvents.Storage + 303, Level = LogLevel.Information, Message = "Checkpoint at revision {Revision}: {Keys} keys, {Bytes} bytes")]
    private partial void LogCheckpointWritten(long revision, int keys, long bytes);

    [LoggerMessage(EventId = LogEvents.Storage + 304, Level = LogLevel.Debug, Message = "Compacted history below revision {Revision}; {Resident} bytes of values in memory, {Spilled} bytes in spill files")]
    private partial void LogCompacted(long revision, long resident, long spilled);

    [LoggerMessage(EventId = LogEvents.Storage + 308, Level = LogLevel.Error, Message = "Values can no longer be spilled to disk ({Reason}); the store keeps them in memory, over its memory budget, until it restarts")]
    private partial void LogSpillFailed(string reason);

    [LoggerMessage(EventId = LogEvents.Storage + 305, Level = LogLevel.Debug, Message = "Lease {Lease} expired; its keys were deleted")]
    private partial void LogLeaseExpired(long lease);

    [LoggerMessage(EventId = LogEvents.Storage + 306, Level = LogLevel.Critical, Message = "The store failed and stops accepting writes: {Reason}")]
    private partial void LogStoreFailed(string reason);
}
