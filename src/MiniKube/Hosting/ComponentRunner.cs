using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MiniKube.Hosting;

/// <summary>
/// Runs the registered <see cref="IComponent"/>s: starts them in order, each behind the
/// previous one's readiness, then watches them. On SIGTERM/SIGINT, or when any component
/// fails, it stops the started ones in reverse order within the shutdown budget. A failure is
/// logged once, on one line, and turns into a non-zero <see cref="ExitStatus"/>; it is never
/// rethrown into the host, whose own report would be a stack trace.
/// </summary>
internal sealed partial class ComponentRunner(
    IEnumerable<IComponent> components,
    IHostApplicationLifetime lifetime,
    ExitStatus exitStatus,
    TimeProvider time,
    ILogger<ComponentRunner> logger) : BackgroundService
{
    /// <summary>How often to say that a component is still not ready.</summary>
    internal static readonly TimeSpan WaitingLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>Budget for stopping all components; a little under the host's own timeout.</summary>
    internal static readonly TimeSpan StopBudget = Defaults.ShutdownTimeout - TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new List<RunningComponent>();
        string? failure = null;
        try
        {
            foreach (var component in components)
            {
                LogStarting(component.Name);
                var running = RunningComponent.Start(component);
                started.Add(running);
                failure = await WaitUntilReadyAsync(running, stoppingToken);
                if (failure is not null || stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                LogReady(component.Name);
            }

            if (failure is null && !stoppingToken.IsCancellationRequested)
            {
                LogAllReady(started.Count);
                failure = await WaitForFirstFailureAsync(started, stoppingToken);
            }
        }
        finally
        {
            var stopFailure = await StopInReverseAsync(started);
            failure ??= stopFailure;
            started.ForEach(r => r.Dispose());
        }

        if (failure is not null)
        {
            exitStatus.Fail();
            lifetime.StopApplication();
        }
    }

    private async Task<string?> WaitUntilReadyAsync(RunningComponent running, CancellationToken stoppingToken)
    {
        while (true)
        {
            var waitLog = Task.Delay(WaitingLogInterval, time, stoppingToken);
            var first = await Task.WhenAny(running.Ready.WaitAsync(CancellationToken.None), running.Completion, waitLog);
            if (first == running.Completion)
            {
                return ReportFailure(running);
            }
            if (running.Ready.IsSet || stoppingToken.IsCancellationRequested)
            {
                return null;
            }
            LogStillWaiting(running.Component.Name);
        }
    }

    private async Task<string?> WaitForFirstFailureAsync(List<RunningComponent> started, CancellationToken stoppingToken)
    {
        var stopping = Task.Delay(Timeout.Infinite, stoppingToken);
        var first = await Task.WhenAny(started.Select(r => r.Completion).Append(stopping));
        if (first == stopping)
        {
            return null;
        }
        return ReportFailure(started.First(r => r.Completion == first));
    }

    private string ReportFailure(RunningComponent running)
    {
        var cause = running.Completion.Exception?.GetBaseException();
        var reason = cause?.Message ?? "it exited without being asked to stop";
        LogComponentFailed(running.Component.Name, reason);
        if (cause is not null)
        {
            LogFailureDetail(running.Component.Name, cause); // the stack trace, for --debug only
        }
        return reason;
    }

    /// <summary>Stops components last-started first, so nothing loses a dependency while it still runs.</summary>
    private async Task<string?> StopInReverseAsync(List<RunningComponent> started)
    {
        string? failure = null;
        var deadline = time.GetUtcNow() + StopBudget;
        for (var i = started.Count - 1; i >= 0; i--)
        {
            var running = started[i];
            if (running.Completion.IsCompleted && !running.StopRequested)
            {
                continue; // it already ended, and that was reported as its failure
            }
            LogStopping(running.Component.Name);
            var left = deadline - time.GetUtcNow();
            var stopped = await running.StopAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
            if (!stopped)
            {
                LogStopTimedOut(running.Component.Name, StopBudget.TotalSeconds);
                failure ??= "stop timed out";
            }
            else if (running.Completion.Exception is { } exception)
            {
                LogStopFailed(running.Component.Name, exception.GetBaseException().Message);
                failure ??= exception.GetBaseException().Message;
            }
        }
        LogStopped();
        return failure;
    }

    [LoggerMessage(EventId = LogEvents.Host + 100, Level = LogLevel.Information, Message = "Starting {Component}")]
    private partial void LogStarting(string component);

    [LoggerMessage(EventId = LogEvents.Host + 101, Level = LogLevel.Information, Message = "{Component} is ready")]
    private partial void LogReady(string component);

    [LoggerMessage(EventId = LogEvents.Host + 102, Level = LogLevel.Information, Message = "All {Count} components are running")]
    private partial void LogAllReady(int count);

    [LoggerMessage(EventId = LogEvents.Host + 103, Level = LogLevel.Information, Message = "Still waiting for {Component} to become ready")]
    private partial void LogStillWaiting(string component);

    [LoggerMessage(EventId = LogEvents.Host + 104, Level = LogLevel.Error, Message = "{Component} failed: {Reason}; stopping mkube")]
    private partial void LogComponentFailed(string component, string reason);

    [LoggerMessage(EventId = LogEvents.Host + 105, Level = LogLevel.Debug, Message = "{Component} failure detail")]
    private partial void LogFailureDetail(string component, Exception exception);

    [LoggerMessage(EventId = LogEvents.Host + 106, Level = LogLevel.Information, Message = "Stopping {Component}")]
    private partial void LogStopping(string component);

    [LoggerMessage(EventId = LogEvents.Host + 107, Level = LogLevel.Error, Message = "{Component} did not stop within {Seconds} s; giving up on it")]
    private partial void LogStopTimedOut(string component, double seconds);

    [LoggerMessage(EventId = LogEvents.Host + 108, Level = LogLevel.Error, Message = "{Component} failed while stopping: {Reason}")]
    private partial void LogStopFailed(string component, string reason);

    [LoggerMessage(EventId = LogEvents.Host + 109, Level = LogLevel.Information, Message = "Stopped")]
    private partial void LogStopped();
}
