using Microsoft.Extensions.Logging;

namespace MiniKube.Hosting;

/// <summary>
/// The first component of every mode: creates the data directory and holds an exclusive lock
/// on it for the life of the process, so two mkube processes can never write one store.
/// The lock is an advisory <c>flock</c> taken by opening the lock file with
/// <see cref="FileShare.None"/>; the kernel drops it when the process dies, even on SIGKILL.
/// </summary>
internal sealed partial class DataDirectoryLock(string dataDir, string role, ILogger<DataDirectoryLock> logger) : IComponent
{
    public const string LockFileName = "mkube.lock";

    public string Name => "data-dir";

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var roleDir = Path.Combine(dataDir, role);
        await using (Acquire(roleDir))
        {
            LogLocked(roleDir);
            ready.Set();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }

    /// <summary>Creates <paramref name="roleDir"/> (owner-only) and locks it; dispose the result to unlock.</summary>
    public static FileStream Acquire(string roleDir)
    {
        // Owner-only, as the directory will hold keys and the store.
        Directory.CreateDirectory(roleDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lockPath = Path.Combine(roleDir, LockFileName);
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"{roleDir} is in use by another mkube process (cannot lock {lockPath})", e);
        }
    }

    [LoggerMessage(EventId = LogEvents.Host + 150, Level = LogLevel.Information, Message = "Using data directory {Directory}")]
    private partial void LogLocked(string directory);
}
