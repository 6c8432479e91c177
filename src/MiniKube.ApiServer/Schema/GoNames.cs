using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Schema;

/// <summary>
/// The upstream Go names behind k8s.Models classes. The client generator names a class after
/// the OpenAPI definition it came from: version plus Go type name (<c>V1PodSpec</c>), prefixed
/// with the group where two groups share a name (<c>Corev1EndpointPort</c>,
/// <c>Discoveryv1EndpointPort</c>). Splitting the class name back gives what OpenAPI names and
/// Go decode errors show.
/// </summary>
internal static partial class GoNames
{
    /// <param name="GroupPrefix">Lower-case group prefix such as "core", or null when the name has none.</param>
    /// <param name="Version">e.g. v1, v1beta1.</param>
    /// <param name="Name">Go type name, e.g. PodSpec.</param>
    internal readonly record struct ModelName(string? GroupPrefix, string Version, string Name);

    [GeneratedRegex("^(?<group>[A-Z][a-z0-9]*?)?(?<version>[Vv][0-9]+(?:(?:alpha|beta)[0-9]+)?)(?<name>[A-Z][A-Za-z0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelClassName();

    public static ModelName Split(Type model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var match = ModelClassName().Match(model.Name);
        if (!match.Success)
        {
            return new ModelName(null, "v1", model.Name);
        }
        var group = match.Groups["group"].Value;
        return new ModelName(
            group.Length == 0 ? null : group.ToLowerInvariant(),
            match.Groups["version"].Value.ToLowerInvariant(),
            match.Groups["name"].Value);
    }

    /// <summary>
    /// The Go type a value of this schema decodes into, as Go's reflect prints it in
    /// "cannot unmarshal ... of type X" (e.g. int32, []v1.Container, map[string]string).
    /// </summary>
    public static string GoType(SchemaNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Kind switch
        {
            SchemaKind.Object when node.Model is not null => ModelType(node.Model),
            SchemaKind.Array => "[]" + ItemType(node),
            SchemaKind.Map => "map[string]" + ItemType(node),
            SchemaKind.String => "string",
            SchemaKind.Integer => node.Format ?? "int64",
            SchemaKind.Number => "float64",
            SchemaKind.Boolean => "bool",
            SchemaKind.IntOrString => "intstr.IntOrString",
            SchemaKind.Quantity => "resource.Quantity",
            SchemaKind.Time => "v1.Time",
            SchemaKind.Bytes => "[]uint8",
            _ => "interface {}",
        };
    }

    private static string ModelType(Type model)
    {
        var name = Split(model);
        return name.Version + "." + name.Name;
    }

    private static string ItemType(SchemaNode node) => node.Items is null ? "interface {}" : GoType(node.Items);
}
