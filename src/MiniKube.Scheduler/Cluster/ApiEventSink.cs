using System.Globalization;
using System.Threading.Channels;
using k8s;
using Microsoft.Extensions.Logging;

namespace MiniKube.Scheduler.Cluster;

/// <summary>
/// Writes core/v1 Events through the API server from a bounded buffer (1,000, like client-go's
/// broadcaster queue); when the API server falls behind, new events are dropped rather than
/// slowing scheduling. Names follow client-go's "&lt;object&gt;.&lt;hex nanoseconds&gt;". No
/// aggregation of repeats (the shared recorder will add it).
/// </summary>
internal sealed partial class ApiEventSink(IKubernetes client, string component, TimeProvider time, ILogger logger) : IEventSink
{
    private const int Writers = 2;
    private readonly Channel<Corev1Event> _pending = Channel.CreateBounded<Corev1Event>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string _instance = component + "-" + Environment.MachineName;
    private long _lastNanos;

    public void Record(V1Pod pod, string type, string reason, string action, string message)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var now = time.GetUtcNow();
        var nanos = UniqueNanos(now);
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"{pod.Metadata.Name}.{nanos:x}"),
                NamespaceProperty = pod.Metadata.NamespaceProperty,
            },
            InvolvedObject = ObjectReferences.To(pod),
            Type = type,
            Reason = reason,
            Action = action,
            Message = message,
            Source = new V1EventSource { Component = component },
            ReportingComponent = component,
            ReportingInstance = _instance,
            FirstTimestamp = now.UtcDateTime,
            LastTimestamp = now.UtcDateTime,
            Count = 1,
        };
        _pending.Writer.TryWrite(ev);
    }

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => WriteAsync(cancellationToken)));

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var ev in _pending.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await client.CoreV1.CreateNamespacedEventAsync(ev, ev.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
                }
                catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException or KubernetesException
                    || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // An event is best effort: a lost one is logged, never retried (client-go gives up after a few tries too).
                    LogEventLost(ev.Reason, ev.InvolvedObject.NamespaceProperty, ev.InvolvedObject.Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private long UniqueNanos(DateTimeOffset now)
    {
        var nanos = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        long last, next;
        do
        {
            last = Interlocked.Read(ref _lastNanos);
            next = Math.Max(nanos, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastNanos, next, last) != last);
        return next;
    }

    [LoggerMessage(EventId = LogEvents.Scheduler + 720, Level = LogLevel.Debug, Message = "Could not record event {Reason} for pod {Namespace}/{Name}: {Error}")]
    private partial void LogEventLost(string reason, string @namespace, string name, string error);
}
