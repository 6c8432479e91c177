namespace MiniKube.Controllers.Common;

/// <summary>
/// Creates under expectations, as upstream's managers do: expect <c>count</c> creations for the
/// owner, create in slow-start batches, and count every create that failed or was never tried as
/// observed at once, since the informer will never show those.
/// </summary>
public static class ExpectedCreates
{
    /// <summary>Runs <paramref name="create"/> for 0..count-1; returns how many succeeded.</summary>
    public static async Task<int> RunAsync(Expectations expectations, string key, int count, Func<int, Task<bool>> create)
    {
        ArgumentNullException.ThrowIfNull(expectations);
        ArgumentNullException.ThrowIfNull(create);
        if (count <= 0)
        {
            return 0;
        }
        expectations.ExpectCreations(key, count);
        var (succeeded, _) = await SlowStart.RunAsync(count, create);
        for (var i = succeeded; i < count; i++)
        {
            expectations.CreationObserved(key);
        }
        return succeeded;
    }
}
