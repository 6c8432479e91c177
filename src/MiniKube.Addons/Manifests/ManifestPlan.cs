namespace MiniKube.Addons.Manifests;

/// <summary>
/// The bookkeeping of one file's apply, apart from the API so it can be tested alone: what its
/// record lists next, and which objects it made that it no longer declares.
/// </summary>
public static class ManifestPlan
{
    /// <summary>
    /// The objects the record lists after an apply: those the file declares now, and, when some
    /// document could not be read or its kind is not served (<paramref name="incomplete"/>),
    /// everything listed before too, since such a document may still declare one of them: a
    /// typo must not delete a running workload.
    /// </summary>
    public static IReadOnlyList<ManifestObjectRef> NextRecord(IEnumerable<ManifestObjectRef> declared, IEnumerable<ManifestObjectRef> previous, bool incomplete)
    {
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(previous);
        var next = declared.DistinctBy(o => o.Key).ToList();
        if (incomplete)
        {
            var keys = next.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            next.AddRange(previous.Where(o => keys.Add(o.Key)));
        }
        return next;
    }

    /// <summary>
    /// What to delete: objects listed before that neither this file's next record nor any other
    /// file of the directory (<paramref name="declaredElsewhere"/>, by <see cref="ManifestObjectRef.Key"/>) declares.
    /// </summary>
    public static IReadOnlyList<ManifestObjectRef> Orphans(IEnumerable<ManifestObjectRef> previous, IEnumerable<ManifestObjectRef> next, IReadOnlySet<string> declaredElsewhere)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(declaredElsewhere);
        var kept = next.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        return [.. previous.DistinctBy(o => o.Key).Where(o => !kept.Contains(o.Key) && !declaredElsewhere.Contains(o.Key))];
    }

    /// <summary>
    /// The order objects are applied in: Namespaces, then CustomResourceDefinitions, then the
    /// rest as written, so a file may create a namespace or a kind and use it below (Helm's
    /// install order starts the same way).
    /// </summary>
    public static IReadOnlyList<ManifestObject> ApplyOrder(IEnumerable<ManifestObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        return [.. objects.OrderBy(o => (o.ApiVersion, o.Kind) switch
        {
            ("v1", "Namespace") => 0,
            (_, "CustomResourceDefinition") when o.ApiVersion.StartsWith("apiextensions.k8s.io/", StringComparison.Ordinal) => 1,
            _ => 2,
        })];
    }
}
