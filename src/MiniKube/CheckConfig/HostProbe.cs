using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;
using System.Net.Sockets;
using MiniKube.ApiServer.Pki;

namespace MiniKube.CheckConfig;

/// <summary>The real machine behind <see cref="IHostProbe"/>.</summary>
internal sealed class HostProbe(TimeProvider clock) : IHostProbe
{
    // A service's PATH may lack the sbin directories where iptables and ipset live; mkube runs as root, which has them.
    private static readonly string[] ExtraDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    public string KernelRelease => ReadFile("/proc/sys/kernel/osrelease")?.Trim() ?? "";

    public DateTimeOffset Now => clock.GetUtcNow();

    public string? ReadFile(string path)
    {
        try
        {
            if (!path.EndsWith(".gz", StringComparison.Ordinal))
            {
                return File.ReadAllText(path);
            }
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    public bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    public string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(path => File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    public async Task<string?> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var path = FindExecutable(file);
        if (path is null)
        {
            return null;
        }
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).WaitAsync(CommandTimeout, cancellationToken);
            return await output + await error;
        }
        catch (Exception e) when (e is Win32Exception or TimeoutException)
        {
            return null;
        }
    }

    public async Task<DockerAnswer> DockerVersionAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = CommandTimeout };
        try
        {
            using var response = await client.GetAsync(new Uri("http://docker/version"), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode ? new(body, null) : new(null, $"GET /version answered {(int)response.StatusCode}: {body.Trim()}");
        }
        catch (HttpRequestException e)
        {
            return new(null, (e.InnerException ?? e).Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(null, $"no answer within {CommandTimeout.TotalSeconds:0} s");
        }
    }

    public string? SocketOwner(long inode)
    {
        var link = $"socket:[{inode}]";
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget == link)
                    {
                        var name = ReadFile(Path.Combine(process, "comm"))?.Trim() ?? "?";
                        return $"{name} (pid {Path.GetFileName(process)})";
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or hides its descriptors: it cannot be the owner we can name.
            }
        }
        return null;
    }

    public (long Free, long Total)? DiskSpace(string path)
    {
        var existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing) ?? "/";
        }
        try
        {
            var drive = new DriveInfo(existing);
            return (drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public IReadOnlyList<CertificateReport> Authorities(string dataDir, DateTimeOffset now) =>
        CertificateInventory.Check(CertificateInventory.Files(dataDir, [CertificateInventory.AuthorityService], includeAuthorities: true), now);
}
