using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// The DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/setdefault;
/// the choice is pkg/volume/util/storageclass.go GetDefaultClass): a claim created without a class
/// gets the class marked default. "Without a class" means spec.storageClassName absent or null and
/// no beta annotation; an explicit "" asks for no class and is left alone. With several defaults
/// the newest wins, then the first by name, as upstream since 1.26.
/// </summary>
public static class DefaultStorageClass
{
    /// <summary>True when the claim names no class, so the plugin should pick one.</summary>
    public static bool Wants(JsonObject claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (claim["metadata"]?["annotations"] is JsonObject annotations && annotations.ContainsKey(StorageAnnotations.BetaStorageClass))
        {
            return false;
        }
        return claim["spec"]?["storageClassName"] is null;
    }

    /// <summary>The name of the default class among <paramref name="classes"/>, or null when none is marked default.</summary>
    public static string? Choose(IEnumerable<JsonObject> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        return Newest(classes.Where(IsDefault));
    }

    /// <summary>The newest of <paramref name="defaults"/> by creationTimestamp, then the first by name; null when empty.</summary>
    internal static string? Newest(IEnumerable<JsonObject> defaults) =>
        defaults
            .Select(c => (Name: ObjectMeta.Name(c) ?? "", Created: Created(c)))
            .OrderByDescending(c => c.Created)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();

    /// <summary>Sets spec.storageClassName of <paramref name="claim"/>.</summary>
    public static void Apply(JsonObject claim, string className)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (claim["spec"] is not JsonObject spec)
        {
            spec = [];
            claim["spec"] = spec;
        }
        spec["storageClassName"] = className;
    }

    private static bool IsDefault(JsonObject storageClass) =>
        storageClass["metadata"]?["annotations"] is JsonObject annotations
        && (ObjectMeta.Str(annotations[StorageAnnotations.IsDefaultClass]) == "true" || ObjectMeta.Str(annotations[StorageAnnotations.BetaIsDefaultClass]) == "true");

    private static DateTimeOffset Created(JsonObject obj) =>
        DateTimeOffset.TryParse(ObjectMeta.Str(obj["metadata"]?["creationTimestamp"]), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            ? created
            : DateTimeOffset.MinValue;
}
