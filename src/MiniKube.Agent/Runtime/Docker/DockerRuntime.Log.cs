using Microsoft.Extensions.Logging;

namespace MiniKube.Agent.Runtime.Docker;

// Event ids 600-619: the Docker runtime.
internal sealed partial class DockerRuntime
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Pulling image {Image}")]
    private partial void LogPulling(string image);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Pull of {Image} failed ({Error}); no registry is reachable, so the local copy is used")]
    private partial void LogPullFellBackToLocal(string image, string error);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Sandbox of {Namespace}/{Name} started: container {ContainerId}, IP {Ip}")]
    private partial void LogSandboxStarted(string @namespace, string name, string containerId, string ip);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Docker warns about container {Container}: {Warning}")]
    private partial void LogDockerWarning(string container, string warning);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "Could not remove container {ContainerId} after a failed start: {Error}; the kubelet's cleanup will retry")]
    private partial void LogCleanupFailed(string containerId, string error);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "Loaded images from {Path}")]
    private partial void LogImported(string path);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "Docker refused the image tarball {Path}: {Error}; it will be tried again on the next import")]
    private partial void LogImportFailed(string path, string error);
}
