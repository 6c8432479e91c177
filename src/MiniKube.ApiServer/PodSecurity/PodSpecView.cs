using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// The pod the checks look at: its metadata (annotations) and spec as JSON, a Pod's own or a
/// workload's template. A JSON null is an unset field, as a nil pointer is to upstream's checks.
/// </summary>
/// <param name="Metadata">The pod's or template's metadata; may be null.</param>
/// <param name="Spec">The pod spec; an empty object when the template has none.</param>
public sealed record PodSpecView(JsonObject? Metadata, JsonObject Spec)
{
    /// <summary>Init containers, containers, then ephemeral containers, as policy/visitor.go visits them.</summary>
    public IEnumerable<JsonObject> Containers =>
        Spec.Items("initContainers").Concat(Spec.Items("containers")).Concat(Spec.Items("ephemeralContainers")).Select(c => c.Item);

    /// <summary>The pod-level securityContext; null when unset.</summary>
    public JsonObject? PodSecurityContext => Spec.Obj("securityContext");

    /// <summary>True when spec.os.name is windows: restricted checks from v1.25 leave such pods alone.</summary>
    public bool IsWindows => Spec.Obj("os").Str("name") == "windows";

    /// <summary>The annotations, sorted by key.</summary>
    public IEnumerable<(string Key, string Value)> Annotations => Metadata.StringMap("annotations");

    /// <summary>One annotation; null when absent.</summary>
    public string? Annotation(string key) => Metadata.Obj("annotations").Str(key);

    /// <summary>A container's name ("" when unset, as Go's zero value).</summary>
    public static string NameOf(JsonObject container) => container.StrOrEmpty("name");

    /// <summary>A container's securityContext; null when unset.</summary>
    public static JsonObject? SecurityContextOf(JsonObject container) => container.Obj("securityContext");
}

/// <summary>The phrasing helpers of upstream's messages (policy/helpers.go).</summary>
internal static class Wording
{
    /// <summary>"a", "b" → "\"a\", \"b\"" (joinQuote).</summary>
    public static string Quoted(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? "" : "\"" + string.Join("\", \"", list) + "\"";
    }

    /// <summary>The singular for a count of one, else the plural.</summary>
    public static string Plural(string singular, string plural, int count) => count == 1 ? singular : plural;

    /// <summary>"container \"a\"" or "containers \"a\", \"b\"".</summary>
    public static string Containers(IReadOnlyCollection<string> names) => $"{Plural("container", "containers", names.Count)} {Quoted(names)}";

    /// <summary>A sorted set of distinct values, as sets.String.List() gives them.</summary>
    public static SortedSet<string> Set() => new(StringComparer.Ordinal);
}
