
namespace MiniKube.Controllers.CronJob;

/// <summary>
/// Which start a CronJob owes now (pkg/controller/cronjob/utils.go mostRecentScheduleTime): the
/// latest activation in (earliest, now], and whether more than <see cref="TooManyMissed"/> were
/// missed. Upstream estimates the count from the interval between two activations; we count up
/// to the limit and then look for the latest one in widening windows before now, so the work is
/// bounded however long the controller was away.
/// </summary>
public static class ScheduleTimes
{
    public const int TooManyMissed = 100;

    private static readonly TimeSpan[] Windows =
        [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(367), TimeSpan.FromDays(5 * 366)];

    /// <summary>The latest activation after <paramref name="earliest"/> and not after <paramref name="now"/> (null if none), and whether over 100 were missed.</summary>
    public static (DateTimeOffset? MostRecent, bool TooMany) MostRecent(CronSchedule schedule, TimeZoneInfo zone, DateTimeOffset earliest, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        DateTimeOffset? latest = null;
        var t = earliest;
        for (var count = 0; count <= TooManyMissed; count++)
        {
            if (schedule.Next(t, zone) is not { } next || next > now)
            {
                return (latest, false);
            }
            latest = t = next;
        }
        foreach (var window in Windows)
        {
            var from = now - window > t ? now - window : t;
            if (schedule.Next(from, zone) is { } first && first <= now)
            {
                latest = first;
                while (schedule.Next(latest.Value, zone) is { } next && next <= now)
                {
                    latest = next;
                }
                break;
            }
        }
        return (latest, true);
    }
}
