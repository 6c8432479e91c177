using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MiniKube.Api;

/// <summary>
/// CIDR text as Go's net.ParseCIDR reads it: an IPv4 address of four parts or an IPv6 address
/// (no zone), a slash and a decimal prefix length within the family's bits. Unlike .NET's
/// <see cref="IPNetwork.TryParse(string?, out IPNetwork)"/>, host bits are allowed and masked
/// away (<c>10.0.0.7/24</c> is <c>10.0.0.0/24</c>), as Go returns the network.
/// </summary>
public static class Cidr
{
    public static bool TryParse(string? value, out IPNetwork network)
    {
        network = default;
        var slash = value?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (value is null || slash <= 0 || value.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(value[..slash], out var address))
        {
            return false;
        }
        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (isV4 && value[..slash].Split('.').Length != 4)
        {
            return false; // IPAddress also takes "10.1" and "10", which Go does not
        }
        var length = value[(slash + 1)..];
        if (length.Length is 0 or > 3 || !length.All(char.IsAsciiDigit) || int.Parse(length, CultureInfo.InvariantCulture) is var prefix && prefix > (isV4 ? 32 : 128))
        {
            return false;
        }
        network = new IPNetwork(Mask(address, prefix), prefix);
        return true;
    }

    /// <summary><paramref name="address"/> with every bit past the first <paramref name="prefix"/> cleared.</summary>
    public static IPAddress Mask(IPAddress address, int prefix)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }
}
