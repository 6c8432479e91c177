using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class PodStartupTrackerTests
{
    private static readonly V1Pod Pod = new() { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop", Uid = "uid-1" } };

    [Test]
    public void StatusWritten_RunningWithEveryContainerRunning_LogsTheStepsOnce()
    {
        var logs = new RecordingLoggerFactory();
        var tracker = new PodStartupTracker(logs.CreateLogger("kubelet"));
        tracker.Begin("uid-1");
        tracker.Mark("uid-1", "sandbox");
        tracker.Mark("uid-1", "start");

        tracker.StatusWritten(Pod, Status("Running", running: true));
        tracker.StatusWritten(Pod, Status("Running", running: true));

        var observed = logs.Entries.Where(e => e.Message.StartsWith("Observed pod startup duration", StringComparison.Ordinal)).ToList();
        Assert.That(observed, Has.Count.EqualTo(1));
        Assert.That(observed[0].Level, Is.EqualTo(LogLevel.Debug));
        Assert.That(observed[0].Message, Does.Contain("shop/web").And.Match(@"ms per step: sandbox \d+, start \d+, status \d+\)$"));
    }

    [Test]
    public void StatusWritten_ContainerNotRunningYet_KeepsTimingUntilItIs()
    {
        var logs = new RecordingLoggerFactory();
        var tracker = new PodStartupTracker(logs.CreateLogger("kubelet"));
        tracker.Begin("uid-1");

        tracker.StatusWritten(Pod, Status("Pending", running: false));
        tracker.StatusWritten(Pod, Status("Running", running: false));
        Assert.That(logs.Entries, Is.Empty);

        tracker.StatusWritten(Pod, Status("Running", running: true));
        Assert.That(logs.Entries, Has.Count.EqualTo(1));
    }

    [Test]
    public void Forget_PodThatNeverRan_LogsNothingLater()
    {
        var logs = new RecordingLoggerFactory();
        var tracker = new PodStartupTracker(logs.CreateLogger("kubelet"));
        tracker.Begin("uid-1");
        tracker.Forget("uid-1");

        tracker.StatusWritten(Pod, Status("Running", running: true));

        Assert.That(logs.Entries, Is.Empty);
    }

    private static V1PodStatus Status(string phase, bool running) => new()
    {
        Phase = phase,
        ContainerStatuses = [new V1ContainerStatus
        {
            Name = "main",
            Image = "busybox",
            ImageID = "",
            Ready = running,
            RestartCount = 0,
            State = running ? new V1ContainerState { Running = new V1ContainerStateRunning() } : new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } },
        }],
    };
}
