using MiniKube.Agent.Kubelet.Images;

namespace MiniKube.Agent.Tests.Kubelet.Images;

public sealed class PullBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Next_DoublesFromTenSecondsToFiveMinutes_ThenStartsOverAfterALongQuiet()
    {
        var backoff = new PullBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(300));
        var delays = Enumerable.Range(0, 7).Select(i => backoff.Next("pod_image", T0.AddSeconds(i), "denied", false).TotalSeconds).ToList();

        Assert.That(delays, Is.EqualTo(new double[] { 10, 20, 40, 80, 160, 300, 300 }));
        Assert.That(backoff.Next("pod_image", T0.AddSeconds(6 + 601), "denied", false), Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void Current_OnlyWhileTheBackOffLasts_WithTheLastMessage()
    {
        var backoff = new PullBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(300));
        backoff.Next("pod_image", T0, "unauthorized", false);

        Assert.That(backoff.Current("pod_image", T0.AddSeconds(9))?.Message, Is.EqualTo("unauthorized"));
        Assert.That(backoff.Current("pod_image", T0.AddSeconds(9))?.Remaining(T0.AddSeconds(9)), Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(backoff.Current("pod_image", T0.AddSeconds(10)), Is.Null);
        Assert.That(backoff.Current("other_image", T0), Is.Null);
    }
}
