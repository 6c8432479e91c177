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
public sealed class ControllerContext(IKubernetes client, SharedInformers informers, ILoggerFactory loggers, TimeProvider time)
{
    /// <summary>The client the controller acts with.</summary>
    public IKubernetes Client { get; private init; } = client;

    public SharedInformers Informers { get; } = informers;

    public ILoggerFactory Loggers { get; } = loggers;

    public TimeProvider Time { get; } = time;

    /// <summary>The cluster CA (PEM) that root-ca-cert-publisher hands to every namespace (--root-ca-file); empty when not known.</summary>
    public string RootCaPem { get; init; } = "";

    // Shared by every context WithClient derives from this one; they write with the first client.
    private EventRecorders Recorders { get; init; } = new(client, loggers, time);

    /// <summary>This context with <paramref name="controllerClient"/> as the controller's client; informers, recorders and the rest are shared.</summary>
    public ControllerContext WithClient(IKubernetes controllerClient)
    {
        ArgumentNullException.ThrowIfNull(controllerClient);
        return new ControllerContext(Client, Informers, Loggers, Time) { Client = controllerClient, RootCaPem = RootCaPem, Recorders = Recorders };
    }

    /// <summary>The recorder for <paramref name="component"/> (e.g. "replicaset-controller"), made once.</summary>
    public EventRecorder Events(string component) => Recorders.For(component);

    /// <summary>Runs every recorder handed out until <paramref name="cancellationToken"/> stops them.</summary>
    public Task RunRecordersAsync(CancellationToken cancellationToken) => Recorders.RunAsync(cancellationToken);

    /// <summary>One recorder per component, all writing with one client.</summary>
    private sealed class EventRecorders(IKubernetes client, ILoggerFactory loggers, TimeProvider time)
    {
        private readonly Dictionary<string, EventRecorder> _recorders = new(StringComparer.Ordinal);

        public EventRecorder For(string component)
        {
            lock (_recorders)
            {
                if (!_recorders.TryGetValue(component, out var recorder))
                {
                    recorder = new EventRecorder(client, new EventRecorderOptions { Component = component, Time = time }, loggers.CreateLogger<EventRecorder>());
                    _recorders[component] = recorder;
                }
                return recorder;
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
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
}
