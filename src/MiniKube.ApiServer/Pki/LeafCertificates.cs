using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MiniKube.ApiServer.Pki;

/// <summary>
/// Applies the start-time rule to one leaf (k3s pkg/daemons/control/deps createClientCertKey):
/// issue it when missing; issue it again when its subject, names or issuer no longer match its
/// specification; renew it, with a warning first, when <see cref="CertificateRenewal"/> says it
/// is expired or within the renewal window; otherwise keep it.
/// </summary>
public static partial class LeafCertificates
{
    /// <summary>The leaf's certificate with its key, issued or renewed when the rule says so.</summary>
    /// <param name="issuer">The CA with its key, or null when the leaf is self-signed.</param>
    public static X509Certificate2 LoadOrRenew(string directory, LeafCertificate leaf, X509Certificate2? issuer, DateTimeOffset now, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(logger);
        var file = CertificateFiles.CertificatePath(directory, leaf.Name);
        X509Certificate2? existing;
        try
        {
            existing = CertificateFiles.Load(directory, leaf.Name);
        }
        catch (CryptographicException e)
        {
            // A leaf is cheap to replace; a damaged one (say, a crash between its two files) is simply issued anew.
            LogUnreadable(logger, file, e.Message);
            existing = null;
        }
        if (existing is null)
        {
            return CertificateFiles.Issue(directory, leaf, issuer, now);
        }
        if (!Matches(existing, leaf, issuer))
        {
            LogChanged(logger, file);
            existing.Dispose();
            return CertificateFiles.Issue(directory, leaf, issuer, now);
        }
        if (!CertificateRenewal.NeedsRenewal(existing, now))
        {
            return existing;
        }
        var problem = CertificateRenewal.Problem(existing, now)!;
        LogRenewing(logger, file, problem);
        existing.Dispose();
        var renewed = CertificateFiles.Issue(directory, leaf, issuer, now);
        var until = CertificateRenewal.Rfc3339(CertificateRenewal.NotAfter(renewed));
        LogRenewed(logger, file, renewed.Subject, until);
        return renewed;
    }

    /// <summary>Whether the certificate on disk is still the one the specification asks for (k3s deps fieldsChanged).</summary>
    private static bool Matches(X509Certificate2 existing, LeafCertificate leaf, X509Certificate2? issuer)
    {
        var subject = new X500DistinguishedName(leaf.Subject);
        var issuerName = issuer?.SubjectName ?? subject;
        var names = CertificateFiles.NamesOf(existing);
        return existing.SubjectName.RawData.AsSpan().SequenceEqual(subject.RawData)
            && existing.IssuerName.RawData.AsSpan().SequenceEqual(issuerName.RawData)
            && leaf.Names.All(names.Contains);
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 600, Level = LogLevel.Warning, Message = "{File}: {Problem}; renewing it now (the CA is kept)")]
    private static partial void LogRenewing(ILogger logger, string file, string problem);

    [LoggerMessage(EventId = LogEvents.ApiServer + 601, Level = LogLevel.Information, Message = "{File}: renewed certificate {Subject}, valid until {NotAfter}")]
    private static partial void LogRenewed(ILogger logger, string file, string subject, string notAfter);

    [LoggerMessage(EventId = LogEvents.ApiServer + 602, Level = LogLevel.Information, Message = "{File}: subject, names or issuer changed; issuing it again")]
    private static partial void LogChanged(ILogger logger, string file);

    [LoggerMessage(EventId = LogEvents.ApiServer + 603, Level = LogLevel.Warning, Message = "{File} cannot be read ({Reason}); issuing a new one")]
    private static partial void LogUnreadable(ILogger logger, string file, string reason);
}
