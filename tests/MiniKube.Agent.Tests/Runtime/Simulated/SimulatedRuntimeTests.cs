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

    [Test]
    public async Task UpdatePodCidrAsync_OwnPool_NextPodsFromThePodCidrWithoutReusingAddressesInUse()
    {
        var runtime = new SimulatedRuntime(TimeProvider.System);
        var before = await runtime.RunSandboxAsync(new SandboxConfig("uid-1", "ns", "early", "early"), CancellationToken.None);

        await runtime.UpdatePodCidrAsync(System.Net.IPNetwork.Parse("10.42.0.0/24"), CancellationToken.None);
        var after = await runtime.RunSandboxAsync(new SandboxConfig("uid-2", "ns", "late", "late"), CancellationToken.None);

        Assert.That(before.Ip, Is.EqualTo("10.42.0.1"));
        Assert.That(after.Ip, Is.EqualTo("10.42.0.2"), "in the podCIDR, and not the address the earlier pod still holds");
    }

    [Test]
    public async Task UpdatePodCidrAsync_SharedPool_KeepsIt()
    {
        var shared = new SimulatedPodAddresses(SimulatedPodAddresses.FleetSubnet);
        var runtime = new SimulatedRuntime(TimeProvider.System, shared);

        await runtime.UpdatePodCidrAsync(System.Net.IPNetwork.Parse("10.42.0.0/24"), CancellationToken.None);
        var sandbox = await runtime.RunSandboxAsync(new SandboxConfig("uid-1", "ns", "pod", "pod"), CancellationToken.None);

        Assert.That(sandbox.Ip, Is.EqualTo("10.42.128.1"), "simulated nodes sharing a pool keep it, so their pods never collide");
    }
}
