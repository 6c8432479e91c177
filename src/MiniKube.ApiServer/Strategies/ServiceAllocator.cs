using System.Net;
using System.Text;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Hands out Service cluster IPs from the service CIDR and node ports from their range. Each
/// allocation is its own store key, claimed with create-if-absent, so two API servers over one
/// etcd can never hand out the same address, and a deleted Service's key is simply removed.
/// (Upstream keeps a bitmap in etcd, pkg/registry/core/service/ipallocator; one key per value
/// trades a little space for having no shared hot key.)
/// </summary>
public sealed class ServiceAllocator
{
    private const string IpPrefix = "/registry/mkube/serviceips/";
    private const string PortPrefix = "/registry/mkube/servicenodeports/";

    private readonly IStore _store;
    private readonly uint _network;
    private readonly uint _size;

    public ServiceAllocator(IStore store, string serviceCidr, int firstNodePort, int lastNodePort)
    {
        ArgumentNullException.ThrowIfNull(serviceCidr);
        _store = store;
        var (address, prefix) = ParseCidr(serviceCidr);
        _network = address;
        _size = prefix >= 31 ? 1 : (uint)(1L << (32 - prefix)) - 2;
        FirstNodePort = firstNodePort;
        LastNodePort = lastNodePort;
        Cidr = serviceCidr;
    }

    public string Cidr { get; }

    public int FirstNodePort { get; }

    public int LastNodePort { get; }

    /// <summary>The first address of the range, reserved for the default/kubernetes Service.</summary>
    public string KubernetesServiceIp => Format(_network + 1);

    /// <summary>
    /// The low addresses kept for Services that ask for a fixed IP, such as kube-dns at .10: as
    /// upstream (KEP-3070), automatic allocation takes them only once the rest is full.
    /// </summary>
    private uint StaticBand => Math.Min(Math.Max(16u, _size / 16), 256u);

    public async Task<string> AllocateIpAsync(string owner, CancellationToken cancellationToken)
    {
        // Random probes above the static band first (cheap while the range is sparse), then a scan so a full range is reported.
        var first = _size > StaticBand ? StaticBand + 1 : 2;
        for (var i = 0; i < 64; i++)
        {
            var candidate = Format(_network + first + (uint)Random.Shared.NextInt64(Math.Max(1, _size - first + 1)));
            if (await ClaimAsync(IpPrefix + candidate, owner, cancellationToken))
            {
                return candidate;
            }
        }
        for (uint offset = 2; offset <= _size; offset++)
        {
            if (await ClaimAsync(IpPrefix + Format(_network + offset), owner, cancellationToken))
            {
                return Format(_network + offset);
            }
        }
        throw Full("spec.clusterIPs", $"failed to allocate a serviceIP: range is full");
    }

    /// <summary>Claims a requested IP; null when fine, else the reason it cannot be had.</summary>
    public async Task<string?> ClaimIpAsync(string ip, string owner, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(ip, out var parsed) || parsed.GetAddressBytes() is not { Length: 4 } bytes)
        {
            return "must be a valid IP address";
        }
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        if (value <= _network || value > _network + _size)
        {
            return $"provided IP is not in the valid range. The range of valid IPs is {Cidr}";
        }
        return await ClaimAsync(IpPrefix + ip, owner, cancellationToken) ? null : "provided IP is already allocated";
    }

    public async Task<int> AllocateNodePortAsync(string owner, CancellationToken cancellationToken)
    {
        var span = LastNodePort - FirstNodePort + 1;
        var start = Random.Shared.Next(span);
        for (var i = 0; i < span; i++)
        {
            var port = FirstNodePort + ((start + i) % span);
            if (await ClaimAsync(PortPrefix + port.ToString(CultureInfo.InvariantCulture), owner, cancellationToken))
            {
                return port;
            }
        }
        throw Full("spec.ports", "failed to allocate a nodePort: range is full");
    }

    public async Task<string?> ClaimNodePortAsync(int port, string owner, CancellationToken cancellationToken)
    {
        if (port < FirstNodePort || port > LastNodePort)
        {
            return $"provided port is not in the valid range. The range of valid ports is {FirstNodePort}-{LastNodePort}";
        }
        return await ClaimAsync(PortPrefix + port.ToString(CultureInfo.InvariantCulture), owner, cancellationToken) ? null : "provided port is already allocated";
    }

    public Task ReleaseIpAsync(string ip, string owner, CancellationToken cancellationToken) => ReleaseAsync(IpPrefix + ip, owner, cancellationToken);

    public Task ReleaseNodePortAsync(int port, string owner, CancellationToken cancellationToken) =>
        ReleaseAsync(PortPrefix + port.ToString(CultureInfo.InvariantCulture), owner, cancellationToken);

    /// <summary>Deletes the claim only while <paramref name="owner"/> holds it, so a Service never frees another's value.</summary>
    private async Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(key, 0, cancellationToken);
        if (current is not null && Encoding.UTF8.GetString(current.Value) == owner)
        {
            await _store.DeleteAsync(key, current.ModRevision, cancellationToken);
        }
    }

    /// <summary>True when the value is already held by <paramref name="owner"/> or was free and is now.</summary>
    private async Task<bool> ClaimAsync(string key, string owner, CancellationToken cancellationToken)
    {
        var result = await _store.CreateAsync(key, Encoding.UTF8.GetBytes(owner), 0, cancellationToken);
        return result.Succeeded || (result.Current is { } current && Encoding.UTF8.GetString(current.Value) == owner);
    }

    private static ApiException Full(string field, string message) =>
        new(Microsoft.AspNetCore.Http.StatusCodes.Status500InternalServerError, "InternalError", $"Internal error occurred: {field}: {message}");

    private static string Format(uint value) => $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";

    private static (uint Network, int Prefix) ParseCidr(string cidr)
    {
        var parts = cidr.Split('/');
        var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
        var prefix = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (value & mask, prefix);
    }

    /// <summary>Owner tag stored with a Service's allocations.</summary>
    public static string Owner(JsonObject service) => $"{ObjectMeta.Namespace(service)}/{ObjectMeta.Name(service)}/{ObjectMeta.Uid(service)}";
}
