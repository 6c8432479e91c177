using System.Net;

namespace MiniKube.Agent.Network;

/// <summary>
/// Keeps this node's routes to other nodes' podCIDRs equal to the peers it is given, as flannel's
/// backends do (pkg/backend/vxlan/vxlan_network.go, pkg/backend/hostgw): for VXLAN a route
/// <c>&lt;podCIDR&gt; via &lt;its network address&gt; dev mkube.1 onlink</c>, a permanent
/// neighbour entry (that address → the peer's VtepMAC) and a permanent FDB entry (the VtepMAC →
/// the peer's public IP); for host-gw a plain route <c>&lt;podCIDR&gt; via &lt;public IP&gt;</c>
/// (nodes on one L2). Every route carries protocol <see cref="RouteProtocol"/>, so the routes
/// of ours are found (and only they are ever deleted) whatever device they use; neighbours and
/// FDB entries are read from our own device only. Each reconcile reads what is there and changes
/// only the difference: a peer that went takes its route, neighbour and FDB entry with it; run
/// twice, the second changes nothing.
/// </summary>
public sealed class NodeRoutes(IHostCommands commands, OverlayBackend backend, string device)
{
    /// <summary>The route protocol number marking mkube's routes (<c>proto 77</c>; unassigned in iproute2's rt_protos).</summary>
    public const string RouteProtocol = "77";

    /// <summary>Brings the routes (and for VXLAN the neighbour and FDB entries) in line with <paramref name="peers"/>; a peer holding <paramref name="ownPodCidr"/> is skipped.</summary>
    public async Task ReconcileAsync(IReadOnlyCollection<OverlayPeer> peers, IPNetwork? ownPodCidr, CancellationToken cancellationToken)
    {
        var present = await ReadAsync(cancellationToken);
        var plan = Plan(backend, device, peers.Where(p => !p.PodCidr.Equals(ownPodCidr)).ToList(), present);
        if (plan.Remove.Count > 0)
        {
            await commands.RunCheckedAsync("ip", ["-batch", "-"], string.Join('\n', plan.Remove) + "\n", cancellationToken);
        }
        if (plan.Fdb.Count > 0)
        {
            await commands.RunCheckedAsync("bridge", ["-batch", "-"], string.Join('\n', plan.Fdb) + "\n", cancellationToken);
        }
        if (plan.Add.Count > 0)
        {
            await commands.RunCheckedAsync("ip", ["-batch", "-"], string.Join('\n', plan.Add) + "\n", cancellationToken);
        }
    }

    /// <summary>What is there now: our routes, and the neighbour and FDB entries of our device (none when it does not exist).</summary>
    internal async Task<PresentState> ReadAsync(CancellationToken cancellationToken)
    {
        var routes = await commands.RunCheckedAsync("ip", ["-4", "route", "show", "proto", RouteProtocol], null, cancellationToken);
        var neighbours = await commands.RunAsync("ip", ["-4", "neigh", "show", "dev", device, "nud", "permanent"], null, cancellationToken);
        var fdb = await commands.RunAsync("bridge", ["fdb", "show", "dev", device], null, cancellationToken);
        return new PresentState(
            ParseRoutes(routes.Output),
            neighbours.Succeeded ? ParseNeighbours(neighbours.Output) : new Dictionary<string, string>(),
            fdb.Succeeded ? ParseFdb(fdb.Output) : new Dictionary<string, string>());
    }

