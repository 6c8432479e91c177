namespace MiniKube.Client.Tests;

[TestFixture]
public sealed class LruCacheTests
{
    [Test]
    public void Set_WhenFull_ForgetsTheLeastRecentlyUsed()
    {
        var cache = new LruCache<string, int>(3);
        cache.Set("a", 1);
        cache.Set("b", 2);
        cache.Set("c", 3);
        Assert.That(cache.TryGet("a", out _), Is.True); // b is now the least recently used

        cache.Set("d", 4);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Count, Is.EqualTo(3));
            Assert.That(cache.TryGet("b", out _), Is.False);
            Assert.That(cache.TryGet("a", out var a) ? a : 0, Is.EqualTo(1));
            Assert.That(cache.TryGet("c", out var c) ? c : 0, Is.EqualTo(3));
            Assert.That(cache.TryGet("d", out var d) ? d : 0, Is.EqualTo(4));
        });
    }

    [Test]
    public void Set_ExistingKey_ReplacesTheValueAndMarksItUsed()
    {
        var cache = new LruCache<string, int>(2);
        cache.Set("a", 1);
        cache.Set("b", 2);

        cache.Set("a", 10);
        Assert.That(cache.Count, Is.EqualTo(2), "a replacement evicts nothing");
        cache.Set("c", 3);

        Assert.Multiple(() =>
        {
            Assert.That(cache.TryGet("a", out var a) ? a : 0, Is.EqualTo(10));
            Assert.That(cache.TryGet("b", out _), Is.False);
            Assert.That(cache.TryGet("c", out _), Is.True);
        });
    }

    [Test]
    public void Set_ManyMoreKeysThanTheCapacity_KeepsExactlyTheNewest()
    {
        var cache = new LruCache<int, int>(100);
        for (var i = 0; i < 10_000; i++)
        {
            cache.Set(i, i);
        }

        Assert.Multiple(() =>
        {
            Assert.That(cache.Count, Is.EqualTo(100));
            Assert.That(Enumerable.Range(0, 10_000).Where(i => cache.TryGet(i, out _)), Is.EqualTo(Enumerable.Range(9_900, 100)));
        });
    }

    [Test]
    public void Constructor_CapacityBelowOne_Throws() =>
        Assert.That(() => new LruCache<string, int>(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
