using MiniKube.Controllers.CronJob;

namespace MiniKube.Controllers.Tests.CronJob;

/// <summary>The controller's walk over a schedule's activations (the schedule itself is tested in MiniKube.Api.Tests).</summary>
public sealed class ScheduleTimesTests
{
    private static readonly DateTimeOffset Noon = new(2025, 1, 1, 12, 0, 30, TimeSpan.Zero); // a Wednesday

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
