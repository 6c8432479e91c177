
namespace MiniKube.Agent.Runtime.Docker;

// Event ids 600-619: the Docker runtime.
internal sealed partial class DockerRuntime
{
    [LoggerMessage(EventId = LogEvents.Agent + 800, Level = LogLevel.Information, Message = "Pulling image {Image}")]
    private partial void LogPulling(string image);

    [LoggerMessage(EventId = LogEvents.Agent + 802, Level = LogLevel.Information, Message = "Sandbox of {Namespace}/{Name} started: container {ContainerId}, IP {Ip}")]
    private partial void LogSandboxStarted(string @namespace, string name, string containerId, string ip);

    [LoggerMessage(EventId = LogEvents.Agent + 807, Level = LogLevel.Debug, Message = "Sandbox of {Namespace}/{Name}, ms per step: create {Create}, start {Start}, inspect {Inspect}, network {Network}")]
    private partial void LogSandboxSteps(string @namespace, string name, long create, long start, long inspect, long network);

    [LoggerMessage(EventId = LogEvents.Agent + 803, Level = LogLevel.Warning, Message = "Docker warns about container {Container}: {Warning}")]
    private partial void LogDockerWarning(string container, string warning);

    [LoggerMessage(EventId = LogEvents.Agent + 804, Level = LogLevel.Warning, Message = "Could not remove container {ContainerId} after a failed start: {Error}; the kubelet's cleanup will retry")]
    private partial void LogCleanupFailed(string containerId, string error);

    [LoggerMessage(EventId = LogEvents.Agent + 806, Level = LogLevel.Warning, Message = "Docker refused the image tarball {Path}: {Error}; it will be tried again on the next import")]
    private partial void LogImportFailed(string path, string error);
}
