using System.Net;
using System.Net.Sockets;

namespace MiniKube.Controllers.NodeIpam;

/// <summary>
/// The node-sized subnets of one cluster CIDR and which are taken (upstream's
/// pkg/controller/nodeipam/ipam/cidrset): <c>10.42.0.0/16</c> cut into <c>/24</c>s gives 256
/// subnets, handed out in order from where the last one was taken, wrapping around, so a
/// released subnet is not reused at once. IPv4 or IPv6; at most 2^16 subnets per set, as upstream
/// limits the mask difference. Not thread-safe: its controller syncs with one worker.
/// </summary>
public sealed class CidrSet
{
    /// <summary>Upstream's limit on the difference between the cluster and node mask sizes.</summary>
    public const int MaxPrefixDifference = 16;

    private readonly IPNetwork _cluster;
    private readonly int _nodeMask;
    private readonly int _bits;
    private readonly bool[] _used;
    private int _next;

    public CidrSet(IPNetwork cluster, int nodeMaskSize)
    {
        _bits = cluster.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (nodeMaskSize < cluster.PrefixLength || nodeMaskSize > _bits)
        {
            throw new ArgumentException($"the node mask size /{nodeMaskSize} must lie between the cluster CIDR's /{cluster.PrefixLength} and /{_bits}", nameof(nodeMaskSize));
        }
        if (nodeMaskSize - cluster.PrefixLength > MaxPrefixDifference)
        {
            throw new ArgumentException($"the node mask size /{nodeMaskSize} is more than {MaxPrefixDifference} bits longer than the cluster CIDR's /{cluster.PrefixLength}", nameof(nodeMaskSize));
        }
        _cluster = cluster;
        _nodeMask = nodeMaskSize;
        _used = new bool[1 << (nodeMaskSize - cluster.PrefixLength)];
    }

    /// <summary>The cluster CIDR this set cuts up.</summary>
    public IPNetwork Cluster => _cluster;

    /// <summary>How many subnets are taken.</summary>
    public int Allocated => _used.Count(u => u);

    /// <summary>Takes the next free subnet, or returns null when every one is taken.</summary>
    public IPNetwork? AllocateNext()
    {
        for (var i = 0; i < _used.Length; i++)
        {
            var candidate = (_next + i) % _used.Length;
            if (!_used[candidate])
            {
                _used[candidate] = true;
                _next = (candidate + 1) % _used.Length;
                return Subnet(candidate);
            }
        }
        return null;
    }

    /// <summary>Marks <paramref name="cidr"/> taken (a node that already has it); false when it is not one of this set's subnets.</summary>
    public bool Occupy(IPNetwork cidr) => Mark(cidr, true);

    /// <summary>Frees <paramref name="cidr"/>; false when it is not one of this set's subnets.</summary>
    public bool Release(IPNetwork cidr) => Mark(cidr, false);

    /// <summary>Whether <paramref name="cidr"/> is of this set's family (a node's podCIDRs hold one per family).</summary>
    public bool SameFamily(IPNetwork cidr) => cidr.BaseAddress.AddressFamily == _cluster.BaseAddress.AddressFamily;

    private bool Mark(IPNetwork cidr, bool used)
    {
        if (!SameFamily(cidr) || cidr.PrefixLength != _nodeMask || !_cluster.Contains(cidr.BaseAddress))
        {
            return false;
        }
        _used[Index(cidr.BaseAddress)] = used;
        return true;
    }

    private int Index(IPAddress address) => (int)((ToNumber(address) - ToNumber(_cluster.BaseAddress)) >> (_bits - _nodeMask));

    private IPNetwork Subnet(int index) => new(FromNumber(ToNumber(_cluster.BaseAddress) + ((UInt128)(uint)index << (_bits - _nodeMask))), _nodeMask);

    private static UInt128 ToNumber(IPAddress address)
    {
        UInt128 value = 0;
        foreach (var b in address.GetAddressBytes())
        {
            value = (value << 8) | b;
        }
        return value;
    }

    private IPAddress FromNumber(UInt128 value)
    {
        var bytes = new byte[_bits / 8];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }
        return new IPAddress(bytes);
    }
}
