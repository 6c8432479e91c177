namespace MiniKube.Client;

/// <summary>How long a work item should wait before its next retry (client-go util/workqueue default_rate_limiters.go).</summary>
public interface IRateLimiter<in TKey>
    where TKey : notnull
{
    /// <summary>The delay before <paramref name="key"/> is retried; each call counts as one more failure.</summary>
    TimeSpan When(TKey key);

    /// <summary>Stops tracking <paramref name="key"/>: it succeeded, or was given up on.</summary>
    void Forget(TKey key);

    /// <summary>How many times <paramref name="key"/> has been retried since it was last forgotten.</summary>
    int NumRequeues(TKey key);
}

/// <summary>Per-item exponential back-off: <c>baseDelay · 2^failures</c>, capped (client-go's ItemExponentialFailureRateLimiter).</summary>
public sealed class ExponentialBackoffRateLimiter<TKey>(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter<TKey>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, int> _failures = [];

    public TimeSpan When(TKey key)
    {
        int exponent;
        lock (_gate)
        {
            exponent = _failures.GetValueOrDefault(key);
            _failures[key] = exponent + 1;
        }
        // Doubles past the cap long before 2^exponent overflows; computed in double for that reason.
        var delay = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        return delay >= maxDelay.TotalMilliseconds ? maxDelay : TimeSpan.FromMilliseconds(delay);
    }

    public void Forget(TKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    public int NumRequeues(TKey key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }
}

/// <summary>
/// One token bucket over all items (client-go's BucketRateLimiter over golang.org/x/time/rate):
/// <c>burst</c> retries go at once, then <c>qps</c> a second; each retry reserves a token even
/// when it must wait for it, so the delays queue up fairly.
/// </summary>
public sealed class TokenBucketRateLimiter<TKey>(double qps, int burst, TimeProvider time) : IRateLimiter<TKey>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public TimeSpan When(TKey key)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * qps));
            _last = now;
            _tokens--;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / qps);
        }
    }

    public void Forget(TKey key)
    {
        // The bucket is shared; one item's success gives no tokens back.
    }

    public int NumRequeues(TKey key) => 0;
}

/// <summary>The longest delay of several limiters; all of them count every retry (client-go's MaxOfRateLimiter).</summary>
public sealed class MaxOfRateLimiter<TKey>(params IRateLimiter<TKey>[] limiters) : IRateLimiter<TKey>
    where TKey : notnull
{
    public TimeSpan When(TKey key)
    {
        var longest = TimeSpan.Zero;
        foreach (var limiter in limiters)
        {
            var delay = limiter.When(key);
            longest = delay > longest ? delay : longest;
        }
        return longest;
    }

    public void Forget(TKey key)
    {
        foreach (var limiter in limiters)
        {
            limiter.Forget(key);
        }
    }

    public int NumRequeues(TKey key) => limiters.Max(l => l.NumRequeues(key));
}

/// <summary>The rate limiters controllers use unless they have reason not to.</summary>
public static class RateLimiters
{
    /// <summary>client-go's DefaultControllerRateLimiter: 5 ms doubling per failure up to 1000 s, within 10 retries/s overall (burst 100).</summary>
    public static IRateLimiter<TKey> DefaultController<TKey>(TimeProvider time)
        where TKey : notnull => new MaxOfRateLimiter<TKey>(
            new ExponentialBackoffRateLimiter<TKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new TokenBucketRateLimiter<TKey>(10, 100, time));
}
