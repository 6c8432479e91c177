namespace MiniKube.Hosting;

/// <summary>
/// A long-running part of the mkube process: the store, the API server, the scheduler, the
/// kubelet. The <see cref="ComponentRunner"/> starts components one by one in registration
/// order, which is their dependency order: the next one starts only once the previous one has
/// set its <see cref="ReadySignal"/>. They stop in reverse order.
/// </summary>
public interface IComponent
{
    /// <summary>Short name used in logs, e.g. <c>store</c> or <c>apiserver</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Runs until <paramref name="stoppingToken"/> is cancelled. Sets <paramref name="ready"/>
    /// once it serves. Returning or throwing before the token is cancelled is a failure of the
    /// component, and stops the whole process with a non-zero exit.
    /// </summary>
    Task RunAsync(ReadySignal ready, CancellationToken stoppingToken);
}
