using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MiniKube.Storage;
using MiniKube.Storage.Snapshots;

namespace MiniKube.Hosting;

/// <summary>
/// Snapshots of the running server, k3s' etcd-snapshot role: on demand, for <c>mkube snapshot
/// save</c>, which asks over a Unix socket in the server's data dir (owner-only, like the data
/// dir itself, so only root can ask); and on a cron schedule, pruning the scheduled ones to the
/// retention count. Each is one consistent revision of the store, taken while writes go on
/// (<see cref="ISnapshotSource"/>); one at a time. A scheduled snapshot that fails is logged and
/// the schedule goes on: a full disk must not stop the cluster.
/// </summary>
internal sealed partial class SnapshotComponent(SnapshotSettings settings, StoreComponent store, TimeProvider time, ILogger<SnapshotComponent> logger) : IComponent, IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly SnapshotDirectory _directory = new(settings.Directory);

    public string Name => "snapshots";

    public void Dispose() => _one.Dispose();

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        var socketPath = SnapshotSocket.PathIn(settings.DataDir);
        // The data dir lock is ours, so a socket file left here is a dead process's.
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(4);
        try
        {
            var scheduled = Task.CompletedTask;
            if (settings.Schedule is { } schedule)
            {
                LogScheduled(settings.ScheduleText!, settings.Retention, _directory.Path);
                scheduled = RunScheduleAsync(schedule, stoppingToken);
            }
            ready.Set();
            // Either loop failing unexpectedly fails the component (and stops the process in order).
            Task[] loops = [AcceptAsync(listener, stoppingToken), scheduled];
            await await Task.WhenAny(loops);
            await Task.WhenAll(loops);
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    private async Task AcceptAsync(Socket listener, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var connection = await listener.AcceptAsync(stoppingToken);
                _ = ServeAsync(connection, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes one snapshot named <paramref name="name"/> into the snapshot directory, or to <paramref name="file"/> when given.</summary>
    public async Task<(string File, SnapshotResult Result, TimeSpan Took)> SaveAsync(string name, string? file, CancellationToken cancellationToken)
    {
        if (store.Store is not ISnapshotSource source)
        {
            throw new IOException("this datastore cannot take snapshots");
        }
        await _one.WaitAsync(cancellationToken);
        try
        {
            if (file is null)
            {
                _directory.Create();
                file = _directory.NewFile(name, settings.NodeName, time.GetUtcNow());
            }
            var clock = Stopwatch.StartNew();
            var result = await source.SaveSnapshotAsync(file, cancellationToken);
            LogSaved(file, result.Revision, result.Keys, clock.Elapsed.TotalMilliseconds);
            return (file, result, clock.Elapsed);
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task RunScheduleAsync(MiniKube.Api.CronSchedule schedule, CancellationToken stoppingToken)
    {
        try
        {
            while (schedule.Next(time.GetUtcNow(), TimeZoneInfo.Local) is { } next)
            {
                await Task.Delay(Max(next - time.GetUtcNow(), TimeSpan.Zero), time, stoppingToken);
                try
                {
                    await SaveAsync(settings.ScheduledName, null, stoppingToken);
                    foreach (var pruned in _directory.Prune(settings.ScheduledName, settings.Retention))
                    {
                        LogPruned(pruned.Name, settings.Retention);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoreUnavailableException or CompactedException)
                {
                    LogScheduledFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>One request per connection: a JSON line in, a JSON line out (see <see cref="SnapshotSocket"/>).</summary>
    private async Task ServeAsync(Socket connection, CancellationToken stoppingToken)
    {
        await using var stream = new NetworkStream(connection, ownsSocket: true);
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };
        JsonObject answer;
        try
        {
            var request = SnapshotSocket.ParseRequest(await reader.ReadLineAsync(stoppingToken));
            var (file, result, took) = await SaveAsync(request.Name, request.File, stoppingToken);
            answer = SnapshotSocket.Answer(file, result, took);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or FormatException or StoreUnavailableException or CompactedException)
        {
            answer = new JsonObject { ["error"] = e.Message };
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        try
        {
            await writer.WriteLineAsync(answer.ToJsonString());
        }
        catch (IOException)
        {
            // The caller went away (Ctrl-C): the snapshot is written and logged all the same.
        }
    }

    [LoggerMessage(EventId = LogEvents.Host + 720, Level = LogLevel.Information, Message = "Scheduled snapshots: \"{Schedule}\", keeping {Retention} in {Directory}")]
    private partial void LogScheduled(string schedule, int retention, string directory);

    [LoggerMessage(EventId = LogEvents.Host + 721, Level = LogLevel.Information, Message = "Snapshot {File} saved at revision {Revision} ({Keys} keys) in {Milliseconds:F0} ms")]
    private partial void LogSaved(string file, long revision, long keys, double milliseconds);

    [LoggerMessage(EventId = LogEvents.Host + 722, Level = LogLevel.Information, Message = "Snapshot {Name} removed: only the newest {Retention} scheduled snapshots are kept")]
    private partial void LogPruned(string name, int retention);

    [LoggerMessage(EventId = LogEvents.Host + 723, Level = LogLevel.Warning, Message = "Scheduled snapshot failed: {Reason}; the next one runs on schedule (check the disk and the snapshot directory)")]
    private partial void LogScheduledFailed(string reason);
}

/// <summary>
/// How the server takes snapshots: where (<see cref="Directory"/>, the files named after
/// <see cref="NodeName"/>), and the schedule (null: only on demand) with its retention.
/// </summary>
internal sealed record SnapshotSettings(string DataDir, string NodeName)
{
    public string Directory { get; init; } = SnapshotSocket.DefaultDirectory(DataDir);

    public MiniKube.Api.CronSchedule? Schedule { get; init; }

    /// <summary>The schedule as the user wrote it, for the log.</summary>
    public string? ScheduleText { get; init; }

    public int Retention { get; init; } = Defaults.SnapshotRetention;

    public string ScheduledName { get; init; } = SnapshotDirectory.ScheduledName;
}
