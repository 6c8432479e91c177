
namespace MiniKube.ApiServer.Tables;

/// <summary>
/// One column of a meta.k8s.io Table. Priority 0 columns make kubectl's default view, higher
/// ones appear only with <c>-o wide</c>; the server always sends every column.
/// </summary>
/// <param name="Name">Header as upstream spells it, e.g. "Nominated Node"; kubectl upper-cases it.</param>
/// <param name="Type">OpenAPI type: string, integer, number, boolean or date.</param>
/// <param name="Description">Human description of the column.</param>
/// <param name="Priority">0 for the default view, 1 for wide.</param>
/// <param name="Format">OpenAPI format; "name" marks the column holding the object's name.</param>
public sealed record TableColumn(string Name, string Type, string Description, int Priority = 0, string Format = "")
{
    public const string NameDescription = "Name of the object, unique within its namespace.";

    public const string AgeDescription = "Time since the object was created (metadata.creationTimestamp).";

    /// <summary>The usual first column.</summary>
    public static TableColumn ObjectName { get; } = new("Name", "string", NameDescription, Format: "name");

    /// <summary>The usual Age column.</summary>
    public static TableColumn Age { get; } = new("Age", "string", AgeDescription);

    public static TableColumn Text(string name, string description, int priority = 0) => new(name, "string", description, priority);

    public static TableColumn Integer(string name, string description, int priority = 0) => new(name, "integer", description, priority);

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["format"] = Format,
        ["description"] = Description,
        ["priority"] = Priority,
    };
}
