using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>One page of a LIST: stored objects with their versions, the list revision and the continue token.</summary>
public sealed record ListPage(IReadOnlyList<KeyValue> Items, long Revision, string? Continue);

/// <summary>
/// The generic registry (kube-apiserver's apiserver pkg/registry/generic/registry/store.go):
/// CRUD for every resource over the store, with system metadata, optimistic concurrency,
/// graceful deletion and finalizers. Kind-specific behaviour comes from <see cref="IObjectRules"/> and the kind's strategy.
/// Every write is a compare-and-swap on the key's ModRevision, so concurrent writers (several
/// API servers over one etcd included) never overwrite each other.
/// </summary>
public sealed class ResourceRegistry(IStore store, IObjectRules rules, TimeProvider clock)
{
    private const int MaxRetries = 16;

    public IStore Store { get; } = store;

    public TimeProvider Clock { get; } = clock;

    /// <summary>Serves the lists that need not read the store (the watch cache); null: every list reads the store.</summary>
    public IListCache? ListCache { get; init; }

    /// <summary>Expiry of the kinds that expire (Events, <c>--event-ttl</c>); null: nothing expires.</summary>
    public ObjectLeases? Leases { get; init; }

    /// <summary>
    /// Told of every write this registry stored (not dry runs), before the caller answers: the
    /// resource, the object as stored, and whether it is gone. What serves CRDs registers their
    /// resources here, so they are served when the CRD's write returns. Must not change the object.
    /// </summary>
    public Action<ResourceType, JsonObject, bool>? Stored { get; set; }

    /// <summary>
    /// Admits the create of <paramref name="subresource"/> of <paramref name="ns"/>/<paramref name="name"/>
    /// (an eviction, a token request) whose body stores nothing; the body is named as its parent for admission.
    /// </summary>
    public Task AdmitSubresourceCreateAsync(ResourceType type, string? ns, string name, string subresource, JsonObject body, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(body);
        var named = (JsonObject)body.DeepClone();
        var metadata = named.Ensure("metadata");
        metadata["name"] = name;
        if (type.Namespaced)
        {
            metadata["namespace"] = ns;
        }
        return rules.AdmitSubresourceCreateAsync(type, subresource, named, dryRun, cancellationToken);
    }

