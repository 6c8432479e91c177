using System.Globalization;
using Microsoft.Extensions.Logging;
using MiniKube.Storage.Etcd.Wire;

namespace MiniKube.Storage.Etcd;

/// <summary>
/// Compaction of an external etcd, as kube-apiserver does it (apiserver's storage/etcd3
/// compactor, <c>--etcd-compaction-interval</c>, 5 minutes): without it etcd keeps every
/// revision ever written, and its database grows until it hits its quota and refuses writes.
/// Every interval, each API server compacts to the revision it saw one interval before, so
/// history is kept for one to two intervals. The servers sharing the etcd take turns through
/// one key, <see cref="CompactRevisionKey"/> (kube-apiserver's own, so mkube and kube-apiserver
/// servers on one etcd coordinate too): a server compacts only when that key's version is the one
/// it last saw, bumping it in the same transaction; otherwise another server compacted this
/// round, and this one adopts the key's version and waits for the next.
/// </summary>
public sealed partial class EtcdStore
{
    /// <summary>The key through which API servers take turns compacting.</summary>
    public const string CompactRevisionKey = "compact_rev_key";

    /// <summary>Compacts every <paramref name="interval"/> until cancelled; failures are logged and retried next time.</summary>
    public async Task CompactPeriodicallyAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var state = (Version: 0L, Revision: 0L);
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                state = await CompactOnceAsync(state.Version, state.Revision, cancellationToken);
            }
            catch (Exception e) when (e is StoreUnavailableException or CompactedException && !cancellationToken.IsCancellationRequested)
            {
                // Another compaction reached further, or etcd is away: the next tick tries again.
                LogCompactionFailed(_logger, e.Message);
            }
        }
    }

    /// <summary>
    /// One round: when <see cref="CompactRevisionKey"/>'s version is still <paramref name="version"/>,
    /// records <paramref name="revision"/> there and compacts to it (0: nothing to compact yet, on
    /// the first round). Returns the key's version now and etcd's current revision, which the next
    /// round compacts to.
    /// </summary>
    public async Task<(long Version, long Revision)> CompactOnceAsync(long version, long revision, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = Bytes(CompactRevisionKey), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = version } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = Bytes(CompactRevisionKey), Value = Bytes(revision.ToString(CultureInfo.InvariantCulture)) } } },
            Failure = { new RequestOp { RequestRange = new Wire.RangeRequest { Key = Bytes(CompactRevisionKey) } } },
        };
        var response = await TxnAsync(txn, 0, cancellationToken);
        var current = response.Header.Revision;
        if (!response.Succeeded)
        {
            var kvs = response.Responses[0].ResponseRange.Kvs;
            return (kvs.Count == 0 ? 0 : kvs[0].Version, current);
        }
        if (revision > 0)
        {
            await CompactAsync(revision, cancellationToken);
            LogCompacted(_logger, revision);
        }
        return (version + 1, current);
    }

    [LoggerMessage(EventId = LogEvents.Storage + 322, Level = LogLevel.Debug, Message = "Compacted etcd to revision {Revision}")]
    private static partial void LogCompacted(ILogger logger, long revision);

    [LoggerMessage(EventId = LogEvents.Storage + 323, Level = LogLevel.Warning, Message = "etcd compaction failed ({Reason}); trying again at the next interval")]
    private static partial void LogCompactionFailed(ILogger logger, string reason);
}
