using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// A pod's status from what the runtime holds, as kubelet_pods.go generateAPIPodStatus builds
/// it: phase, the four conditions, IPs, start time and one status per container (the latest
/// attempt's state, the one before as lastState, restarts counted from attempts; ephemeral
/// containers in ephemeralContainerStatuses, outside the phase and the conditions).
/// </summary>
internal static class PodStatusBuilder
{
    public static V1PodStatus Build(V1Pod pod, PodSandbox? sandbox, IReadOnlyList<ContainerInfo> containers, IReadOnlyDictionary<string, string> waitingReasons, IReadOnlyDictionary<string, bool> readiness, string hostIp, DateTime now)
    {
        var old = pod.Status ?? new V1PodStatus();
        var initStatuses = (pod.Spec.InitContainers ?? []).Select(c => ContainerStatus(c, containers, waitingReasons, init: true, ready: false)).ToList();
        var appStatuses = pod.Spec.Containers.Select(c => ContainerStatus(c, containers, waitingReasons, init: false, readiness.GetValueOrDefault(c.Name, c.ReadinessProbe is null))).ToList();
        var initialized = initStatuses.All(s => s.State?.Terminated?.ExitCode == 0);
        var allReady = appStatuses.All(s => s.Ready);
        var phase = Phase(pod, initialized, initStatuses, appStatuses);
        // Host-network pods have the node's address.
        var podIp = sandbox?.Ip ?? (pod.Spec.HostNetwork == true && sandbox is not null ? hostIp : null);
        var status = new V1PodStatus
        {
            Phase = phase,
            HostIP = hostIp,
            HostIPs = [new V1HostIP { Ip = hostIp }],
            PodIP = podIp,
            PodIPs = podIp is { } ip ? [new V1PodIP { Ip = ip }] : null,
            StartTime = old.StartTime ?? now,
            QosClass = old.QosClass,
            InitContainerStatuses = initStatuses.Count > 0 ? initStatuses : null,
            ContainerStatuses = appStatuses,
            // Never ready, never restarted; they take no part in the phase or the conditions.
            EphemeralContainerStatuses = pod.Spec.EphemeralContainers is { Count: > 0 } ephemeral
                ? [.. ephemeral.Select(e => ContainerStatus(EphemeralContainers.AsContainer(e), containers, waitingReasons, init: false, ready: false))]
                : null,
            Conditions =
            [
                Condition(old, "PodReadyToStartContainers", sandbox is { Running: true }, now),
                Condition(old, "Initialized", initialized, now),
                Condition(old, "Ready", allReady && phase == "Running", now),
                Condition(old, "ContainersReady", allReady, now),
                Condition(old, "PodScheduled", true, now),
            ],
        };
        return status;
    }

    private static string Phase(V1Pod pod, bool initialized, List<V1ContainerStatus> init, List<V1ContainerStatus> app)
    {
        var policy = pod.Spec.RestartPolicy ?? "Always";
        if (init.Any(s => s.State?.Terminated is { ExitCode: not 0 }) && policy == "Never")
        {
            return "Failed";
        }
        if (!initialized)
        {
            return "Pending";
        }
        var running = app.Count(s => s.State?.Running is not null);
        var terminated = app.Where(s => s.State?.Terminated is not null).ToList();
        if (policy != "Always" && terminated.Count == app.Count)
        {
            return terminated.All(s => s.State!.Terminated!.ExitCode == 0) ? "Succeeded" : policy == "Never" ? "Failed" : "Running";
        }
        // Started once and restarting (CrashLoopBackOff) still counts as Running, as upstream.
        return running > 0 || app.Any(s => s.LastState?.Terminated is not null) || terminated.Count > 0 ? "Running" : "Pending";
    }

    private static V1ContainerStatus ContainerStatus(V1Container spec, IReadOnlyList<ContainerInfo> containers, IReadOnlyDictionary<string, string> waitingReasons, bool init, bool ready)
    {
        var attempts = containers.Where(c => c.Name == spec.Name && c.Init == init).OrderByDescending(c => c.Attempt).ToList();
        var latest = attempts.FirstOrDefault();
        var previous = attempts.Skip(1).FirstOrDefault();
        var status = new V1ContainerStatus
        {
            Name = spec.Name,
            Image = spec.Image,
            ImageID = latest?.ImageId ?? "",
            RestartCount = latest?.Attempt ?? 0,
            Started = latest?.State == Runtime.ContainerState.Running,
            Ready = latest?.State == Runtime.ContainerState.Running && !init && ready,
            ContainerID = latest is null ? null : "docker://" + latest.Id,
            LastState = previous is null ? new V1ContainerState() : new V1ContainerState { Terminated = Terminated(previous) },
        };
        if (waitingReasons.TryGetValue(spec.Name, out var reason))
        {
            status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason.Split(':', 2)[0], Message = reason.Contains(':', StringComparison.Ordinal) ? reason.Split(':', 2)[1].Trim() : null } };
            if (latest?.State == Runtime.ContainerState.Exited)
            {
                status.LastState = new V1ContainerState { Terminated = Terminated(latest) };
            }
            return status;
        }
        status.State = latest?.State switch
        {
            Runtime.ContainerState.Running => new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = latest.StartedAt?.UtcDateTime } },
            Runtime.ContainerState.Exited => new V1ContainerState { Terminated = Terminated(latest) },
            _ => new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } },
        };
        return status;
    }

    private static V1ContainerStateTerminated Terminated(ContainerInfo info) => new()
    {
        ExitCode = info.ExitCode,
        Reason = info.Reason ?? (info.ExitCode == 0 ? "Completed" : "Error"),
        StartedAt = info.StartedAt?.UtcDateTime,
        FinishedAt = info.FinishedAt?.UtcDateTime,
        ContainerID = "docker://" + info.Id,
    };

    private static V1PodCondition Condition(V1PodStatus old, string type, bool value, DateTime now)
    {
        var status = value ? "True" : "False";
        var previous = old.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1PodCondition
        {
            Type = type,
            Status = status,
            LastTransitionTime = previous?.Status == status ? previous.LastTransitionTime : now,
        };
    }
}
