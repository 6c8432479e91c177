using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MiniKube.Agent.Network;

/// <summary>
/// Pod addresses of one node's podCIDR, persisted as the host-local IPAM plugin keeps them
/// (containernetworking/plugins plugins/ipam/host-local/backend/disk): one file per allocated
/// address under <see cref="Directory"/>, named by the address and holding its owner (the
/// sandbox container's id), plus <c>last_reserved_ip</c> so allocation goes round the range
/// instead of reusing an address right after its pod went. A file is created with O_EXCL, so an
/// address is never handed out twice, even across a restart or by a second process on the same
/// directory. The network address, the gateway (the bridge's, the first one) and the broadcast
/// address are never handed out. Thread-safe. IPv4 only.
/// </summary>
public sealed class PodIpam
{
    private const string LastReservedFile = "last_reserved_ip";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IPAddress> _byOwner = new(StringComparer.Ordinal);
    private readonly uint _network;
    private readonly uint _size;

    /// <param name="directory">DATA_DIR/agent/ipam/&lt;network&gt;; created if missing. Allocations already there are kept.</param>
    /// <param name="subnet">The node's podCIDR (IPv4, at most /30).</param>
    public PodIpam(string directory, IPNetwork subnet)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork || subnet.PrefixLength > 30)
        {
            throw new ArgumentException($"{subnet} is not an IPv4 subnet with room for pods", nameof(subnet));
        }
        Directory = directory;
        Subnet = subnet;
        _network = ToUInt(subnet.BaseAddress);
        _size = 1u << (32 - subnet.PrefixLength);
        System.IO.Directory.CreateDirectory(directory);
        foreach (var (owner, address) in ReadAllocations(directory))
        {
            _byOwner[owner] = address;
        }
    }

    /// <summary>The allocations recorded in <paramref name="directory"/>, by owner (none when it does not exist): what pods hold across a restart, before the podCIDR is known again.</summary>
    public static Dictionary<string, IPAddress> ReadAllocations(string directory)
    {
        var allocations = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(directory))
            {
                if (IPAddress.TryParse(Path.GetFileName(file), out var address) && address.AddressFamily == AddressFamily.InterNetwork)
                {
                    allocations[ReadOwner(file)] = address;
                }
            }
        }
        return allocations;
    }

    public string Directory { get; }

    public IPNetwork Subnet { get; }

    /// <summary>The first address of the subnet: the bridge's, every pod's default gateway.</summary>
    public IPAddress Gateway => FromUInt(_network + 1);

    /// <summary>Every allocation now, by owner.</summary>
    public IReadOnlyDictionary<string, IPAddress> Allocations
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, IPAddress>(_byOwner, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The owner's address, or null when it has none.</summary>
    public IPAddress? AddressOf(string owner)
    {
        lock (_lock)
        {
            return _byOwner.GetValueOrDefault(owner);
        }
    }

    /// <summary>
    /// An address for <paramref name="owner"/>: the one it holds already, else the next free one
    /// after the last reserved. Throws <see cref="PodAddressesExhaustedException"/> when none is free.
    /// </summary>
    public IPAddress Allocate(string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        lock (_lock)
        {
            if (_byOwner.TryGetValue(owner, out var held))
            {
                return held;
            }
            // Offsets 2 .. size-2: not the network (0), the gateway (1) or the broadcast (size-1).
            var first = 2u;
            var last = _size - 2;
            var start = LastReservedOffset() is { } previous && previous >= first && previous <= last ? previous : last;
            for (var step = 1u; step <= last - first + 1; step++)
            {
                var offset = first + ((start - first + step) % (last - first + 1));
                var address = FromUInt(_network + offset);
                if (TryReserve(address, owner))
                {
                    _byOwner[owner] = address;
                    File.WriteAllText(Path.Combine(Directory, LastReservedFile), address.ToString());
                    return address;
                }
            }
            throw new PodAddressesExhaustedException($"no IP addresses available in range set: {FromUInt(_network + first)}-{FromUInt(_network + last)}");
        }
    }

    /// <summary>Gives the owner's address back; false when it held none.</summary>
    public bool Release(string owner)
    {
        lock (_lock)
        {
            if (!_byOwner.Remove(owner, out var address))
            {
                return false;
            }
            File.Delete(Path.Combine(Directory, address.ToString()));
            return true;
        }
    }

    /// <summary>
    /// Releases the addresses of <paramref name="candidates"/> whose owner is not in
    /// <paramref name="liveOwners"/> (its sandbox went without releasing it: a crash, a container
    /// removed by hand) and returns them. Take <paramref name="candidates"/> from
    /// <see cref="Allocations"/> before listing the live owners: an owner allocates only once its
    /// sandbox exists, so an allocation made meanwhile is never taken for a leak.
    /// </summary>
    public IReadOnlyList<(string Owner, IPAddress Address)> CollectLeaked(IEnumerable<string> candidates, IReadOnlySet<string> liveOwners)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(liveOwners);
        lock (_lock)
        {
            var leaked = candidates.Where(o => !liveOwners.Contains(o) && _byOwner.ContainsKey(o)).Select(o => (o, _byOwner[o])).ToList();
            foreach (var (owner, _) in leaked)
            {
                Release(owner);
            }
            return leaked;
        }
    }

    private bool TryReserve(IPAddress address, string owner)
    {
        try
        {
            using var file = new FileStream(Path.Combine(Directory, address.ToString()), FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(file);
            writer.Write(owner);
            return true;
        }
        catch (IOException) when (File.Exists(Path.Combine(Directory, address.ToString())))
        {
            return false; // held (by this process's past, or another process on the same directory)
        }
    }

    private uint? LastReservedOffset()
    {
        var path = Path.Combine(Directory, LastReservedFile);
        return File.Exists(path) && IPAddress.TryParse(File.ReadAllText(path).Trim(), out var last) && Subnet.Contains(last)
            ? ToUInt(last) - _network
            : null;
    }

    private static string ReadOwner(string file) => File.ReadAllText(file).Split('\n', 2)[0].Trim();

    private static uint ToUInt(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static IPAddress FromUInt(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}

/// <summary>Every address of the node's podCIDR is held by a pod.</summary>
public sealed class PodAddressesExhaustedException(string message) : InvalidOperationException(message);
