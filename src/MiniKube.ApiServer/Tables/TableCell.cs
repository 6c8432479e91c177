
namespace MiniKube.ApiServer.Tables;

/// <summary>
/// One column of a printer together with how its cell is computed, so that a header and its value
/// stand side by side and a row always has one cell per column. Cells are strings, integers or
/// booleans, as upstream's print functions emit them (a column's declared type does not always
/// match: ConfigMap's Data is a "string" column holding a count).
/// </summary>
internal sealed record TableCell(TableColumn Column, Func<JsonObject, DateTimeOffset, JsonNode?> Value)
{
    /// <summary>The usual first column: metadata.name.</summary>
    public static TableCell Name { get; } = new(TableColumn.ObjectName, (obj, _) => Cells.Name(obj));

    /// <summary>The usual Age column, from metadata.creationTimestamp.</summary>
    public static TableCell Age { get; } = new(TableColumn.Age, (obj, now) => Cells.Age(obj, now));

    public static TableCell Text(string name, string description, Func<JsonObject, string> value, int priority = 0) =>
        new(TableColumn.Text(name, description, priority), (obj, _) => value(obj));

    public static TableCell Integer(string name, string description, Func<JsonObject, long> value, int priority = 0) =>
        new(TableColumn.Integer(name, description, priority), (obj, _) => value(obj));

    /// <summary>A count in a column declared "string", as upstream declares several (ConfigMap's Data, Deployment's Up-to-date).</summary>
    public static TableCell TextCount(string name, string description, Func<JsonObject, long> value) =>
        new(TableColumn.Text(name, description), (obj, _) => value(obj));

    public static TableCell Boolean(string name, string description, Func<JsonObject, bool> value) =>
        new(new TableColumn(name, "boolean", description), (obj, _) => value(obj));
}
