using System.Net;
using System.Net.Sockets;
using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// Kubernetes' IP and CIDR libraries (apiserver pkg/cel/library/ip.go and cidr.go), parsing as
/// Go's netip does: dotted-quad IPv4 without leading zeros, IPv6 without zones, and no
/// IPv4-mapped IPv6 addresses.
/// </summary>
internal static partial class KubernetesLibrary
{
    private static void RegisterIps(CelNet.CelEnvironment env)
    {
        Type[] i = [typeof(CelIp)], c = [typeof(CelCidr)];
        Add(env, "ip", [typeof(string)], a => CelIp.Parse(Str(a[0]), out var error) ?? throw new CelEvaluationException($"IP Address {GoStrings.Quote(Str(a[0]))} parse error during conversion from string: {error}"));
        Add(env, "isIP", [typeof(string)], a => CelIp.Parse(Str(a[0]), out _) is not null);
        AddNamespaced(env, "ip", "isCanonical", [typeof(string)], a => CelIp.Parse(Str(a[0]), out var error) is { } ip
            ? ip.ToString() == Str(a[0])
            : throw new CelEvaluationException($"IP Address {GoStrings.Quote(Str(a[0]))} parse error during conversion from string: {error}"));
        var tests = new (string Name, Func<CelIp, object> Test)[]
        {
            ("family", ip => ip.Address.AddressFamily == AddressFamily.InterNetwork ? 4L : 6L),
            ("isUnspecified", ip => ip.IsUnspecified), ("isLoopback", ip => ip.IsLoopback),
            ("isLinkLocalMulticast", ip => ip.IsLinkLocalMulticast), ("isLinkLocalUnicast", ip => ip.IsLinkLocalUnicast),
            ("isGlobalUnicast", ip => ip.IsGlobalUnicast),
        };
        foreach (var (name, test) in tests)
        {
            Add(env, name, i, a => test((CelIp)a[0]!));
        }
        Add(env, "string", i, a => ((CelIp)a[0]!).ToString());

        Add(env, "cidr", [typeof(string)], a => CelCidr.Parse(Str(a[0]), out var error) ?? throw new CelEvaluationException($"network address {GoStrings.Quote(Str(a[0]))} parse error during conversion from string: {error}"));
        Add(env, "isCIDR", [typeof(string)], a => CelCidr.Parse(Str(a[0]), out _) is not null);
        Add(env, "containsIP", [typeof(CelCidr), typeof(CelIp)], a => ((CelCidr)a[0]!).Contains((CelIp)a[1]!));
        Add(env, "containsIP", [typeof(CelCidr), typeof(string)], a => ((CelCidr)a[0]!).Contains(CelIp.Parse(Str(a[1]), out var error) ?? throw new CelEvaluationException($"IP Address {GoStrings.Quote(Str(a[1]))} parse error during conversion from string: {error}")));
        Add(env, "containsCIDR", [typeof(CelCidr), typeof(CelCidr)], a => ((CelCidr)a[0]!).Contains((CelCidr)a[1]!));
        Add(env, "containsCIDR", [typeof(CelCidr), typeof(string)], a => ((CelCidr)a[0]!).Contains(CelCidr.Parse(Str(a[1]), out var error) ?? throw new CelEvaluationException($"network address {GoStrings.Quote(Str(a[1]))} parse error during conversion from string: {error}")));
        Add(env, "ip", c, a => ((CelCidr)a[0]!).Ip);
        Add(env, "masked", c, a => ((CelCidr)a[0]!).Masked());
        Add(env, "prefixLength", c, a => (long)((CelCidr)a[0]!).PrefixLength);
        Add(env, "family", c, a => ((CelCidr)a[0]!).Ip.Address.AddressFamily == AddressFamily.InterNetwork ? 4L : 6L);
        Add(env, "string", c, a => ((CelCidr)a[0]!).ToString());
    }
}

