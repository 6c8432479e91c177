using MiniKube.ApiServer.Pki;

namespace MiniKube.CheckConfig;

/// <summary>
/// What <c>mkube check-config</c> reads from the machine: files, programs, sockets, the clock and
/// disks. The one OS boundary of the checks (<see cref="HostProbe"/> is the real machine), so that
/// every check is tested with the machine it describes.
/// </summary>
public interface IHostProbe
{
    /// <summary>The kernel release, as <c>uname -r</c> prints it.</summary>
    string KernelRelease { get; }

    /// <summary>Now, by the system clock.</summary>
    DateTimeOffset Now { get; }

    /// <summary>The text of <paramref name="path"/> (decompressed when it ends in <c>.gz</c>), or null when it does not exist or cannot be read.</summary>
    string? ReadFile(string path);

    /// <summary>Whether a file or directory exists at <paramref name="path"/>.</summary>
    bool Exists(string path);

    /// <summary>The full path of executable <paramref name="name"/> on the PATH (and the sbin directories), or null.</summary>
    string? FindExecutable(string name);

    /// <summary>What <paramref name="file"/> printed (stdout and stderr), or null when it could not run; never throws for a failing command.</summary>
    Task<string?> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken);

    /// <summary>The body of the Docker Engine's <c>GET /version</c> on unix socket <paramref name="socketPath"/>, or why there was none.</summary>
    Task<DockerAnswer> DockerVersionAsync(string socketPath, CancellationToken cancellationToken);

    /// <summary>The process holding socket <paramref name="inode"/>, as <c>NAME (pid N)</c>, or null when no process shows it.</summary>
    string? SocketOwner(long inode);

    /// <summary>Free and total bytes of the file system holding <paramref name="path"/> (or its nearest existing parent), or null.</summary>
    (long Free, long Total)? DiskSpace(string path);

    /// <summary>The cluster CAs in data dir <paramref name="dataDir"/> that exist, at <paramref name="now"/>.</summary>
    IReadOnlyList<CertificateReport> Authorities(string dataDir, DateTimeOffset now);
}

/// <summary>The Docker Engine's answer: its <c>/version</c> body, or the error that stood in its way.</summary>
public sealed record DockerAnswer(string? Body, string? Error);
