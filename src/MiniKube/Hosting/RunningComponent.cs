namespace MiniKube.Hosting;

/// <summary>One started component: its own stop token, its readiness and its run task.</summary>
internal sealed class RunningComponent : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private RunningComponent(IComponent component)
    {
        Component = component;
    }

    public IComponent Component { get; }

    public ReadySignal Ready { get; } = new();

    /// <summary>Completes when the component's run ends; cancellation on request counts as success.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public bool StopRequested => _stop.IsCancellationRequested;

    public static RunningComponent Start(IComponent component)
    {
        var running = new RunningComponent(component);
        running.Completion = running.RunAsync();
        return running;
    }

    private async Task RunAsync()
    {
        // Yield first so that a component that blocks before its first await cannot stall the runner.
        await Task.Yield();
        try
        {
            await Component.RunAsync(Ready, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Asked to stop: a normal end.
        }
    }

    /// <summary>Requests the stop and waits up to <paramref name="timeout"/>; false if it did not end in time.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout, TimeProvider time)
    {
        await _stop.CancelAsync();
        var timer = Task.Delay(timeout, time);
        return await Task.WhenAny(Completion, timer) == Completion;
    }

    public void Dispose() => _stop.Dispose();
}
