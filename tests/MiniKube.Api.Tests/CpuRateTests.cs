namespace MiniKube.Api.Tests;

public class CpuRateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void NanoCores_CounterGrowthOverTime() =>
        // 3 core-seconds in 15 s: a fifth of a core.
        Assert.That(CpuRate.NanoCores(1_000_000_000, T0, 4_000_000_000, T0.AddSeconds(15)), Is.EqualTo(200_000_000UL));

    [Test]
    public void NanoCores_TimeDidNotAdvance_Null() =>
        Assert.That(CpuRate.NanoCores(1, T0, 2, T0), Is.Null);

    [Test]
    public void NanoCores_CounterWentBack_Null() =>
        Assert.That(CpuRate.NanoCores(5_000, T0, 1_000, T0.AddSeconds(1)), Is.Null);
}
