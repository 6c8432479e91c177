namespace MiniKube.Controllers.Common;

/// <summary>
/// Upstream's slowStartBatch (pkg/controller/replicaset/replica_set.go, used by the replicaset,
/// job and daemonset controllers): runs <c>count</c> calls in batches of 1, 2, 4, … in
/// parallel, so a template the API keeps refusing costs one failed call instead of hundreds;
/// the first batch with a failure ends it.
/// </summary>
public static class SlowStart
{
    /// <summary>Runs <paramref name="call"/> for indexes 0..count-1 (each returns null on success, else why it failed); how many succeeded, and the first failure's message.</summary>
    public static async Task<(int Succeeded, string? Error)> RunAsync(int count, Func<int, Task<string?>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var done = 0;
        var succeeded = 0;
        for (var batch = Math.Min(1, count); done < count; batch = Math.Min(batch * 2, count - done))
        {
            var results = await Task.WhenAll(Enumerable.Range(done, batch).Select(call));
            done += batch;
            succeeded += results.Count(r => r is null);
            if (results.FirstOrDefault(r => r is not null) is { } error)
            {
                return (succeeded, error);
            }
        }
        return (succeeded, null);
    }
}
