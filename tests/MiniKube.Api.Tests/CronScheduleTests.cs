namespace MiniKube.Api.Tests;

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

    [TestCase("", "empty spec string")]
    [TestCase("* * * *", "expected exactly 5 fields, found 4: [* * * *]")]
    [TestCase("61 * * * *", "end of range (61) above maximum (59): 61")]
    [TestCase("0 0 0 * *", "beginning of range (0) below minimum (1): 0")]
    [TestCase("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1")]
    [TestCase("1-2-3 * * * *", "too many hyphens: 1-2-3")]
    [TestCase("*/2/3 * * * *", "too many slashes: */2/3")]
    [TestCase("*/0 * * * *", "step of range should be a positive number: */0")]
    [TestCase("a * * * *", "failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax")]
    [TestCase("99999999999 * * * *", "failed to parse int from 99999999999: strconv.Atoi: parsing \"99999999999\": value out of range")]
    [TestCase("-1 * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax")]
    [TestCase("*/-1 * * * *", "negative number (-1) not allowed: -1")]
    [TestCase("@often", "unrecognized descriptor: @often")]
    [TestCase("@hourly ", "unrecognized descriptor: @hourly ")]
    [TestCase("@every 5x", "failed to parse duration @every 5x: time: unknown unit \"x\" in duration \"5x\"")]
    [TestCase("@every 5", "failed to parse duration @every 5: time: missing unit in duration \"5\"")]
    [TestCase("@every .s", "failed to parse duration @every .s: time: invalid duration \".s\"")]
    [TestCase("TZ=Nowhere/Atlantis 0 * * * *", "provided bad location Nowhere/Atlantis: unknown time zone Nowhere/Atlantis")]
    public void TryParse_Invalid_GivesRobfigMessage(string spec, string message)
    {
        Assert.That(CronSchedule.TryParse(spec, out var schedule, out var error), Is.False);
        Assert.That(schedule, Is.Null);
        Assert.That(error, Is.EqualTo(message));
    }

    [TestCase("0 0 * * *")]
    [TestCase("+5 * * * *")]
    [TestCase("0 9 * JAN-mar Mon,FRI")]
    [TestCase("? ? ? ? ?")]
    [TestCase("@annually")]
    [TestCase("@midnight")]
    [TestCase("@every 1h30m")]
    [TestCase("TZ=UTC 0 * * * *")]
    [TestCase("CRON_TZ=America/New_York @daily")]
    public void TryParse_Valid_Succeeds(string spec)
    {
        Assert.That(CronSchedule.TryParse(spec, out var schedule, out var error), Is.True, error);
        Assert.That(schedule, Is.Not.Null);
    }

    [Test]
    public void Next_StarWithStepOne_IsStillAStar()
    {
        // robfig keeps the star bit for "*/1", so day of month and day of week are ANDed:
        // only Mondays, not "every day or Monday".
        var next = CronSchedule.Parse("0 0 */1 * 1").Next(Noon, TimeZoneInfo.Utc);

        Assert.That(next, Is.EqualTo(new DateTimeOffset(2025, 1, 6, 0, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void Next_BothDaysRestricted_AreOred()
    {
        var next = CronSchedule.Parse("0 0 */2 * 1").Next(Noon, TimeZoneInfo.Utc);

        Assert.That(next, Is.EqualTo(new DateTimeOffset(2025, 1, 3, 0, 0, 0, TimeSpan.Zero)), "the 3rd is an odd day; Monday the 6th comes later");
    }

    [Test]
    public void Next_TimeZoneInSchedule_WinsOverTheCallersZone()
    {
        var schedule = CronSchedule.Parse("CRON_TZ=America/New_York 0 9 * * *");

        Assert.That(schedule.Location?.Id, Is.EqualTo("America/New_York"));
        Assert.That(schedule.Next(Noon, TimeZoneInfo.Utc), Is.EqualTo(new DateTimeOffset(2025, 1, 1, 14, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void Next_EveryBelowASecond_IsOneSecondAfterTheWholeSecond()
    {
        var after = Noon.AddMilliseconds(700);

        Assert.That(CronSchedule.Parse("@every 10ms").Next(after, TimeZoneInfo.Utc), Is.EqualTo(Noon.AddSeconds(1)));
        Assert.That(CronSchedule.Parse("@every 1.5s").Next(after, TimeZoneInfo.Utc), Is.EqualTo(Noon.AddSeconds(1)), "whole seconds only");
    }
}
