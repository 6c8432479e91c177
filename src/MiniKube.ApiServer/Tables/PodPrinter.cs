using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// The pod row of <c>kubectl get pods</c>: READY, the STATUS precedence (init progress, container
/// waiting/terminated reasons, Completed-but-running, Terminating, NodeLost) and RESTARTS with
/// the time of the last restart, following printPod in kubernetes
/// pkg/printers/internalversion/printers.go line by line.
/// </summary>
internal static class PodPrinter
{
    // pkg/util/node NodeUnreachablePodReason: the node controller marks pods on lost nodes.
    private const string NodeLostReason = "NodeLost";

    public static TablePrinter Printer { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn.Text("Status", "The aggregate status of the containers in this pod."),
            TableColumn.Text("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            TableColumn.Age,
            TableColumn.Text("IP", "The pod's primary IP address.", 1),
            TableColumn.Text("Node", "The node the pod is bound to.", 1),
            TableColumn.Text("Nominated Node", "The node the scheduler nominated while preempting for this pod.", 1),
            TableColumn.Text("Readiness Gates", "Readiness gates that report True, of those the pod declares.", 1),
        ],
        Row,
        Conditions);

    private static JsonNode?[] Row(JsonObject pod, DateTimeOffset now)
    {
        var status = Summarize(pod);
        var restarts = status.Restarts != 0 && status.LastRestart is { } last
            ? string.Create(CultureInfo.InvariantCulture, $"{status.Restarts} ({HumanDuration.Since(last, now)} ago)")
            : status.Restarts.ToString(CultureInfo.InvariantCulture);
        var podIP = JsonFields.Objects(pod, "status", "podIPs").Select(ip => JsonFields.String(ip, "ip")).FirstOrDefault()
            ?? JsonFields.String(pod, "status", "podIP");
        return
        [
            Cells.Name(pod),
            string.Create(CultureInfo.InvariantCulture, $"{status.Ready}/{status.Total}"),
            status.Reason,
            restarts,
            Cells.Age(pod, now),
            Cells.OrElse(podIP, Cells.None),
            Cells.OrElse(JsonFields.String(pod, "spec", "nodeName"), Cells.None),
            Cells.OrElse(JsonFields.String(pod, "status", "nominatedNodeName"), Cells.None),
            ReadinessGates(pod),
        ];
    }

    // Completed pods carry a row condition, which clients may use to hide or dim them.
    private static JsonArray? Conditions(JsonObject pod) => JsonFields.Text(pod, "status", "phase") switch
    {
        "Succeeded" => [Completed("Succeeded", "The pod has completed successfully.")],
        "Failed" => [Completed("Failed", "The pod failed.")],
        _ => null,
    };

    private static JsonObject Completed(string reason, string message) => new()
    {
        ["type"] = "Completed",
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
    };

    private sealed record Summary(int Ready, int Total, string Reason, long Restarts, DateTimeOffset? LastRestart);

    private static Summary Summarize(JsonObject pod)
    {
        var phase = JsonFields.Text(pod, "status", "phase");
        var reason = Cells.OrElse(JsonFields.String(pod, "status", "reason"), phase);
        if (JsonFields.Objects(pod, "status", "conditions").Any(c => JsonFields.Text(c, "type") == "PodScheduled" && JsonFields.Text(c, "reason") == "SchedulingGated"))
        {
            reason = "SchedulingGated";
        }

        var initContainers = JsonFields.Objects(pod, "spec", "initContainers").ToList();
        var restartable = initContainers.Where(IsRestartable).Select(c => JsonFields.Text(c, "name")).ToHashSet(StringComparer.Ordinal);
        var total = JsonFields.Count(pod, "spec", "containers") + restartable.Count;
        var ready = 0;
        long restarts = 0;
        long sidecarRestarts = 0;
        DateTimeOffset? lastRestart = null;
        DateTimeOffset? lastSidecarRestart = null;

        var initializing = false;
        var index = 0;
        foreach (var container in JsonFields.Objects(pod, "status", "initContainerStatuses"))
        {
            var count = JsonFields.Integer(container, "restartCount") ?? 0;
            var finishedAt = JsonFields.Time(container, "lastState", "terminated", "finishedAt");
            restarts += count;
            lastRestart = Later(lastRestart, finishedAt);
            var isSidecar = restartable.Contains(JsonFields.Text(container, "name"));
            if (isSidecar)
            {
                sidecarRestarts += count;
                lastSidecarRestart = Later(lastSidecarRestart, finishedAt);
            }

            var terminated = JsonFields.Object(container, "state", "terminated");
            var waitingReason = JsonFields.Text(container, "state", "waiting", "reason");
            if (terminated is not null && (JsonFields.Integer(terminated, "exitCode") ?? 0) == 0)
            {
                index++;
                continue;
            }

            if (isSidecar && JsonFields.Boolean(container, "started") == true)
            {
                if (JsonFields.Boolean(container, "ready") == true)
                {
                    ready++;
                }

                index++;
                continue;
            }

            if (terminated is not null)
            {
                reason = "Init:" + TerminatedReason(terminated);
            }
            else if (waitingReason.Length > 0 && waitingReason != "PodInitializing")
            {
                reason = "Init:" + waitingReason;
            }
            else
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"Init:{index}/{initContainers.Count}");
            }