    public static string Key(ResourceType type, string? ns, string name)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Namespaced ? $"{type.KeyPrefix}{ns}/{name}" : $"{type.KeyPrefix}{name}";
    }

    public static string Prefix(ResourceType type, string? ns)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Namespaced && ns is not null ? $"{type.KeyPrefix}{ns}/" : type.KeyPrefix;
    }

    /// <summary>The object's stored bytes, in <paramref name="type"/>'s form (converted when it is served over another form).</summary>
    public async Task<KeyValue> GetStoredAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        var kv = await GetRawAsync(type, ns, name, cancellationToken);
        return type.StoredAs?.FromStorageAllAsync is null ? Present(type, kv) : (await PresentAsync(type, [kv], cancellationToken))[0];
    }

    public async Task<JsonObject> GetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        var kv = await GetStoredAsync(type, ns, name, cancellationToken);
        return ObjectCodec.Decode(kv.Value, kv.ModRevision);
    }

    private async Task<KeyValue> GetRawAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken) =>
        await Store.GetAsync(Key(type, ns, name), 0, cancellationToken) ?? throw ApiException.NotFound(type, name);

    /// <summary>A stored object re-encoded in the served form; the same instance when no conversion applies.</summary>
    private static KeyValue Present(ResourceType type, KeyValue kv)
    {
        if (type.StoredAs is null)
        {
            return kv;
        }
        var served = type.FromStorage(ObjectCodec.Decode(kv.Value, kv.ModRevision));
        return kv with { Value = ObjectCodec.Encode(served) };
    }

    private static async Task<ListPage> PresentAsync(ResourceType type, ListPage page, CancellationToken cancellationToken) =>
        type.StoredAs is null ? page
        : type.StoredAs.FromStorageAllAsync is null ? page with { Items = page.Items.Select(kv => Present(type, kv)).ToList() }
        : page with { Items = await PresentAsync(type, page.Items, cancellationToken) };

    // Stored objects converted together (one webhook call for them all).
    private static async Task<IReadOnlyList<KeyValue>> PresentAsync(ResourceType type, IReadOnlyList<KeyValue> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return items;
        }
        var served = await type.StoredAs!.FromStorageAllAsync!(items.Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision)).ToList(), cancellationToken);
        return items.Select((kv, i) => kv with { Value = ObjectCodec.Encode(served[i]) }).ToList();
    }

    /// <summary>
    /// Reads up to <see cref="ListOptions.Limit"/> matching objects (all when 0) from one
    /// snapshot; the continue token resumes at the same revision.
    /// </summary>
    /// <remarks>The filter sees objects as stored; the page carries them in <paramref name="type"/>'s form.</remarks>
    public async Task<ListPage> ListAsync(ResourceType type, string? ns, ListOptions options, Func<JsonObject, bool>? filter, CancellationToken cancellationToken) =>
        await PresentAsync(type, await ListRawAsync(type, ns, options, filter, cancellationToken), cancellationToken);

    private async Task<ListPage> ListRawAsync(ResourceType type, string? ns, ListOptions options, Func<JsonObject, bool>? filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ListCache is not null && await ListCache.TryListAsync(type, ns, options, filter, cancellationToken) is { } cached)
        {
            return cached;
        }
        long revision = 0;
        string? startAfter = null;
        if (options.Continue is { } token)
        {
            (revision, startAfter) = ContinueToken.Decode(token);
        }
        else if (options.ResourceVersionMatch == "Exact")
        {
            revision = options.Revision;
        }
        var prefix = Prefix(type, ns);
        var items = new List<KeyValue>();
        var chunk = options.Limit > 0 ? Math.Max(options.Limit, 100) : 0;
        try
        {
            while (true)
            {
                var result = await Store.RangeAsync(new RangeRequest(prefix, chunk, startAfter, revision), cancellationToken);
                revision = result.Revision;
                foreach (var kv in result.Items)
                {
                    if (filter is null || filter(ObjectCodec.Decode(kv.Value, kv.ModRevision)))
                    {
                        items.Add(kv);
                        if (options.Limit > 0 && items.Count == options.Limit)
                        {
                            var more = result.More || !ReferenceEquals(kv, result.Items[^1]);
                            return new ListPage(items, revision, more ? ContinueToken.Encode(revision, kv.Key) : null);
                        }
                    }
                }
                if (!result.More || result.Items.Count == 0)
                {
                    return new ListPage(items, revision, null);
                }
                startAfter = result.Items[^1].Key;
            }
        }
        catch (CompactedException) when (options.Continue is not null)
        {
            throw ApiException.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
        }
        catch (CompactedException e)
        {
            throw ApiException.Expired($"too old resource version: {revision} ({e.CompactRevision})");
        }
    }

    /// <summary>
    /// Creates the object after defaulting and validation; 409 AlreadyExists when the name is
    /// taken. <paramref name="owner"/> is who writes, for managedFields (null: left as given).
    /// </summary>
    public async Task<JsonObject> CreateAsync(ResourceType type, string? ns, JsonObject obj, bool dryRun, CancellationToken cancellationToken, FieldOwner? owner = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        return type.FromStorage(await CreateStoredAsync(type, ns, type.ToStorage(obj), dryRun, owner, cancellationToken));
    }

    private async Task<JsonObject> CreateStoredAsync(ResourceType type, string? ns, JsonObject obj, bool dryRun, FieldOwner? owner, CancellationToken cancellationToken)
    {
        var metadata = ObjectCodec.Metadata(obj);
        if (type.Namespaced)
        {
            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }
        var generated = ObjectMeta.Name(obj) is null && ObjectMeta.Str(metadata["generateName"]) is not null;
        if (generated)
        {
            metadata["name"] = ObjectMeta.Str(metadata["generateName"]) + NameSuffix();
        }
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = ObjectMeta.Timestamp(Clock.GetUtcNow());
        foreach (var system in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" })
        {
            metadata.Remove(system);
        }
        if (type.Strategy.TracksGeneration)
        {
            metadata["generation"] = 1;
        }
        else
        {
            metadata.Remove("generation");
        }
        await rules.PrepareForCreateAsync(type, obj, owner, dryRun, cancellationToken);
        var name = ObjectMeta.Name(obj)!;
        if (dryRun)
        {
            await rules.ReleaseAsync(type, obj, null, CancellationToken.None);
            return obj;
        }
        WriteResult result;
        try
        {
            result = await WithLeaseAsync(type, 0, lease => Store.CreateAsync(Key(type, ns, name), ObjectCodec.Encode(obj), lease, cancellationToken), cancellationToken);
        }
        catch
        {
            await rules.ReleaseAsync(type, obj, null, CancellationToken.None);
            throw;
        }
        if (!result.Succeeded)
        {
            await rules.ReleaseAsync(type, obj, null, CancellationToken.None);
            throw ApiException.AlreadyExists(type, name);
        }
        metadata["resourceVersion"] = result.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Stored?.Invoke(type, obj, false);
        return obj;
    }

    /// <summary>
    /// Read-modify-write with retries: <paramref name="mutate"/> gets a private copy of the
    /// latest object and returns the desired one (it may throw to refuse). A
    /// resourceVersion in the result that differs from the one read is a 409 Conflict; a
    /// concurrent write between read and write just retries. <paramref name="owner"/> is who
    /// writes, for managedFields (null: internal writes, which leave them as they are).
    /// </summary>
    public async Task<JsonObject> UpdateAsync(
        ResourceType type, string? ns, string name, string? subresource, Func<JsonObject, JsonObject> mutate, bool dryRun, CancellationToken cancellationToken,
        FieldOwner? owner = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(mutate);
        if (type.StoredAs is null)
        {
            return await UpdateStoredAsync(type, ns, name, subresource, mutate, dryRun, owner, cancellationToken);
        }
        // The caller reads and writes its own form; the rules and the store see the stored one.
        var updated = await UpdateStoredAsync(type, ns, name, subresource, stored => type.ToStorage(mutate(type.FromStorage(stored))), dryRun, owner, cancellationToken);
        return type.FromStorage(updated);
    }

    private async Task<JsonObject> UpdateStoredAsync(
        ResourceType type, string? ns, string name, string? subresource, Func<JsonObject, JsonObject> mutate, bool dryRun, FieldOwner? owner, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetRawAsync(type, ns, name, cancellationToken);
            var old = ObjectCodec.Decode(current.Value, current.ModRevision);
            var updated = mutate(old.DeepClone().AsObject());
            var preconditionVersion = ObjectMeta.ResourceVersion(updated);
            if (preconditionVersion is { Length: > 0 } && preconditionVersion != ObjectMeta.ResourceVersion(old))
            {
                throw ApiException.StaleVersion(type, name);
            }
            PreserveSystemMetadata(updated, old, ns);
            await rules.PrepareForUpdateAsync(type, updated, old, subresource, owner, dryRun, cancellationToken);
            BumpGeneration(type, updated, old);
            try
            {
                await rules.ValidateUpdateAsync(type, updated, old, subresource, dryRun, cancellationToken);
            }
            catch (ApiException)
            {
                await rules.ReleaseAsync(type, updated, old, CancellationToken.None);
                throw;
            }
            if (JsonNode.DeepEquals(Strip(updated), Strip(old)))
            {
                // A no-op write keeps the object's version, as kube-apiserver does. Property order
                // is no change (a server-side apply may rebuild metadata in another order; Go
                // encodes typed fields and map keys in one fixed order, so upstream never sees it).
                return old;
            }
            if (dryRun)
            {
                await rules.ReleaseAsync(type, updated, old, CancellationToken.None);
                return updated;
            }
            if (ObjectMeta.IsDeleting(updated) && !ObjectMeta.HasFinalizers(updated) && DeletionGraceDone(updated))
            {
                var deleted = await Store.DeleteAsync(current.Key, current.ModRevision, cancellationToken);
                if (deleted.Succeeded)
                {
                    await rules.ReleaseAsync(type, updated, null, CancellationToken.None);
                    await rules.ReleaseAsync(type, old, null, CancellationToken.None);
                    updated["metadata"]!["resourceVersion"] = deleted.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Stored?.Invoke(type, updated, true);
                    return updated;
                }
            }
            else
            {
                var result = await WithLeaseAsync(type, current.Lease, lease => Store.UpdateAsync(current.Key, ObjectCodec.Encode(updated), current.ModRevision, lease, cancellationToken), cancellationToken);
                if (result.Succeeded)
                {
                    await rules.ReleaseAsync(type, old, updated, CancellationToken.None);
                    updated["metadata"]!["resourceVersion"] = result.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Stored?.Invoke(type, updated, false);
                    return updated;
                }
            }
            await rules.ReleaseAsync(type, updated, old, CancellationToken.None);
            if (attempt == MaxRetries || preconditionVersion is { Length: > 0 })
            {
                throw ApiException.StaleVersion(type, name);
            }
        }
    }

    /// <summary>
    /// A create or update of an object of <paramref name="type"/>: with a fresh lease when its
    /// kind expires (each write restarts the TTL, as upstream's TTLFunc), else with
    /// <paramref name="kept"/>. A lease the store no longer knows is dropped and the write retried once.
    /// </summary>
    private async Task<WriteResult> WithLeaseAsync(ResourceType type, long kept, Func<long, Task<WriteResult>> write, CancellationToken cancellationToken)
    {
        if (Leases is null || !Leases.Expires(type))
        {
            return await write(kept);
        }
        var lease = await Leases.ForWriteAsync(type, cancellationToken);
        try
        {
            return await write(lease);
        }
        catch (LeaseNotFoundException)
        {
            Leases.Forget(lease);
            return await write(await Leases.ForWriteAsync(type, cancellationToken));
        }
    }

    /// <summary>
    /// DELETE: immediate, or graceful (pods on a node get a deletionTimestamp and wait for
    /// their kubelet), or pending finalizers. Returns the object as it now stands and whether
    /// it is gone.
    /// </summary>
    public async Task<(JsonObject Object, bool Gone)> DeleteAsync(ResourceType type, string? ns, string name, DeleteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        var (obj, gone) = await DeleteStoredAsync(type, ns, name, options, cancellationToken);
        return (type.FromStorage(obj), gone);
    }

    private async Task<(JsonObject Object, bool Gone)> DeleteStoredAsync(ResourceType type, string? ns, string name, DeleteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetRawAsync(type, ns, name, cancellationToken);
            var obj = ObjectCodec.Decode(current.Value, current.ModRevision);
            if (options.Uid is { } uid && uid != ObjectMeta.Uid(obj))
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Uid(obj)}");
            }
            if (options.ResourceVersion is { } rv && rv != ObjectMeta.ResourceVersion(obj))
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {ObjectMeta.ResourceVersion(obj)}");
            }
            await rules.AdmitDeleteAsync(type, obj, options.DryRun, cancellationToken);
            var pending = PendingDeletion(type, obj, options);
            if (options.DryRun)
            {
                return (pending ?? obj, pending is null);
            }
            if (pending is not null)
            {
                if (ObjectMeta.Text(pending) == ObjectMeta.Text(obj))
                {
                    return (obj, false);
                }
                var write = await Store.UpdateAsync(current.Key, ObjectCodec.Encode(pending), current.ModRevision, current.Lease, cancellationToken);
                if (write.Succeeded)
                {
                    pending["metadata"]!["resourceVersion"] = write.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Stored?.Invoke(type, pending, false);
                    return (pending, false);
                }
            }
            else
            {
                var result = await Store.DeleteAsync(current.Key, current.ModRevision, cancellationToken);
                if (result.Succeeded)
                {
                    await rules.ReleaseAsync(type, obj, null, CancellationToken.None);
                    Stored?.Invoke(type, obj, true);
                    return (obj, true);
                }
            }
            if (attempt == MaxRetries)
            {
                throw ApiException.StaleVersion(type, name);
            }
        }
    }

    /// <summary>
    /// namespaces/finalize: sets spec.finalizers; a terminating namespace left with none is removed.
    /// </summary>
    public async Task<JsonObject> FinalizeNamespaceAsync(ResourceType type, string name, JsonArray finalizers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finalizers);
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetRawAsync(type, null, name, cancellationToken);
            var ns = ObjectCodec.Decode(current.Value, current.ModRevision);
            var spec = ns["spec"] as JsonObject ?? [];
            spec["finalizers"] = finalizers.DeepClone();
            ns["spec"] = spec;
            ObjectCodec.Metadata(ns).Remove("resourceVersion");
            WriteResult result;
            var gone = ObjectMeta.IsDeleting(ns) && finalizers.Count == 0 && !ObjectMeta.HasFinalizers(ns);
            result = gone
                ? await Store.DeleteAsync(current.Key, current.ModRevision, cancellationToken)
                : await Store.UpdateAsync(current.Key, ObjectCodec.Encode(ns), current.ModRevision, current.Lease, cancellationToken);
            if (result.Succeeded)
            {
                ObjectCodec.Metadata(ns)["resourceVersion"] = result.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ns;
            }
            if (attempt == MaxRetries)
            {
                throw ApiException.StaleVersion(type, name);
            }
        }
    }

    /// <summary>The object marked for deletion, or null when it can go now.</summary>
    private JsonObject? PendingDeletion(ResourceType type, JsonObject obj, DeleteOptions options)
    {
        var metadata = ObjectCodec.Metadata(obj).DeepClone().AsObject();
        var pending = obj.DeepClone().AsObject();
        pending["metadata"] = metadata;
        var finalizers = metadata["finalizers"] as JsonArray ?? [];
        var propagation = options.PropagationPolicy ?? (options.OrphanDependents == true ? "Orphan" : null);
        var propagationFinalizer = propagation switch
        {
            "Foreground" => "foregroundDeletion",
            "Orphan" => "orphan",
            _ => null,
        };
        if (propagationFinalizer is not null && !finalizers.Any(f => ObjectMeta.Str(f) == propagationFinalizer) && !ObjectMeta.IsDeleting(obj))
        {
            finalizers.Add(propagationFinalizer);
            metadata["finalizers"] = finalizers.DeepClone();
        }
        var now = Clock.GetUtcNow();
        if (type.Strategy.BeginDelete(type, pending, now) is { } decision)
        {
            return decision == DeleteDecision.Wait ? pending : null;
        }
        var grace = type.Strategy.GracePeriodSeconds(obj, options.GracePeriodSeconds);
        if (grace == 0 && finalizers.Count == 0)
        {
            return null;
        }
        if (ObjectMeta.IsDeleting(obj))
        {
            // A second DELETE may only shorten a pod's grace period.
            var previous = obj["metadata"]?["deletionGracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var p) ? p : 0;
            if (grace >= previous)
            {
                return finalizers.Count == 0 && grace == 0 ? null : obj;
            }
        }
        metadata["deletionTimestamp"] = ObjectMeta.Timestamp(now.AddSeconds(grace));
        metadata["deletionGracePeriodSeconds"] = grace;
        return pending;
    }

    private static bool DeletionGraceDone(JsonObject obj) =>
        obj["metadata"]?["deletionGracePeriodSeconds"] is not JsonValue g || !g.TryGetValue<long>(out var grace) || grace == 0;

    private static void PreserveSystemMetadata(JsonObject updated, JsonObject old, string? ns)
    {
        var metadata = ObjectCodec.Metadata(updated);
        var oldMetadata = ObjectCodec.Metadata(old);
        metadata["name"] = oldMetadata["name"]?.DeepClone();
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            if (oldMetadata[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
            else
            {
                metadata.Remove(field);
            }
        }
        // Validation sees the version the write is based on, as upstream's store fills it in
        // for unconditional updates; the stored form never carries it.
        metadata["resourceVersion"] = oldMetadata["resourceVersion"]?.DeepClone();
        metadata.Remove("selfLink");
    }

    private static void BumpGeneration(ResourceType type, JsonObject updated, JsonObject old)
    {
        if (ObjectMeta.Generation(old) > 0 && type.Strategy.ChangesGeneration(updated, old))
        {
            updated["metadata"]!["generation"] = ObjectMeta.Generation(old) + 1;
        }
    }

    private static JsonObject Strip(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        ObjectCodec.Metadata(copy).Remove("resourceVersion");
        return copy;
    }

    private static string NameSuffix()
    {
        // As apiserver's names.SimpleNameGenerator: 5 characters without vowels or look-alikes.
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
