using Docker.DotNet.Models;
using MiniKube.Agent.Runtime.Docker;
using ContainerState = MiniKube.Agent.Runtime.ContainerState;
using DockerState = Docker.DotNet.Models.ContainerState;

namespace MiniKube.Agent.Tests.Runtime.Docker;

public class DockerContainerStatusTests
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    [Test]
    public void ParseTime_ZeroTimeOrEmpty_IsNull() =>
        Assert.That(new[] { DockerContainerStatus.ParseTime(ZeroTime), DockerContainerStatus.ParseTime(""), DockerContainerStatus.ParseTime(null) }, Is.All.Null);

    [Test]
    public void ParseTime_NanosecondPrecision_ParsesToUtc() =>
        Assert.That(
            DockerContainerStatus.ParseTime("2024-05-06T07:08:09.123456789Z"),
            Is.EqualTo(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1_234_567)).Within(TimeSpan.FromTicks(1)));

    [Test]
    public void ToContainerInfo_ExitedNonZero_ErrorWithTimesAndLabels()
    {
        var info = DockerContainerStatus.ToContainerInfo(Inspect(new DockerState
        {
            Status = "exited",
            ExitCode = 3,
            StartedAt = "2024-05-06T07:08:09.5Z",
            FinishedAt = "2024-05-06T07:08:10Z",
        }));

        Assert.Multiple(() =>
        {
            Assert.That(info.State, Is.EqualTo(ContainerState.Exited));
            Assert.That(info.ExitCode, Is.EqualTo(3));
            Assert.That(info.Reason, Is.EqualTo("Error"));
            Assert.That(info.StartedAt, Is.EqualTo(new DateTimeOffset(2024, 5, 6, 7, 8, 9, 500, TimeSpan.Zero)));
            Assert.That(info.FinishedAt, Is.EqualTo(new DateTimeOffset(2024, 5, 6, 7, 8, 10, TimeSpan.Zero)));
            Assert.That((info.Id, info.PodUid, info.Name, info.Attempt, info.Init), Is.EqualTo(("c1", "uid-1", "app", 2, true)));
            Assert.That((info.Image, info.ImageId), Is.EqualTo(("busybox:latest", "sha256:abc")));
        });
    }

    [Test]
    public void ToContainerInfo_OomKilled_ReasonOomKilled()
    {
        var info = DockerContainerStatus.ToContainerInfo(Inspect(new DockerState
        {
            Status = "exited",
            ExitCode = 137,
            OOMKilled = true,
            StartedAt = "2024-05-06T07:08:09Z",
            FinishedAt = "2024-05-06T07:08:10Z",
        }));

        Assert.That((info.State, info.Reason), Is.EqualTo((ContainerState.Exited, "OOMKilled")));
    }

    [Test]
    public void ToContainerInfo_CreatedNeverStarted_CreatedWithoutTimes()
    {
        var info = DockerContainerStatus.ToContainerInfo(Inspect(new DockerState { Status = "created", StartedAt = ZeroTime, FinishedAt = ZeroTime }));

        Assert.That((info.State, info.StartedAt, info.FinishedAt, info.Reason), Is.EqualTo((ContainerState.Created, (DateTimeOffset?)null, (DateTimeOffset?)null, (string?)null)));
    }

    [Test]
    public void ToContainerInfo_FailedToStart_ContainerCannotRun()
    {
        var info = DockerContainerStatus.ToContainerInfo(Inspect(new DockerState { Status = "created", ExitCode = 127, StartedAt = ZeroTime, FinishedAt = ZeroTime }));

        Assert.That((info.State, info.ExitCode, info.Reason), Is.EqualTo((ContainerState.Exited, 127, "ContainerCannotRun")));
    }

    [Test]
    public void ToContainerInfo_Running_Running() =>
        Assert.That(
            DockerContainerStatus.ToContainerInfo(Inspect(new DockerState { Status = "running", Running = true, StartedAt = "2024-05-06T07:08:09Z", FinishedAt = ZeroTime })).State,
            Is.EqualTo(ContainerState.Running));

    private static ContainerInspectResponse Inspect(DockerState state) => new()
    {
        ID = "c1",
        Image = "sha256:abc",
        Created = new DateTime(2024, 5, 6, 7, 8, 0, DateTimeKind.Utc),
        State = state,
        Config = new Config
        {
            Image = "busybox:latest",
            Labels = new Dictionary<string, string>
            {
                [DockerLabels.PodUid] = "uid-1",
                [DockerLabels.ContainerName] = "app",
                [DockerLabels.Attempt] = "2",
                [DockerLabels.Init] = "true",
            },
        },
    };
}
