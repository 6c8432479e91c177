namespace MiniKube.Controllers.Common;

/// <summary>
/// Upstream's slowStartBatch (pkg/controller/replicaset/replica_set.go, used by the job and
/// daemonset controllers too): creates in batches of 1, 2, 4, … so a template the API keeps
/// refusing costs one failed call instead of hundreds; the first batch with a failure ends it.
/// </summary>
public static class SlowStart
{
    /// <summary>Runs <paramref name="create"/> for indexes 0..count-1 in growing batches; returns how many succeeded and how many were never tried.</summary>
    public static async Task<(int Succeeded, int Skipped)> RunAsync(int count, Func<int, Task<bool>> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var done = 0;
        var succeeded = 0;
        for (var batch = Math.Min(1, count); done < count; batch = Math.Min(batch * 2, count - done))
        {
            var results = await Task.WhenAll(Enumerable.Range(done, batch).Select(create));
            done += batch;
            succeeded += results.Count(ok => ok);
            if (results.Any(ok => !ok))
            {
                break;
            }
        }
        return (succeeded, count - done);
    }
}
