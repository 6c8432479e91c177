using Microsoft.Extensions.Logging;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// Heartbeats (updates <see cref="EmbeddedStoreOptions.IsHeartbeat"/> accepts) are acknowledged
/// and shown before they are durable, and reach the log coalesced: only each key's latest value,
/// with the next durable write or every <see cref="EmbeddedStoreOptions.HeartbeatFlushInterval"/>.
/// The guarantees that stay (the README's argument in full):
/// <list type="bullet">
/// <item>Every other write still waits for its commit, and a commit is a prefix of the log, which
/// holds the pending heartbeats before the write's own records: no acknowledged non-heartbeat
/// write is lost, and no heartbeat that came before one is either.</item>
/// <item>Revisions never go back: a heartbeat is shown only at a revision a durable
/// <see cref="LogRecord.Reserve"/> covers, and recovery resumes above the last reservation with
/// history compacted there, so a client that saw a lost heartbeat's revision re-lists (410 Gone)
/// and never meets that revision again for another object.</item>
/// </list>
/// </summary>
public sealed partial class EmbeddedStore
{
    /// <summary>Revisions one durable reservation covers: one extra commit per this many heartbeats.</summary>
    private const long ReservationWindow = 10_000;

    // The latest unlogged heartbeat of each key; under _lock.
    private readonly Dictionary<string, LogRecord.Put> _heartbeats = new(StringComparer.Ordinal);
    private long _durableCeiling;
    private long _recoveredCeiling;
    // An automatic compaction not yet in the log (0: none); under _lock.
    private long _pendingCompact;
    private Task _heartbeatFlusher = Task.CompletedTask;

