using k8s;
using Microsoft.Extensions.Logging;
using MiniKube.Client.Events;

namespace MiniKube.Client.Controllers;

/// <summary>
/// What every controller is built from: the API client, the process's shared informers, the
/// clock, loggers, and one event recorder per reporting component (reason strings in
/// <c>kubectl describe</c> show it as "From"). <see cref="WithClient"/> gives a controller its
/// own client (its service account's) over the same informers and recorders: the informers and
/// the events stay the controller manager's own, as upstream's shared informer factory and
/// event broadcaster use its root client.
/// </summary>
public sealed class ControllerContext
{
    private readonly Dictionary<string, EventRecorder> _recorders;
    private readonly IKubernetes _eventsClient;

    public ControllerContext(IKubernetes client, SharedInformers informers, ILoggerFactory loggers, TimeProvider time)
        : this(client, client, informers, loggers, time, new Dictionary<string, EventRecorder>(StringComparer.Ordinal))
    {
    }

    private ControllerContext(IKubernetes client, IKubernetes eventsClient, SharedInformers informers, ILoggerFactory loggers, TimeProvider time, Dictionary<string, EventRecorder> recorders)
    {
        Client = client;
        _eventsClient = eventsClient;
        Informers = informers;
        Loggers = loggers;
        Time = time;
        _recorders = recorders;
    }

    /// <summary>The client the controller acts with.</summary>
    public IKubernetes Client { get; }

    public SharedInformers Informers { get; }

    public ILoggerFactory Loggers { get; }

    public TimeProvider Time { get; }

    /// <summary>The cluster CA (PEM) that root-ca-cert-publisher hands to every namespace (--root-ca-file); empty when not known.</summary>
    public string RootCaPem { get; init; } = "";

    /// <summary>This context with <paramref name="client"/> as the controller's client; informers, recorders and the rest are shared.</summary>
    public ControllerContext WithClient(IKubernetes client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ControllerContext(client, _eventsClient, Informers, Loggers, Time, _recorders) { RootCaPem = RootCaPem };
    }

    /// <summary>The recorder for <paramref name="component"/> (e.g. "replicaset-controller"), made once.</summary>
    public EventRecorder Events(string component)
    {
        lock (_recorders)
        {
            if (!_recorders.TryGetValue(component, out var recorder))
            {
                recorder = new EventRecorder(_eventsClient, new EventRecorderOptions { Component = component, Time = Time }, Loggers.CreateLogger<EventRecorder>());
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
