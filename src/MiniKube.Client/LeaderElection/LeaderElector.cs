using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client.LeaderElection;

/// <summary>
/// Lease-based leader election (client-go tools/leaderelection/leaderelection.go with
/// resourcelock/leaselock.go): candidates try every retry period to take the Lease, which they
/// may when it is absent, released (empty holder) or expired — expiry measured on our own clock
/// from when we last saw the record change, never by comparing clocks with the holder. The
/// leader renews every retry period; when renewing has failed for the renew deadline it stops
/// leading. Every write carries the resourceVersion it read, so two candidates never both win.
/// Invariant: the leading callback's token is cancelled before the lease could have expired for
/// the others (renew deadline &lt; lease duration), so at most one process acts as leader.
/// </summary>
public sealed partial class LeaderElector
{
    /// <summary>Candidates wait a retry period plus up to this factor of it again, so they do not all ask at once.</summary>
    public const double JitterFactor = 1.2;

    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    private LeaseRecord? _observed;
    private long _observedAt;
    private V1Lease? _lease;
    private string? _lastNotified;

    public LeaderElector(IKubernetes client, LeaderElectionOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _client = client;
        _options = options;
        _logger = logger;
        _time = options.Time;
    }

    /// <summary>Called with the new holder's identity whenever we see the Lease change hands (client-go's OnNewLeader).</summary>
    public event Action<string>? LeaderChanged;

    public string Identity => _options.Identity;

    /// <summary>The holder in the last record we saw or wrote; empty when released, null before the first look.</summary>
    public string? Leader
    {
        get
        {
            lock (_gate)
            {
                return _observed?.HolderIdentity;
            }
        }
    }

    public bool IsLeader => Leader == Identity;

