using Microsoft.Extensions.Time.Testing;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Agent.Tests.Runtime.Simulated;

public sealed class SimulatedRuntimeTests
{
    [Test]
    public async Task ListContainers_ContainerMeantToEnd_SucceedsAfterTheRunDuration()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var runtime = new SimulatedRuntime(time) { RunDuration = TimeSpan.FromSeconds(2) };
        var sandbox = await runtime.RunSandboxAsync(new SandboxConfig("uid", "ns", "job-pod", "job-pod"), CancellationToken.None);
        var job = await runtime.CreateContainerAsync(sandbox, new ContainerConfig("worker", "img") { RunsToCompletion = true }, CancellationToken.None);
        var server = await runtime.CreateContainerAsync(sandbox, new ContainerConfig("server", "img"), CancellationToken.None);
        await runtime.StartContainerAsync(job, CancellationToken.None);
        await runtime.StartContainerAsync(server, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(1));
        var early = await runtime.ListContainersAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        var later = await runtime.ListContainersAsync(CancellationToken.None);

        Assert.That(early.Single(c => c.Id == job).State, Is.EqualTo(ContainerState.Running));
        Assert.That(later.Single(c => c.Id == job), Has.Property("State").EqualTo(ContainerState.Exited).And.Property("ExitCode").EqualTo(0));
        Assert.That(later.Single(c => c.Id == server).State, Is.EqualTo(ContainerState.Running), "a container of a restartPolicy Always pod runs until stopped");
    }
}
