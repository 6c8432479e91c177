using System.Security.Cryptography;
using System.Text;

namespace MiniKube.ApiServer.Pki;

/// <summary>
/// The token agents join with, in k3s' format <c>K10&lt;sha256 of the CA PEM&gt;::server:&lt;secret&gt;</c>:
/// the hash lets an agent verify the server's CA before it sends the secret. Kept in
/// <c>DATA_DIR/server/token</c> (mode 0600); the secret is <c>--token</c> when given, random otherwise.
/// </summary>
public static class JoinToken
{
    private const string Prefix = "K10";
    private const string Separator = "::server:";

    /// <summary>Returns the full token, writing it when missing or when <paramref name="secret"/> asks for another.</summary>
    public static string LoadOrCreate(string path, string? secret, ClusterPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        var caHash = CaHash(ClusterPki.Pem(pki.Ca));
        var existing = File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        var wanted = secret is null ? null : SecretOf(secret);
        var chosen = wanted ?? (existing is not null ? SecretOf(existing) : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var token = $"{Prefix}{caHash}{Separator}{chosen}";
        if (token != existing)
        {
            File.WriteAllText(path, "");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path, token + "\n");
        }
        return token;
    }

    /// <summary>The hash a full token carries for a CA, given as the PEM text /cacerts serves.</summary>
    public static string CaHash(string caPem) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(caPem)));

    /// <summary>The CA hash of a full token, or null for a bare secret (which pins nothing).</summary>
    public static string? CaHashOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var at = token.IndexOf(Separator, StringComparison.Ordinal);
        return token.StartsWith(Prefix, StringComparison.Ordinal) && at > Prefix.Length ? token[Prefix.Length..at] : null;
    }

    /// <summary>The secret part of a full token, or the value itself when it is a bare secret.</summary>
    public static string SecretOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var at = token.IndexOf(Separator, StringComparison.Ordinal);
        return token.StartsWith(Prefix, StringComparison.Ordinal) && at > 0 ? token[(at + Separator.Length)..] : token;
    }
}
