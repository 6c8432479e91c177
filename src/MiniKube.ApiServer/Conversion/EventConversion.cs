using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Conversion;

/// <summary>
/// events.k8s.io/v1 Events over the stored core/v1 ones (both versions are one resource upstream,
/// stored under /registry/events), following pkg/apis/events/v1/conversion.go: regarding ↔
/// involvedObject, note ↔ message, reportingController ↔ reportingComponent, and the
/// deprecated* fields ↔ source, firstTimestamp, lastTimestamp and count.
/// </summary>
public static class EventConversion
{
    public const string Core = "v1";
    public const string Events = "events.k8s.io/v1";

    // (events.k8s.io name, core name) of the fields that only change name.
    private static readonly (string Events, string Core)[] Renamed =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    /// <summary>A core Event in the events.k8s.io/v1 shape; other objects are returned unchanged.</summary>
    public static JsonObject ToEventsV1(JsonObject core) => Convert(core, Core, Events, "regarding", Renamed.ToDictionary(r => r.Core, r => r.Events, StringComparer.Ordinal));

    /// <summary>An events.k8s.io/v1 Event in the stored core shape; other objects are returned unchanged.</summary>
    public static JsonObject ToCore(JsonObject events) => Convert(events, Events, Core, "involvedObject", Renamed.ToDictionary(r => r.Events, r => r.Core, StringComparer.Ordinal));

    private static JsonObject Convert(JsonObject from, string fromVersion, string toVersion, string reference, Dictionary<string, string> names)
    {
        ArgumentNullException.ThrowIfNull(from);
        if (from.Str("apiVersion") != fromVersion)
        {
            return from;
        }
        var result = Rename(from, toVersion, names);
        // Go writes the non-pointer object reference even when empty.
        result[reference] ??= new JsonObject();
        return result;
    }

    private static JsonObject Rename(JsonObject from, string apiVersion, Dictionary<string, string> names)
    {
        var result = new JsonObject();
        foreach (var (key, value) in from)
        {
            var name = key == "apiVersion" ? key : names.GetValueOrDefault(key, key);
            result[name] = key == "apiVersion" ? apiVersion : value?.DeepClone();
        }
        return result;
    }
}
