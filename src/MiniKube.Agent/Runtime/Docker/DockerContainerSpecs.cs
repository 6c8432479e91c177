using Docker.DotNet.Models;

namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// Turns the kubelet's sandbox and container configs into Docker create requests, as dockershim
/// did (kubernetes pkg/kubelet/dockershim/docker_sandbox.go, docker_container.go): the sandbox
/// owns the pod's network and IPC namespaces (and so its IP, hostname and hostPorts); every
/// container joins them with <c>container:&lt;sandbox id&gt;</c> modes, and an ephemeral container
/// with a target also joins the target's PID namespace. Pure functions, no Docker calls.
/// </summary>
internal static class DockerContainerSpecs
{
    // Kernel and kubelet CFS limits (kubernetes pkg/kubelet/cm/helpers_linux.go).
    private const long MinShares = 2;
    private const long MaxShares = 262144;
    private const long SharesPerCpu = 1024;
    private const long MilliCpuPerCpu = 1000;
    private const long QuotaPeriodMicros = 100_000;
    private const long MinQuotaMicros = 1000;

    /// <param name="podNetwork">The pod network wires the sandbox after it starts: Docker gives it network mode <c>none</c> and publishes no ports (hostPorts are the network's DNAT).</param>
    public static CreateContainerParameters Sandbox(SandboxConfig config, string image, int attempt, string node = DockerRuntime.DefaultNode, bool podNetwork = false)
    {
        var host = new HostConfig
        {
            // Containers join this IPC namespace; Docker only lets others join a "shareable" one.
            IpcMode = "shareable",
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
        };
        var create = new CreateContainerParameters
        {
            Name = DockerNames.Sandbox(config, attempt),
            Image = image,
            Labels = DockerLabels.ForSandbox(config, attempt, node),
            HostConfig = host,
        };

        // The app containers join this network namespace and with it this resolv.conf: Docker
        // gives a container:<id> member the joined container's file (and refuses --dns for it).
        if (config.Dns is { } dns)
        {
            host.DNS = [.. dns.Nameservers];
            host.DNSSearch = [.. dns.Searches];
            host.DNSOptions = [.. dns.Options];
        }

        if (config.HostNetwork)
        {
            // The node's network namespace: its hostname and ports are the node's own.
            host.NetworkMode = "host";
            return create;
        }

        host.NetworkMode = podNetwork ? "none" : "bridge";
        create.Hostname = config.Hostname;
        if (config.Ports.Count > 0 && !podNetwork)
        {
            create.ExposedPorts = new Dictionary<string, EmptyStruct>();
            host.PortBindings = new Dictionary<string, IList<PortBinding>>();
            foreach (var port in config.Ports)
            {
                var key = PortKey(port);
                create.ExposedPorts[key] = default;
                if (!host.PortBindings.TryGetValue(key, out var bindings))
                {
                    bindings = [];
                    host.PortBindings[key] = bindings;
                }

                bindings.Add(new PortBinding
                {
                    HostIP = port.HostIp ?? "",
                    HostPort = port.HostPort.ToString(CultureInfo.InvariantCulture),
                });
            }
        }

        return create;
    }

    public static CreateContainerParameters Container(PodSandbox sandbox, ContainerConfig config, string node = DockerRuntime.DefaultNode)
    {
        var joinSandbox = "container:" + sandbox.Id;
        var memory = config.MemoryLimitBytes;
        var host = new HostConfig
        {
            NetworkMode = joinSandbox,
            IpcMode = joinSandbox,
            // An ephemeral container with a target sees the target's processes (kubectl debug --target).
            PidMode = config.ProcessNamespaceOf is { } target ? "container:" + target : null,
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            Binds = [.. config.Mounts.Select(m => $"{m.HostPath}:{m.ContainerPath}{(m.ReadOnly ? ":ro" : "")}")],
            Privileged = config.Privileged,
            ReadonlyRootfs = config.ReadOnlyRootFilesystem,
            CPUShares = MilliCpuToShares(config.CpuRequestMillis),
            Memory = memory,
            // No swap beyond the limit, as the kubelet does: the memory limit is the limit.
            MemorySwap = memory,
        };
        if (config.CpuLimitMillis > 0)
        {
            host.CPUPeriod = QuotaPeriodMicros;
            host.CPUQuota = MilliCpuToQuota(config.CpuLimitMillis);
        }

        return new CreateContainerParameters
        {
            Name = DockerNames.Container(sandbox, config),
            Image = ImageReference.Parse(config.Image).Normalized.ToString(),
            // Kubernetes "command" replaces the image's ENTRYPOINT and "args" its CMD; an empty
            // one keeps the image's (kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go).
            Entrypoint = config.Command.Count > 0 ? [.. config.Command] : null,
            Cmd = config.Args.Count > 0 ? [.. config.Args] : null,
            Env = [.. config.Env.Select(e => $"{e.Key}={e.Value}")],
            WorkingDir = config.WorkingDir ?? "",
            User = config.RunAsUser?.ToString(CultureInfo.InvariantCulture) ?? "",
            Tty = config.Tty,
            OpenStdin = config.Stdin,
            StdinOnce = config.Stdin && config.StdinOnce,
            Labels = DockerLabels.ForContainer(sandbox, config, node),
            HostConfig = host,
        };
    }

    /// <summary>CPU request to cgroup v1 cpu.shares (kubelet's MilliCPUToShares): 1 CPU = 1024, at least 2.</summary>
    public static long MilliCpuToShares(long milliCpu) =>
        milliCpu <= 0 ? MinShares : Math.Clamp(milliCpu * SharesPerCpu / MilliCpuPerCpu, MinShares, MaxShares);

    /// <summary>CPU limit to a CFS quota over a 100 ms period (kubelet's MilliCPUToQuota), at least 1 ms.</summary>
    public static long MilliCpuToQuota(long milliCpu) =>
        Math.Max(milliCpu * QuotaPeriodMicros / MilliCpuPerCpu, MinQuotaMicros);

    private static string PortKey(PortMapping port) =>
        $"{port.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{port.Protocol.ToLowerInvariant()}";
}
