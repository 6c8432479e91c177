using FASTER.core;
using MiniKube.Storage.Mvcc;

namespace MiniKube.Storage.Embedded;

public sealed partial class EmbeddedStore
{
    /// <summary>
    /// Brings the index back: the newest checkpoint, then every log record after it. FasterLog
    /// itself recovers to its last complete commit, so a torn tail never reaches us; a record
    /// that is damaged inside the committed part ends the replay there, and the damaged log is
    /// set aside (renamed, never deleted) behind a fresh checkpoint of what was recovered.
    /// </summary>
    private void Recover()
    {
        var directory = _options.Directory;
        CheckFormat(directory);
        Directory.CreateDirectory(_checkpointDir);
        var logDir = Path.Combine(directory, "log");
        Directory.CreateDirectory(logDir);
        if (_options.MemoryBudget > 0)
        {
            // Before the checkpoint loads, so that its values already respect the budget.
            _spill = new ValueSpill(Path.Combine(directory, SpillDirectory));
            _state.LimitMemory(_options.MemoryBudget, _spill, _options.EvictFirstPrefix);
        }
        else if (Directory.Exists(Path.Combine(directory, SpillDirectory)))
        {
            Directory.Delete(Path.Combine(directory, SpillDirectory), recursive: true); // left by a run with a budget
        }

        var latest = Checkpoint.LoadLatest(_checkpointDir, LogCheckpointDamaged);
        var checkpoint = latest?.Checkpoint;
        if (latest is { } found)
        {
            _state.Reset(found.Checkpoint.Revision, found.Checkpoint.Keys, found.Checkpoint.Leases, found.Checkpoint.NextLeaseId);
            _lastCheckpointAddress = found.Checkpoint.LogAddress;
            _lastCheckpointBytes = new FileInfo(found.Path).Length;
        }

        OpenLog(logDir);
        var dropped = BytesBeyondTail(logDir);
        string? copied = null;
        if (dropped > SegmentPadding)
        {
            // FasterLog recovered to its last intact commit and will write over what follows:
            // keep a copy of the log as it was, for whoever wants to look at what was lost.
            copied = SetAsideName(logDir);
            CopyDirectory(logDir, copied);
            LogDroppedTail(dropped, copied);
        }
        var (replayed, damage) = Replay(checkpoint?.LogAddress ?? 0);
        if (damage is not null)
        {
            LogDamagedLog(damage, _log.TailAddress - replayed.NextAddress, _state.Revision);
            // Checkpoint what was kept before moving the log: a crash in between then finds the
            // checkpoint and meets the same damage again, instead of an empty log after an old checkpoint.
            WriteCheckpoint(_state.Revision, 0, (_state.Leases.ToList(), _state.NextLeaseId));
            _log.Dispose();
            _device.Dispose();
            if (copied is not null)
            {
                Directory.Delete(copied, recursive: true); // a copy of this same log, about to be set aside whole
            }
            var aside = SetAsideName(logDir);
            Directory.Move(logDir, aside);
            Directory.CreateDirectory(logDir);
            OpenLog(logDir);
        }

        ResumeAboveReservation();
        _visible = _state.Revision;
        _state.RestartLeaseClocks(_options.Time.GetUtcNow());
        LogRecovered(_state.Revision, _state.KeyCount, replayed.Records, checkpoint?.Revision ?? 0);
    }

    /// <summary>The spill files of the memory budget: a cache of this run's, emptied on open.</summary>
    private const string SpillDirectory = "spill";

    /// <summary>FasterLog pads each flush to a 512-byte sector; less than that past the tail is not data.</summary>
    private const long SegmentPadding = 512;

    private const int SegmentSizeBits = 18;

