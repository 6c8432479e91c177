using MiniKube.Controllers.CronJob;

namespace MiniKube.Controllers.Tests.CronJob;

public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Noon = new(2025, 1, 1, 12, 0, 30, TimeSpan.Zero); // a Wednesday

    [TestCase("*/5 * * * *", "2025-01-01T12:05:00Z")]
    [TestCase("@hourly", "2025-01-01T13:00:00Z")]
    [TestCase("@daily", "2025-01-02T00:00:00Z")]
    [TestCase("@weekly", "2025-01-05T00:00:00Z")]
    [TestCase("0 0 1 * *", "2025-02-01T00:00:00Z")]
    [TestCase("30 9 * * MON-FRI", "2025-01-02T09:30:00Z")]
    [TestCase("0 0 29 2 *", "2028-02-29T00:00:00Z")]
    [TestCase("5/20 * * * *", "2025-01-01T12:05:00Z")]
    [TestCase("0 0 13 * 5", "2025-01-03T00:00:00Z")] // day 13 OR Friday: Friday the 3rd comes first
    [TestCase("@every 90s", "2025-01-01T12:02:00Z")]
    public void Next_Utc_IsTheFollowingActivation(string spec, string expected)
    {
        var next = CronSchedule.Parse(spec).Next(Noon, TimeZoneInfo.Utc);

        Assert.That(next, Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Next_InTimeZone_FollowsLocalWallClock()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        var next = CronSchedule.Parse("0 9 * * *").Next(Noon, newYork);

        Assert.That(next, Is.EqualTo(new DateTimeOffset(2025, 1, 1, 14, 0, 0, TimeSpan.Zero)), "09:00 EST is 14:00 UTC");
    }

    [TestCase("* * * *")]
    [TestCase("61 * * * *")]
    [TestCase("@often")]
    [TestCase("a * * * *")]
    [TestCase("5-1 * * * *")]
    public void Parse_Invalid_Throws(string spec) =>
        Assert.Throws<FormatException>(() => CronSchedule.Parse(spec));

    [Test]
    public void MostRecent_ManyMissed_ReportsTooManyAndTheLatest()
    {
        var schedule = CronSchedule.Parse("* * * * *");

        var (latest, tooMany) = ScheduleTimes.MostRecent(schedule, TimeZoneInfo.Utc, Noon.AddDays(-30), Noon);

        Assert.That(tooMany, Is.True);
        Assert.That(latest, Is.EqualTo(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void MostRecent_NoneDue_ReturnsNull()
    {
        var (latest, tooMany) = ScheduleTimes.MostRecent(CronSchedule.Parse("0 * * * *"), TimeZoneInfo.Utc, Noon, Noon.AddMinutes(30));

        Assert.That((latest, tooMany), Is.EqualTo(((DateTimeOffset?)null, false)));
    }
}
