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
    /// <summary>MiniKube, the executable: command line and process host.</summary>
    public const int Host = 1000;

    public const int Storage = 2000;

    public const int ApiServer = 3000;

    public const int Client = 4000;

    public const int Scheduler = 5000;

    /// <summary>The controller manager: a sub-block of 50 per controller.</summary>
    public const int Controllers = 6000;

    /// <summary>The agent: kubelet 0–99, service proxy 50–59, Docker runtime 800–899.</summary>
    public const int Agent = 7000;

    public const int Addons = 8000;
}
