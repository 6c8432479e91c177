using System.Collections.Concurrent;
using System.Text;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Table printers of custom resources, from a CRD version's <c>additionalPrinterColumns</c>, as
/// apiextensions-apiserver's tableconvertor.go builds them: Name first (format <c>name</c>), then
/// each declared column with its type, format, priority and description (by default
/// "Custom resource definition column (in JSONPath format): &lt;path&gt;"); a version without
/// columns gets Age from <c>.metadata.creationTimestamp</c> (customresource_handler.go
/// serveDefaultColumnsIfEmpty). Each column's JSONPath is compiled once. Printers are cached per
/// CRD name and version and rebuilt when the CRD's uid or resourceVersion changes, so the cache
/// holds one printer per served CRD version.
/// </summary>
internal static class CustomResourcePrinters
{
    private const string DescriptionPrefix = "Custom resource definition column (in JSONPath format): ";

    private static readonly ConcurrentDictionary<(string Crd, string Version), (string Identity, TablePrinter Printer)> Cache = new();

    private static readonly TablePrinter DefaultColumns = Build(DefaultAge());

    /// <summary>
    /// The printer of <paramref name="version"/> of <paramref name="crd"/> (a whole
    /// apiextensions.k8s.io/v1 CustomResourceDefinition as JSON). A version the CRD does not list
    /// gets the default columns (Name, Age).
    /// </summary>
    public static TablePrinter For(JsonObject crd, string version)
    {
        ArgumentNullException.ThrowIfNull(crd);
        ArgumentNullException.ThrowIfNull(version);
        var metadata = crd["metadata"] as JsonObject;
        var name = JsonFields.ScalarText(metadata?["name"]);
        var identity = JsonFields.ScalarText(metadata?["uid"]) + "/" + JsonFields.ScalarText(metadata?["resourceVersion"]);
        var columns = VersionColumns(crd, version);
        if (name.Length == 0 || identity == "/")
        {
            // Not a stored CRD (no identity to key on): nothing to cache.
            return Build(columns);
        }
        var key = (name, version);
        if (Cache.TryGetValue(key, out var cached) && cached.Identity == identity)
        {
            return cached.Printer;
        }
        var printer = Build(columns);
        Cache[key] = (identity, printer);
        return printer;
    }

    /// <summary>
    /// A printer from a version's <c>additionalPrinterColumns</c> (null or empty: Name and Age).
    /// A column whose JSONPath does not parse (CRD validation refuses those) prints null cells.
    /// </summary>
    public static TablePrinter Build(JsonArray? additionalPrinterColumns)
    {
        if (additionalPrinterColumns is null or { Count: 0 })
        {
            return DefaultColumns;
        }
        var columns = new List<TableColumn> { TableColumn.ObjectName };
        var cells = new List<ColumnCell>();
        foreach (var definition in additionalPrinterColumns.OfType<JsonObject>())
        {
            var jsonPath = JsonFields.ScalarText(definition["jsonPath"]);
            var description = JsonFields.ScalarText(definition["description"]);
            var type = JsonFields.ScalarText(definition["type"]);
            columns.Add(new TableColumn(
                JsonFields.ScalarText(definition["name"]),
                type,
                description.Length > 0 ? description : DescriptionPrefix + jsonPath,
                (int)(JsonFields.AsLong(definition["priority"]) ?? 0),
                JsonFields.ScalarText(definition["format"])));
            cells.Add(new ColumnCell(JsonPath.TryParse(jsonPath, out var path, out _) ? path : null, type));
        }
        return new TablePrinter(columns, (obj, now) =>
        {
            var row = new JsonNode?[cells.Count + 1];
            row[0] = Cells.Name(obj);
            for (var i = 0; i < cells.Count; i++)
            {
                row[i + 1] = cells[i].Render(obj, now);
            }
            return row;
        });
    }

    private static JsonArray? VersionColumns(JsonObject crd, string version) =>
        ((crd["spec"] as JsonObject)?["versions"] as JsonArray)?
            .OfType<JsonObject>()
            .FirstOrDefault(v => JsonFields.ScalarText(v["name"]) == version)?["additionalPrinterColumns"] as JsonArray;

    private static JsonArray DefaultAge() =>
    [
        new JsonObject
        {
            ["name"] = "Age",
            ["type"] = "date",
            ["description"] = TableColumn.AgeDescription,
            ["jsonPath"] = ".metadata.creationTimestamp",
        },
    ];

    /// <summary>One column's path and how its first result becomes a cell (tableconvertor.go cellForJSONValue).</summary>
    private sealed record ColumnCell(JsonPath? Path, string Type)
    {
        public JsonValue? Render(JsonObject obj, DateTimeOffset now)
        {
            // Only the first result is printed, as upstream: "we only support simple JSON path".
            if (Path is null || !Path.TryFirst(obj, out var value))
            {
                return null;
            }
            return Type == "string" ? JsonValue.Create(Text(value)) : Typed(value, now);
        }

        private JsonValue? Typed(JsonNode? value, DateTimeOffset now)
        {
            if (value is not JsonValue scalar)
            {
                return null;
            }
            var kind = scalar.GetValueKind();
            return (Type, kind) switch
            {
                ("integer", JsonValueKind.Number) => JsonValue.Create(scalar.TryGetValue<long>(out var l) ? l : Truncate(scalar.GetValue<double>())),
                ("number", JsonValueKind.Number) => JsonValue.Create(scalar.GetValue<double>()),
                ("boolean", JsonValueKind.True or JsonValueKind.False) => JsonValue.Create(kind == JsonValueKind.True),
                ("date", JsonValueKind.String) => JsonValue.Create(Date(scalar.GetValue<string>(), now)),
                _ => null,
            };
        }

        // Go's int64(float64): truncation toward zero; out-of-range values saturate here instead of wrapping.
        private static long Truncate(double value) => double.IsNaN(value) ? 0 : (long)Math.Clamp(Math.Truncate(value), long.MinValue, long.MaxValue);

        /// <summary>metav1.Time.UnmarshalQueryParameter (RFC 3339) then ConvertToHumanReadableDateType.</summary>
        private static string Date(string text, DateTimeOffset now)
        {
            if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFFFK"],
                    CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                return "<invalid>";
            }
            return time == DateTimeOffset.MinValue ? HumanDuration.Unknown : HumanDuration.Since(time, now);
        }

        /// <summary>
        /// What client-go's jsonpath PrintResults writes for one value: strings bare, numbers and
        /// booleans as Go's fmt prints them, objects and lists as compact JSON with sorted keys
        /// (encoding/json), a JSON null as text/template's "&lt;no value&gt;".
        /// </summary>
        private static string Text(JsonNode? value)
        {
            switch (value)
            {
                case null:
                    return "<no value>";
                case JsonValue scalar:
                    return scalar.GetValueKind() switch
                    {
                        JsonValueKind.String => scalar.GetValue<string>(),
                        JsonValueKind.Number => scalar.TryGetValue<long>(out var l)
                            ? l.ToString(CultureInfo.InvariantCulture)
                            : GoSyntax.Float(scalar.GetValue<double>()),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => scalar.ToJsonString(),
                    };
                default:
                    var text = new StringBuilder();
                    SortedJson.Append(text, value, SortedJson.AppendGoString);
                    return text.ToString();
            }
        }
    }
}
