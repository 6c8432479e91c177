using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Client.Events;

namespace MiniKube.Client.Controllers;

/// <summary>
/// What every controller is built from: the API client, the process's shared informers, the
/// clock, loggers, and one event recorder per reporting component (reason strings in
/// <c>kubectl describe</c> show it as "From").
/// </summary>
public sealed class ControllerContext(IKubernetes client, SharedInformers informers, ILoggerFactory loggers, TimeProvider time)
{
    private readonly Dictionary<string, EventRecorder> _recorders = new(StringComparer.Ordinal);

    public IKubernetes Client { get; } = client;

    public SharedInformers Informers { get; } = informers;

    public ILoggerFactory Loggers { get; } = loggers;

    public TimeProvider Time { get; } = time;

    /// <summary>The cluster CA (PEM) that root-ca-cert-publisher hands to every namespace (--root-ca-file); empty when not known.</summary>
    public string RootCaPem { get; init; } = "";

    /// <summary>The recorder for <paramref name="component"/> (e.g. "replicaset-controller"), made once.</summary>
    public EventRecorder Events(string component)
    {
        lock (_recorders)
        {
            if (!_recorders.TryGetValue(component, out var recorder))
            {
                recorder = new EventRecorder(Client, new EventRecorderOptions { Component = component, Time = Time }, Loggers.CreateLogger<EventRecorder>());
                _recorders[component] = recorder;
            }
            return recorder;
        }
    }

    /// <summary>Runs every recorder handed out until <paramref name="cancellationToken"/> stops them.</summary>
    public async Task RunRecordersAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_recorders)
        {
            running = [.. _recorders.Values.Select(r => r.RunAsync(cancellationToken))];
        }
        await Task.WhenAll(running);
        // Lasts until stopped even when no controller took a recorder: the manager ends when its first loop ends.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