            initializing = true;
            break;
        }

        if (!initializing || IsInitialized(pod))
        {
            // Once initialized, only sidecar restarts count next to the app containers.
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            foreach (var container in JsonFields.Objects(pod, "status", "containerStatuses").Reverse())
            {
                restarts += JsonFields.Integer(container, "restartCount") ?? 0;
                lastRestart = Later(lastRestart, JsonFields.Time(container, "lastState", "terminated", "finishedAt"));
                var waitingReason = JsonFields.Text(container, "state", "waiting", "reason");
                var terminated = JsonFields.Object(container, "state", "terminated");
                if (waitingReason.Length > 0)
                {
                    reason = waitingReason;
                }
                else if (terminated is not null)
                {
                    reason = TerminatedReason(terminated);
                }
                else if (JsonFields.Boolean(container, "ready") == true && JsonFields.Object(container, "state", "running") is not null)
                {
                    hasRunning = true;
                    ready++;
                }
            }

            // A pod whose last-listed container completed while another still runs is not "Completed".
            if (reason == "Completed" && hasRunning)
            {
                reason = HasCondition(pod, "Ready") ? "Running" : "NotReady";
            }
        }

        var deleting = JsonFields.Get(pod, "metadata", "deletionTimestamp") is not null;
        if (deleting && JsonFields.Text(pod, "status", "reason") == NodeLostReason)
        {
            reason = "Unknown";
        }
        else if (deleting && phase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        return new Summary(ready, total, reason, restarts, lastRestart);
    }

    // A terminated state's reason, else Signal:N or ExitCode:N.
    private static string TerminatedReason(JsonObject terminated)
    {
        if (JsonFields.String(terminated, "reason") is { Length: > 0 } reason)
        {
            return reason;
        }

        var signal = JsonFields.Integer(terminated, "signal") ?? 0;
        return signal != 0
            ? string.Create(CultureInfo.InvariantCulture, $"Signal:{signal}")
            : string.Create(CultureInfo.InvariantCulture, $"ExitCode:{JsonFields.Integer(terminated, "exitCode") ?? 0}");
    }

    // A sidecar: an init container with restartPolicy Always (podutil.IsRestartableInitContainer).
    private static bool IsRestartable(JsonObject container) => JsonFields.Text(container, "restartPolicy") == "Always";

    private static bool IsInitialized(JsonObject pod) =>
        JsonFields.Objects(pod, "status", "conditions").FirstOrDefault(c => JsonFields.Text(c, "type") == "Initialized") is { } condition
        && JsonFields.Text(condition, "status") == "True";

    private static bool HasCondition(JsonObject pod, string type) =>
        JsonFields.Objects(pod, "status", "conditions").Any(c => JsonFields.Text(c, "type") == type && JsonFields.Text(c, "status") == "True");

    private static DateTimeOffset? Later(DateTimeOffset? current, DateTimeOffset? candidate) =>
        candidate is { } c && (current is null || current < c) ? c : current;

    private static string ReadinessGates(JsonObject pod)
    {
        var gates = JsonFields.Objects(pod, "spec", "readinessGates").Select(g => JsonFields.Text(g, "conditionType")).ToList();
        if (gates.Count == 0)
        {
            return Cells.None;
        }

        var conditions = JsonFields.Objects(pod, "status", "conditions").ToList();
        var satisfied = gates.Count(gate => conditions.FirstOrDefault(c => JsonFields.Text(c, "type") == gate) is { } condition
            && JsonFields.Text(condition, "status") == "True");
        return string.Create(CultureInfo.InvariantCulture, $"{satisfied}/{gates.Count}");
    }
}
