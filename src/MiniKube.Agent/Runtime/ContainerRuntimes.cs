using MiniKube.Agent.Runtime.Simulated;

namespace MiniKube.Agent.Runtime;

/// <summary>The runtime a kubelet uses, by the name given on the command line (--runtime).</summary>
public static class ContainerRuntimes
{
    /// <param name="simulatedStartDelay">How long a simulated container takes to start (<c>--simulated-start-delay</c>); unused by Docker.</param>
    public static IContainerRuntime Create(string kind, string nodeName, string dockerEndpoint, string sandboxImage, TimeSpan simulatedStartDelay, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return kind switch
        {
            "simulated" => new SimulatedRuntime(time) { StartDelay = simulatedStartDelay },
            "docker" => new Docker.DockerRuntime(loggers.CreateLogger<Docker.DockerRuntime>(), dockerEndpoint, sandboxImage, nodeName),
            _ => throw new ArgumentException($"unknown container runtime '{kind}'", nameof(kind)),
        };
    }
}
