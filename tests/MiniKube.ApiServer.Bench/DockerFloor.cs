using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Docker's floor for pod start (issue 15's performance goal): the same containers the kubelet
/// makes for a pod, started straight through the Docker API with no kubelet in between — a
/// sandbox of the pause image with network mode <c>none</c> and a shareable IPC namespace, then
/// the pod's container joined to its network and IPC namespaces (as DockerContainerSpecs makes
/// them). Pods start concurrently, as the kubelet's workers start them. Everything it creates
/// carries <see cref="Label"/>, so <see cref="RemoveAllAsync"/> (and scripts/bench's trap) find it.
/// </summary>
internal sealed class DockerFloor : IDisposable
{
    public const string Label = "io.mkube.bench";
    public const string LabelValue = "floor";

    private readonly DockerClientConfiguration _configuration = new(new Uri("unix:///var/run/docker.sock"));
    private readonly DockerClient _docker;
    private int _started;

    public DockerFloor() => _docker = _configuration.CreateClient();

    /// <summary>Starts <paramref name="pods"/> sandbox-plus-container pairs at once; returns the time until the last container has started.</summary>
    public async Task<TimeSpan> StartPodsAsync(int pods, string sandboxImage, string image, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var batch = Interlocked.Increment(ref _started);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, pods).Select(i => Task.Run(() => StartPodAsync($"bench-floor-{batch}-{i}", sandboxImage, image, command, cancellationToken), cancellationToken)));
        return clock.Elapsed;
    }

    private async Task StartPodAsync(string name, string sandboxImage, string image, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string> { [Label] = LabelValue };
        var sandbox = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name + "-pause",
            Image = sandboxImage,
            Hostname = name,
            Labels = labels,
            HostConfig = new HostConfig { NetworkMode = "none", IpcMode = "shareable", RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No } },
        }, cancellationToken);
        await _docker.Containers.StartContainerAsync(sandbox.ID, new ContainerStartParameters(), cancellationToken);
        var join = "container:" + sandbox.ID;
        var container = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name + "-main",
            Image = image,
            Entrypoint = [.. command],
            Labels = labels,
            HostConfig = new HostConfig { NetworkMode = join, IpcMode = join, RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No } },
        }, cancellationToken);
        await _docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), cancellationToken);
    }

    /// <summary>Removes every container this floor made (forced, so running ones go too).</summary>
    public async Task RemoveAllAsync(CancellationToken cancellationToken)
    {
        var mine = await ListAsync(new Dictionary<string, bool> { [$"{Label}={LabelValue}"] = true }, cancellationToken);
        await Task.WhenAll(mine.Select(c => _docker.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true }, cancellationToken)));
    }

    /// <summary>How many containers carry label <paramref name="key"/>=<paramref name="value"/> (any state).</summary>
    public async Task<int> CountAsync(string key, string value, CancellationToken cancellationToken) =>
        (await ListAsync(new Dictionary<string, bool> { [$"{key}={value}"] = true }, cancellationToken)).Count;

    private Task<IList<ContainerListResponse>> ListAsync(IDictionary<string, bool> labels, CancellationToken cancellationToken) =>
        _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
        }, cancellationToken);

    public void Dispose()
    {
        _docker.Dispose();
        _configuration.Dispose();
    }
}
