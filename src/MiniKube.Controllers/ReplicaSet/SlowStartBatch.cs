namespace MiniKube.Controllers.ReplicaSet;

/// <summary>
/// Upstream's slowStartBatch (pkg/controller/replicaset/replica_set.go): runs <c>count</c>
/// calls in batches of 1, 2, 4, … in parallel, and stops after the first batch with a failure,
/// so a template the API keeps refusing costs one failed call instead of hundreds.
/// </summary>
internal static class SlowStartBatch
{
    /// <summary>How many calls succeeded, and the first failure's message (null when none failed).</summary>
    public static async Task<(int Succeeded, string? Error)> RunAsync(int count, Func<Task<string?>> call)
    {
        var remaining = count;
        var succeeded = 0;
        for (var batch = Math.Min(remaining, 1); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, batch).Select(_ => call()));
            var failed = results.Where(r => r is not null).ToList();
            succeeded += batch - failed.Count;
            if (failed.Count > 0)
            {
                return (succeeded, failed[0]);
            }
            remaining -= batch;
        }
        return (succeeded, null);
    }
}
