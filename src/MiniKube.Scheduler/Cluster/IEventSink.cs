
namespace MiniKube.Scheduler.Cluster;

/// <summary>
/// Where the scheduler reports Scheduled and FailedScheduling events. Recording never blocks a
/// decision and may drop events under pressure, as client-go's broadcaster does. A stand-in
/// until MiniKube.Client has a shared event recorder.
/// </summary>
internal interface IEventSink
{
    void Record(V1Pod pod, string type, string reason, string action, string message);

    Task RunAsync(CancellationToken cancellationToken);
}
