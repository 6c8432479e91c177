using Microsoft.Extensions.Logging;

namespace MiniKube.Scheduler;

// Event ids 700–729 belong to the scheduler.
public sealed partial class KubeScheduler
{
    [LoggerMessage(EventId = LogEvents.Scheduler + 700, Level = LogLevel.Information, Message = "Scheduler {SchedulerName} is deciding pods; its cache holds {Nodes} nodes and {Pods} bound pods")]
    private partial void LogStarted(string schedulerName, int nodes, int pods);

    [LoggerMessage(EventId = LogEvents.Scheduler + 701, Level = LogLevel.Debug, Message = "Bound {Namespace}/{Name} to {Node}")]
    private partial void LogBound(string @namespace, string name, string node);

    [LoggerMessage(EventId = LogEvents.Scheduler + 702, Level = LogLevel.Debug, Message = "Pod {Namespace}/{Name} is unschedulable: {Reason}")]
    private partial void LogUnschedulable(string @namespace, string name, string reason);

    [LoggerMessage(EventId = LogEvents.Scheduler + 703, Level = LogLevel.Warning, Message = "Binding {Namespace}/{Name} to {Node} failed ({Error}); the pod will be decided again")]
    private partial void LogBindFailed(string @namespace, string name, string node, string error);

    [LoggerMessage(EventId = LogEvents.Scheduler + 704, Level = LogLevel.Warning, Message = "Could not write PodScheduled=False to {Namespace}/{Name} ({Error}); the next attempt writes it again")]
    private partial void LogConditionFailed(string @namespace, string name, string error);

    [LoggerMessage(EventId = LogEvents.Scheduler + 705, Level = LogLevel.Information, Message = "Preempted {Namespace}/{Name} on {Node} to make room for {PreemptorNamespace}/{Preemptor}")]
    private partial void LogPreempted(string @namespace, string name, string node, string preemptorNamespace, string preemptor);

    [LoggerMessage(EventId = LogEvents.Scheduler + 706, Level = LogLevel.Warning, Message = "Could not preempt {Namespace}/{Name} ({Error}); the preemptor is decided again on the next change")]
    private partial void LogPreemptionFailed(string @namespace, string name, string error);
}
