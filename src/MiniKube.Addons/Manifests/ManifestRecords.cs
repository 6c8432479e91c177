using System.Text.Json.Nodes;

namespace MiniKube.Addons.Manifests;

/// <summary>
/// The durable record of what each manifest file applied: a ConfigMap in kube-system per file
/// (k3s keeps an Addon object per file for the same purpose), labelled
/// <see cref="RecordLabel"/>, naming the file (<see cref="SourceAnnotation"/>), the server whose
/// directory holds it (<see cref="ServerAnnotation"/>) and, in <see cref="ObjectsKey"/>, the
/// objects as a JSON array of apiVersion, kind, namespace and name. It is what lets a removed
/// file, or a document removed from a file, remove its objects after a restart too, and it is the
/// object the deploy events are about. The name is <c>mkube-manifest-</c>, the file's path made
/// a DNS label, and a hash of the path, so two paths never share a record.
/// </summary>
public static partial class ManifestRecords
{
    /// <summary>The record's name for a file: readable, a valid ConfigMap name, unique per path.</summary>
    public static string NameFor(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var readable = NotNameCharacters().Replace(relativePath.ToLowerInvariant(), "-").Trim('-');
        // Kept a DNS label (63 characters): prefix 15, readable part, dash, hash 8.
        if (readable.Length > 39)
        {
            readable = readable[..39].TrimEnd('-');
        }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(relativePath)).AsSpan(0, 4));
        return readable.Length == 0 ? Prefix + hash : $"{Prefix}{readable}-{hash}";
    }

    /// <summary>Where the records are kept, beside the other add-ons' objects.</summary>
    public const string Namespace = "kube-system";

    /// <summary>Marks a ConfigMap as a record (value "true").</summary>
    public const string RecordLabel = "manifests.mkube.io/record";

    /// <summary>The file's path below the manifests directory.</summary>
    public const string SourceAnnotation = "manifests.mkube.io/source";

    /// <summary>The node name of the server that wrote the record last.</summary>
    public const string ServerAnnotation = "manifests.mkube.io/server";

    /// <summary>The data key holding the objects.</summary>
    public const string ObjectsKey = "objects";

    /// <summary>The label selector that lists the records.</summary>
    public const string Selector = RecordLabel + "=true";

    private const string Prefix = "mkube-manifest-";

    /// <summary>The record as an apply configuration (its objects sorted, so an unchanged set writes nothing new).</summary>
    public static JsonObject Build(string relativePath, string server, IEnumerable<ManifestObjectRef> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var list = new JsonArray([.. objects.DistinctBy(o => o.Key).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => (JsonNode)new JsonObject
        {
            ["apiVersion"] = o.ApiVersion,
            ["kind"] = o.Kind,
            ["namespace"] = o.Namespace,
            ["name"] = o.Name,
        })]);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = NameFor(relativePath),
                ["namespace"] = Namespace,
                ["labels"] = new JsonObject { [RecordLabel] = "true" },
                ["annotations"] = new JsonObject { [SourceAnnotation] = relativePath, [ServerAnnotation] = server },
            },
            ["data"] = new JsonObject { [ObjectsKey] = list.ToJsonString() },
        };
    }

    /// <summary>The file a record is about (null: not a record of ours).</summary>
    public static string? Source(V1ConfigMap record) =>
        record?.Metadata?.Annotations?.TryGetValue(SourceAnnotation, out var source) == true && source.Length > 0 ? source : null;

    /// <summary>The server that last wrote the record.</summary>
    public static string? Server(V1ConfigMap record) =>
        record?.Metadata?.Annotations?.TryGetValue(ServerAnnotation, out var server) == true ? server : null;

    /// <summary>The objects a record lists; entries it cannot read are left out (a hand-edited record).</summary>
    public static IReadOnlyList<ManifestObjectRef> Objects(V1ConfigMap? record)
    {
        if (record?.Data?.TryGetValue(ObjectsKey, out var text) != true || text is null)
        {
            return [];
        }
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
        return [.. (parsed as JsonArray ?? []).OfType<JsonObject>()
            .Select(o => (ApiVersion: Text(o, "apiVersion"), Kind: Text(o, "kind"), Namespace: Text(o, "namespace") ?? "", Name: Text(o, "name")))
            .Where(o => o.ApiVersion is not null && o.Kind is not null && o.Name is not null)
            .Select(o => new ManifestObjectRef(o.ApiVersion!, o.Kind!, o.Namespace, o.Name!))];
    }

    private static string? Text(JsonObject node, string property) =>
        node[property] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    [System.Text.RegularExpressions.GeneratedRegex("[^a-z0-9-]+")]
    private static partial System.Text.RegularExpressions.Regex NotNameCharacters();
}
