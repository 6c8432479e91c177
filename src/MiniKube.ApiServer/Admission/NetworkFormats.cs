using System.Net;
using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Formats the networking kinds check beyond <see cref="Formats"/>: wildcard DNS names
/// (apimachinery util/validation IsWildcardDNS1123Subdomain), domain-prefixed paths
/// (IsDomainPrefixedPath) and CIDRs as Go's net.ParseCIDR reads them.
/// </summary>
internal static partial class NetworkFormats
{
    private const string WildcardFormat = @"\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    public static IReadOnlyList<string> IsWildcardDns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > 253)
        {
            errors.Add(Formats.MaxLengthError(253));
        }
        if (!WildcardRegex().IsMatch(value))
        {
            errors.Add(Formats.RegexError(
                "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
                WildcardFormat, "*.example.com"));
        }
        return errors;
    }

    /// <summary>A host name as Ingress rules and TLS take it: wildcard or plain DNS subdomain.</summary>
    public static IReadOnlyList<string> IsHost(string host) =>
        host.Contains('*', StringComparison.Ordinal) ? IsWildcardDns1123Subdomain(host) : Formats.IsDns1123Subdomain(host);

    /// <summary>Messages of IsDomainPrefixedPath ("acme.io/foo"); the caller reports an empty value as Required.</summary>
    public static IReadOnlyList<string> IsDomainPrefixedPath(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return ["must be a domain-prefixed path (such as \"acme.io/foo\")"];
        }
        var errors = new List<string>(Formats.IsDns1123Subdomain(value[..slash]));
        if (!PathRegex().IsMatch(value[(slash + 1)..]))
        {
            errors.Add("Invalid path");
        }
        return errors;
    }

    /// <summary>Go's net.ParseCIDR: an IPv4 or IPv6 address, a slash and a prefix length in range (no leading zeros in IPv4).</summary>
    public static bool TryParseCidr(string value, out IPAddress network, out int prefix)
    {
        network = IPAddress.None;
        prefix = 0;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(value[..slash], out var address) || value[..slash].Contains('%', StringComparison.Ordinal))
        {
            return false;
        }
        var isV4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        if (isV4 && value[..slash].Split('.').Length != 4)
        {
            return false;
        }
        var bits = isV4 ? 32 : 128;
        var length = value[(slash + 1)..];
        if (length.Length == 0 || length.Length > 3 || !length.All(char.IsAsciiDigit) || !int.TryParse(length, CultureInfo.InvariantCulture, out prefix) || prefix > bits)
        {
            return false;
        }
        network = Mask(address, prefix);
        return true;
    }

    /// <summary>True when <paramref name="inner"/> lies inside <paramref name="outer"/> and is strictly smaller.</summary>
    public static bool IsStrictSubset(IPAddress outer, int outerPrefix, IPAddress inner, int innerPrefix) =>
        outer.AddressFamily == inner.AddressFamily && outerPrefix < innerPrefix && Mask(inner, outerPrefix).Equals(outer);

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    [GeneratedRegex("^" + WildcardFormat + "$")]
    private static partial Regex WildcardRegex();

    [GeneratedRegex(@"^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$")]
    private static partial Regex PathRegex();
}
