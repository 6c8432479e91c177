using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client.Events;

/// <summary>The two event types kubectl shows.</summary>
public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

/// <summary>Settings of one <see cref="EventRecorder"/>.</summary>
public sealed record EventRecorderOptions
{
    /// <summary>Who reports: <c>source.component</c> and <c>reportingComponent</c>, the "From" column of kubectl describe ("default-scheduler", "replicaset-controller").</summary>
    public required string Component { get; init; }

    /// <summary><c>source.host</c> and <c>reportingInstance</c>: the node for a kubelet, empty for control-plane components.</summary>
    public string Host { get; init; } = "";

    /// <summary>Events waiting to be written; more are dropped, as upstream's broadcaster drops them rather than block a controller.</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>Similar events (one object, type and reason, any message) no further apart than this count toward combining them (upstream's 600 s).</summary>
    public TimeSpan AggregationWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many events, and how many groups of similar events, are remembered, the least recently used forgotten first (upstream's LRUs hold 4096).</summary>
    public int CacheSize { get; init; } = 4096;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// core/v1 Events for what users read in <c>kubectl describe</c> (client-go tools/record
/// event.go): recording never blocks and never fails — events go through a bounded channel to
/// <see cref="RunAsync"/>, which writes them as an <see cref="EventCorrelator"/> decides. An
/// event already written (object, type, reason, message) is not written anew: the existing
/// Event's count, lastTimestamp and message are patched, as kubectl then shows "3m (x5 over
/// 10m)"; a flood of similar events with different messages becomes one combined Event.
/// </summary>
public sealed partial class EventRecorder
{
    private readonly IKubernetes _client;
    private readonly EventRecorderOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _pending;

    // Touched only by RunAsync's single reader.
    private readonly EventCorrelator _correlator;
    private long _sequence;

    public EventRecorder(IKubernetes client, EventRecorderOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrEmpty(options.Component);
        _client = client;
        _options = options;
        _logger = logger;
        _correlator = new EventCorrelator(options.CacheSize, options.AggregationWindow);
        _pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    /// <summary>Records an event about <paramref name="obj"/>; its kind and apiVersion come from the model type when the object lacks them.</summary>
    public void Record(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Record(ObjectReferences.To(obj), type, reason, message);
    }

    /// <summary>Records an event about the object <paramref name="involved"/> refers to (kind, namespace, name and uid are what kubectl describe matches on).</summary>
    public void Record(V1ObjectReference involved, string type, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(involved);
        if (!_pending.Writer.TryWrite(new Pending(involved, type, reason, message, _options.Time.GetUtcNow())))
        {
            LogDropped(reason, involved.NamespaceProperty, involved.Name);
        }
    }

    /// <summary>Stops accepting events; <see cref="RunAsync"/> returns once those already recorded are written.</summary>
    public void Complete() => _pending.Writer.TryComplete();

    /// <summary>Writes recorded events until cancelled or <see cref="Complete"/>d.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var pending in _pending.Reader.ReadAllAsync(cancellationToken))
            {
                await WriteAsync(pending, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping; events still queued are lost, as upstream loses them on shutdown.
        }
    }

    private async Task WriteAsync(Pending pending, CancellationToken cancellationToken)
    {
        var correlation = _correlator.Correlate(pending.Involved, pending.Type, pending.Reason, pending.Message, pending.At);
        try
        {
            if (correlation.Earlier is { } earlier)
            {
                var patched = earlier with { Count = earlier.Count + 1 };
                if (await TryPatchAsync(pending, patched, correlation.Message, cancellationToken))
                {
                    _correlator.Written(correlation, patched);
                    return;
                }
            }
            // Upstream names events "<object>.<unix nanoseconds in hex>"; the sequence keeps names unique when the clock stands still.
            var suffix = (pending.At.ToUnixTimeMilliseconds() * 1_000_000) + (Interlocked.Increment(ref _sequence) % 1_000_000);
            await _client.CoreV1.CreateNamespacedEventAsync(NewEvent(pending, correlation.Message, suffix), NamespaceOf(pending.Involved), cancellationToken: cancellationToken);
            _correlator.Written(correlation, new WrittenEvent(suffix, 1));
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or TimeoutException)
        {
            // An event is advice, not state: it is logged and dropped rather than retried forever.
            LogWriteFailed(pending.Reason, pending.Involved.NamespaceProperty, pending.Involved.Name, e.Message);
        }
    }

    /// <summary>Sets an Event's count, lastTimestamp and message, the fields upstream's patch changes (the message differs for a combined Event: the latest one).</summary>
    /// <returns>False when the Event is gone (expired or deleted), so a new one must be created.</returns>
    private async Task<bool> TryPatchAsync(Pending pending, WrittenEvent patched, string message, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["count"] = patched.Count,
            ["lastTimestamp"] = pending.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["message"] = message,
        };
        try
        {
            await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch), EventName(pending.Involved, patched.NameSuffix), NamespaceOf(pending.Involved), cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private Corev1Event NewEvent(Pending pending, string message, long nameSuffix)
    {
        var time = Seconds(pending.At);
        return new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = EventName(pending.Involved, nameSuffix),
                NamespaceProperty = NamespaceOf(pending.Involved),
            },
            InvolvedObject = pending.Involved,
            Type = pending.Type,
            Reason = pending.Reason,
            Message = message,
            FirstTimestamp = time,
            LastTimestamp = time,
            Count = 1,
            Source = new V1EventSource { Component = _options.Component, Host = _options.Host.Length > 0 ? _options.Host : null },
            ReportingComponent = _options.Component,
            ReportingInstance = _options.Host,
        };
    }

    private static string EventName(V1ObjectReference involved, long suffix) => $"{involved.Name}.{suffix:x}";

    // Cluster-scoped objects (nodes, PVs) have their events in "default", as upstream puts them.
    private static string NamespaceOf(V1ObjectReference involved) =>
        involved.NamespaceProperty is { Length: > 0 } ns ? ns : "default";

    // metav1.Time has whole seconds on the wire.
    private static DateTime Seconds(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    [LoggerMessage(EventId = LogEvents.Client + 520, Level = LogLevel.Debug, Message = "Event queue full; dropped {Reason} for {Namespace}/{Name}")]
    private partial void LogDropped(string reason, string? @namespace, string? name);

    [LoggerMessage(EventId = LogEvents.Client + 521, Level = LogLevel.Warning, Message = "Could not write event {Reason} for {Namespace}/{Name}: {Error}")]
    private partial void LogWriteFailed(string reason, string? @namespace, string? name, string error);

    private sealed record Pending(V1ObjectReference Involved, string Type, string Reason, string Message, DateTimeOffset At);
}
