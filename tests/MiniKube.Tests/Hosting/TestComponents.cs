using System.Collections.Concurrent;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

/// <summary>The order in which test components started and stopped, shared by one host's components.</summary>
internal sealed class Journal
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    public void Add(string entry) => _entries.Enqueue(entry);
}

/// <summary>
/// A component whose readiness and failure the test controls. It records "start:X" when it
/// begins and "stop:X" once it has been asked to stop.
/// </summary>
internal sealed class ScriptedComponent(string name, Journal journal) : IComponent
{
    private readonly TaskCompletionSource _becomeReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _fail = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;

    /// <summary>Whether it sets its ready signal as soon as it starts.</summary>
    public bool ReadyAtOnce { get; init; } = true;

    /// <summary>Whether it returns on its own right after becoming ready (a bug the runner must catch).</summary>
    public bool ReturnsEarly { get; init; }

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void BecomeReady() => _becomeReady.TrySetResult();

    public void Fail(string message) => _fail.TrySetException(new InvalidOperationException(message));

    public async Task RunAsync(ReadySignal ready, CancellationToken stoppingToken)
    {
        journal.Add("start:" + name);
        Started.TrySetResult();
        try
        {
            if (!ReadyAtOnce)
            {
                await Task.WhenAny(_becomeReady.Task, _fail.Task).WaitAsync(stoppingToken);
            }
            if (_fail.Task.IsFaulted)
            {
                await _fail.Task; // rethrows the scripted failure
            }
            ready.Set();
            if (ReturnsEarly)
            {
                return;
            }
            await _fail.Task.WaitAsync(stoppingToken);
        }
        finally
        {
            if (stoppingToken.IsCancellationRequested)
            {
                journal.Add("stop:" + name);
            }
        }
    }
}
