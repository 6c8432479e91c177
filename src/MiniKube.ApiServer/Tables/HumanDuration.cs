
namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Renders durations the way kubectl's AGE column shows them: two or three significant
/// figures (<c>45s</c>, <c>5m3s</c>, <c>2d3h</c>, <c>400d</c>), mirroring apimachinery
/// pkg/util/duration HumanDuration, plus printers.go translateTimestampSince for timestamps.
/// </summary>
public static class HumanDuration
{
    /// <summary>The rendering of a missing timestamp.</summary>
    public const string Unknown = "<unknown>";

    public static string Format(TimeSpan duration)
    {
        // Go truncates toward zero at each step; long division does the same.
        var seconds = duration.Ticks / TimeSpan.TicksPerSecond;
        if (seconds < -1)
        {
            // More than a little clock skew: the timestamp is in the future.
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return Text($"{seconds}s");
        }

        var minutes = duration.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            return Units(minutes, "m", seconds % 60, "s");
        }

        if (minutes < 60 * 3)
        {
            return Text($"{minutes}m");
        }

        var hours = duration.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            return Units(hours, "h", minutes % 60, "m");
        }

        if (hours < 48)
        {
            return Text($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            return Units(hours / 24, "d", hours % 24, "h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Text($"{hours / 24}d");
        }

        if (hours < 24 * 365 * 8)
        {
            return Units(hours / 24 / 365, "y", hours / 24 % 365, "d");
        }

        return Text($"{hours / 24 / 365}y");
    }

    /// <summary>Time elapsed from <paramref name="timestamp"/> to <paramref name="now"/>; <c>&lt;unknown&gt;</c> when missing.</summary>
    public static string Since(DateTimeOffset? timestamp, DateTimeOffset now) => timestamp is { } t ? Format(now - t) : Unknown;

    // "5m" or "5m3s": the larger unit, and the smaller one only when it is not zero.
    private static string Units(long large, string largeUnit, long small, string smallUnit) =>
        small == 0 ? Text($"{large}{largeUnit}") : Text($"{large}{largeUnit}{small}{smallUnit}");

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
