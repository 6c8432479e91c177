using MiniKube.ApiServer.Tables;

namespace MiniKube.ApiServer.Tests.Tables;

public class HumanDurationTests
{
    [TestCase(-5, "<invalid>")]
    [TestCase(-1, "0s")]
    [TestCase(0, "0s")]
    [TestCase(45, "45s")]
    [TestCase(119, "119s")]
    [TestCase(120, "2m")]
    [TestCase(5 * 60 + 3, "5m3s")]
    [TestCase(9 * 60 + 59, "9m59s")]
    [TestCase(10 * 60 + 30, "10m")]
    [TestCase(179 * 60, "179m")]
    [TestCase(3 * 3600, "3h")]
    [TestCase(3 * 3600 + 25 * 60, "3h25m")]
    [TestCase(8 * 3600 + 25 * 60, "8h")]
    [TestCase(47 * 3600, "47h")]
    [TestCase(2 * 86400 + 3 * 3600, "2d3h")]
    [TestCase(3 * 86400, "3d")]
    [TestCase(8 * 86400 + 5 * 3600, "8d")]
    [TestCase(400 * 86400, "400d")]
    [TestCase(365 * 2 * 86400 + 10 * 86400, "2y10d")]
    [TestCase(365 * 9 * 86400, "9y")]
    public void Format_MatchesUpstreamHumanDuration(long seconds, string expected)
    {
        Assert.That(HumanDuration.Format(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }

    [Test]
    public void Since_MissingTimestamp_IsUnknown()
    {
        var now = DateTimeOffset.UtcNow;

        Assert.That(HumanDuration.Since(null, now), Is.EqualTo("<unknown>"));
        Assert.That(HumanDuration.Since(now.AddMinutes(-5), now), Is.EqualTo("5m"));
    }
}
