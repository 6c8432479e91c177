
namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// The parameters of kube-apiserver operations (metav1 ListOptions, CreateOptions, PatchOptions,
/// DeleteOptions as query parameters). Each call builds fresh nodes, since a JSON node can sit
/// in one document only.
/// </summary>
internal static class QueryParameters
{
    public static JsonObject[] List =>
    [
        Create("allowWatchBookmarks", "boolean", "Asks for BOOKMARK events in a watch; servers may ignore it."),
        Create("continue", "string", "The continue token of a previous paged list, to fetch the next page."),
        Create("fieldSelector", "string", "Restricts the list by fields. Defaults to everything."),
        Create("labelSelector", "string", "Restricts the list by labels. Defaults to everything."),
        Create("limit", "integer", "The most items to return; a continue token in the list metadata fetches the rest."),
        Create("resourceVersion", "string", "Which resource version the list or watch starts from."),
        Create("resourceVersionMatch", "string", "How resourceVersion applies to a list: Exact or NotOlderThan."),
        Create("sendInitialEvents", "boolean", "With watch=true, starts the watch with synthetic events for the current objects."),
        Create("timeoutSeconds", "integer", "Timeout for the list or watch call."),
        Create("watch", "boolean", "Streams add, update and delete notifications instead of returning a list."),
    ];

    public static JsonObject[] Write =>
    [
        DryRun(),
        Create("fieldManager", "string", "Name of the actor making the change, recorded in managedFields."),
        FieldValidation(),
    ];

    public static JsonObject[] Patch =>
    [
        DryRun(),
        Create("fieldManager", "string", "Name of the actor making the change, recorded in managedFields; required for apply patches."),
        FieldValidation(),
        Create("force", "boolean", "Makes an apply patch take over fields owned by other managers; only for apply patches."),
    ];

    public static JsonObject[] Delete =>
    [
        DryRun(),
        Create("gracePeriodSeconds", "integer", "Seconds before the object is deleted; zero deletes at once."),
        Create("orphanDependents", "boolean", "Deprecated: use propagationPolicy. Whether dependents are orphaned."),
        Create("propagationPolicy", "string", "How dependents are garbage collected: Orphan, Background or Foreground."),
    ];

    public static JsonObject Create(string name, string type, string description) => new()
    {
        ["description"] = description,
        ["in"] = "query",
        ["name"] = name,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    public static JsonObject PathParameter(string name, string description) => new()
    {
        ["description"] = description,
        ["in"] = "path",
        ["name"] = name,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonObject DryRun() =>
        Create("dryRun", "string", "When present (All), the request is processed but nothing is persisted.");

    private static JsonObject FieldValidation() =>
        Create("fieldValidation", "string", "How the server treats unknown fields in the request body: Ignore drops them, Warn (the default) drops them with a warning per field, Strict fails the request.");
}
