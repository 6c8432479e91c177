using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client.Controllers;

/// <summary>
/// The one reconcile loop every controller runs (client-go's controller pattern:
/// sample-controller's runWorker, processNextWorkItem and handleErr): <c>workers</c> tasks take
/// keys from a <see cref="WorkQueue{TKey}"/> and run the sync for each. What a sync's ending
/// means is decided here, once:
/// <list type="bullet">
/// <item>it completed: the key's back-off is forgotten (timed re-checks the sync asked for with
/// <see cref="AddAfter"/> stay);</item>
/// <item>it failed on the API (<see cref="HttpOperationException"/>, a refused or lost
/// connection, a client timeout) or threw <see cref="SyncRetryException"/>: one warning line,
/// and the key comes back rate-limited;</item>
/// <item>anything else is a bug: the loop stops all its workers and <see cref="RunAsync"/>
/// fails with a <see cref="ControllerFailedException"/>, so the component fails in order and the
/// host logs it once and exits non-zero, instead of a worker dying silently.</item>
/// </list>
/// Handlers only call <see cref="Add"/>; a key is never synced by two workers at once.
/// </summary>
public sealed partial class ReconcileLoop<TKey>
    where TKey : notnull
{
    private readonly string _name;
    private readonly int _workers;
    private readonly Func<TKey, CancellationToken, Task> _sync;
    private readonly WorkQueue<TKey> _queue;
    private readonly ILogger _logger;

    /// <param name="name">The controller's name, for logs and the failure message.</param>
    /// <param name="workers">How many keys are synced at once (kube-controller-manager's --concurrent-*-syncs).</param>
    /// <param name="sync">Converges one key; idempotent, reads the latest cached state.</param>
    /// <param name="rateLimiter">Retry delays; client-go's default controller limiter when null.</param>
    public ReconcileLoop(string name, int workers, Func<TKey, CancellationToken, Task> sync, TimeProvider time, ILogger logger, IRateLimiter<TKey>? rateLimiter = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _name = name;
        _workers = workers;
        _sync = sync;
        _logger = logger;
        _queue = new WorkQueue<TKey>(time, rateLimiter);
    }

    /// <summary>Keys waiting for a worker (not those being synced or delayed).</summary>
    public int Count => _queue.Count;

    /// <summary>Queues <paramref name="key"/> for a sync; what event handlers call.</summary>
    public void Add(TKey key) => _queue.Add(key);

    /// <summary>Queues <paramref name="key"/> after <paramref name="delay"/>: a timed re-check (an expiry, a deadline, minReadySeconds).</summary>
    public void AddAfter(TKey key, TimeSpan delay) => _queue.AddAfter(key, delay);

    /// <summary>Queues <paramref name="key"/> after its back-off; for a sync that wants another look soon without failing.</summary>
    public void AddRateLimited(TKey key) => _queue.AddRateLimited(key);

    /// <summary>How many rate-limited retries <paramref name="key"/> has had since its last successful sync.</summary>
    public int NumRequeues(TKey key) => _queue.NumRequeues(key);

    /// <summary>
    /// Runs the workers until <paramref name="cancellationToken"/> is cancelled (then returns) or
    /// a sync has a bug (then throws <see cref="ControllerFailedException"/> once the other
    /// workers have stopped).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ControllerFailedException? failure = null;
        await _queue.RunAsync(_workers, async (key, token) =>
        {
            try
            {
                await _sync(key, token);
                _queue.Forget(key);
            }
            catch (Exception e) when (IsRetryable(e, token))
            {
                LogRetrying(_name, key.ToString() ?? "", Reason(e));
                _queue.AddRateLimited(key);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                // A bug: the first one ends the loop; the others' workers are stopping anyway.
                Interlocked.CompareExchange(ref failure, new ControllerFailedException(_name, key.ToString() ?? "", e), null);
                await stop.CancelAsync();
            }
        }, stop.Token);
        if (failure is not null)
        {
            throw failure;
        }
    }

    // API errors, and the API being unreachable or slow: conditions outside this process that a later try may find gone.
    private static bool IsRetryable(Exception e, CancellationToken token) =>
        e is HttpOperationException or SyncRetryException or HttpRequestException
        || (e is OperationCanceledException && !token.IsCancellationRequested);

    private static string Reason(Exception e) => e switch
    {
        HttpOperationException api when api.Response is not null => $"{(int)api.Response.StatusCode}: {ApiErrors.StatusMessage(api)}",
        OperationCanceledException => "the API request timed out",
        _ => e.Message,
    };

    [LoggerMessage(EventId = LogEvents.Client + 530, Level = LogLevel.Warning, Message = "Syncing {Controller} {Key} failed ({Reason}); retrying")]
    private partial void LogRetrying(string controller, string key, string reason);
}
