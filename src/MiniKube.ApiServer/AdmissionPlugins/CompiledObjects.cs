using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// What admission makes of every stored object of one kind (webhook configurations, admission
/// policies, their bindings): read from the watch cache on each call, the objects sorted by
/// name, and built into <typeparamref name="T"/> again only when one of them changed (compared
/// by key and version), as upstream's informer-fed configuration managers recompile on change.
/// The result is shared by concurrent requests and must be immutable. Thread-safe.
/// </summary>
public sealed class CompiledObjects<T>(CachedReads reads, ResourceType type, Func<IReadOnlyList<JsonObject>, T> build)
{
    private volatile Snapshot? _current;

    public ResourceType Type => type;

    public async Task<T> CurrentAsync(CancellationToken cancellationToken)
    {
        var items = await reads.ListAsync(type, null, cancellationToken);
        var current = _current;
        if (current is not null && current.Describes(items))
        {
            return current.Built;
        }
        var objects = items
            .Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision))
            .OrderBy(c => ObjectMeta.Name(c), StringComparer.Ordinal)
            .ToList();
        var built = build(objects);
        _current = new Snapshot(items.Select(kv => (kv.Key, kv.ModRevision)).ToArray(), built);
        return built;
    }

    private sealed record Snapshot((string Key, long Version)[] Versions, T Built)
    {
        public bool Describes(IReadOnlyList<KeyValue> items)
        {
            if (items.Count != Versions.Length)
            {
                return false;
            }
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i].ModRevision != Versions[i].Version || items[i].Key != Versions[i].Key)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
