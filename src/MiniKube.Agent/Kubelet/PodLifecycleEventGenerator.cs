using System.Threading.Channels;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>What happened to one container (or sandbox) of a pod between two relists (upstream's PodLifecycleEventType).</summary>
internal enum PodLifecycleEventType
{
    ContainerStarted,
    ContainerDied,
    ContainerRemoved,

    /// <summary>Created but not started, or in a state the runtime cannot name.</summary>
    ContainerChanged,
}

/// <param name="ContainerId">The container's or the sandbox's id.</param>
internal sealed record PodLifecycleEvent(string PodUid, PodLifecycleEventType Type, string ContainerId);

/// <summary>
/// The kubelet's pod lifecycle event generator (pkg/kubelet/pleg/generic.go): one runtime
/// relist per interval for the whole node, compared with the one before; a pod is looked at
/// only when one of its containers or sandboxes started, died, was removed or changed state.
/// The latest relist is <see cref="Current"/>, the cache every sync reads, so syncs never list
/// the runtime. A sync that changed the runtime asks for a snapshot newer than its change
/// (<see cref="NewerThanAsync"/>, upstream's cache.GetNewerThan), which relists at once rather
/// than at the next tick, so a pod never acts on a state older than its own last action.
/// Only <see cref="RunAsync"/> relists; everything else reads or waits.
/// </summary>
internal sealed class PodLifecycleEventGenerator(IContainerRuntime runtime, TimeProvider time)
{
    // At most one relist asked for ahead of the timer; more asks meanwhile share it.
    private readonly Channel<bool> _asked = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource<RuntimeSnapshot> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The latest relist (<see cref="RuntimeSnapshot.None"/> before the first).</summary>
    public RuntimeSnapshot Current { get; private set; } = RuntimeSnapshot.None;

    /// <summary>Relists every <paramref name="interval"/> (and when asked), handing each relist's events and snapshot to <paramref name="relisted"/>; a runtime that cannot be reached goes to <paramref name="failed"/> and the next tick tries again.</summary>
    public async Task RunAsync(TimeSpan interval, Action<IReadOnlyList<PodLifecycleEvent>, RuntimeSnapshot> relisted, Action<RuntimeUnavailableException> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relisted);
        ArgumentNullException.ThrowIfNull(failed);
        using var timer = new PeriodicTimer(interval, time);
        Task<bool>? tick = null;
        Task<bool>? ask = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    relisted(await RelistAsync(cancellationToken), Current);
                }
                catch (RuntimeUnavailableException e)
                {
                    failed(e);
                }
                tick ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
                ask ??= _asked.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(tick, ask) == tick)
                {
                    if (!await tick)
                    {
                        return;
                    }
                    tick = null;
                }
                else
                {
                    await ask;
                    _asked.Reader.TryRead(out _);
                    ask = null;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _next.TrySetCanceled(cancellationToken);
        }
    }

    /// <summary>
    /// Lists the runtime once, makes the result <see cref="Current"/>, and returns what changed
    /// since the previous relist. Throws <see cref="RuntimeUnavailableException"/> (and so do
    /// the waiters of <see cref="NewerThanAsync"/>) when the runtime cannot be reached.
    /// </summary>
    public async Task<IReadOnlyList<PodLifecycleEvent>> RelistAsync(CancellationToken cancellationToken)
    {
        var waiters = Interlocked.Exchange(ref _next, new TaskCompletionSource<RuntimeSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously));
        RuntimeSnapshot snapshot;
        try
        {
            var taken = time.GetUtcNow();
            snapshot = new RuntimeSnapshot(taken, await runtime.ListPodsAsync(cancellationToken));
        }
        catch (RuntimeUnavailableException e)
        {
            waiters.TrySetException(e);
            throw;
        }
        var previous = Current;
        Current = snapshot;
        waiters.TrySetResult(snapshot);
        return Compare(previous, snapshot);
    }

    /// <summary>
    /// <see cref="Current"/> when it was taken after <paramref name="since"/>; otherwise asks for
    /// a relist now and waits for one that was.
    /// </summary>
    public async Task<RuntimeSnapshot> NewerThanAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        while (true)
        {
            var waiting = Volatile.Read(ref _next).Task;
            var current = Current;
            if (current.Taken > since)
            {
                return current;
            }
            _asked.Writer.TryWrite(true);
            await waiting.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The events between two relists (generic.go computeEvents), sandboxes counted as containers as upstream does.</summary>
    public static IReadOnlyList<PodLifecycleEvent> Compare(RuntimeSnapshot previous, RuntimeSnapshot current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var before = States(previous);
        var after = States(current);
        var events = new List<PodLifecycleEvent>();
        foreach (var (id, now) in after)
        {
            var was = before.TryGetValue(id, out var old) ? old.State : (ContainerState?)null;
            if (was != now.State)
            {
                events.Add(new PodLifecycleEvent(now.PodUid, Transition(now.State), id));
            }
        }
        foreach (var (id, old) in before)
        {
            if (!after.ContainsKey(id))
            {
                // A running container that vanished also died (generic.go: ContainerDied, then ContainerRemoved).
                if (old.State == ContainerState.Running)
                {
                    events.Add(new PodLifecycleEvent(old.PodUid, PodLifecycleEventType.ContainerDied, id));
                }
                events.Add(new PodLifecycleEvent(old.PodUid, PodLifecycleEventType.ContainerRemoved, id));
            }
        }
        return events;
    }

    private static PodLifecycleEventType Transition(ContainerState state) => state switch
    {
        ContainerState.Running => PodLifecycleEventType.ContainerStarted,
        ContainerState.Exited => PodLifecycleEventType.ContainerDied,
        _ => PodLifecycleEventType.ContainerChanged,
    };

    private static Dictionary<string, (string PodUid, ContainerState State)> States(RuntimeSnapshot snapshot)
    {
        var states = new Dictionary<string, (string, ContainerState)>(snapshot.Containers.Count + snapshot.Sandboxes.Count, StringComparer.Ordinal);
        foreach (var container in snapshot.Containers)
        {
            states[container.Id] = (container.PodUid, container.State);
        }
        foreach (var sandbox in snapshot.Sandboxes)
        {
            states[sandbox.Id] = (sandbox.PodUid, sandbox.Running ? ContainerState.Running : ContainerState.Exited);
        }
        return states;
    }
}
