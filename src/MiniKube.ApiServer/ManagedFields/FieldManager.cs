using System.Text;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.ManagedFields;

/// <summary>
/// Who writes: the field manager, the operation (<see cref="ManagerEntry.Update"/> or
/// <see cref="ManagerEntry.Apply"/>), the request's apiVersion, the subresource written through
/// (status, scale; null for the object itself) and the time the entry records.
/// </summary>
public sealed record FieldOwner(string Manager, string Operation, string ApiVersion, string? Subresource, DateTimeOffset Time)
{
    public string Identity => ManagerEntry.IdentityOf(Manager, Operation, ApiVersion, Subresource);
}

/// <summary>
/// Keeps <c>metadata.managedFields</c> and merges applied configurations, as kube-apiserver's
/// field manager stack does (apimachinery pkg/util/managedfields/internal: fieldmanager.go,
/// structuredmerge.go, stripmeta.go, managedfieldsupdater.go, buildmanagerinfo.go,
/// capmanagers.go, lastappliedmanager.go, lastappliedupdater.go; merge/update.go of
/// structured-merge-diff). Objects passed in are changed in place: pass private copies.
/// <para>
/// <c>reset</c> arguments are the paths the write cannot change (upstream's reset
/// fields: status for the object itself, spec for /status), which nobody comes to own.
/// </para>
/// </summary>
public static class FieldManager
{
    /// <summary>The annotation client-side apply keeps its configuration in.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>Update managers kept before the oldest are merged into "ancient-changes" (DefaultMaxUpdateManagers).</summary>
    public const int MaxUpdateManagers = 10;

    // Never owned by anyone (stripmeta.go).
    private static readonly FieldSet Stripped = StrippedFields();

    private static readonly FieldSet StatusOnly = Single("status");

    private static readonly FieldSet SpecOnly = Single("spec");

    /// <summary>
    /// The paths a write cannot change and nobody owns through it (the strategies' GetResetFields):
    /// status for a kind with a status subresource written as a whole, spec for /status.
    /// </summary>
    public static FieldSet? ResetFields(bool hasStatus, string? subresource) => subresource switch
    {
        null => hasStatus ? StatusOnly : null,
        "status" => SpecOnly,
        _ => null,
    };

    private static FieldSet Single(string field)
    {
        var set = new FieldSet();
        set.Insert(PathElement.Field(field));
        return set;
    }

