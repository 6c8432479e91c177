namespace MiniKube.ApiServer.NodeAuthorization;

/// <summary>The kinds of object the <see cref="NodeGraph"/> relates to nodes (graph.go's vertex types).</summary>
internal enum GraphKind : byte
{
    ConfigMap,
    Node,
    Pod,
    PersistentVolumeClaim,
    PersistentVolume,
    Secret,
    VolumeAttachment,
    ServiceAccount,
}

/// <summary>
/// Which objects each node may reach (plugin/pkg/auth/authorizer/node/graph.go, our own
/// structure): a directed graph whose edges point toward the nodes — pod → node; secret,
/// configmap, pvc, service account → pod; pv → pvc; secret → pv; volume attachment → node.
/// An edge whose far end is known to lead to one node (everything into a pod, the pod's and the
/// attachment's own edge) is a destination edge, and each vertex counts its destination edges per
/// node, so "may node n reach this Secret?" is one lookup when a pod uses it directly, and
/// otherwise follows only the few edges that carry no node (secret → pv → pvc), never all pods.
/// A vertex left without edges is removed with the edge, as upstream removes orphaned neighbours.
/// Thread-safe: one lock, held for a pod's or a lookup's edges only.
/// </summary>
internal sealed class NodeGraph
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(GraphKind Kind, string Namespace, string Name), Vertex> _vertices = [];

    /// <summary>How many objects the graph holds (nodes included).</summary>
    public int VertexCount
    {
        get
        {
            lock (_gate)
            {
                return _vertices.Count;
            }
        }
    }

    /// <summary>
    /// Relates a pod bound to <paramref name="node"/> (graph.go AddPod): pod → node; and, unless it is
    /// a mirror pod (a node must not gain access by creating one), its service account, Secrets,
    /// ConfigMaps and claims → pod. Replaces what the pod related before.
    /// </summary>
    public void AddPod(string ns, string name, string node, PodEdges edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        lock (_gate)
        {
            RemoveLocked((GraphKind.Pod, ns, name));
            var pod = GetOrAdd(GraphKind.Pod, ns, name);
            var nodeVertex = GetOrAdd(GraphKind.Node, "", node);
            Connect(pod, nodeVertex, node);
            if (edges.Mirror)
            {
                return;
            }
            if (edges.ServiceAccount.Length > 0)
            {
                Connect(GetOrAdd(GraphKind.ServiceAccount, ns, edges.ServiceAccount), pod, node);
            }
            ConnectAll(GraphKind.Secret, edges.Secrets, ns, pod, node);
            ConnectAll(GraphKind.ConfigMap, edges.ConfigMaps, ns, pod, node);
            ConnectAll(GraphKind.PersistentVolumeClaim, edges.Claims, ns, pod, node);
        }
    }

    /// <summary>
    /// Relates a PersistentVolume (graph.go AddPV): pv → its bound claim, and each Secret the kubelet
    /// reads for it → pv. A volume without a claim relates nothing.
    /// </summary>
    public void AddPersistentVolume(string name, (string Namespace, string Name)? claim, IEnumerable<(string Namespace, string Name)> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        lock (_gate)
        {
            RemoveLocked((GraphKind.PersistentVolume, "", name));
            if (claim is not { } bound)
            {
                return;
            }
            var pv = GetOrAdd(GraphKind.PersistentVolume, "", name);
            Connect(pv, GetOrAdd(GraphKind.PersistentVolumeClaim, bound.Namespace, bound.Name), null);
            foreach (var (ns, secret) in secrets)
            {
                if (secret.Length > 0)
                {
                    Connect(GetOrAdd(GraphKind.Secret, ns, secret), pv, null);
                }
            }
        }
    }

    /// <summary>Relates a VolumeAttachment to the node it attaches to (none when it names no node).</summary>
    public void AddVolumeAttachment(string name, string node)
    {
        lock (_gate)
        {
            RemoveLocked((GraphKind.VolumeAttachment, "", name));
            if (node.Length > 0)
            {
                Connect(GetOrAdd(GraphKind.VolumeAttachment, "", name), GetOrAdd(GraphKind.Node, "", node), node);
            }
        }
    }

    /// <summary>Forgets an object and every neighbour it alone kept in the graph.</summary>
    public void Remove(GraphKind kind, string ns, string name)
    {
        lock (_gate)
        {
            RemoveLocked((kind, ns, name));
        }
    }

    /// <summary>
    /// Whether <paramref name="node"/> reaches the object (hasPathFrom): false when either is unknown.
    /// Costs one lookup per vertex on the node-less edges followed from the object.
    /// </summary>
    public bool Reaches(string node, GraphKind kind, string ns, string name)
    {
        lock (_gate)
        {
            if (!_vertices.TryGetValue((GraphKind.Node, "", node), out var target) || !_vertices.TryGetValue((kind, ns, name), out var start))
            {
                return false;
            }
            var pending = new Stack<Vertex>();
            var seen = new HashSet<Vertex> { start };
            pending.Push(start);
            while (pending.TryPop(out var vertex))
            {
                if (vertex == target || (vertex.Nodes?.ContainsKey(node) ?? false))
                {
                    return true;
                }
                // A destination edge leads to its node only, which Nodes counted: follow the others.
                foreach (var (next, destination) in vertex.Out)
                {
                    if (destination is null && seen.Add(next))
                    {
                        pending.Push(next);
                    }
                }
            }
            return false;
        }
    }

    private void ConnectAll(GraphKind kind, IEnumerable<string> names, string ns, Vertex pod, string node)
    {
        foreach (var name in names)
        {
            if (name.Length > 0)
            {
                Connect(GetOrAdd(kind, ns, name), pod, node);
            }
        }
    }

    private Vertex GetOrAdd(GraphKind kind, string ns, string name)
    {
        if (!_vertices.TryGetValue((kind, ns, name), out var vertex))
        {
            vertex = new Vertex((kind, ns, name));
            _vertices.Add(vertex.Key, vertex);
        }
        return vertex;
    }

    private static void Connect(Vertex from, Vertex to, string? destination)
    {
        if (from.Out.ContainsKey(to))
        {
            return;
        }
        from.Out.Add(to, destination);
        to.In.Add(from);
        if (destination is not null)
        {
            from.Nodes ??= new Dictionary<string, int>(StringComparer.Ordinal);
            from.Nodes[destination] = from.Nodes.GetValueOrDefault(destination) + 1;
        }
    }

    private static void Disconnect(Vertex from, Vertex to)
    {
        if (!from.Out.Remove(to, out var destination))
        {
            return;
        }
        to.In.Remove(from);
        if (destination is not null && from.Nodes is { } nodes && --nodes[destination] == 0)
        {
            nodes.Remove(destination);
        }
    }

    private void RemoveLocked((GraphKind, string, string) key)
    {
        if (!_vertices.Remove(key, out var vertex))
        {
            return;
        }
        foreach (var next in vertex.Out.Keys.ToList())
        {
            Disconnect(vertex, next);
            DropIfAlone(next);
        }
        foreach (var previous in vertex.In.ToList())
        {
            Disconnect(previous, vertex);
            DropIfAlone(previous);
        }
    }

    private void DropIfAlone(Vertex vertex)
    {
        if (vertex.Out.Count == 0 && vertex.In.Count == 0)
        {
            _vertices.Remove(vertex.Key);
        }
    }

    // Reference identity: one vertex per object while it is in the graph.
    private sealed class Vertex((GraphKind Kind, string Namespace, string Name) key)
    {
        public (GraphKind Kind, string Namespace, string Name) Key { get; } = key;

        /// <summary>Edges out, each with the node it leads to when known (a destination edge).</summary>
        public Dictionary<Vertex, string?> Out { get; } = [];

        public HashSet<Vertex> In { get; } = [];

        /// <summary>Destination edges out, counted per node; null until the first.</summary>
        public Dictionary<string, int>? Nodes { get; set; }
    }
}

/// <summary>What a pod bound to a node relates to it (all in the pod's namespace).</summary>
/// <param name="Mirror">A mirror pod relates nothing but itself.</param>
internal sealed record PodEdges(bool Mirror, string ServiceAccount, IEnumerable<string> Secrets, IEnumerable<string> ConfigMaps, IEnumerable<string> Claims);
