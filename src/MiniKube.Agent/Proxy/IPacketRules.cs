namespace MiniKube.Agent.Proxy;

/// <summary>
/// The host's packet rules as the service proxy uses them: the one OS boundary of the proxy,
/// behind an interface so the sync loop can be tested with a fake.
/// </summary>
public interface IPacketRules
{
    /// <summary>
    /// Turns on what forwarding to pods needs (net.ipv4.ip_forward, bridged traffic through
    /// iptables, hairpin mode on the pods' bridge ports); cheap, and called before every sync,
    /// as new pods bring new bridge ports.
    /// </summary>
    Task PrepareHostAsync(CancellationToken cancellationToken);

    /// <summary>The names of the nat table's chains now.</summary>
    Task<IReadOnlyList<string>> ListNatChainsAsync(CancellationToken cancellationToken);

    /// <summary>Applies one <c>iptables-restore --noflush</c> input as one transaction.</summary>
    Task RestoreAsync(string rules, CancellationToken cancellationToken);

    /// <summary>Inserts <paramref name="table"/> <paramref name="chain"/> <paramref name="arguments"/> at the top of the chain unless it is there already.</summary>
    Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

/// <summary>A packet-rule command failed: the tool's own message, for the operator.</summary>
public sealed class PacketRulesException(string message) : IOException(message);
