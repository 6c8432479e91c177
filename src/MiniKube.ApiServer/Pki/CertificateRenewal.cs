using System.Security.Cryptography.X509Certificates;

namespace MiniKube.ApiServer.Pki;

/// <summary>Where a certificate stands against the renewal rule (k3s pkg/util/cert.go's CertStatus values).</summary>
public enum CertificateStatus
{
    /// <summary>Valid for longer than the renewal window.</summary>
    Ok,

    /// <summary>Valid, but expiring within the renewal window: renewed at the next start.</summary>
    Warning,

    /// <summary>Past its NotAfter.</summary>
    Expired,

    /// <summary>Before its NotBefore (a clock set back, or a certificate from the future).</summary>
    NotYetValid,
}

/// <summary>
/// The one renewal rule for every leaf certificate, server and agent, as k3s applies it
/// (pkg/daemons/config CertificateRenewDays, pkg/daemons/control/deps expired()): a leaf expired
/// or within <see cref="RenewDays"/> days of expiry is renewed at start. CAs never go through this
/// rule: they last 10 years and are rotated by hand only.
/// </summary>
public static class CertificateRenewal
{
    /// <summary>k3s' CertificateRenewDays: how long before expiry a leaf is renewed, and warned about while running.</summary>
    public const int RenewDays = 120;

    /// <summary>The renewal window as a span.</summary>
    public static TimeSpan Window { get; } = TimeSpan.FromDays(RenewDays);

    /// <summary>The status of <paramref name="certificate"/> at <paramref name="now"/> with a warning window of <paramref name="window"/> (default: the renewal window).</summary>
    public static CertificateStatus StatusOf(X509Certificate2 certificate, DateTimeOffset now, TimeSpan? window = null) =>
        StatusOf(NotBefore(certificate), NotAfter(certificate), now, window);

    /// <summary>The status of a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> (k3s GetCertStatus).</summary>
    public static CertificateStatus StatusOf(DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset now, TimeSpan? window = null) =>
        now < notBefore ? CertificateStatus.NotYetValid
        : now > notAfter ? CertificateStatus.Expired
        : now + (window ?? Window) > notAfter ? CertificateStatus.Warning
        : CertificateStatus.Ok;

    /// <summary>Whether a leaf must be renewed now: expired or within the renewal window.</summary>
    public static bool NeedsRenewal(X509Certificate2 certificate, DateTimeOffset now) =>
        StatusOf(certificate, now) is CertificateStatus.Warning or CertificateStatus.Expired;

    /// <summary>The certificate's NotBefore in UTC.</summary>
    public static DateTimeOffset NotBefore(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
    }

    /// <summary>The certificate's NotAfter in UTC.</summary>
    public static DateTimeOffset NotAfter(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
    }

    /// <summary>What is wrong with <paramref name="certificate"/> at <paramref name="now"/>, or null when it is OK.</summary>
    public static string? Problem(X509Certificate2 certificate, DateTimeOffset now, TimeSpan? window = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var (notBefore, notAfter) = (NotBefore(certificate), NotAfter(certificate));
        return Problem(certificate.Subject, notBefore, notAfter, StatusOf(notBefore, notAfter, now, window), window);
    }

    /// <summary>
    /// What is wrong with a certificate, in k3s' words (pkg/certmonitor checkCerts):
    /// "certificate CN=… will expire within 120 days at 2027-01-02T03:04:05Z"; null when it is OK.
    /// </summary>
    public static string? Problem(string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, CertificateStatus status, TimeSpan? window = null) => status switch
    {
        CertificateStatus.NotYetValid => $"certificate {subject} is not valid before {Rfc3339(notBefore)}",
        CertificateStatus.Expired => $"certificate {subject} expired at {Rfc3339(notAfter)}",
        CertificateStatus.Warning => $"certificate {subject} will expire within {(int)(window ?? Window).TotalDays} days at {Rfc3339(notAfter)}",
        _ => null,
    };

    /// <summary>The status as k3s prints it: OK, WARNING, EXPIRED, NOT YET VALID.</summary>
    public static string Text(CertificateStatus status) => status switch
    {
        CertificateStatus.Warning => "WARNING",
        CertificateStatus.Expired => "EXPIRED",
        CertificateStatus.NotYetValid => "NOT YET VALID",
        _ => "OK",
    };

    /// <summary>Go's time.RFC3339 in UTC, as k3s formats expiry times.</summary>
    public static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
