using Microsoft.Extensions.Time.Testing;

namespace MiniKube.Client.Tests;

[TestFixture]
public sealed class RateLimitersTests
{
    [Test]
    public void ExponentialBackoff_When_DoublesFromBaseUpToCap()
    {
        var limiter = new ExponentialBackoffRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        var delays = Enumerable.Range(0, 4).Select(_ => limiter.When("a").TotalMilliseconds).ToArray();
        Assert.That(delays, Is.EqualTo(new[] { 5.0, 10, 20, 40 }));
        for (var i = 0; i < 30; i++)
        {
            limiter.When("a");
        }
        Assert.Multiple(() =>
        {
            Assert.That(limiter.When("a"), Is.EqualTo(TimeSpan.FromSeconds(1000)));
            Assert.That(limiter.When("other"), Is.EqualTo(TimeSpan.FromMilliseconds(5)), "per item");
        });
        limiter.Forget("a");
        Assert.That(limiter.When("a"), Is.EqualTo(TimeSpan.FromMilliseconds(5)));
    }

    [Test]
    public void TokenBucket_When_BurstIsFreeThenPacedAtQps()
    {
        var time = new FakeTimeProvider();
        var limiter = new TokenBucketRateLimiter<string>(10, 100, time);
        for (var i = 0; i < 100; i++)
        {
            Assert.That(limiter.When("k" + i), Is.EqualTo(TimeSpan.Zero));
        }
        Assert.That(limiter.When("x").TotalMilliseconds, Is.EqualTo(100).Within(0.001));
        Assert.That(limiter.When("y").TotalMilliseconds, Is.EqualTo(200).Within(0.001));

        time.Advance(TimeSpan.FromSeconds(1.2)); // refills the two owed tokens and ten more
        Assert.That(limiter.When("z"), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void DefaultController_When_TakesTheLongerOfBothLimits()
    {
        var time = new FakeTimeProvider();
        var limiter = RateLimiters.DefaultController<string>(time);
        Assert.That(limiter.When("a"), Is.EqualTo(TimeSpan.FromMilliseconds(5)));
        for (var i = 0; i < 99; i++)
        {
            limiter.When("k" + i);
        }
        // The bucket is empty now: a fresh item waits for a token, longer than its own 5 ms.
        Assert.That(limiter.When("fresh").TotalMilliseconds, Is.EqualTo(100).Within(0.001));
        Assert.That(limiter.NumRequeues("a"), Is.EqualTo(1));
    }
}
