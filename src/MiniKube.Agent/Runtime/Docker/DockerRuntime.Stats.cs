using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Runtime.Docker;

// Stats straight from the kernel, as cadvisor reads them for the kubelet: the containers'
// cgroups (Docker's cgroupfs or systemd layout, v1 or v2) and the host's /proc. No Docker API
// call: its stats endpoint samples for a second per container.
internal sealed partial class DockerRuntime
{
    private readonly CgroupStats _cgroups = new();
    private readonly HostStats _host = new();

    public Task<ResourceUsage> NodeUsageAsync(CancellationToken cancellationToken) => Task.FromResult(_host.Read(DateTimeOffset.UtcNow));

    public Task<IReadOnlyDictionary<string, ResourceUsage>> ContainerUsageAsync(IReadOnlyList<ContainerInfo> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var usage = new Dictionary<string, ResourceUsage>(StringComparer.Ordinal);
        var now = DateTimeOffset.UtcNow;
        foreach (var container in containers)
        {
            if (container.State == ContainerState.Running && _cgroups.DockerContainer(container.Id) is { } cgroup && _cgroups.Read(cgroup, now) is { } read)
            {
                usage[container.Id] = read;
            }
        }
        return Task.FromResult<IReadOnlyDictionary<string, ResourceUsage>>(usage);
    }
}
