using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FASTER.core;
using Microsoft.Extensions.Logging;
using MiniKube.Storage.Mvcc;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// The default store: an in-memory MVCC index (<see cref="MvccState"/>) made durable by a
/// FasterLog write-ahead log, with checkpoints that bound restart time and let the log be
/// truncated. See this project's README for the design.
/// <para>
/// Write path: under the write lock a writer checks its condition, applies the change to the
/// index (assigning the revision) and appends the log record; then it waits, outside the lock,
/// for the commit batch it joined. One committer task commits the log until its tail, so
/// concurrent writers share each flush (group commit). Only after a commit does the visible
/// revision move, and readers and watchers see nothing above it: a write is acknowledged, read
/// or delivered only once it is on disk.
/// </para>
/// </summary>
public sealed partial class EmbeddedStore : IStore
{
    private const string FormatFileName = "FORMAT";
    private const string FormatLine = "mkube-store 2";

    /// <summary>The format before heartbeat records (LogRecord.Advance, Reserve); a store in it is upgraded on open.</summary>
    private const string FormatLineV1 = "mkube-store 1";

    private readonly EmbeddedStoreOptions _options;
    private readonly ILogger _logger;
    private readonly MvccState _state = new();
    // One exclusive lock for reads and writes: every critical section is a few dictionary
    // operations, and ReaderWriterLockSlim's back-off (Thread.Sleep under contention) cost
    // writers milliseconds when API requests mixed reads and writes.
    private readonly Lock _lock = new();
    private readonly WatchHub _hub;
    private readonly Channel<bool> _commitSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<(DateTimeOffset Time, long Revision)> _revisionTimes = new();
    private readonly string _checkpointDir;

    private IDevice _device = null!;
    private ValueSpill? _spill;
    private FasterLog _log = null!;
    private TaskCompletionSource _batch = NewBatch();
    private long _visible;
    private long _committedTail;
    private long? _pendingTruncate;
    private long _lastCheckpointAddress;
    private long _lastCheckpointBytes;
    private int _checkpointRunning;
    private int _spillFailureLogged;
    private Exception? _fault;
    private bool _disposed;
    private Task _committer = Task.CompletedTask;
    private Task _maintenance = Task.CompletedTask;
    private Task _checkpointTask = Task.CompletedTask;

    private EmbeddedStore(EmbeddedStoreOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _hub = new WatchHub(options.WatchQueueCapacity);
        _checkpointDir = Path.Combine(options.Directory, "checkpoints");
    }

    /// <summary>Completes with the failure that made the store unusable; a host treats it as fatal.</summary>
    public Task Failed => _failed.Task;

