using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Client.Events;

namespace MiniKube.Client.Controllers;

/// <summary>
/// What every controller is built on: its name, the API client, the clock and a logger named
/// after the concrete type. A controller with one queue derives from
/// <see cref="Controller{TKey}"/>; one with several queues (a binder's claims and volumes)
/// derives from this and runs its <see cref="ReconcileLoop{TKey}"/>s together.
/// </summary>
public abstract class Controller : IController
{
    /// <summary>The logger of the concrete controller; its <c>[LoggerMessage]</c> methods write through it.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1051", Justification = "the logging source generator binds to a field")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006", Justification = "named as the generator expects a logger field")]
    protected readonly ILogger _logger;

    private readonly EventRecorder? _events;

    /// <param name="eventSource">The component its events report as, upstream's recorder name for it (e.g. "job-controller"); null for a controller that records none.</param>
    protected Controller(ControllerContext context, string name, string? eventSource = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(name);
        Context = context;
        Name = name;
        // Made now, not on first use: the manager runs the recorders that exist once the controllers are built.
        _events = eventSource is null ? null : context.Events(eventSource);
        _logger = context.Loggers.CreateLogger(GetType());
    }

    public string Name { get; }

    protected ControllerContext Context { get; }

    protected IKubernetes Client => Context.Client;

    protected TimeProvider Time => Context.Time;

    /// <summary>Records events on the objects it manages; <c>kubectl describe</c> shows the event source as "From".</summary>
    protected EventRecorder Events => _events ?? throw new InvalidOperationException($"the {Name} controller was built without an event source");

    public abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs several loops of one controller as one: the first to end or fail stops the others,
    /// and its failure is the result.
    /// </summary>
    protected static async Task RunTogetherAsync(CancellationToken cancellationToken, params Func<CancellationToken, Task>[] loops)
    {
        ArgumentNullException.ThrowIfNull(loops);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = loops.Select(run => run(stop.Token)).ToList();
        var first = await Task.WhenAny(running);
        await stop.CancelAsync();
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await first;
    }

    /// <summary>A loop of this controller over <paramref name="sync"/>.</summary>
    protected ReconcileLoop<TKey> Loop<TKey>(int workers, Func<TKey, CancellationToken, Task> sync)
        where TKey : notnull => new(Name, workers, sync, Time, _logger);
}

/// <summary>
/// A controller with one work queue of <typeparamref name="TKey"/> (usually
/// <see cref="MiniKube.Api.NamespacedName"/>): handlers call <see cref="Controller{TKey}.Queue"/>'s
/// Add, and <see cref="SyncAsync"/> converges one key. The loop's rules (Forget on success,
/// rate-limited retry on API errors, fail on a bug) are <see cref="ReconcileLoop{TKey}"/>'s.
/// </summary>
public abstract class Controller<TKey> : Controller
    where TKey : notnull
{
    /// <param name="workers">How many keys are synced at once.</param>
    /// <param name="eventSource">The component its events report as, upstream's recorder name for it; null for a controller that records none.</param>
    protected Controller(ControllerContext context, string name, int workers, string? eventSource = null)
        : base(context, name, eventSource)
    {
        Queue = Loop<TKey>(workers, SyncAsync);
    }

    /// <summary>This controller's queue; handlers add keys to it, syncs add timed re-checks.</summary>
    protected ReconcileLoop<TKey> Queue { get; }

    public override Task RunAsync(CancellationToken cancellationToken) => Queue.RunAsync(cancellationToken);

    /// <summary>Converges the object <paramref name="key"/> names; idempotent, reads the latest cached state, never mutates it.</summary>
    public abstract Task SyncAsync(TKey key, CancellationToken cancellationToken);
}
