namespace MiniKube.Hosting;

/// <summary>
/// A one-shot "I am serving" signal that later components can await. Setting it twice is
/// harmless; it never resets.
/// </summary>
public sealed class ReadySignal
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsSet => _ready.Task.IsCompleted;

    public void Set() => _ready.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);
}
