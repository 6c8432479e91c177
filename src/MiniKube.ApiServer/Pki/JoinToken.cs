using System.Security.Cryptography;
using System.Text;

namespace MiniKube.ApiServer.Pki;

/// <summary>
/// The tokens that join a cluster, in k3s' format <c>K10&lt;sha256 of the CA PEM&gt;::server:&lt;secret&gt;</c>
/// (<c>::node:</c> for an agent token): the hash lets an agent verify the server's CA before it
/// sends the secret. The server token is kept in <c>DATA_DIR/server/token</c> (mode 0600), its
/// secret <c>--token</c> when given, random otherwise; the token for agents in
/// <c>DATA_DIR/server/agent-token</c>, from <c>--agent-token</c>, or a copy of the server token
/// when none is set (as k3s, where agents may join with either).
/// </summary>
public static class JoinToken
{
    // k3s' spellings: K10<CA hash>::server:<secret> for servers, ::node: for agents.
    private const string Prefix = "K10", Separator = "::server:", AgentSeparator = "::node:";

    /// <summary>Returns the full token, writing it when missing or when <paramref name="secret"/> asks for another.</summary>
    public static string LoadOrCreate(string path, string? secret, ClusterPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        var caHash = CaHash(ClusterPki.Pem(pki.Ca));
        var existing = File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        var wanted = secret is null ? null : SecretOf(secret);
        var chosen = wanted ?? (existing is not null ? SecretOf(existing) : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var token = $"{Prefix}{caHash}{Separator}{chosen}";
        WriteIfChanged(path, existing, token);
        return token;
    }

    /// <summary>
    /// Writes the token agents join with: <paramref name="agentSecret"/> (<c>--agent-token</c>) in
    /// the agent format, or <paramref name="serverToken"/> itself when none is set. Returns it.
    /// </summary>
    public static string WriteAgentToken(string path, string? agentSecret, string serverToken, ClusterPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        var token = agentSecret is null ? serverToken : $"{Prefix}{CaHash(ClusterPki.Pem(pki.Ca))}{AgentSeparator}{SecretOf(agentSecret)}";
        WriteIfChanged(path, File.Exists(path) ? File.ReadAllText(path).Trim() : null, token);
        return token;
    }

    private static void WriteIfChanged(string path, string? existing, string token)
    {
        if (token != existing)
        {
            File.WriteAllText(path, "");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path, token + "\n");
        }
    }

    /// <summary>The hash a full token carries for a CA, given as the PEM text /cacerts serves.</summary>
    public static string CaHash(string caPem) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(caPem)));

    /// <summary>The CA hash of a full token, or null for a bare secret (which pins nothing).</summary>
    public static string? CaHashOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var (at, _) = SeparatorOf(token);
        return token.StartsWith(Prefix, StringComparison.Ordinal) && at > Prefix.Length ? token[Prefix.Length..at] : null;
    }

    /// <summary>The secret part of a full token, or the value itself when it is a bare secret.</summary>
    public static string SecretOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var (at, length) = SeparatorOf(token);
        return token.StartsWith(Prefix, StringComparison.Ordinal) && at > 0 ? token[(at + length)..] : token;
    }

    private static (int At, int Length) SeparatorOf(string token)
    {
        var server = token.IndexOf(Separator, StringComparison.Ordinal);
        return server >= 0 ? (server, Separator.Length) : (token.IndexOf(AgentSeparator, StringComparison.Ordinal), AgentSeparator.Length);
    }
}
