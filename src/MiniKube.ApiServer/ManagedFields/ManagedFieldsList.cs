namespace MiniKube.ApiServer.ManagedFields;

/// <summary>
/// One <c>metadata.managedFields</c> entry in working form: who, how, at which version, and the
/// decoded field set. Entries are identified as upstream's BuildManagerIdentifier does: manager,
/// operation, subresource and, for Update only, apiVersion (an applier stays one entry across versions).
/// </summary>
public sealed class ManagerEntry(string manager, string operation, string apiVersion, string? subresource, FieldSet set, DateTimeOffset? time)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public string Manager { get; } = manager;

    public string Operation { get; } = operation;

    public string ApiVersion { get; set; } = apiVersion;

    public string? Subresource { get; } = subresource;

    public FieldSet Set { get; set; } = set;

    public DateTimeOffset? Time { get; set; } = time;

    public bool Applied => Operation == Apply;

    public string Identity => IdentityOf(Manager, Operation, ApiVersion, Subresource);

    public static string IdentityOf(string manager, string operation, string apiVersion, string? subresource) =>
        string.Join('\u0000', manager, operation, operation == Apply ? "" : apiVersion, subresource ?? "");

    /// <summary>How conflicts name the manager (managedfields/internal/conflict.go printManager).</summary>
    public string Printed
    {
        get
        {
            var text = Quote(Manager);
            if (!string.IsNullOrEmpty(Subresource))
            {
                text += " with subresource " + Quote(Subresource);
            }
            return Applied ? text : $"{text} using {ApiVersion}";
        }
    }

    private static string Quote(string text) => JsonText.Compact(JsonValue.Create(text));
}

/// <summary>
/// Reads and writes <c>metadata.managedFields</c> (managedfields/internal/managedfields.go):
/// the decode checks (operation Apply or Update, a non-empty apiVersion, fieldsType FieldsV1) and
/// the encoded order (operation, then time, manager, apiVersion, subresource).
/// </summary>
public static class ManagedFieldsList
{
    /// <summary>Decodes the entries; null or absent is none.</summary>
    /// <exception cref="FormatException">An entry upstream would refuse to decode.</exception>
    public static Dictionary<string, ManagerEntry> Decode(JsonNode? managedFields)
    {
        var result = new Dictionary<string, ManagerEntry>(StringComparer.Ordinal);
        if (managedFields is null)
        {
            return result;
        }
        if (managedFields is not JsonArray entries)
        {
            throw new FormatException("managedFields must be a list");
        }
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry)
            {
                throw new FormatException($"managed fields entry {i} must be an object");
            }
            var operation = Text(entry["operation"]);
            if (operation is not (ManagerEntry.Apply or ManagerEntry.Update))
            {
                throw new FormatException("operation must be `Apply` or `Update`");
            }
            var apiVersion = Text(entry["apiVersion"]);
            if (string.IsNullOrEmpty(apiVersion))
            {
                throw new FormatException("apiVersion must not be empty");
            }
            switch (Text(entry["fieldsType"]))
            {
                case "FieldsV1":
                    break;
                case null or "":
                    throw new FormatException($"missing fieldsType in managed fields entry {i}");
                case var other:
                    throw new FormatException($"invalid fieldsType \"{other}\" in managed fields entry {i}");
            }
            var set = entry["fieldsV1"] is { } fields ? FieldSet.FromFieldsV1(fields) : new FieldSet();
            DateTimeOffset? time = Text(entry["time"]) is { Length: > 0 } t
                && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
            var decoded = new ManagerEntry(Text(entry["manager"]) ?? "", operation, apiVersion, Text(entry["subresource"]) is { Length: > 0 } s ? s : null, set, time);
            result[decoded.Identity] = decoded;
        }
        return result;
    }

    /// <summary>True for what a client sends to reset ownership: an empty list, or one empty entry (fieldmanager.go isResetManagedFields).</summary>
    public static bool IsReset(JsonNode? managedFields) =>
        managedFields is JsonArray { Count: 0 } || managedFields is JsonArray { Count: 1 } one && one[0] is JsonObject { Count: 0 };

    /// <summary>The entries as stored, sorted as upstream sorts them; null when there are none.</summary>
    public static JsonArray? Encode(IEnumerable<ManagerEntry> entries)
    {
        var sorted = entries
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => e.Time?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Subresource ?? "", StringComparer.Ordinal)
            .ToList();
        if (sorted.Count == 0)
        {
            return null;
        }
        var result = new JsonArray();
        foreach (var entry in sorted)
        {
            // metav1.ManagedFieldsEntry's field order; empty time and subresource are omitted.
            (string Key, JsonNode? Value)[] fields =
            [
                ("manager", entry.Manager), ("operation", entry.Operation), ("apiVersion", entry.ApiVersion),
                ("time", entry.Time is { } time ? Timestamp(time) : null), ("fieldsType", "FieldsV1"),
                ("fieldsV1", entry.Set.ToFieldsV1()), ("subresource", string.IsNullOrEmpty(entry.Subresource) ? null : entry.Subresource),
            ];
            result.Add(new JsonObject(fields.Where(f => f.Value is not null).Select(f => KeyValuePair.Create(f.Key, f.Value))));
        }
        return result;
    }

    /// <summary>RFC 3339 in whole seconds, UTC, as metav1.Time marshals.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
