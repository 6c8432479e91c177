using MiniKube.Agent.Network;
using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Agent.Runtime;

/// <summary>The runtime a kubelet uses, by the name given on the command line (--runtime).</summary>
public static class ContainerRuntimes
{
    /// <param name="simulatedStartDelay">How long a simulated container takes to start (<c>--simulated-start-delay</c>); unused by Docker.</param>
    /// <param name="podNetwork">The node's pod network (Docker only); null leaves Docker's default bridge to the sandboxes.</param>
    /// <param name="registriesFile">The node's registries.yaml (Docker only: mirrors, credentials, TLS).</param>
    public static IContainerRuntime Create(string kind, string nodeName, string dockerEndpoint, string sandboxImage, TimeSpan simulatedStartDelay, TimeProvider time, ILoggerFactory loggers, PodNetworkOptions? podNetwork = null, string? registriesFile = null)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return kind switch
        {
            "simulated" => new SimulatedRuntime(time) { StartDelay = simulatedStartDelay },
            "docker" => new Docker.DockerRuntime(loggers.CreateLogger<Docker.DockerRuntime>(), dockerEndpoint, sandboxImage, nodeName,
                podNetwork is null ? null : new PodNetwork(podNetwork, HostCommands.Instance, loggers.CreateLogger<PodNetwork>()), registriesFile),
            _ => throw new ArgumentException($"unknown container runtime '{kind}'", nameof(kind)),
        };
    }
}
