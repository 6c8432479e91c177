namespace MiniKube.Api;

/// <summary>
/// The one table of log event-id ranges. Each project owns a block of 1,000 ids and writes its
/// <c>[LoggerMessage]</c>s as its base plus an offset below 1,000 (<c>EventId = LogEvents.Agent + 10</c>),
/// so an id in an operator's log names the component that wrote it and no two messages share one.
/// Inside a project, each part keeps a sub-block (the kubelet 0–99, the Docker runtime 800–899, …),
/// noted where the part's messages are declared.
/// </summary>
public static class LogEvents
{
    // Host: MiniKube, the executable (command line and process host). Controllers: a sub-block
    // of 50 per controller. Agent: kubelet 0–99 (service proxy 50–59), Docker runtime 800–899.
    public const int Host = 1000, Storage = 2000, ApiServer = 3000, Client = 4000, Scheduler = 5000, Controllers = 6000, Agent = 7000, Addons = 8000;
}
