using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MiniKube.Agent.Runtime.Simulated;

/// <summary>
/// Hands out made-up pod IPs from one IPv4 subnet and takes them back when a sandbox goes, the
/// way KWOK keeps a pool per CIDR. Simulated nodes of one process share a pool, so their pods'
/// IPs never collide with each other; pools of different processes know nothing of each other,
/// except that a lone simulated node moves to a pool of its own podCIDR once it has one. Thread-safe.
/// </summary>
public sealed class SimulatedPodAddresses
{
    private readonly Lock _lock = new();
    private readonly Queue<uint> _returned = new();
    private readonly uint _network;
    private readonly uint _size;
    private readonly HashSet<uint> _taken = [];
    private uint _next = 1; // skip the network address

    /// <param name="taken">Addresses in use already (pods of an earlier pool), never handed out until returned.</param>
    public SimulatedPodAddresses(IPNetwork subnet, IEnumerable<string>? taken = null)
    {
        if (subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork || subnet.PrefixLength > 30)
        {
            throw new ArgumentException($"{subnet} is not an IPv4 subnet with room for pods", nameof(subnet));
        }
        Subnet = subnet;
        _network = BinaryPrimitives.ReadUInt32BigEndian(subnet.BaseAddress.GetAddressBytes());
        _size = 1u << (32 - subnet.PrefixLength);
        foreach (var address in taken ?? [])
        {
            if (OffsetOf(address) is { } offset)
            {
                _taken.Add(offset);
            }
        }
    }

    /// <summary>Pods of a lone simulated runtime (<c>--runtime simulated</c>): the lower half of the default cluster CIDR.</summary>
    public static IPNetwork SingleNodeSubnet { get; } = IPNetwork.Parse("10.42.0.0/17");

    /// <summary>Pods of the simulated nodes of <c>--simulate-nodes</c>: the upper half, so they do not collide with a lone simulated runtime in the same process.</summary>
    public static IPNetwork FleetSubnet { get; } = IPNetwork.Parse("10.42.128.0/17");

    public IPNetwork Subnet { get; }

    /// <summary>A free address; returned ones are reused oldest first, so an IP is not handed out again right after its pod went.</summary>
    public string Take()
    {
        lock (_lock)
        {
            uint offset;
            if (_returned.Count > 0)
            {
                offset = _returned.Dequeue();
            }
            else if (NextUntaken() is { } free)
            {
                offset = free;
            }
            else
            {
                throw new InvalidOperationException($"no free simulated pod IP left in {Subnet}");
            }
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, _network + offset);
            return new IPAddress(bytes).ToString();
        }
    }

    /// <summary>Gives back an address from <see cref="Take"/>; anything else is ignored.</summary>
    public void Return(string address)
    {
        if (OffsetOf(address) is not { } offset)
        {
            return;
        }
        lock (_lock)
        {
            if (_taken.Remove(offset))
            {
                return; // an earlier pool's: free again, for NextUntaken to reach
            }
            if (offset > 0 && offset < _next)
            {
                _returned.Enqueue(offset);
            }
        }
    }

    /// <summary>The next offset never handed out and not taken, or null when the subnet is used up (the last address is the broadcast).</summary>
    private uint? NextUntaken()
    {
        while (_next < _size - 1)
        {
            var offset = _next++;
            if (!_taken.Contains(offset))
            {
                return offset;
            }
        }
        return null;
    }

    private uint? OffsetOf(string address) =>
        IPAddress.TryParse(address, out var ip) && Subnet.Contains(ip)
            ? BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes()) - _network
            : null;
}
