namespace MiniKube.Cli;

/// <summary>What the user asked of <c>mkube agent</c>, after layering; see <see cref="ServerFlags"/>.</summary>
public sealed record AgentFlags
{
    public required string DataDir { get; init; }
    public bool Debug { get; init; }
    public required string Server { get; init; }
    public string? Token { get; init; }
    public NodeFlags Node { get; init; } = new();
}