    /// <summary>How many bytes the log files hold past the recovered tail: what recovery dropped.</summary>
    private long BytesBeyondTail(string logDir)
    {
        long beyond = 0;
        var tail = _log.TailAddress;
        foreach (var file in Directory.EnumerateFiles(logDir, "wal.*"))
        {
            if (!int.TryParse(Path.GetExtension(file).TrimStart('.'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var segment))
            {
                continue;
            }
            var start = (long)segment << SegmentSizeBits;
            var end = start + new FileInfo(file).Length;
            beyond += Math.Max(0, end - Math.Max(start, tail));
        }
        return beyond;
    }

    /// <summary>A fresh name for a set-aside log; only the newest few are kept, so repeated power cuts cannot fill the disk.</summary>
    private string SetAsideName(string logDir)
    {
        const int Keep = 3;
        var stem = logDir + ".damaged-" + _options.Time.GetUtcNow().ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var name = stem;
        for (var n = 2; Directory.Exists(name); n++)
        {
            name = $"{stem}-{n}";
        }
        var parent = Path.GetDirectoryName(logDir)!;
        foreach (var old in Directory.EnumerateDirectories(parent, Path.GetFileName(logDir) + ".damaged-*").Order(StringComparer.Ordinal).SkipLast(Keep - 1))
        {
            Directory.Delete(old, recursive: true);
        }
        return name;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private void OpenLog(string logDir)
    {
        _device = Devices.CreateLogDevice(Path.Combine(logDir, "wal"), preallocateFile: false, deleteOnClose: false, recoverDevice: true);
        _log = new FasterLog(new FasterLogSettings
        {
            LogDevice = _device,
            // With FastCommitMode the commit record travels in the log itself; the metadata file is
            // only a recovery starting point, so write it every 1,000th commit (or when FasterLog
            // insists, as when truncating) instead of creating a synced file on every commit.
            LogCommitManager = new DeviceLogCommitCheckpointManager(
                new LocalStorageNamedDeviceFactory(preallocateFile: false, deleteOnClose: false),
                new DefaultCheckpointNamingScheme(logDir),
                removeOutdated: true,
                fastCommitThrottleFreq: 1000),
            // A page holds the largest entry (LogRecord.MaxEntryBytes); segments are the unit in which truncation frees disk.
            PageSizeBits = 16,
            MemorySizeBits = 22,
            SegmentSizeBits = SegmentSizeBits,
            LogChecksum = LogChecksumType.PerEntry,
            // The commit marker travels in the log itself: one synchronous write per group commit.
            FastCommitMode = true,
            TryRecoverLatest = true,
        });
    }

    /// <summary>Applies the log records after the checkpoint; returns what was replayed and, if it stopped early, why.</summary>
    private ((long Records, long NextAddress) Replayed, string? Damage) Replay(long fromAddress)
    {
        long records = 0;
        var next = Math.Max(fromAddress, _log.BeginAddress);
        using var iterator = _log.Scan(next, _log.TailAddress);
        var fragments = new FragmentAssembler();
        try
        {
            while (iterator.GetNext(out var entry, out var length, out _, out var nextAddress))
            {
                if (fragments.Add(LogRecord.Decode(entry, length)) is { } record)
                {
                    Apply(record);
                    records++;
                }
                next = nextAddress;
            }
        }
        catch (Exception e) when (e is InvalidDataException or FasterException)
        {
            return ((records, next), e.Message);
        }
        return ((records, next), null);
    }

    /// <summary>
    /// Reassembles records written as fragments. A run cut short (its writer was never
    /// acknowledged: the crash came between the fragments) is dropped when the next record starts.
    /// </summary>
    private sealed class FragmentAssembler
    {
        private readonly List<byte[]> _pieces = [];

        /// <summary>The complete record, or null while a fragmented one is still arriving.</summary>
        public LogRecord? Add(LogRecord record)
        {
            if (record is not LogRecord.Fragment fragment)
            {
                _pieces.Clear();
                return record;
            }
            if (fragment.Index == 0)
            {
                _pieces.Clear();
            }
            if (fragment.Index != _pieces.Count)
            {
                _pieces.Clear();
                return null;
            }
            _pieces.Add(fragment.Bytes);
            if (_pieces.Count < fragment.Count)
            {
                return null;
            }
            var whole = _pieces.SelectMany(p => p).ToArray();
            _pieces.Clear();
            return LogRecord.Decode(whole, whole.Length);
        }
    }

    private void Apply(LogRecord record)
    {
        switch (record)
        {
            case LogRecord.Put put when put.Revision > _state.Revision:
                ExpectNextRevision(put.Revision);
                if (put.Lease != 0 && !_state.HasLease(put.Lease))
                {
                    throw new InvalidDataException($"revision {put.Revision} names unknown lease {put.Lease}");
                }
                _state.Put(put.Key, put.Value, put.Lease);
                break;
            case LogRecord.Delete delete when delete.Revision > _state.Revision:
                ExpectNextRevision(delete.Revision);
                if (_state.Latest(delete.Key) is null)
                {
                    throw new InvalidDataException($"revision {delete.Revision} deletes absent key {delete.Key}");
                }
                _state.Delete(delete.Key);
                break;
            case LogRecord.LeaseGrant grant:
                _state.GrantLease(TimeSpan.FromMilliseconds(grant.TtlMilliseconds), DateTimeOffset.MaxValue, grant.Id);
                break;
            case LogRecord.LeaseRevoke revoke:
                _state.ForgetLease(revoke.Id);
                break;
            case LogRecord.Advance advance:
                _state.SkipTo(advance.Revision);
                break;
            case LogRecord.Reserve reserve:
                _recoveredCeiling = reserve.Ceiling;
                break;
            case LogRecord.Compact compact when compact.Revision > _state.CompactRevision:
                _state.Compact(compact.Revision);
                break;
            default:
                break; // already in the checkpoint
        }
    }

    private void ExpectNextRevision(long revision)
    {
        if (revision != _state.Revision + 1)
        {
            throw new InvalidDataException($"revision {revision} follows {_state.Revision}: records are missing");
        }
    }

    /// <summary>Refuses a directory that holds anything but an mkube store of this format, touching nothing.</summary>
    private static void CheckFormat(string directory)
    {
        var formatFile = Path.Combine(directory, FormatFileName);
        if (File.Exists(formatFile))
        {
            var found = File.ReadAllText(formatFile).Trim();
            if (found == FormatLineV1)
            {
                // Version 2 only adds log records; mark the store so that an older mkube refuses it
                // untouched instead of meeting records it does not know.
                WriteFormatFile(directory, formatFile);
                return;
            }
            if (found != FormatLine)
            {
                throw new UnknownStoreFormatException($"{directory} holds a store of format \"{found}\"; this mkube reads \"{FormatLine}\". Nothing was changed.");
            }
            return;
        }
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new UnknownStoreFormatException($"{directory} is not empty and has no {FormatFileName} file: it is not an mkube store. Nothing was changed.");
        }
        Directory.CreateDirectory(directory);
        WriteFormatFile(directory, formatFile);
    }

    /// <summary>Writes FORMAT durably: a temp file, fsync, rename over, directory fsync.</summary>
    private static void WriteFormatFile(string directory, string formatFile)
    {
        var temp = formatFile + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(System.Text.Encoding.UTF8.GetBytes(FormatLine + "\n"));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, formatFile, overwrite: true);
        DurableFiles.SyncDirectory(directory);
    }
}
