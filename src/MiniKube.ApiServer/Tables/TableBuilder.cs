using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>List metadata a Table carries: the list's resourceVersion (which <c>kubectl get -w</c> watches from) and paging state.</summary>
/// <param name="ResourceVersion">The list's resource version.</param>
/// <param name="Continue">The continue token when more pages follow.</param>
/// <param name="RemainingItemCount">Items after this page, when known.</param>
public sealed record TableListMetadata(string? ResourceVersion, string? Continue = null, long? RemainingItemCount = null)
{
    public JsonObject ToJson()
    {
        var metadata = new JsonObject();
        if (!string.IsNullOrEmpty(ResourceVersion))
        {
            metadata["resourceVersion"] = ResourceVersion;
        }

        if (!string.IsNullOrEmpty(Continue))
        {
            metadata["continue"] = Continue;
        }

        if (RemainingItemCount is { } remaining)
        {
            metadata["remainingItemCount"] = remaining;
        }

        return metadata;
    }
}

/// <summary>
/// Turns objects into a meta.k8s.io Table, the server-side printing kubectl asks for on
/// human-readable <c>get</c>: column definitions (unless noHeaders), one row per object with
/// its cells and the object in the form includeObject asks for, as apiserver
/// pkg/endpoints/handlers/response.go asTable does. Inputs are never mutated; rows hold copies.
/// </summary>
public static class TableBuilder
{
    /// <param name="type">The resource the objects belong to; it picks the printer.</param>
    /// <param name="objects">Wire-format objects of that resource.</param>
    /// <param name="options">includeObject, noHeaders and the negotiated meta.k8s.io version.</param>
    /// <param name="now">The clock reading ages are computed against.</param>
    /// <param name="listMetadata">The list's resourceVersion and paging state; null leaves metadata empty.</param>
    public static JsonObject BuildTable(ResourceType type, IReadOnlyList<JsonObject> objects, TableOptions options, DateTimeOffset now, TableListMetadata? listMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        return BuildTable(TablePrinters.For(type), objects, options, now, listMetadata);
    }

    /// <summary>
    /// The Table of objects printed by <paramref name="printer"/>: how custom resources are
    /// printed, with <c>CustomResourcePrinters.For(crd, version)</c>.
    /// </summary>
    internal static JsonObject BuildTable(TablePrinter printer, IReadOnlyList<JsonObject> objects, TableOptions options, DateTimeOffset now, TableListMetadata? listMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(printer);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = options.ApiVersion,
            ["metadata"] = (listMetadata ?? new TableListMetadata(null)).ToJson(),
        };
        if (!options.NoHeaders)
        {
            table["columnDefinitions"] = new JsonArray(printer.Columns.Select(c => (JsonNode?)c.ToJson()).ToArray());
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            rows.Add(Row(printer, obj, options, now));
        }

        table["rows"] = rows;
        return table;
    }

    /// <summary>
    /// A one-row Table for a single object (a GET of one name, or a watch event); its metadata
    /// carries the object's resourceVersion as upstream's single-object conversion does.
    /// </summary>
    public static JsonObject BuildObjectTable(ResourceType type, JsonObject obj, TableOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(type);
        return BuildObjectTable(TablePrinters.For(type), obj, options, now);
    }

    /// <summary>A one-row Table printed by <paramref name="printer"/> (custom resources).</summary>
    internal static JsonObject BuildObjectTable(TablePrinter printer, JsonObject obj, TableOptions options, DateTimeOffset now) =>
        BuildTable(printer, [obj], options, now, new TableListMetadata(JsonFields.String(obj, "metadata", "resourceVersion")));

    private static JsonObject Row(TablePrinter printer, JsonObject obj, TableOptions options, DateTimeOffset now)
    {
        var row = new JsonObject { ["cells"] = printer.Cells(obj, now) };
        if (printer.Conditions(obj) is { } conditions)
        {
            row["conditions"] = conditions;
        }

        switch (options.IncludeObject)
        {
            case IncludeObject.Metadata:
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = options.ApiVersion,
                    ["metadata"] = JsonFields.Object(obj, "metadata")?.DeepClone() ?? new JsonObject(),
                };
                break;
            case IncludeObject.Object:
                row["object"] = obj.DeepClone();
                break;
            case IncludeObject.None:
                break;
        }

        return row;
    }
}
