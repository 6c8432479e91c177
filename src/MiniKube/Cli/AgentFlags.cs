namespace MiniKube.Cli;

/// <summary>What the user asked of <c>mkube agent</c>, after layering; see <see cref="ServerFlags"/>.</summary>
public sealed record AgentFlags
{
    public required string DataDir { get; init; }
    public bool Debug { get; init; }
    public required string Server { get; init; }
    public required string Token { get; init; }
    public string? NodeName { get; init; }
    public string? NodeIp { get; init; }
}
