using Docker.DotNet.Models;

namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// Reads what the kubelet needs from a Docker inspect, following dockershim's ContainerStatus
/// (kubernetes pkg/kubelet/dockershim/docker_container.go): a container that ran and finished
/// is Exited with reason OOMKilled, Completed or Error; one that never started but has an exit
/// code is Exited with ContainerCannotRun; otherwise it is only Created. Docker's zero time
/// ("0001-01-01T00:00:00Z") means "never" and becomes null.
/// </summary>
internal static class DockerContainerStatus
{
    public static ContainerInfo ToContainerInfo(ContainerInspectResponse inspect)
    {
        var labels = inspect.Config?.Labels;
        var state = inspect.State;
        var startedAt = ParseTime(state?.StartedAt);
        var finishedAt = ParseTime(state?.FinishedAt);
        // Docker stamps the two times from different places; a container that exits at once can
        // show a finish microseconds before its start. Status must never run backwards.
        if (startedAt is { } started && finishedAt < started)
        {
            finishedAt = started;
        }
        var exitCode = (int)(state?.ExitCode ?? 0);

        ContainerState phase;
        string? reason = null;
        if (state is null)
        {
            phase = ContainerState.Unknown;
        }
        else if (state.Running)
        {
            phase = ContainerState.Running;
        }
        else if (finishedAt is not null)
        {
            phase = ContainerState.Exited;
            reason = state.OOMKilled ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
        }
        else if (exitCode != 0)
        {
            // Docker could not start it (e.g. no such executable): it never ran.
            phase = ContainerState.Exited;
            reason = "ContainerCannotRun";
            startedAt = finishedAt = AsUtc(inspect.Created);
        }
        else
        {
            phase = ContainerState.Created;
        }

        return new ContainerInfo(
            inspect.ID,
            DockerLabels.Get(labels, DockerLabels.PodUid),
            DockerLabels.Get(labels, DockerLabels.ContainerName),
            DockerLabels.GetInt(labels, DockerLabels.Attempt),
            DockerLabels.GetBool(labels, DockerLabels.Init),
            phase,
            inspect.Config?.Image ?? "",
            inspect.Image ?? "")
        {
            ExitCode = exitCode,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            Reason = reason,
            Ephemeral = DockerLabels.GetBool(labels, DockerLabels.Ephemeral),
        };
    }

    private static DateTimeOffset AsUtc(DateTime time) =>
        new(time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>An RFC 3339 time from Docker; null for empty or Docker's zero time (year 1).</summary>
    public static DateTimeOffset? ParseTime(string? value)
    {
        if (string.IsNullOrEmpty(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            || time.Year <= 1)
        {
            return null;
        }

        return time.ToUniversalTime();
    }
}
