
namespace MiniKube.ApiServer.Objects;

/// <summary>Small readers and writers for the metadata fields the registry manages.</summary>
internal static class ObjectMeta
{
    public static string? Name(JsonObject obj) => Str(obj["metadata"]?["name"]);

    public static string? Namespace(JsonObject obj) => Str(obj["metadata"]?["namespace"]);

    public static string? Uid(JsonObject obj) => Str(obj["metadata"]?["uid"]);

    public static string? ResourceVersion(JsonObject obj) => Str(obj["metadata"]?["resourceVersion"]);

    public static bool IsDeleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static JsonArray? Finalizers(JsonObject obj) => obj["metadata"]?["finalizers"] as JsonArray;

    public static bool HasFinalizers(JsonObject obj) => Finalizers(obj) is { Count: > 0 };

    public static long Generation(JsonObject obj) =>
        obj["metadata"]?["generation"] is JsonValue v && v.TryGetValue<long>(out var g) ? g : 0;

    /// <summary>Kubernetes timestamps: RFC 3339, whole seconds, UTC.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A node's JSON text, or "" for null, for change detection.</summary>
    public static string Text(JsonNode? node) => node?.ToJsonString() ?? "";
}
