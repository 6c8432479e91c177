using k8s.Autorest;
using MiniKube.Client;

namespace MiniKube.Controllers.Common;

/// <summary>
/// How a controller retries one sync of a queued key (sample-controller's handleErr): a sync
/// that completes forgets the key's back-off; an API error is logged and the key comes back
/// rate-limited. Any other exception is a bug rather than a condition retrying could fix, so it
/// propagates.
/// </summary>
public static class SyncRetry
{
    /// <summary>Runs <paramref name="sync"/> for <paramref name="key"/>; an API error goes to <paramref name="logFailure"/> and requeues the key rate-limited.</summary>
    public static async Task SyncOrRetryAsync<TKey>(this WorkQueue<TKey> queue, TKey key, Func<Task> sync, Action<HttpOperationException> logFailure)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(logFailure);
        try
        {
            await sync();
            queue.Forget(key);
        }
        catch (HttpOperationException e)
        {
            logFailure(e);
            queue.AddRateLimited(key);
        }
    }
}
