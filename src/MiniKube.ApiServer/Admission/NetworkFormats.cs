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
        var parsed = Cidr.TryParse(value, out var cidr);
        (network, prefix) = parsed ? (cidr.BaseAddress, cidr.PrefixLength) : (IPAddress.None, 0);
        return parsed;
    }

    /// <summary>True when <paramref name="inner"/> lies inside <paramref name="outer"/> and is strictly smaller.</summary>
    public static bool IsStrictSubset(IPAddress outer, int outerPrefix, IPAddress inner, int innerPrefix) =>
        outer.AddressFamily == inner.AddressFamily && outerPrefix < innerPrefix && Cidr.Mask(inner, outerPrefix).Equals(outer);

    [GeneratedRegex("^" + WildcardFormat + "$")]
    private static partial Regex WildcardRegex();

    [GeneratedRegex(@"^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$")]
    private static partial Regex PathRegex();
}
