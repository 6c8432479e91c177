
namespace MiniKube.ApiServer.Objects;

/// <summary>
/// Small readers and writers for the metadata fields the registry manages. Readers take any
/// request body: a metadata that is not an object reads as absent (the decoder refuses it with
/// a 400 later), never as an exception.
/// </summary>
internal static class ObjectMeta
{
    private static JsonObject? Meta(JsonObject obj) => obj["metadata"] as JsonObject;

    public static string? Name(JsonObject obj) => Str(Meta(obj)?["name"]);

    public static string? Namespace(JsonObject obj) => Str(Meta(obj)?["namespace"]);

    public static string? Uid(JsonObject obj) => Str(Meta(obj)?["uid"]);

    public static string? ResourceVersion(JsonObject obj) => Str(Meta(obj)?["resourceVersion"]);

    public static bool IsDeleting(JsonObject obj) => Meta(obj)?["deletionTimestamp"] is not null;

    public static JsonArray? Finalizers(JsonObject obj) => Meta(obj)?["finalizers"] as JsonArray;

    public static bool HasFinalizers(JsonObject obj) => Finalizers(obj) is { Count: > 0 };

    public static long Generation(JsonObject obj) =>
        Meta(obj)?["generation"] is JsonValue v && v.TryGetValue<long>(out var g) ? g : 0;

    /// <summary>Kubernetes timestamps: RFC 3339, whole seconds, UTC.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A node's JSON text, or "" for null, for change detection.</summary>
    public static string Text(JsonNode? node) => node?.ToJsonString() ?? "";
}