    /// <summary>
    /// Opens (or creates) the store in <see cref="EmbeddedStoreOptions.Directory"/>, recovering
    /// from the newest checkpoint and the log after it.
    /// </summary>
    public static async Task<EmbeddedStore> OpenAsync(EmbeddedStoreOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var store = new EmbeddedStore(options, logger);
        await Task.Run(store.Recover, cancellationToken);
        store._committer = Task.Run(store.CommitLoopAsync, CancellationToken.None);
        store._maintenance = Task.Run(store.MaintenanceLoopAsync, CancellationToken.None);
        store._heartbeatFlusher = Task.Run(store.HeartbeatFlushLoopAsync, CancellationToken.None);
        return store;
    }

    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        return Task.FromResult(Volatile.Read(ref _visible));
    }

    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        return Task.FromResult(Read(() => _state.Get(key, ReadRevision(revision))));
    }

    public Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        return Task.FromResult(Read(() =>
        {
            var revision = ReadRevision(request.Revision);
            var (items, more) = _state.Range(request.Prefix, request.StartAfter, request.Limit, revision);
            return new RangeResult(items, revision, more);
        }));
    }

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken) =>
        Task.FromResult(Read(() => _state.Count(prefix, Volatile.Read(ref _visible))));

    public Task<WriteResult> CreateAsync(string key, byte[] value, long leaseId, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        StoreLimits.CheckValue(value);
        return WriteAsync(() =>
        {
            CheckLease(leaseId);
            if (_state.Latest(key) is { } existing)
            {
                return (new WriteResult(false, Volatile.Read(ref _visible), existing), null);
            }
            var kv = _state.Put(key, value, leaseId);
            return (new WriteResult(true, kv.ModRevision, kv), [new LogRecord.Put(kv.ModRevision, key, value, leaseId)]);
        }, cancellationToken);
    }

    public async Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, long leaseId, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        StoreLimits.CheckValue(value);
        return await TryHeartbeatAsync(key, value, expectedModRevision, leaseId, cancellationToken) ?? await WriteAsync(() =>
        {
            CheckLease(leaseId);
            var current = _state.Latest(key);
            if (current is null || current.ModRevision != expectedModRevision)
            {
                return (new WriteResult(false, Volatile.Read(ref _visible), current), null);
            }
            var kv = _state.Put(key, value, leaseId);
            return (new WriteResult(true, kv.ModRevision, kv), [new LogRecord.Put(kv.ModRevision, key, value, leaseId)]);
        }, cancellationToken);
    }

    public Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        return WriteAsync(() =>
        {
            var current = _state.Latest(key);
            if (current is null || (expectedModRevision != 0 && current.ModRevision != expectedModRevision))
            {
                return (new WriteResult(false, Volatile.Read(ref _visible), current), null);
            }
            var revision = _state.Delete(key);
            return (new WriteResult(true, revision, current), [new LogRecord.Delete(revision, key)]);
        }, cancellationToken);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ThrowIfUnusable();
        var events = _hub.WatchAsync(prefix, () =>
        {
            var visible = Volatile.Read(ref _visible);
            var from = fromRevision == 0 ? visible + 1 : fromRevision;
            return from > visible ? [] : Read(() => _state.Events(from, visible));
        }, cancellationToken);
        await foreach (var ev in events)
        {
            if (ev.Revision >= fromRevision)
            {
                yield return ev;
            }
        }
    }

    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        var visible = Volatile.Read(ref _visible);
        if (revision > visible)
        {
            throw new FutureRevisionException(revision, visible);
        }
        await WriteAsync(() =>
        {
            if (revision <= _state.CompactRevision)
            {
                throw new CompactedException(revision, _state.CompactRevision);
            }
            _state.Compact(revision);
            return (new WriteResult(true, revision, null), [new LogRecord.Compact(revision)]);
        }, cancellationToken);
        LogCompactedWithMemory(revision);
    }

    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var result = await WriteAsync(() =>
        {
            var id = _state.GrantLease(ttl, _options.Time.GetUtcNow() + ttl);
            return (new WriteResult(true, id, null), [new LogRecord.LeaseGrant(id, (long)ttl.TotalMilliseconds)]);
        }, cancellationToken);
        return result.Revision;
    }

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) =>
        WriteAsync(() =>
        {
            CheckLease(leaseId);
            var records = new List<LogRecord>();
            foreach (var key in _state.RevokeLease(leaseId))
            {
                records.Add(new LogRecord.Delete(_state.Delete(key), key)); // live and attached, as RevokeLease returns them
            }
            records.Add(new LogRecord.LeaseRevoke(leaseId));
            return (new WriteResult(true, _state.Revision, null), records);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // Under the write lock: every writer either finished appending (the final commit covers it) or sees the store closed.
        _lock.Enter();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            EnqueueAllForCloseLocked();
        }
        finally
        {
            _lock.Exit();
        }
        _commitSignal.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_committer, _maintenance, _heartbeatFlusher).ContinueWith(_ => { }, TaskScheduler.Default);
        await _checkpointTask.ContinueWith(_ => { }, TaskScheduler.Default);
        await _commitGate.WaitAsync(); // a writer may still be committing its own batch
        _hub.CloseAll(new StoreUnavailableException("the store is closed"));
        _log?.Dispose();
        _device?.Dispose();
        _spill?.Dispose();
        _stopping.Dispose();
        _commitGate.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="change"/> under the write lock; if it produced records, appends them
    /// and waits until the commit batch holding them is durable.
    /// </summary>
    private async Task<WriteResult> WriteAsync(Func<(WriteResult Result, List<LogRecord>? Records)> change, CancellationToken cancellationToken)
    {
        Task durable;
        WriteResult result;
        _lock.Enter();
        try
        {
            ThrowIfUnusable();
            (result, var records) = change();
            if (records is null)
            {
                if (_state.Revision == Volatile.Read(ref _visible))
                {
                    return result;
                }
                // The failure may rest on writes not yet durable (the key a create found, the
                // revision an update missed): answer only once they are, as etcd would.
                durable = _batch.Task;
                result = result with { Revision = _state.Revision };
            }
            else
            {
                EnqueueHeartbeatsLocked();
                foreach (var entry in records.SelectMany(r => r.EncodeEntries()))
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
        // Group commit, leader style: the first writer to find no commit under way commits for
        // everyone who appended so far; the others wait for that batch, or the next one.
        if (_commitGate.Wait(0, CancellationToken.None))
        {
            try
            {
                if (!durable.IsCompleted)
                {
                    await CommitOnceAsync();
                }
            }
            finally
            {
                _commitGate.Release();
            }
        }
        if (!durable.IsCompleted)
        {
            _commitSignal.Writer.TryWrite(true); // a commit was under way: the loop commits our batch after it
        }
        await durable.WaitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Commits on behalf of writers that could not commit themselves (another commit was under
    /// way) and of checkpoints that asked for a truncation; at disposal, commits what is left.
    /// </summary>
    private async Task CommitLoopAsync()
    {
        while (await _commitSignal.Reader.WaitToReadAsync(CancellationToken.None))
        {
            _commitSignal.Reader.TryRead(out _);
            await _commitGate.WaitAsync();
            try
            {
                if (!await CommitOnceAsync())
                {
                    return;
                }
            }
            finally
            {
                _commitGate.Release();
            }
        }
        // Disposal: make what is still queued durable before the log closes.
        await _log.CommitAsync();
        _batch.TrySetResult();
    }

    /// <summary>
    /// Commits everything appended so far as one batch, then shows it to readers and watchers
    /// and acknowledges its writers. Only ever run by the holder of <see cref="_commitGate"/>.
    /// Returns false once the log has failed.
    /// </summary>
    private async Task<bool> CommitOnceAsync()
    {
        TaskCompletionSource batch;
        long upTo, tail;
        long? truncate;
        (List<(long, TimeSpan)> Leases, long NextLeaseId)? checkpointLeases = null;
        _lock.Enter();
        try
        {
            batch = _batch;
            _batch = NewBatch();
            upTo = _state.Revision;
            tail = _log.TailAddress;
            truncate = _pendingTruncate;
            _pendingTruncate = null;
            if (CheckpointDue(tail))
            {
                // Leases exactly as of this log position: a checkpoint must not hold a later lease
                // set than its keys, or replaying the records after it would meet leases it lacks.
                checkpointLeases = (_state.Leases.ToList(), _state.NextLeaseId);
                EnqueueReservationLocked(); // after the checkpoint's log address, in this commit
            }
        }
        finally
        {
            _lock.Exit();
        }
        if (tail == Volatile.Read(ref _committedTail) && truncate is null)
        {
            batch.TrySetResult(); // nothing appended since the last commit
            return true;
        }

        try
        {
            if (truncate is { } address)
            {
                _log.TruncateUntil(address);
            }
            await _log.CommitAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(e);
            batch.TrySetException(_fault!);
            _lock.Enter();
            try
            {
                _batch.TrySetException(_fault!); // writers that joined the next batch meanwhile
            }
            finally
            {
                _lock.Exit();
            }
            return false;
        }

        _hub.Publish(() =>
        {
            var from = Volatile.Read(ref _visible) + 1;
            Volatile.Write(ref _visible, upTo);
            return from > upTo ? [] : ReadWhileClosing(() => _state.Events(from, upTo));
        });
        Volatile.Write(ref _committedTail, tail);
        batch.TrySetResult();
        if (checkpointLeases is { } leases)
        {
            StartCheckpoint(upTo, tail, leases);
        }
        return true;
    }

    private async Task MaintenanceLoopAsync()
    {
        var lastCompactionCheck = _options.Time.GetUtcNow();
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(_options.LeaseCheckInterval, _options.Time, _stopping.Token);
                var now = _options.Time.GetUtcNow();
                foreach (var lease in Read(() => _state.ExpiredLeases(now)))
                {
                    await RevokeIfPresentAsync(lease);
                }
                if (_options.CompactionInterval > TimeSpan.Zero && now - lastCompactionCheck >= _options.CompactionInterval)
                {
                    lastCompactionCheck = now;
                    await CompactAutomaticallyAsync(now);
                }
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

    private async Task RevokeIfPresentAsync(long lease)
    {
        try
        {
            await RevokeLeaseAsync(lease, _stopping.Token);
            LogLeaseExpired(lease);
        }
        catch (LeaseNotFoundException)
        {
            // Revoked by a client meanwhile.
        }
    }

    /// <summary>Compacts below the newest revision that is both older than the retention and far enough back.</summary>
    private async Task CompactAutomaticallyAsync(DateTimeOffset now)
    {
        var visible = Volatile.Read(ref _visible);
        _revisionTimes.Enqueue((now, visible));
        long byTime = 0;
        while (_revisionTimes.TryPeek(out var sample) && now - sample.Time >= _options.CompactionRetention)
        {
            byTime = _revisionTimes.Dequeue().Revision;
        }
        var target = Math.Min(byTime, visible - _options.CompactionMinRevisions);
        if (target > Read(() => _state.CompactRevision))
        {
            try
            {
                await CompactAutomaticallyAsync(target);
            }
            catch (CompactedException)
            {
                // A client compacted further meanwhile: nothing left to do.
            }
        }
    }

    private bool CheckpointDue(long tail) =>
        tail - _lastCheckpointAddress >= Math.Max(_options.CheckpointMinLogBytes, _lastCheckpointBytes)
        && Volatile.Read(ref _checkpointRunning) == 0;

    private void StartCheckpoint(long revision, long tail, (List<(long, TimeSpan)> Leases, long NextLeaseId) leases)
    {
        if (Interlocked.Exchange(ref _checkpointRunning, 1) == 1)
        {
            return;
        }
        // A thread of its own, as a snapshot's (EmbeddedStore.Snapshots.cs): it is paced, so it sleeps.
        _checkpointTask = Task.Factory.StartNew(() =>
        {
            Thread.CurrentThread.Name = CheckpointThreadName;
            try
            {
                WriteCheckpoint(revision, tail, leases);
                _lock.Enter();
                try
                {
                    _pendingTruncate = tail;
                }
                finally
                {
                    _lock.Exit();
                }
                _commitSignal.Writer.TryWrite(true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(e);
            }
            catch (CompactedException)
            {
                // Compacted past this revision meanwhile: the next commit tries again.
            }
            catch (ObjectDisposedException)
            {
                // The store closed while the checkpoint was being written: the log still has everything.
            }
            finally
            {
                Volatile.Write(ref _checkpointRunning, 0);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Writes the keys live at <paramref name="revision"/> and the given leases (as of the same log position).</summary>
    private void WriteCheckpoint(long revision, long logAddress, (List<(long, TimeSpan)> Leases, long NextLeaseId) leases)
    {
        var path = Path.Combine(_checkpointDir, Checkpoint.FileName(revision));
        var keys = WriteLive(path, new Checkpoint.Header(revision, logAddress, leases.NextLeaseId, leases.Leases), givesWay: true, CancellationToken.None);
        foreach (var old in Directory.EnumerateFiles(_checkpointDir, Checkpoint.FilePrefix + "*").Where(p => string.CompareOrdinal(p, path) < 0))
        {
            File.Delete(old);
        }
        _lastCheckpointAddress = logAddress;
        _lastCheckpointBytes = new FileInfo(path).Length;
        LogCheckpointWritten(revision, keys, _lastCheckpointBytes);
    }

    /// <summary>Logs a compaction with what the values occupy, and a spill failure once.</summary>
    private void LogCompactedWithMemory(long revision)
    {
        var (resident, failure) = Read(() => (_state.ResidentBytes, _state.SpillFailure));
        LogCompacted(revision, resident, _spill?.FileBytes ?? 0);
        if (failure is not null && Interlocked.Exchange(ref _spillFailureLogged, 1) == 0)
        {
            LogSpillFailed(failure.Message);
        }
    }

    /// <summary>A read for the store's own machinery, which must finish its work while the store closes.</summary>
    private T ReadWhileClosing<T>(Func<T> read)
    {
        _lock.Enter();
        try
        {
            return read();
        }
        finally
        {
            _lock.Exit();
        }
    }

    private T Read<T>(Func<T> read)
    {
        ThrowIfUnusable();
        _lock.Enter();
        try
        {
            return read();
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>The revision a read runs at: the visible one for 0, else the one asked for if it exists yet.</summary>
    private long ReadRevision(long requested)
    {
        var visible = Volatile.Read(ref _visible);
        if (requested > visible)
        {
            throw new FutureRevisionException(requested, visible);
        }
        return requested == 0 ? visible : requested;
    }

    private void CheckLease(long leaseId)
    {
        if (leaseId != 0 && !_state.HasLease(leaseId))
        {
            throw new LeaseNotFoundException(leaseId);
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null)
        {
            throw _fault;
        }
    }

    private void Fail(Exception cause)
    {
        var fault = new StoreUnavailableException($"the store's log failed and it stopped accepting writes: {cause.Message}", cause);
        if (Interlocked.CompareExchange(ref _fault, fault, null) is null)
        {
            LogStoreFailed(cause.Message);
            _hub.CloseAll(fault);
            _failed.TrySetException(fault);
        }
    }

    private static TaskCompletionSource NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
