using System.Globalization;
using System.Text;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Cli;

/// <summary>The two outputs of <c>mkube certificate check</c>, in k3s' words and columns (pkg/cli/cert TextFormatter, TableFormatter).</summary>
internal static class CertificateTable
{
    /// <summary>One line per certificate: "client-admin.crt: certificate admin (ClientAuth) is ok, expires at 2027-…Z".</summary>
    public static string Text(IEnumerable<CertificateReport> reports)
    {
        var text = new StringBuilder();
        foreach (var r in reports)
        {
            var what = $"{r.File.FileName}: certificate {CommonName(r.Subject)} ({string.Join(',', r.Usages)})";
            text.Append(r.Status switch
            {
                CertificateStatus.NotYetValid => $"{what} is not valid before {CertificateRenewal.Rfc3339(r.NotBefore)}",
                CertificateStatus.Expired => $"{what} expired at {CertificateRenewal.Rfc3339(r.NotAfter)}",
                CertificateStatus.Warning => $"{what} will expire within {CertificateRenewal.RenewDays} days at {CertificateRenewal.Rfc3339(r.NotAfter)}",
                _ => $"{what} is ok, expires at {CertificateRenewal.Rfc3339(r.NotAfter)}",
            }).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>FILENAME, SUBJECT, USAGES, EXPIRES, RESIDUAL TIME, STATUS, aligned with three spaces between columns.</summary>
    public static string Table(IReadOnlyList<CertificateReport> reports, DateTimeOffset now)
    {
        string[][] rows =
        [
            ["FILENAME", "SUBJECT", "USAGES", "EXPIRES", "RESIDUAL TIME", "STATUS"],
            ["--------", "-------", "------", "-------", "-------------", "------"],
            .. reports.Select(r => new[]
            {
                r.File.FileName,
                CommonName(r.Subject),
                string.Join(',', r.Usages),
                r.NotAfter.UtcDateTime.ToString("MMM dd, yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture),
                Residual(r.NotAfter - now),
                CertificateRenewal.Text(r.Status),
            }),
        ];
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        var table = new StringBuilder("\n");
        foreach (var row in rows)
        {
            table.Append(string.Join("   ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c])))).Append('\n');
        }
        return table.ToString();
    }

    /// <summary>A rough remaining time as go-humanize's RelTime gives it ("11 months", "3 days"); negative once expired.</summary>
    internal static string Residual(TimeSpan left)
    {
        var sign = left < TimeSpan.Zero ? "-" : "";
        var span = left.Duration();
        var (count, unit) = span.TotalDays >= 365 ? ((int)(span.TotalDays / 365), "year")
            : span.TotalDays >= 30 ? ((int)(span.TotalDays / 30), "month")
            : span.TotalDays >= 7 ? ((int)(span.TotalDays / 7), "week")
            : span.TotalDays >= 1 ? ((int)span.TotalDays, "day")
            : span.TotalHours >= 1 ? ((int)span.TotalHours, "hour")
            : ((int)span.TotalMinutes, "minute");
        return $"{sign}{count} {unit}{(count == 1 ? "" : "s")}";
    }

    /// <summary>The CN of a subject, as k3s prints cert.Subject.CommonName.</summary>
    private static string CommonName(string subject) =>
        subject.Split(", ").Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("CN=", StringComparison.Ordinal))?[3..] ?? subject;
}
