namespace MiniKube.Api.Tests;

public class GoDurationTests
{
    [TestCase("0", 0)]
    [TestCase("90s", 90_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase(".5s", 500)]
    [TestCase("2m3.5s", 123_500)]
    [TestCase("-1s", -1_000)]
    [TestCase("+250ms", 250)]
    [TestCase("1500us", 1.5)]
    [TestCase("1500\u00b5s", 1.5)]
    public void TryParse_Valid(string text, double milliseconds)
    {
        Assert.That(GoDuration.TryParse(text, out var duration), Is.Null);
        Assert.That(duration, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("", "time: invalid duration \"\"")]
    [TestCase("-", "time: invalid duration \"-\"")]
    [TestCase("5", "time: missing unit in duration \"5\"")]
    [TestCase("5x", "time: unknown unit \"x\" in duration \"5x\"")]
    [TestCase("s", "time: invalid duration \"s\"")]
    [TestCase(".s", "time: invalid duration \".s\"")]
    public void TryParse_Invalid_GivesGoMessage(string text, string message) =>
        Assert.That(GoDuration.TryParse(text, out _), Is.EqualTo(message));

    [TestCase(0, "0s")]
    [TestCase(15_012, "15.012s")]
    [TestCase(20_029, "20.029s")]
    [TestCase(120_000, "2m0s")]
    [TestCase(3_600_500, "1h0m0.5s")]
    [TestCase(250, "250ms")]
    [TestCase(1.5, "1.5ms")]
    [TestCase(-1_000, "-1s")]
    public void Format_AsGoPrintsDurations(double milliseconds, string text) =>
        Assert.That(GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)), Is.EqualTo(text));

    [Test]
    public void Format_BelowAMillisecond_Microseconds() =>
        Assert.That(GoDuration.Format(TimeSpan.FromTicks(15)), Is.EqualTo("1.5\u00b5s"));
}