    /// <summary>
    /// An update as a heartbeat, if it is one and nothing durable is pending; null when the
    /// ordinary durable path must answer (not a heartbeat, the condition changed, writes pending).
    /// </summary>
    private async Task<WriteResult?> TryHeartbeatAsync(string key, byte[] value, long expectedModRevision, long leaseId, CancellationToken cancellationToken)
    {
        if (_options.IsHeartbeat is not { } isHeartbeat || leaseId != 0)
        {
            return null;
        }
        // Classified outside the lock: the same ModRevision under the lock below means the same value.
        var stored = Read(() => _state.Latest(key));
        if (stored is null || stored.ModRevision != expectedModRevision || stored.Lease != 0 || !isHeartbeat(key, stored.Value, value))
        {
            return null;
        }
        // The commit gate orders this heartbeat's showing with every commit's.
        await _commitGate.WaitAsync(cancellationToken);
        try
        {
            WriteResult result;
            long? reservation = null;
            Task? durable = null;
            _lock.Enter();
            try
            {
                ThrowIfUnusable();
                if (_state.Revision != Volatile.Read(ref _visible) || _state.Latest(key)?.ModRevision != expectedModRevision)
                {
                    return null;
                }
                var kv = _state.Put(key, value, 0);
                result = new WriteResult(true, kv.ModRevision, kv);
                var record = new LogRecord.Put(kv.ModRevision, key, value, 0);
                if (kv.ModRevision <= Volatile.Read(ref _durableCeiling))
                {
                    _heartbeats[key] = record;
                }
                else
                {
                    // Beyond the reservation: this one is durable, with the next reservation.
                    EnqueueHeartbeatsLocked();
                    reservation = kv.ModRevision + ReservationWindow;
                    foreach (var entry in new LogRecord.Reserve(reservation.Value).EncodeEntries().Concat(record.EncodeEntries()))
                    {
                        _log.Enqueue(entry);
                    }
                    durable = _batch.Task;
                }
            }
            finally
            {
                _lock.Exit();
            }
            if (durable is not null)
            {
                await CommitOnceAsync();
                await durable;
                Volatile.Write(ref _durableCeiling, reservation!.Value);
                return result;
            }
            var revision = result.Revision;
            _hub.Publish(() =>
            {
                var from = Volatile.Read(ref _visible) + 1;
                Volatile.Write(ref _visible, revision);
                return ReadWhileClosing(() => _state.Events(from, revision));
            });
            return result;
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>
    /// Appends the unlogged heartbeats, oldest first, each after an <see cref="LogRecord.Advance"/>
    /// over the revisions superseded before reaching the log. Called under the lock before any
    /// durable write's records, so the log stays in revision order.
    /// </summary>
    private void EnqueueHeartbeatsLocked()
    {
        foreach (var put in _heartbeats.Values.OrderBy(p => p.Revision))
        {
            foreach (var entry in new LogRecord.Advance(put.Revision - 1).EncodeEntries().Concat(put.EncodeEntries()))
            {
                _log.Enqueue(entry);
            }
        }
        _heartbeats.Clear();
        if (_pendingCompact > 0)
        {
            // After the heartbeats: every revision it compacts is in the log before it.
            foreach (var entry in new LogRecord.Compact(_pendingCompact).EncodeEntries())
            {
                _log.Enqueue(entry);
            }
            _pendingCompact = 0;
        }
    }

    /// <summary>
    /// Automatic compaction, when heartbeats are on: the index compacts at once and the record
    /// waits for the next commit, as a heartbeat does, so an idle store does not commit every
    /// 30 s for it. A crash that loses the record loses nothing: a restart keeps no history
    /// below its checkpoint anyway, and history kept longer than asked costs only memory.
    /// </summary>
    private async Task CompactAutomaticallyAsync(long revision)
    {
        if (_options.IsHeartbeat is null)
        {
            await CompactAsync(revision, _stopping.Token);
            return;
        }
        _lock.Enter();
        try
        {
            ThrowIfUnusable();
            if (revision <= _state.CompactRevision)
            {
                throw new CompactedException(revision, _state.CompactRevision);
            }
            _state.Compact(revision);
            _pendingCompact = revision;
        }
        finally
        {
            _lock.Exit();
        }
        LogCompactedWithMemory(revision);
    }

    /// <summary>
    /// Writes the current reservation again at the log's tail, under the lock: a checkpoint is
    /// about to let the log before it go, and the reservation must outlive that.
    /// </summary>
    private void EnqueueReservationLocked()
    {
        if (Volatile.Read(ref _durableCeiling) is > 0 and var ceiling)
        {
            foreach (var entry in new LogRecord.Reserve(ceiling).EncodeEntries())
            {
                _log.Enqueue(entry);
            }
        }
    }

    /// <summary>
    /// At a clean close, under the lock: every heartbeat goes to the log, and a reservation of
    /// exactly the last revision, so the next start resumes there without a jump.
    /// </summary>
    private void EnqueueAllForCloseLocked()
    {
        if (_log is null || _fault is not null)
        {
            return;
        }
        EnqueueHeartbeatsLocked();
        if (Volatile.Read(ref _durableCeiling) > 0)
        {
            foreach (var entry in new LogRecord.Reserve(_state.Revision).EncodeEntries())
            {
                _log.Enqueue(entry);
            }
        }
    }

    /// <summary>Bounds what a crash can cost the heartbeats: they reach the log at least this often.</summary>
    private async Task HeartbeatFlushLoopAsync()
    {
        if (_options.IsHeartbeat is null)
        {
            return;
        }
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(_options.HeartbeatFlushInterval, _options.Time, _stopping.Token);
                await FlushHeartbeatsAsync(_stopping.Token);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (StoreUnavailableException)
        {
            // The store failed; Failed already reports it.
        }
    }

    /// <summary>Makes every heartbeat acknowledged so far durable.</summary>
    internal Task FlushHeartbeatsAsync(CancellationToken cancellationToken) =>
        WriteAsync(() => (new WriteResult(true, _state.Revision, null), _heartbeats.Count == 0 && _pendingCompact == 0 ? null : []), cancellationToken);

    /// <summary>
    /// After replay: if the last reservation lies above the recovered revision, heartbeats shown
    /// at revisions up to it may be lost. Resume above it, with history compacted there (durably,
    /// before anything is served), so no revision a client saw is ever reused and every watcher
    /// that resumes from before it re-lists.
    /// </summary>
    private void ResumeAboveReservation()
    {
        var ceiling = _recoveredCeiling;
        _durableCeiling = 0;
        if (ceiling <= _state.Revision)
        {
            return;
        }
        var recovered = _state.Revision;
        _state.SkipTo(ceiling);
        _state.Compact(ceiling);
        foreach (var entry in new LogRecord.Advance(ceiling).EncodeEntries().Concat(new LogRecord.Compact(ceiling).EncodeEntries()))
        {
            _log.Enqueue(entry);
        }
        _log.Commit(spinWait: true);
        LogResumedAboveReservation(recovered, ceiling);
    }

    [LoggerMessage(EventId = LogEvents.Storage + 340, Level = LogLevel.Warning, Message = "The store stopped uncleanly at revision {Recovered}; heartbeats shown up to revision {Ceiling} may be lost, so it resumes there and watchers re-list")]
    private partial void LogResumedAboveReservation(long recovered, long ceiling);
}
