using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiniKube.ApiServer.Pki;

/// <summary>One certificate file of a data directory and what it belongs to.</summary>
/// <param name="Service">k3s' service name, or <see cref="CertificateInventory.AuthorityService"/> for a CA.</param>
/// <param name="Directory">The PKI directory holding it.</param>
/// <param name="Name">File name without extension.</param>
/// <param name="IssuerName">The leaf's CA in the same directory; null for a CA or a self-signed leaf.</param>
/// <param name="IsAuthority">A CA: checked, never rotated.</param>
public sealed record CertificateFile(string Service, string Directory, string Name, string? IssuerName, bool IsAuthority)
{
    /// <summary>The certificate file's path.</summary>
    public string Path => CertificateFiles.CertificatePath(Directory, Name);

    /// <summary>The file name as k3s prints it (<c>client-admin.crt</c>).</summary>
    public string FileName => Name + ".crt";
}

/// <summary>What one certificate file holds, at a reference time.</summary>
public sealed record CertificateReport(CertificateFile File, string Subject, string Issuer, IReadOnlyList<string> Usages, DateTimeOffset NotBefore, DateTimeOffset NotAfter, CertificateStatus Status)
{
    /// <summary>k3s' problem line (<c>admin/client-admin.crt: certificate CN=admin… will expire within 120 days at …</c>), or null when OK.</summary>
    public string? Problem(TimeSpan? window = null) =>
        CertificateRenewal.Problem(Subject, NotBefore, NotAfter, Status, window) is { } problem ? $"{File.Service}/{File.FileName}: {problem}" : null;
}

/// <summary>
/// Every certificate file of a data directory — the server's leaves and CAs in
/// <c>server/tls</c> (<see cref="ClusterPki.Leaves"/> with the local kubelet's
/// <see cref="ClusterPki.KubeletClientLeaf"/>, <see cref="ClusterPki.Authorities"/>) and the
/// agent's leaves in <c>agent</c> (<see cref="AgentCertificates.Leaves"/>) — grouped by k3s'
/// service names (pkg/util/services). What <c>mkube certificate check</c> and <c>rotate</c> and the
/// running node's expiry monitor work from; the lists it reads are the ones certificates are
/// issued from, so a new leaf needs no change here.
/// </summary>
public static class CertificateInventory
{
    /// <summary>k3s' name for the CAs: checked only when asked for, never rotated (services.CA).</summary>
    public const string AuthorityService = "certificate-authority";

    /// <summary>The services whose leaves <c>rotate</c> may renew, in listing order.</summary>
    public static IReadOnlyList<string> LeafServices { get; } = [.. AllFiles("").Where(f => !f.IsAuthority).Select(f => f.Service).Distinct()];

    /// <summary>The server's PKI directory in a data dir.</summary>
    public static string ServerDirectory(string dataDir) => System.IO.Path.Combine(dataDir, "server", "tls");

    /// <summary>The agent's directory in a data dir.</summary>
    public static string AgentDirectory(string dataDir) => System.IO.Path.Combine(dataDir, "agent");

    /// <summary>
    /// The certificate files of <paramref name="dataDir"/> for <paramref name="services"/> (null:
    /// every leaf, and the CAs too when <paramref name="includeAuthorities"/>), whether or not they exist yet.
    /// </summary>
    public static IReadOnlyList<CertificateFile> Files(string dataDir, IReadOnlyCollection<string>? services, bool includeAuthorities) =>
        [.. AllFiles(dataDir).Where(f => services is null ? includeAuthorities || !f.IsAuthority : services.Contains(f.Service))];

    /// <summary>The certificates of <paramref name="files"/> that exist, with their status at <paramref name="now"/> against the renewal window.</summary>
    public static IReadOnlyList<CertificateReport> Check(IEnumerable<CertificateFile> files, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(files);
        var reports = new List<CertificateReport>();
        foreach (var file in files)
        {
            using var certificate = CertificateFiles.LoadPublic(file.Directory, file.Name);
            if (certificate is null)
            {
                continue;
            }
            var (notBefore, notAfter) = (CertificateRenewal.NotBefore(certificate), CertificateRenewal.NotAfter(certificate));
            reports.Add(new CertificateReport(file, certificate.Subject, certificate.Issuer, CertificateFiles.Usages(certificate), notBefore, notAfter,
                CertificateRenewal.StatusOf(notBefore, notAfter, now)));
        }
        return reports;
    }

    /// <summary>
    /// Renews the leaves of <paramref name="files"/> that exist, now: each gets a new key and
    /// validity with its subject, names and usages kept, signed by the same CA (which is never
    /// touched). The previous files are copied first into <paramref name="backupDirectory"/>.
    /// The running server or agent keeps using the old ones until it restarts, as in k3s.
    /// </summary>
    /// <returns>The renewed certificates.</returns>
    /// <exception cref="InvalidDataException">A leaf's CA is missing or unreadable.</exception>
    public static IReadOnlyList<CertificateReport> Rotate(IEnumerable<CertificateFile> files, string backupDirectory, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(files);
        var present = files.Where(f => !f.IsAuthority && System.IO.File.Exists(f.Path)).ToList();
        foreach (var file in present)
        {
            Backup(file, backupDirectory);
        }
        var renewed = new List<CertificateFile>();
        foreach (var file in present)
        {
            using var existing = CertificateFiles.LoadPublic(file.Directory, file.Name)!;
            using var issuer = file.IssuerName is null ? null : LoadAuthority(file.Directory, file.IssuerName);
            using var reissued = CertificateFiles.Reissue(file.Directory, file.Name, existing, issuer, now);
            renewed.Add(file);
        }
        return Check(renewed, now);
    }

    private static X509Certificate2 LoadAuthority(string directory, string name)
    {
        try
        {
            return CertificateFiles.Load(directory, name)
                ?? throw new InvalidDataException($"the CA {CertificateFiles.CertificatePath(directory, name)} or its key is missing; leaves it signed cannot be renewed");
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"the CA {CertificateFiles.CertificatePath(directory, name)} cannot be read: {e.Message}", e);
        }
    }

    private static void Backup(CertificateFile file, string backupDirectory)
    {
        Directory.CreateDirectory(backupDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var path in new[] { file.Path, CertificateFiles.KeyPath(file.Directory, file.Name) }.Where(System.IO.File.Exists))
        {
            var copy = System.IO.Path.Combine(backupDirectory, System.IO.Path.GetFileName(path));
            System.IO.File.Copy(path, copy, overwrite: true);
            // The copy of a key stays as private as the key.
            System.IO.File.SetUnixFileMode(copy, System.IO.File.GetUnixFileMode(path));
        }
    }

    private static IEnumerable<CertificateFile> AllFiles(string dataDir)
    {
        var server = ServerDirectory(dataDir);
        var agent = AgentDirectory(dataDir);
        // Names and subjects do not matter for finding files; the lists are those certificates are issued from.
        return ClusterPki.Leaves([]).Append(ClusterPki.KubeletClientLeaf("")).Select(l => new CertificateFile(l.Service, server, l.Name, l.IssuerName, IsAuthority: false))
            .Concat(AgentCertificates.Leaves("", "").Select(l => new CertificateFile(l.Service, agent, l.Name, l.IssuerName, IsAuthority: false)))
            .Concat(ClusterPki.Authorities.Select(a => new CertificateFile(AuthorityService, server, a.Name, null, IsAuthority: true)));
    }
}
