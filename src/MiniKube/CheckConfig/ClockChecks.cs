using System.Globalization;
using MiniKube.ApiServer.Pki;

namespace MiniKube.CheckConfig;

/// <summary>
/// The system clock, without a time server to ask: it must not be earlier than the source this
/// binary was built from (a board without a real-time clock boots in 1970 or at its last
/// shutdown), and the cluster CAs of an existing data dir must be valid now — certificates
/// issued "in the future" or expired fail every TLS handshake.
/// </summary>
public static class ClockChecks
{
    private const string Group = "clock";

    public static IReadOnlyList<CheckResult> Check(IHostProbe probe, DateTimeOffset? sourceDate, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var now = probe.Now;
        const string setTheClock = "set the clock (timedatectl set-ntp true, or date -s) before starting mkube";
        var results = new List<CheckResult>
        {
            sourceDate is null
                ? new(Group, "system clock", CheckStatus.Warning, $"{Format(now)}; this build does not record its source date to compare with", "check the date by hand")
                : now < sourceDate
                    ? new(Group, "system clock", CheckStatus.Fail, $"{Format(now)} is before this build's source date {Format(sourceDate.Value)}", setTheClock)
                    : CheckResult.Ok(Group, "system clock", $"{Format(now)}, after this build's source date {Format(sourceDate.Value)}"),
        };
        foreach (var ca in probe.Authorities(dataDir, now))
        {
            var item = $"{ca.File.FileName} ({dataDir})";
            results.Add(ca.Status switch
            {
                CertificateStatus.NotYetValid => new(Group, item, CheckStatus.Fail, $"not valid before {Format(ca.NotBefore)}: the clock is behind the time the cluster was made", setTheClock),
                CertificateStatus.Expired => new(Group, item, CheckStatus.Fail, $"expired at {Format(ca.NotAfter)}",
                    "if the clock is right, the cluster's CA has run out: restore a snapshot into a new data dir or start a new cluster"),
                _ => CheckResult.Ok(Group, item, $"valid now (until {Format(ca.NotAfter)})"),
            });
        }
        return results;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
