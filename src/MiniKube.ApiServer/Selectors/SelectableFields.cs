using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Selectors;

/// <summary>
/// The field labels a resource accepts in a field selector and how each is read from an
/// object. Which labels are accepted, and the error for the others, follow the field-label
/// conversion functions (kubernetes pkg/apis/core/v1/conversion.go, pkg/apis/batch/v1/conversion.go,
/// apimachinery runtime.DefaultMetaV1FieldSelectorConversion for every other kind); the values
/// follow each registry's ToSelectableFields (pkg/registry/core/*/strategy.go). A label that is
/// accepted but has no reader reads as "", as upstream's field set lacks it too.
/// </summary>
internal sealed class SelectableFields
{
    private static readonly Dictionary<(string Group, string Resource), SelectableFields> ByResource = Build();

    private readonly Dictionary<string, Func<JsonObject, string>?> _readers;
    private readonly Dictionary<string, string> _aliases;
    private readonly Func<string, string> _rejection;

    private SelectableFields(Dictionary<string, Func<JsonObject, string>?> readers, Func<string, string> rejection, Dictionary<string, string>? aliases = null)
    {
        _readers = readers;
        _rejection = rejection;
        _aliases = aliases ?? [];
    }

    public static SelectableFields For(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Custom is { } custom)
        {
            return custom.SelectableFields.Count == 0 ? Default : CustomFields.GetValue(custom, Custom);
        }
        return ByResource.TryGetValue((type.Group, type.Name), out var fields) ? fields : Default;
    }

    /// <summary>The label to match on (resolving old aliases); throws <see cref="InvalidSelectorException"/> when unsupported.</summary>
    public string Resolve(string label)
    {
        if (_aliases.TryGetValue(label, out var alias))
        {
            return alias;
        }

        return _readers.ContainsKey(label) ? label : throw new InvalidSelectorException(_rejection(label));
    }

    /// <summary>The object's value for a resolved label; "" when the object lacks it.</summary>
    public string Read(string label, JsonObject obj) => _readers.TryGetValue(label, out var reader) && reader is not null ? reader(obj) : "";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CustomResource, SelectableFields> CustomFields = [];

    // A CRD version's selectableFields (apiextensions' field set): the value at each JSON path as text.
    private static SelectableFields Custom(CustomResource custom)
    {
        (string Label, Func<JsonObject, string>? Reader)[] more = custom.SelectableFields
            .Select<string, (string Label, Func<JsonObject, string>? Reader)>(path => (path.TrimStart('.'), obj => ScalarAt(obj, path.TrimStart('.').Split('.'))))
            .ToArray();
        return new SelectableFields(Metadata(true, more), Default._rejection);
    }

    // Strings as they are, integers in decimal, booleans as true/false; anything else reads as "".
    private static string ScalarAt(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var segment in path)
        {
            node = (node as JsonObject)?[segment];
        }
        return node is JsonValue value ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
            _ => "",
        } : "";
    }

    private static readonly SelectableFields Default = new(
        Metadata(),
        label => $"{GoStrings.Quote(label)} is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");

    private static string CoreRejection(string label) => $"field label not supported: {label}";

    private static Func<JsonObject, string> Path(params string[] path) => obj => JsonFields.Text(obj, path);

    private static Func<JsonObject, string> BoolPath(params string[] path) => obj => JsonFields.Boolean(obj, path) == true ? "true" : "false";

    private static Func<JsonObject, string> IntPath(params string[] path) =>
        obj => (JsonFields.Integer(obj, path) ?? 0).ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, Func<JsonObject, string>?> Metadata(bool withNamespace = true, params (string Label, Func<JsonObject, string>? Reader)[] more)
    {
        var readers = new Dictionary<string, Func<JsonObject, string>?>(StringComparer.Ordinal)
        {
            ["metadata.name"] = Path("metadata", "name"),
        };
        if (withNamespace)
        {
            readers["metadata.namespace"] = Path("metadata", "namespace");
        }

        foreach (var (label, reader) in more)
        {
            readers[label] = reader;
        }

        return readers;
    }

    // Both Event versions select the same stored fields under their own labels: events.k8s.io
    // calls involvedObject "regarding" and reportingComponent "reportingController".
    private static Dictionary<string, Func<JsonObject, string>?> EventFields(string involvedObject, string reportingComponent, params (string Label, Func<JsonObject, string>? Reader)[] more)
    {
        string[] objectFields = ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"];
        return Metadata(
            true,
            [
                .. objectFields.Select(field => (involvedObject + "." + field, (Func<JsonObject, string>?)Path("involvedObject", field))),
                ("reason", Path("reason")),
                (reportingComponent, Path("reportingComponent")),
                ("type", Path("type")),
                .. more,
            ]);
    }

    // The v1 wire form may carry only status.podIP; the internal version always has podIPs[0].
    private static string PodIP(JsonObject pod) =>
        JsonFields.Objects(pod, "status", "podIPs").Select(ip => JsonFields.Text(ip, "ip")).FirstOrDefault()
        ?? JsonFields.Text(pod, "status", "podIP");

    // Upstream falls back to reportingController when source.component is empty.
    private static string EventSource(JsonObject e) =>
        JsonFields.String(e, "source", "component") is { Length: > 0 } component ? component : JsonFields.Text(e, "reportingComponent");

    private static Dictionary<(string, string), SelectableFields> Build() => new()
    {
        [("", "pods")] = new(
            Metadata(
                true,
                ("spec.nodeName", Path("spec", "nodeName")),
                ("spec.restartPolicy", Path("spec", "restartPolicy")),
                ("spec.schedulerName", Path("spec", "schedulerName")),
                ("spec.serviceAccountName", Path("spec", "serviceAccountName")),
                ("spec.hostNetwork", BoolPath("spec", "hostNetwork")),
                ("status.phase", Path("status", "phase")),
                ("status.podIP", PodIP),
                // Accepted by the conversion but absent from the registry's field set.
                ("status.podIPs", null),
                ("status.nominatedNodeName", Path("status", "nominatedNodeName"))),
            CoreRejection,
            new() { ["spec.host"] = "spec.nodeName" }),
        // Nodes accept metadata.name but not metadata.namespace.
        [("", "nodes")] = new(Metadata(false, ("spec.unschedulable", BoolPath("spec", "unschedulable"))), CoreRejection),
        [("", "replicationcontrollers")] = new(Metadata(true, ("status.replicas", IntPath("status", "replicas"))), CoreRejection),
        [("", "events")] = new(EventFields("involvedObject", "reportingComponent", ("source", EventSource)), CoreRejection),
        // events.k8s.io/v1 names (pkg/apis/events/v1 field label conversion), read from the stored core form.
        [("events.k8s.io", "events")] = new(EventFields("regarding", "reportingController"), CoreRejection),
        [("", "namespaces")] = new(Metadata(false, ("status.phase", Path("status", "phase"))), CoreRejection),
        [("", "secrets")] = new(Metadata(true, ("type", Path("type"))), CoreRejection),
        [("", "services")] = new(Metadata(true, ("spec.clusterIP", Path("spec", "clusterIP")), ("spec.type", Path("spec", "type"))), CoreRejection),
        [("batch", "jobs")] = new(
            Metadata(true, ("status.successful", IntPath("status", "succeeded"))),
            label => $"field label {GoStrings.Quote(label)} not supported for batchv1.Job"),
    };
}