    /// <summary>
    /// Records a create, update or patch: <paramref name="updated"/> is the object about to be
    /// stored, <paramref name="live"/> the stored one (null on create). Fields the write added or
    /// changed move to the owner's Update entry; removed fields leave every entry. The client's
    /// own managedFields are kept when valid (a subresource write keeps the stored ones); an
    /// empty list resets them. An object that does not fit its shape keeps the live entries.
    /// </summary>
    public static void Update(JsonObject? live, JsonObject updated, FieldOwner owner, IFieldShape shape, FieldSet? reset = null)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(owner);
        var updatedMetadata = Metadata(updated);
        var liveFields = live?["metadata"]?["managedFields"];
        var requested = updatedMetadata?["managedFields"];
        updatedMetadata?.Remove("managedFields");
        var liveMetadata = live?["metadata"] as JsonObject;
        liveMetadata?.Remove("managedFields");
        try
        {
            var managed = DecodeLiveOrNew(liveFields, requested, owner.Subresource is not null);
            var compare = Exclude(TypedWalk.Compare(live, updated, shape), reset);
            var changed = compare.Modified.Union(compare.Added);
            foreach (var entry in managed.Values.ToList())
            {
                entry.Set = entry.Set.Difference(changed).Difference(compare.Removed);
                if (entry.Set.IsEmpty)
                {
                    managed.Remove(entry.Identity);
                }
            }
            var mine = changed.Difference(Stripped);
            if (!mine.IsEmpty)
            {
                if (managed.TryGetValue(owner.Identity, out var previous))
                {
                    previous.Set = mine.Union(previous.Set);
                    previous.Time = owner.Time;
                }
                else
                {
                    managed[owner.Identity] = new ManagerEntry(owner.Manager, ManagerEntry.Update, owner.ApiVersion, owner.Subresource, mine, owner.Time);
                }
            }
            CapUpdateManagers(managed);
            Store(updated, managed);
        }
        catch (Exception e) when (e is FieldShapeException or FormatException)
        {
            // UpdateNoErrors: a write is never refused for its managedFields; the stored ones stay.
            if (liveFields is not null && updatedMetadata is not null)
            {
                updatedMetadata["managedFields"] = liveFields.DeepClone();
            }
        }
        finally
        {
            if (liveMetadata is not null && liveFields is not null)
            {
                liveMetadata["managedFields"] = liveFields;
            }
        }
    }

    /// <summary>
    /// Server-side apply: merges <paramref name="config"/> into <paramref name="live"/> (null: the
    /// object is created), gives the owner exactly the fields the configuration names, removes
    /// fields it named last time and no longer does unless someone else owns them, and refuses
    /// (409) to change a field another manager owns unless <paramref name="force"/>.
    /// </summary>
    /// <returns>The object to store, managedFields included.</returns>
    /// <exception cref="ApiException">409 for conflicts, 400 for a configuration that does not fit the kind.</exception>
    public static JsonObject Apply(JsonObject? live, JsonObject config, FieldOwner owner, bool force, IFieldShape shape, FieldSet? reset = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(owner);
        if (config["metadata"]?["managedFields"] is not null)
        {
            throw ApiException.BadRequest("metadata.managedFields must be nil");
        }
        var liveObject = live ?? new JsonObject();
        var liveFields = Metadata(liveObject)?["managedFields"];
        Metadata(liveObject)?.Remove("managedFields");
        Dictionary<string, ManagerEntry> managed;
        try
        {
            managed = ManagedFieldsList.Decode(liveFields);
        }
        catch (FormatException e)
        {
            throw ApiException.Internal($"failed to decode managed fields: {e.Message}");
        }
        try
        {
            JsonObject merged;
            try
            {
                (merged, managed) = ApplyOnce(liveObject, config, owner, force, shape, reset, managed);
            }
            catch (ConflictsException conflicts) when (owner.Manager == "kubectl" && !force)
            {
                // lastappliedmanager.go: kubectl taking over from client-side apply may take the
                // fields its last-applied configuration set, as long as they still hold those values.
                var allowed = AllowedFromLastApplied(liveObject, owner.ApiVersion, shape);
                var remaining = conflicts.Conflicts.Where(c => allowed is null || !allowed.Has(c.Path)).ToList();
                if (remaining.Count > 0)
                {
                    throw ConflictError(remaining);
                }
                (merged, managed) = ApplyOnce(liveObject, config, owner, force: true, shape, reset, managed);
            }
            if (owner.Manager == "kubectl" && Annotation(liveObject, LastAppliedAnnotation) is { Length: > 0 })
            {
                SetLastApplied(merged, config);
            }
            Store(merged, managed);
            return merged;
        }
        catch (ConflictsException conflicts)
        {
            throw ConflictError(conflicts.Conflicts);
        }
        catch (FieldShapeException e)
        {
            throw ApiException.BadRequest($"failed to create typed patch object: {e.Message}");
        }
    }

    private static (JsonObject Merged, Dictionary<string, ManagerEntry> Managed) ApplyOnce(
        JsonObject live, JsonObject config, FieldOwner owner, bool force, IFieldShape shape, FieldSet? reset, Dictionary<string, ManagerEntry> original)
    {
        var managed = original.ToDictionary(e => e.Key, e => new ManagerEntry(e.Value.Manager, e.Value.Operation, e.Value.ApiVersion, e.Value.Subresource, e.Value.Set, e.Value.Time));
        var merged = TypedWalk.Merge((JsonObject)live.DeepClone(), config, shape);
        managed.TryGetValue(owner.Identity, out var last);
        var set = TypedWalk.ToFieldSet(config, shape);
        if (reset is not null)
        {
            set = set.RecursiveDifference(reset);
        }
        var applier = new ManagerEntry(owner.Manager, ManagerEntry.Apply, owner.ApiVersion, owner.Subresource, set, last?.Time);
        managed[owner.Identity] = applier;
        if (last is { Set.IsEmpty: false })
        {
            // prune (merge/update.go): what the applier owned last time and no longer names goes, unless someone still owns it or something below it.
            var owned = new FieldSet();
            foreach (var entry in managed.Values)
            {
                owned.AddAll(entry.Set);
            }
            owned = TypedWalk.EnsureNamedFieldsAreMembers(owned, shape);
            var candidates = TypedWalk.EnsureNamedFieldsAreMembers(last.Set, shape).Difference(owned);
            TypedWalk.Remove(merged, candidates, owned, shape);
        }
        var compare = Exclude(TypedWalk.Compare(live, merged, shape), reset);
        var changed = compare.Modified.Union(compare.Added);
        var conflicts = new List<Conflict>();
        foreach (var entry in managed.Values.ToList())
        {
            if (entry.Identity == owner.Identity)
            {
                continue;
            }
            var taken = entry.Set.Intersection(changed);
            if (!taken.IsEmpty)
            {
                conflicts.AddRange(taken.Paths().Select(p => new Conflict(entry, p)));
            }
            entry.Set = entry.Set.Difference(taken).Difference(compare.Removed);
            if (entry.Set.IsEmpty)
            {
                managed.Remove(entry.Identity);
            }
        }
        if (conflicts.Count > 0 && !force)
        {
            throw new ConflictsException(conflicts);
        }
        applier.Set = applier.Set.Difference(Stripped);
        if (applier.Set.IsEmpty)
        {
            managed.Remove(owner.Identity);
        }
        else if (applier.Time is null || !compare.Added.IsEmpty || !compare.Modified.IsEmpty || !compare.Removed.IsEmpty)
        {
            // managedfieldsupdater.go: the time moves only when the object changed.
            applier.Time = owner.Time;
        }
        return (merged, managed);
    }

    private static FieldSet? AllowedFromLastApplied(JsonObject live, string apiVersion, IFieldShape shape)
    {
        if (Annotation(live, LastAppliedAnnotation) is not { Length: > 0 } text)
        {
            return null;
        }
        JsonObject? lastApplied;
        try
        {
            lastApplied = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (lastApplied is null || lastApplied["apiVersion"]?.GetValueKind() != JsonValueKind.String || (string?)lastApplied["apiVersion"] != apiVersion)
        {
            return null;
        }
        try
        {
            var set = TypedWalk.ToFieldSet(lastApplied, shape);
            var compare = TypedWalk.Compare(lastApplied, live, shape);
            return set.Difference(compare.Modified).Difference(compare.Added).Difference(compare.Removed);
        }
        catch (FieldShapeException)
        {
            return null;
        }
    }

    // lastappliedupdater.go: the annotation follows what kubectl applied server-side, keys sorted as Go encodes maps.
    private static void SetLastApplied(JsonObject merged, JsonObject config)
    {
        var copy = (JsonObject)config.DeepClone();
        if (copy["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(LastAppliedAnnotation);
            if (annotations.Count == 0)
            {
                ((JsonObject)copy["metadata"]!).Remove("annotations");
            }
        }
        var text = new StringBuilder();
        SortedJson.Append(text, copy, JsonText.Append);
        text.Append('\n');
        var metadata = Metadata(merged) ?? [];
        merged["metadata"] ??= metadata;
        if (metadata["annotations"] is not JsonObject target)
        {
            target = [];
            metadata["annotations"] = target;
        }
        target[LastAppliedAnnotation] = text.ToString();
    }

    private static Dictionary<string, ManagerEntry> DecodeLiveOrNew(JsonNode? live, JsonNode? requested, bool subresource)
    {
        if (!subresource)
        {
            if (ManagedFieldsList.IsReset(requested))
            {
                return new Dictionary<string, ManagerEntry>(StringComparer.Ordinal);
            }
            try
            {
                var fromRequest = ManagedFieldsList.Decode(requested);
                if (fromRequest.Count > 0)
                {
                    return fromRequest;
                }
            }
            catch (FormatException)
            {
                // A client that does not understand managedFields must not erase them: use the live ones.
            }
        }
        try
        {
            return ManagedFieldsList.Decode(live);
        }
        catch (FormatException)
        {
            return new Dictionary<string, ManagerEntry>(StringComparer.Ordinal);
        }
    }

    // capmanagers.go: the oldest Update entries merge, per apiVersion, into "ancient-changes".
    private static void CapUpdateManagers(Dictionary<string, ManagerEntry> managed)
    {
        var updaters = managed.Values.Where(e => !e.Applied).ToList();
        if (updaters.Count <= MaxUpdateManagers)
        {
            return;
        }
        updaters.Sort((a, b) =>
        {
            var c = (a.Time?.ToUnixTimeSeconds() ?? 0).CompareTo(b.Time?.ToUnixTimeSeconds() ?? 0);
            return c != 0 ? c : string.CompareOrdinal(a.Identity, b.Identity);
        });
        var firstByVersion = new Dictionary<string, ManagerEntry>(StringComparer.Ordinal);
        var length = updaters.Count;
        for (var i = 0; i < updaters.Count && length > MaxUpdateManagers; i++)
        {
            var entry = updaters[i];
            var bucketIdentity = ManagerEntry.IdentityOf("ancient-changes", ManagerEntry.Update, entry.ApiVersion, null);
            if (!firstByVersion.TryGetValue(entry.ApiVersion, out var first))
            {
                firstByVersion[entry.ApiVersion] = entry;
                continue;
            }
            if (!managed.TryGetValue(bucketIdentity, out var bucket))
            {
                managed.Remove(first.Identity);
                bucket = new ManagerEntry("ancient-changes", ManagerEntry.Update, entry.ApiVersion, null, first.Set, first.Time);
                managed[bucketIdentity] = bucket;
            }
            bucket.Set = entry.Set.Union(bucket.Set);
            bucket.Time = entry.Time;
            managed.Remove(entry.Identity);
            length--;
        }
    }

    private static void Store(JsonObject obj, Dictionary<string, ManagerEntry> managed)
    {
        var encoded = ManagedFieldsList.Encode(managed.Values);
        if (encoded is null)
        {
            Metadata(obj)?.Remove("managedFields");
            return;
        }
        if (Metadata(obj) is not { } metadata)
        {
            metadata = [];
            obj["metadata"] = metadata;
        }
        metadata["managedFields"] = encoded;
    }

    private static Comparison Exclude(Comparison compare, FieldSet? reset) =>
        reset is null ? compare : new Comparison(compare.Added.RecursiveDifference(reset), compare.Modified.RecursiveDifference(reset), compare.Removed.RecursiveDifference(reset));

    private static JsonObject? Metadata(JsonObject obj) => obj["metadata"] as JsonObject;

    private static string? Annotation(JsonObject obj, string key) =>
        obj["metadata"]?["annotations"]?[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The 409 of upstream's NewConflictError (managedfields/internal/conflict.go).</summary>
    private static ApiException ConflictError(IReadOnlyList<Conflict> conflicts)
    {
        var ordered = conflicts.OrderBy(c => c.Owner.Printed, StringComparer.Ordinal).ToList();
        var causes = new JsonArray();
        foreach (var conflict in ordered)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = "conflict with " + conflict.Owner.Printed,
                ["field"] = PathElement.Print(conflict.Path),
            });
        }
        string message;
        if (ordered.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {ordered[0].Owner.Printed}: {PathElement.Print(ordered[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in ordered.GroupBy(c => c.Owner.Printed))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => "- " + PathElement.Print(c.Path)));
            }
            message = $"Apply failed with {ordered.Count.ToString(CultureInfo.InvariantCulture)} conflicts: {string.Join("\n", lines)}";
        }
        return new ApiException(StatusCodes.Status409Conflict, "Conflict", message, new JsonObject { ["causes"] = causes });
    }

    private static FieldSet StrippedFields()
    {
        var set = new FieldSet();
        set.Insert(PathElement.Field("apiVersion"));
        set.Insert(PathElement.Field("kind"));
        set.Insert(PathElement.Field("metadata"));
        foreach (var field in new[] { "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion" })
        {
            set.Insert(PathElement.Field("metadata"), PathElement.Field(field));
        }
        return set;
    }

    private sealed record Conflict(ManagerEntry Owner, PathElement[] Path);

    private sealed class ConflictsException(List<Conflict> conflicts) : Exception("apply conflicts")
    {
        public List<Conflict> Conflicts { get; } = conflicts;
    }
}
