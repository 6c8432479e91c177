using System.Collections.Immutable;

namespace MiniKube.ApiServer.Resources;

/// <summary>
/// The resources one API server serves right now: the built-in <see cref="ResourceCatalog.All"/>
/// plus the custom resources of the established CustomResourceDefinitions. Everything that
/// resolves a resource at request time (routing, discovery, strategy contexts) reads this
/// instance. Readers see an immutable <see cref="Snapshot"/>, swapped atomically under a lock by
/// writers, so a request never sees half a registration; <see cref="Version"/> grows with every
/// change so derived documents (discovery) are rebuilt only when it moved. Lookups are O(1)
/// hash lookups; a registration rebuilds the lookup tables once (linear in the served resources:
/// microseconds for hundreds), never per request.
/// </summary>
public sealed class ApiResources
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _revisions = new(StringComparer.Ordinal);
    private volatile Snapshot _current;

    // Completed and replaced on every change of the served set; guarded by _gate.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ApiResources()
        : this([])
    {
    }

    /// <param name="builtInExtras">
    /// Resources this server serves as built-ins beyond <see cref="ResourceCatalog.All"/> (the
    /// metrics API when a metrics source is wired): listed after them, served from the start, and
    /// given Local APIServices like them.
    /// </param>
    public ApiResources(IReadOnlyList<ResourceType> builtInExtras)
    {
        ArgumentNullException.ThrowIfNull(builtInExtras);
        _current = Snapshot.Initial(builtInExtras);
    }

    /// <summary>The current set; take it once per request when several lookups must agree.</summary>
    public Snapshot Current => _current;

    /// <summary>Grows by one with every change of the served set.</summary>
    public long Version => _current.Version;

    public IReadOnlyList<ResourceType> All => _current.All;

    public ResourceType? Find(string group, string version, string name) => _current.Find(group, version, name);

    public ResourceType? FindKind(string group, string version, string kind) => _current.FindKind(group, version, kind);

    /// <summary>
    /// Replaces what the CRD named <paramref name="owner"/> serves by <paramref name="types"/>
    /// (empty: it serves nothing any more), as of store revision <paramref name="revision"/>.
    /// Idempotent: the same set again changes nothing and keeps the version, so API servers that
    /// learn the same CRD twice (from their own write and from the watch) do not churn discovery;
    /// and a revision older than the last one applied for the CRD is ignored, so a watch event
    /// arriving after this server's own newer write cannot bring back an older state.
    /// </summary>
    public void Set(string owner, IReadOnlyList<ResourceType> types, long revision = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(types);
        lock (_gate)
        {
            if (revision != long.MaxValue)
            {
                if (revision < _revisions.GetValueOrDefault(owner))
                {
                    return;
                }
                _revisions[owner] = revision;
            }
            var current = _current;
            var previous = current.Custom.GetValueOrDefault(owner, []);
            if (previous.Count == 0 && types.Count == 0)
            {
                return;
            }
            if (previous.Count == types.Count && previous.Zip(types).All(p => Same(p.First, p.Second)))
            {
                return;
            }
            _current = current.With(owner, types);
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }
    }

    /// <summary>Completes when the served set has changed from the one whose version is <paramref name="version"/> (at once when it already has).</summary>
    public Task ChangedSinceAsync(long version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _current.Version != version ? Task.CompletedTask : _changed.Task.WaitAsync(cancellationToken);
        }
    }

    // Equal registrations come from the same stored CRD version: compare what the CRD decides.
    private static bool Same(ResourceType a, ResourceType b) =>
        a == b || (a.Custom is { } x && b.Custom is { } y && x.Generation == y.Generation && x.ResourceVersion == y.ResourceVersion && x.CrdUid == y.CrdUid
            && a.Version == b.Version && a.Name == b.Name);

    /// <summary>One immutable state of the served resources.</summary>
    public sealed class Snapshot
    {
        internal static Snapshot Initial(IReadOnlyList<ResourceType> extras) =>
            new(0, [.. ResourceCatalog.All, .. extras], ImmutableSortedDictionary<string, IReadOnlyList<ResourceType>>.Empty.WithComparers(StringComparer.Ordinal));

        // Plain dictionaries, never written after construction: safe for concurrent readers, and the
        // fastest lookup for the one every request makes.
        private readonly Dictionary<(string Group, string Version, string Name), ResourceType> _byName;
        private readonly Dictionary<(string Group, string Version, string Kind), ResourceType> _byKind;
        private readonly HashSet<(string Group, string Version)> _groupVersions;
        private readonly HashSet<string> _groups;

        private Snapshot(long version, IReadOnlyList<ResourceType> builtIn, ImmutableSortedDictionary<string, IReadOnlyList<ResourceType>> custom)
        {
            Version = version;
            Custom = custom;
            BuiltIn = builtIn;
            BuiltInGroupVersions = builtIn.Select(type => (type.Group, type.Version)).Distinct().ToList();
            var all = new List<ResourceType>(builtIn);
            foreach (var types in custom.Values)
            {
                all.AddRange(types);
            }
            All = all;
            var byName = new Dictionary<(string, string, string), ResourceType>(all.Count);
            var byKind = new Dictionary<(string, string, string), ResourceType>(all.Count);
            foreach (var type in all)
            {
                // Built-ins first: a CRD can never shadow a built-in resource.
                byName.TryAdd((type.Group, type.Version, type.Name), type);
                byKind.TryAdd((type.Group, type.Version, type.Kind), type);
            }
            _byName = byName;
            _byKind = byKind;
            _groupVersions = all.Select(type => (type.Group, type.Version)).ToHashSet();
            _groups = all.Select(type => type.Group).ToHashSet(StringComparer.Ordinal);
        }

        public long Version { get; }

        /// <summary>The built-in resources: the catalog's, then the extras this server was made with.</summary>
        public IReadOnlyList<ResourceType> BuiltIn { get; }

        /// <summary>The group-versions of <see cref="BuiltIn"/>, in discovery order.</summary>
        public IReadOnlyList<(string Group, string Version)> BuiltInGroupVersions { get; }

        /// <summary>Built-ins in catalog order, then custom resources by CRD name, each CRD's served versions in its preference order.</summary>
        public IReadOnlyList<ResourceType> All { get; }

        /// <summary>The custom resources by the name of the CRD that defines them.</summary>
        public ImmutableSortedDictionary<string, IReadOnlyList<ResourceType>> Custom { get; }

        public ResourceType? Find(string group, string version, string name) =>
            _byName.TryGetValue((group, version, name), out var type) ? type : null;

        public ResourceType? FindKind(string group, string version, string kind) =>
            _byKind.TryGetValue((group, version, kind), out var type) ? type : null;

        /// <summary>True when this server serves some resource of <paramref name="group"/>/<paramref name="version"/> itself (built-in or custom).</summary>
        public bool Serves(string group, string version) => _groupVersions.Contains((group, version));

        /// <summary>True when this server serves some version of <paramref name="group"/> itself.</summary>
        public bool ServesGroup(string group) => _groups.Contains(group);

        internal Snapshot With(string owner, IReadOnlyList<ResourceType> types) =>
            new(Version + 1, BuiltIn, types.Count == 0 ? Custom.Remove(owner) : Custom.SetItem(owner, types));
    }
}