    /// <summary>
    /// The commands that turn <paramref name="present"/> into what <paramref name="peers"/> need:
    /// removals first (routes before the neighbours they use), then FDB changes, then additions
    /// (neighbours before the routes that use them), the order flannel adds and removes them in.
    /// </summary>
    internal static RoutePlan Plan(OverlayBackend backend, string device, IReadOnlyList<OverlayPeer> peers, PresentState present)
    {
        var reachable = backend == OverlayBackend.None ? [] : peers.DistinctBy(p => p.PodCidr).ToList();
        var routes = reachable.ToDictionary(p => p.PodCidr.ToString(), p => RouteOf(backend, device, p), StringComparer.Ordinal);
        var vxlan = backend == OverlayBackend.Vxlan ? reachable.Where(p => p.VtepMac is not null).ToList() : [];
        var neighbours = vxlan.ToDictionary(p => p.PodCidr.BaseAddress.ToString(), p => p.VtepMac!, StringComparer.Ordinal);
        var fdb = vxlan.DistinctBy(p => p.VtepMac).ToDictionary(p => p.VtepMac!, p => p.PublicIp.ToString(), StringComparer.Ordinal);

        var remove = new List<string>();
        remove.AddRange(present.Routes.Keys.Where(d => !routes.ContainsKey(d)).Order(StringComparer.Ordinal).Select(d => $"route del {d} proto {RouteProtocol}"));
        remove.AddRange(present.Neighbours.Keys.Where(a => !neighbours.ContainsKey(a)).Order(StringComparer.Ordinal).Select(a => $"neigh del {a} dev {device}"));
        var fdbChanges = new List<string>();
        fdbChanges.AddRange(present.Fdb.Where(e => fdb.GetValueOrDefault(e.Key) != e.Value).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"fdb del {e.Key} dev {device} dst {e.Value} self"));
        fdbChanges.AddRange(fdb.Where(e => present.Fdb.GetValueOrDefault(e.Key) != e.Value).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"fdb replace {e.Key} dev {device} dst {e.Value} self permanent"));
        var add = new List<string>();
        add.AddRange(neighbours.Where(n => present.Neighbours.GetValueOrDefault(n.Key) != n.Value).OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"neigh replace {n.Key} lladdr {n.Value} dev {device} nud permanent"));
        add.AddRange(routes.Where(r => !r.Value.Equals(present.Routes.GetValueOrDefault(r.Key))).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"route replace {r.Key} {r.Value.Spec} proto {RouteProtocol}"));
        return new RoutePlan(remove, fdbChanges, add);
    }

    private static Route RouteOf(OverlayBackend backend, string device, OverlayPeer peer) =>
        backend == OverlayBackend.Vxlan
            ? new Route(peer.PodCidr.BaseAddress.ToString(), device, OnLink: true)
            : new Route(peer.PublicIp.ToString(), null, OnLink: false);

    /// <summary><c>ip -4 route show proto 77</c>: destination → how it is routed (a host-gw route's device is whatever the kernel chose, so it is not compared).</summary>
    internal static IReadOnlyDictionary<string, Route> ParseRoutes(string listing)
    {
        var routes = new Dictionary<string, Route>(StringComparer.Ordinal);
        foreach (var words in Lines(listing))
        {
            var dst = words[0].Contains('/', StringComparison.Ordinal) ? words[0] : words[0] + "/32";
            var via = ValueAfter(words, "via");
            var dev = ValueAfter(words, "dev");
            var onLink = words.Contains("onlink");
            routes[dst] = new Route(via ?? "", onLink ? dev : null, onLink);
        }
        return routes;
    }

    /// <summary><c>ip -4 neigh show dev D nud permanent</c>: address → MAC.</summary>
    internal static IReadOnlyDictionary<string, string> ParseNeighbours(string listing) =>
        Lines(listing).Where(w => ValueAfter(w, "lladdr") is not null)
            .ToDictionary(w => w[0], w => ValueAfter(w, "lladdr")!.ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary><c>bridge fdb show dev D</c>: MAC → the remote address of each entry that has one.</summary>
    internal static IReadOnlyDictionary<string, string> ParseFdb(string listing)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var words in Lines(listing))
        {
            if (ValueAfter(words, "dst") is { } dst)
            {
                entries[words[0].ToLowerInvariant()] = dst;
            }
        }
        return entries;
    }

    private static IEnumerable<string[]> Lines(string listing) =>
        listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length > 0);

    private static string? ValueAfter(string[] words, string key) =>
        Array.IndexOf(words, key) is var at and >= 0 && at + 1 < words.Length ? words[at + 1] : null;

    /// <summary>How a podCIDR is reached: the gateway, and for VXLAN our device with <c>onlink</c>.</summary>
    internal sealed record Route(string Via, string? Device, bool OnLink)
    {
        public string Spec => Device is null ? $"via {Via}" : $"via {Via} dev {Device}{(OnLink ? " onlink" : "")}";
    }

    internal sealed record PresentState(IReadOnlyDictionary<string, Route> Routes, IReadOnlyDictionary<string, string> Neighbours, IReadOnlyDictionary<string, string> Fdb);

    internal sealed record RoutePlan(IReadOnlyList<string> Remove, IReadOnlyList<string> Fdb, IReadOnlyList<string> Add);
}