/// <summary>An IP address as Kubernetes' CEL IP type.</summary>
internal sealed record CelIp(IPAddress Address)
{
    /// <summary>Parses as netip.ParseAddr plus Kubernetes' refusals; null with the reason when invalid.</summary>
    public static CelIp? Parse(string text, out string error)
    {
        error = "";
        if (text.Contains('%', StringComparison.Ordinal))
        {
            error = "IP address with zone value is not allowed";
            return null;
        }
        var isV6 = text.Contains(':', StringComparison.Ordinal);
        if (!isV6 && !IsDottedQuad(text))
        {
            error = $"ParseAddr({GoStrings.Quote(text)}): unable to parse IP";
            return null;
        }
        if (!IPAddress.TryParse(text, out var address) || (isV6 != (address.AddressFamily == AddressFamily.InterNetworkV6)))
        {
            error = $"ParseAddr({GoStrings.Quote(text)}): unable to parse IP";
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            error = "IPv4-mapped IPv6 address is not allowed";
            return null;
        }
        return new CelIp(address);
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)
            && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private byte[] Bytes => Address.GetAddressBytes();

    private bool IsV4 => Address.AddressFamily == AddressFamily.InterNetwork;

    public bool IsUnspecified => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    public bool IsLoopback => IsV4 ? Bytes[0] == 127 : Address.Equals(IPAddress.IPv6Loopback);

    public bool IsLinkLocalMulticast => IsV4 ? Bytes is [224, 0, 0, _] : Bytes is [0xff, 0x02, ..];

    public bool IsLinkLocalUnicast => IsV4 ? Bytes is [169, 254, _, _] : Bytes[0] == 0xfe && (Bytes[1] & 0xc0) == 0x80;

    private bool IsMulticast => IsV4 ? Bytes[0] >= 224 && Bytes[0] <= 239 : Bytes[0] == 0xff;

    // Go's netip.Addr.IsGlobalUnicast.
    public bool IsGlobalUnicast => !IsUnspecified && !IsLoopback && !IsMulticast && !IsLinkLocalUnicast
        && !(IsV4 && Address.Equals(IPAddress.Broadcast));

    public bool Equals(CelIp? other) => other is not null && Address.Equals(other.Address);

    public override int GetHashCode() => Address.GetHashCode();

    public override string ToString() => Address.ToString();
}

/// <summary>A network prefix (CIDR) as Kubernetes' CEL CIDR type: the address as written and the prefix length.</summary>
internal sealed record CelCidr(CelIp Ip, int PrefixLength)
{
    public static CelCidr? Parse(string text, out string error)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"netip.ParsePrefix({GoStrings.Quote(text)}): no '/'";
            return null;
        }
        if (CelIp.Parse(text[..slash], out error) is not { } ip)
        {
            return null;
        }
        var bits = ip.Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = text[(slash + 1)..];
        if (length.Length == 0 || length.Length > 3 || !length.All(char.IsAsciiDigit) || (length.Length > 1 && length[0] == '0')
            || int.Parse(length, CultureInfo.InvariantCulture) > bits)
        {
            error = $"netip.ParsePrefix({GoStrings.Quote(text)}): bad bits after slash: {GoStrings.Quote(length)}";
            return null;
        }
        return new CelCidr(ip, int.Parse(length, CultureInfo.InvariantCulture));
    }

    public bool Contains(CelIp ip)
    {
        var network = Ip.Address.GetAddressBytes();
        var address = ip.Address.GetAddressBytes();
        if (network.Length != address.Length)
        {
            return false;
        }
        for (var bit = 0; bit < PrefixLength; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((network[bit / 8] & mask) != (address[bit / 8] & mask))
            {
                return false;
            }
        }
        return true;
    }

    public bool Contains(CelCidr other) => other.PrefixLength >= PrefixLength && Contains(other.Ip);

    public CelCidr Masked()
    {
        var bytes = Ip.Address.GetAddressBytes();
        for (var bit = PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new CelCidr(new CelIp(new IPAddress(bytes)), PrefixLength);
    }

    public override string ToString() => $"{Ip}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
