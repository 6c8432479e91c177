namespace MiniKube.Cli;

/// <summary>What the user asked of <c>mkube agent</c>, after layering; see <see cref="ServerFlags"/>.</summary>
public sealed record AgentFlags
{
    public required string DataDir { get; init; }
    public bool Debug { get; init; }
    public required string Server { get; init; }
    public string? Token { get; init; }
    public string? NodeName { get; init; }
    public string? NodeIp { get; init; }
    public string Runtime { get; init; } = Defaults.Runtime;
    public bool DisableKubeProxy { get; init; }
    public int KubeletPort { get; init; } = Defaults.KubeletPort;
    public int SimulateNodes { get; init; }
    public TimeSpan SimulatedStartDelay { get; init; }
}