    /// <summary>
    /// Campaigns until this process leads, then runs <paramref name="lead"/> with a token that is
    /// cancelled when leadership is lost or <paramref name="cancellationToken"/> is cancelled, and
    /// waits for it to return. Returns when leadership ends: the caller stops what depended on it
    /// (or calls again to stand for election again). An exception from <paramref name="lead"/> ends
    /// leadership too and is rethrown, after the lease was released.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        if (!await AcquireAsync(cancellationToken))
        {
            return;
        }
        LogStartedLeading(Lease, Identity);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var leadTask = Task.Run(() => lead(leading.Token), CancellationToken.None);
        var lost = await RenewAsync(leadTask, cancellationToken);
        await leading.CancelAsync();
        try
        {
            await leadTask;
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            // The callback honoured its token.
        }
        finally
        {
            if (!lost && _options.ReleaseOnCancel)
            {
                await ReleaseAsync();
            }
            LogStoppedLeading(Lease, Identity, lost ? "renewal failed for the renew deadline" : "stopped");
        }
    }

    private string Lease => $"{_options.LeaseNamespace}/{_options.LeaseName}";

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        LogCampaigning(Lease, Identity);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await TryAcquireOrRenewAsync(cancellationToken, cancellationToken))
            {
                return true;
            }
            var jitter = _options.RetryPeriod * (Random.Shared.NextDouble() * JitterFactor);
            var wait = _options.RetryPeriod + jitter;
            await Task.Delay(wait < _options.ObservePeriod ? wait : _options.ObservePeriod, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return false;
    }

    /// <summary>Renews until cancelled, until <paramref name="leadTask"/> ends, or until renewing fails for the renew deadline (then true: lost).</summary>
    private async Task<bool> RenewAsync(Task leadTask, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && !leadTask.IsCompleted)
        {
            var roundStart = _time.GetTimestamp();
            while (true)
            {
                var left = _options.RenewDeadline - _time.GetElapsedTime(roundStart);
                if (left <= TimeSpan.Zero)
                {
                    return true;
                }
                using (var attempt = new CancellationTokenSource(left, _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(attempt.Token, cancellationToken))
                {
                    if (await TryAcquireOrRenewAsync(linked.Token, cancellationToken))
                    {
                        break;
                    }
                }
                if (cancellationToken.IsCancellationRequested || _time.GetElapsedTime(roundStart) >= _options.RenewDeadline)
                {
                    return !cancellationToken.IsCancellationRequested;
                }
                await WaitRetryPeriodAsync(leadTask, cancellationToken);
            }
            await WaitRetryPeriodAsync(leadTask, cancellationToken);
        }
        return false;
    }

    private async Task WaitRetryPeriodAsync(Task leadTask, CancellationToken cancellationToken) =>
        await Task.WhenAny(Task.Delay(_options.RetryPeriod, _time, cancellationToken), leadTask);

    /// <summary>One look at the Lease: create it, take it over, or renew it. False when another holds it or the write failed.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken attempt, CancellationToken stopping)
    {
        var now = MicroTime(_time.GetUtcNow());
        try
        {
            var lease = await ReadLeaseAsync(attempt);
            if (lease is null)
            {
                var fresh = new LeaseRecord(Identity, LeaseSeconds, now, now, 0);
                var created = await _client.CoordinationV1.CreateNamespacedLeaseAsync(
                    new V1Lease { Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.LeaseNamespace }, Spec = fresh.ToSpec() },
                    _options.LeaseNamespace,
                    cancellationToken: attempt);
                Observe(fresh, created);
                return true;
            }

            var old = LeaseRecord.From(lease.Spec);
            lock (_gate)
            {
                if (_observed != old)
                {
                    _observed = old;
                    _observedAt = _time.GetTimestamp();
                }
            }
            NotifyIfNewLeader(old.HolderIdentity);
            var heldByOther = old.HolderIdentity.Length > 0 && old.HolderIdentity != Identity;
            if (heldByOther && _time.GetElapsedTime(_observedAt) < TimeSpan.FromSeconds(old.LeaseDurationSeconds))
            {
                return false;
            }

            // Renewing keeps the acquire time and transition count; taking over counts one more transition.
            var record = old.HolderIdentity == Identity
                ? old with { LeaseDurationSeconds = LeaseSeconds, RenewTime = now }
                : new LeaseRecord(Identity, LeaseSeconds, now, now, old.LeaseTransitions + 1);
            lease.Spec = record.ToSpec();
            var updated = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.LeaseNamespace, cancellationToken: attempt);
            Observe(record, updated);
            return true;
        }
        catch (HttpOperationException e)
        {
            // 409: someone else wrote the Lease since we read it; look again next period.
            LogAttemptFailed(Lease, (int?)e.Response?.StatusCode ?? 0, e.Message);
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            LogAttemptFailed(Lease, 0, e.Message);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<V1Lease?> ReadLeaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.LeaseNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Gives the Lease up on a graceful stop as upstream's release() does: empty holder, a
    /// one-second duration, both times now, transitions kept — standbys take over at their next try.
    /// </summary>
    private async Task ReleaseAsync()
    {
        V1Lease lease;
        LeaseRecord record;
        lock (_gate)
        {
            if (_lease is null || _observed?.HolderIdentity != Identity)
            {
                return;
            }
            var now = MicroTime(_time.GetUtcNow());
            record = new LeaseRecord("", 1, now, now, _observed.LeaseTransitions);
            lease = _lease;
        }
        try
        {
            using var timeout = new CancellationTokenSource(_options.RenewDeadline, _time);
            lease.Spec = record.ToSpec();
            try
            {
                Observe(record, await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.LeaseNamespace, cancellationToken: timeout.Token));
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
            {
                // A renewal cut short by the stop may still have landed; if the Lease is still ours, release the version that is there.
                var current = await ReadLeaseAsync(timeout.Token);
                if (current?.Spec?.HolderIdentity != Identity)
                {
                    return;
                }
                current.Spec = record.ToSpec();
                Observe(record, await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, _options.LeaseName, _options.LeaseNamespace, cancellationToken: timeout.Token));
            }
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            // Not fatal: the others take over once the lease expires.
            LogReleaseFailed(Lease, e.Message);
        }
    }

    private void Observe(LeaseRecord record, V1Lease written)
    {
        lock (_gate)
        {
            _observed = record;
            _observedAt = _time.GetTimestamp();
            _lease = written;
        }
        NotifyIfNewLeader(record.HolderIdentity);
    }

    private void NotifyIfNewLeader(string holder)
    {
        if (holder.Length == 0 || holder == Interlocked.Exchange(ref _lastNotified, holder))
        {
            return;
        }
        LogNewLeader(Lease, holder);
        LeaderChanged?.Invoke(holder);
    }

    private int LeaseSeconds => (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds);

    // Lease times are MicroTime on the wire; truncating here keeps what we wrote equal to what we read back.
    private static DateTime MicroTime(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % 10), DateTimeKind.Utc);

    [LoggerMessage(EventId = LogEvents.Client + 510, Level = LogLevel.Information, Message = "Waiting to lead {Lease} as {Identity}")]
    private partial void LogCampaigning(string lease, string identity);

    [LoggerMessage(EventId = LogEvents.Client + 511, Level = LogLevel.Information, Message = "Leading {Lease} as {Identity}")]
    private partial void LogStartedLeading(string lease, string identity);

    [LoggerMessage(EventId = LogEvents.Client + 512, Level = LogLevel.Warning, Message = "No longer leading {Lease} as {Identity}: {Reason}")]
    private partial void LogStoppedLeading(string lease, string identity, string reason);

    [LoggerMessage(EventId = LogEvents.Client + 513, Level = LogLevel.Information, Message = "{Lease} is now held by {Holder}")]
    private partial void LogNewLeader(string lease, string holder);

    [LoggerMessage(EventId = LogEvents.Client + 514, Level = LogLevel.Debug, Message = "Could not acquire or renew {Lease} (HTTP {Status}): {Reason}")]
    private partial void LogAttemptFailed(string lease, int status, string reason);

    [LoggerMessage(EventId = LogEvents.Client + 515, Level = LogLevel.Warning, Message = "Could not release {Lease} ({Reason}); the others take over when it expires")]
    private partial void LogReleaseFailed(string lease, string reason);
}

/// <summary>The leader-election fields of a Lease's spec (client-go resourcelock.LeaderElectionRecord).</summary>
internal sealed record LeaseRecord(string HolderIdentity, int LeaseDurationSeconds, DateTime? AcquireTime, DateTime? RenewTime, int LeaseTransitions)
{
    public static LeaseRecord From(V1LeaseSpec? spec) => new(
        spec?.HolderIdentity ?? "",
        spec?.LeaseDurationSeconds ?? 0,
        spec?.AcquireTime?.ToUniversalTime(),
        spec?.RenewTime?.ToUniversalTime(),
        spec?.LeaseTransitions ?? 0);

    public V1LeaseSpec ToSpec() => new()
    {
        HolderIdentity = HolderIdentity,
        LeaseDurationSeconds = LeaseDurationSeconds,
        AcquireTime = AcquireTime,
        RenewTime = RenewTime,
        LeaseTransitions = LeaseTransitions,
    };
}
