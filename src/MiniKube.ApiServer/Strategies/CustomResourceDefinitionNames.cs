using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// What upstream's naming and establishing controllers write into a CRD's status
/// (apiextensions-apiserver pkg/controller/status/naming_controller.go, establish/): the requested
/// names become status.acceptedNames unless another CRD of the same group already accepted one of
/// them, with NamesAccepted True (NoConflicts) or False (PluralConflict, SingularConflict,
/// ShortNamesConflict, KindConflict, ListKindConflict: the old accepted names stay), and
/// Established True (InitialNamesAccepted) once names were accepted. Done here in one step on the
/// write itself, so a CRD is served when its write returns.
/// </summary>
public static class CustomResourceDefinitionNames
{
    /// <summary>Sets the status of <paramref name="crd"/> given the stored CRDs (<paramref name="all"/>, which may include its own stored version).</summary>
    public static void Accept(JsonObject crd, IReadOnlyList<JsonObject> all, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(crd);
        ArgumentNullException.ThrowIfNull(all);
        var name = ObjectMeta.Name(crd);
        var spec = crd.Obj("spec");
        var group = spec.StrOrEmpty("group");
        var requested = spec.Obj("names") ?? [];
        var status = crd.Ensure("status");
        var taken = new Taken();
        foreach (var other in all)
        {
            if (ObjectMeta.Name(other) == name || other.Obj("spec").StrOrEmpty("group") != group)
            {
                continue;
            }
            taken.Add(other.Obj("status").Obj("acceptedNames"));
        }
        var (reason, message) = taken.Conflict(requested);
        var accepted = status.Obj("acceptedNames");
        if (reason is null)
        {
            accepted = (JsonObject)requested.DeepClone();
            if (accepted.Str("kind") is { Length: > 0 } kind)
            {
                accepted.DefaultString("listKind", kind + "List");
                accepted.DefaultString("singular", kind.ToLowerInvariant());
            }
            status["acceptedNames"] = accepted;
            SetCondition(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now);
        }
        else
        {
            status["acceptedNames"] = accepted?.DeepClone() ?? new JsonObject { ["plural"] = "", ["kind"] = "" };
            SetCondition(status, "NamesAccepted", "False", reason, message!, now);
        }
        var namesAccepted = reason is null || (accepted?.StrOrEmpty("plural").Length ?? 0) > 0;
        if (namesAccepted)
        {
            SetCondition(status, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now);
        }
        else if (!CustomResourceDefinitionValidation.IsEstablished(crd))
        {
            SetCondition(status, "Established", "False", "NotAccepted", "not all names are accepted", now);
        }
    }

    private static void SetCondition(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        if (existing.Str("status") != value || !existing.Has("lastTransitionTime"))
        {
            existing["lastTransitionTime"] = ObjectMeta.Timestamp(now);
        }
        existing["status"] = value;
        existing["reason"] = reason;
        existing["message"] = message;
    }

    /// <summary>The names other CRDs of the group accepted.</summary>
    private sealed class Taken
    {
        private readonly HashSet<string> _resources = new(StringComparer.Ordinal);
        private readonly HashSet<string> _kinds = new(StringComparer.Ordinal);

        public void Add(JsonObject? names)
        {
            if (names is null)
            {
                return;
            }
            foreach (var field in new[] { "plural", "singular" })
            {
                if (names.Str(field) is { Length: > 0 } value)
                {
                    _resources.Add(value);
                }
            }
            foreach (var shortName in names.Arr("shortNames") ?? [])
            {
                if (ObjectMeta.Str(shortName) is { Length: > 0 } value)
                {
                    _resources.Add(value);
                }
            }
            foreach (var field in new[] { "kind", "listKind" })
            {
                if (names.Str(field) is { Length: > 0 } value)
                {
                    _kinds.Add(value);
                }
            }
        }

        // The checks in the naming controller's order.
        public (string? Reason, string? Message) Conflict(JsonObject requested)
        {
            if (requested.Str("plural") is { Length: > 0 } plural && _resources.Contains(plural))
            {
                return ("PluralConflict", $"\"{plural}\" is already in use");
            }
            if (requested.Str("singular") is { Length: > 0 } singular && _resources.Contains(singular))
            {
                return ("SingularConflict", $"\"{singular}\" is already in use");
            }
            foreach (var shortName in requested.Arr("shortNames") ?? [])
            {
                if (ObjectMeta.Str(shortName) is { Length: > 0 } value && _resources.Contains(value))
                {
                    return ("ShortNamesConflict", $"\"{value}\" is already in use");
                }
            }
            if (requested.Str("kind") is { Length: > 0 } kind && _kinds.Contains(kind))
            {
                return ("KindConflict", $"\"{kind}\" is already in use");
            }
            if (requested.Str("listKind") is { Length: > 0 } listKind && _kinds.Contains(listKind))
            {
                return ("ListKindConflict", $"\"{listKind}\" is already in use");
            }
            return (null, null);
        }
    }
}
