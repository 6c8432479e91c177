namespace MiniKube.Hosting;

/// <summary>
/// The life the server's node-level add-ons share (the cluster DNS, the ingress data plane): one
/// that cannot bind its ports idles, ready, so the control plane runs on without it; one that
/// serves publishes where it listens once it serves from synced caches, is ready from then on,
/// and withdraws the publication when it stops, so the cluster stops sending it traffic.
/// </summary>
internal static class NodeAddonRun
{
    // The host is stopping: withdrawing gets a short budget.
    private static readonly TimeSpan WithdrawBudget = TimeSpan.FromSeconds(2);

    /// <summary>Sets <paramref name="ready"/> and waits for the stop (the add-on is off on this server).</summary>
    public static async Task IdleAsync(ReadySignal ready, TimeProvider time, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(ready);
        ready.Set();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Waits until <paramref name="serving"/> (or <paramref name="running"/> ends first: its
    /// failure is thrown), publishes, sets <paramref name="ready"/> and runs to the end; then
    /// withdraws, reporting a failed withdrawal through <paramref name="withdrawFailed"/>.
    /// </summary>
    public static async Task ServeAsync(Task serving, Task running, Func<CancellationToken, Task> publish, Func<CancellationToken, Task> withdraw, Action<string> withdrawFailed, ReadySignal ready, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(withdraw);
        ArgumentNullException.ThrowIfNull(withdrawFailed);
        ArgumentNullException.ThrowIfNull(ready);
        await Task.WhenAny(serving, running);
        if (running.IsCompleted)
        {
            await running;
            return;
        }
        await publish(stoppingToken);
        ready.Set();
        try
        {
            await running;
        }
        finally
        {
            using var budget = new CancellationTokenSource(WithdrawBudget);
            try
            {
                await withdraw(budget.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or k8s.Autorest.HttpOperationException)
            {
                withdrawFailed(e.Message);
            }
        }
    }
}
